/* Fuzz target: MySQL geometry values (SRID + WKB) as the initial copy
 * reads them, validated and written as PostGIS hex EWKB. */
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy, so that reading past the end is seen */
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	struct rp_copy_col c;
	memset(&c, 0, sizeof(c));
	c.kind = RP_CV_GEOMETRY;
	struct buf out, tmp;
	buf_init(&out, 0);
	buf_init(&tmp, 0);
	struct err e = {0};
	int rc = rp_copy_field(&out, &tmp, &c, p, size, false, NULL, &e);
	/* accepted: the EWKB is the WKB's hex and at most 8 bytes more */
	if (rc == 0 &&
	    (size < 4 || out.n < 2 * (size - 4) || out.n > 2 * (size - 4) + 16))
		abort();
	if (rc < 0 && !e.msg[0])
		abort();
	buf_release(&out);
	buf_release(&tmp);
	free(p);
	return 0;
}
