/*
 * Fuzz target: a binary result set row (mp__binary_row) of columns the
 * input chooses, then its values as text (sn__text_row).  Input: a column
 * count byte, per column a type byte, a flags byte and a decimals byte,
 * then the row packet.
 */
#include <string.h>

#include "mysqlproto/internal.h"
#include "snapshot/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r;
	rd_init(&r, data, size);
	uint32_t n = rd_u8(&r) % 24 + 1;
	struct mp_column cols[24];
	memset(cols, 0, sizeof(cols));
	for (uint32_t i = 0; i < n; i++) {
		cols[i].type = rd_u8(&r);
		cols[i].flags = rd_u8(&r);
		cols[i].decimals = rd_u8(&r);
		cols[i].length = cols[i].decimals;
	}
	if (r.err)
		return 0;
	struct bytes row = rd_rest(&r);
	struct bytes vals[24], tv[24];
	bool nulls[24];
	size_t off[24];
	struct err e = {0};
	if (mp__binary_row(cols, n, row.p, row.n, vals, nulls, &e) == 0) {
		struct mp_result res;
		memset(&res, 0, sizeof(res));
		res.ncols = n;
		res.cols = cols;
		res.binary = true;
		struct mp_row in = {n, vals, nulls};
		struct buf tmp;
		buf_init(&tmp, 0);
		(void)sn__text_row(&tmp, off, &res, &in, tv, &e);
		buf_release(&tmp);
	}
	return 0;
}
