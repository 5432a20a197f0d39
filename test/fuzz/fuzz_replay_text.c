/* Fuzz target: replay's parsers of source text — a DDL statement of a
 * QUERY event (first byte even) or a partial JSON update's operation
 * list, with its MySQL paths (first byte odd). */
#include <stdlib.h>
#include <string.h>

#include "replay/ddl_int.h"
#include "replay/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(size_t *n, const char *a, const char *b)
{
	*n += (a ? strlen(a) : 0) + strlen(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	/* a private copy, so that reading past the end is seen */
	uint8_t *p = malloc(size - 1 ? size - 1 : 1);
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	if (data[0] % 2 == 0) {
		struct arena a;
		arena_init(&a, 4096);
		struct err e = {0};
		struct rp__ddl_stmt st;
		if (rp__ddl_parse((const char *)p, size - 1, data[0] & 2, &a, &st, &e) == 0 &&
		    !st.what)
			abort();	/* every statement is classified */
		arena_release(&a);
	} else {
		struct arena a;
		arena_init(&a, 4096);
		struct err e = {0};
		struct rp_json_op *ops;
		size_t n;
		size_t seen = 0;
		if (rp_json_diff_ops((struct bytes){p, size - 1}, &a, &ops, &n, &e) == 0)
			for (size_t i = 0; i < n; i++)
				count(&seen, ops[i].pg_path, ops[i].mysql_path);
		struct buf b;
		buf_init(&b, 0);
		err_clear(&e);
		if (rp_json_path_to_pg(&b, (const char *)p, size - 1, &e) == 0 && b.n < 2)
			abort();	/* a path is at least "{}" */
		buf_release(&b);
		arena_release(&a);
	}
	free(p);
	return 0;
}
