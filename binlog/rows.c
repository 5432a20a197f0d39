/*
 * Row events: WRITE/UPDATE/DELETE rows v0, v1 and v2, PARTIAL_UPDATE_ROWS
 * and MariaDB's compressed rows events.
 * Post-header: table_id(6, or 4 when the post-header is 6 bytes) flags(2)
 * [v2: extra_len(2, counts itself) extra]; body: ncols(lenenc)
 * present-bitmap [present-after bitmap for updates] then rows.  A row
 * image is a NULL bitmap over the present columns, then the values of
 * the present non-NULL columns.  MariaDB compresses only the rows part.
 */
#include <string.h>

#include "base/xalloc.h"
#include "binlog/decoder_int.h"

static bool bit(const uint8_t *map, uint32_t i)
{
	return map[i >> 3] & (1u << (i & 7));
}

static uint32_t popcount_map(const uint8_t *map, uint32_t nbits)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < nbits; i++)
		n += bit(map, i);
	return n;
}

struct image_ctx {
	const struct bl_table *t;
	const uint8_t *present;
	uint32_t npresent;
	bool partial_after;	/* PARTIAL_UPDATE_ROWS after-image */
};

static int row_error(struct bl_decoder *d, struct rd *r, const struct bl_table *t,
		     uint32_t col, const char *what)
{
	if (d->err.code)
		return -d->err.code;
	int code = r->err ? -r->err : ERR_PROTO;
	return err_set_at(&d->err, code, r->err ? r->err_off : rd_offset(r),
			  "rows event for `%s`.`%s`, column %u (%s): %s",
			  t->schema, t->name, col + 1,
			  bl_col_type_name(t->cols[col].type), what);
}

static int decode_image(struct bl_decoder *d, struct rd *r,
			const struct image_ctx *ic, struct bl_value *vals)
{
	const struct bl_table *t = ic->t;
	const uint8_t *partial = NULL;
	uint32_t njson = 0;
	if (ic->partial_after) {
		uint64_t opts = rd_lenenc(r, NULL);
		if (opts & 1) {
			for (uint32_t i = 0; i < t->ncols; i++)
				njson += t->cols[i].type == BL_TYPE_JSON;
			struct bytes pm = rd_bytes(r, (njson + 7) / 8);
			partial = pm.p;
		}
	}
	struct bytes nulls = rd_bytes(r, (ic->npresent + 7) / 8);
	if (r->err)
		return err_set_at(&d->err, -r->err, r->err_off,
				  "rows event for `%s`.`%s`: row image truncated",
				  t->schema, t->name);
	uint32_t k = 0, jk = 0;
	for (uint32_t i = 0; i < t->ncols; i++) {
		struct bl_value *v = &vals[i];
		const struct bl_column *c = &t->cols[i];
		bool is_json = c->type == BL_TYPE_JSON;
		if (!bit(ic->present, i)) {
			v->kind = BLV_ABSENT;
			jk += is_json;
			continue;
		}
		bool isnull = bit(nulls.p, k);
		k++;
		if (isnull) {
			v->kind = BLV_NULL;
			jk += is_json;
			continue;
		}
		if (is_json && partial && bit(partial, jk)) {
			uint32_t lb = c->meta >= 1 && c->meta <= 4 ? c->meta : 4;
			uint64_t len = rd_uNle(r, lb);
			if (r->err || len > rd_left(r))
				return row_error(d, r, t, i, "partial JSON truncated");
			struct rd jr = rd_sub(r, (size_t)len);
			if (bl__json_diff_decode(&jr, v, &d->ev, &d->err))
				return row_error(d, &jr, t, i, "bad partial JSON");
			jk++;
			continue;
		}
		jk += is_json;
		if (bl__value_decode(r, c, v, &d->ev, &d->err))
			return row_error(d, r, t, i, "bad value");
	}
	return 0;
}

static enum bl_row_op op_of(uint8_t t)
{
	switch (t) {
	case BL_PRE_GA_WRITE_ROWS_EVENT:
	case BL_WRITE_ROWS_EVENT_V1:
	case BL_WRITE_ROWS_EVENT:
	case BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1:
	case BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT:
		return BL_OP_INSERT;
	case BL_PRE_GA_DELETE_ROWS_EVENT:
	case BL_DELETE_ROWS_EVENT_V1:
	case BL_DELETE_ROWS_EVENT:
	case BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT_V1:
	case BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT:
		return BL_OP_DELETE;
	default:
		return BL_OP_UPDATE;
	}
}

static uint8_t version_of(uint8_t t)
{
	if (t >= BL_PRE_GA_WRITE_ROWS_EVENT && t <= BL_PRE_GA_DELETE_ROWS_EVENT)
		return 0;
	if ((t >= BL_WRITE_ROWS_EVENT && t <= BL_DELETE_ROWS_EVENT) ||
	    t == BL_PARTIAL_UPDATE_ROWS_EVENT ||
	    t >= BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT)
		return 2;
	return 1;
}

/*
 * Post-header and the start of the body, up to the column bitmaps; the
 * table its id names.  The rows follow in r.
 */
static int decode_rows_head(struct bl_decoder *d, struct rd *r,
			    struct bl_event *ev, struct bytes *before_map,
			    struct bytes *after_map)
{
	uint8_t type = ev->h.type;
	uint8_t phl = bl__post_header_len(d, type, 0);
	ev->rows.op = op_of(type);
	ev->rows.version = version_of(type);
	ev->rows.partial = type == BL_PARTIAL_UPDATE_ROWS_EVENT;
	ev->rows.compressed = type >= BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1;
	uint64_t id = phl == 6 ? rd_u32le(r) : rd_u48le(r);
	ev->rows.table_id = id;
	ev->rows.flags = rd_u16le(r);
	if (ev->rows.version == 2 && !(type >= BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1 &&
				       type <= BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT_V1)) {
		uint16_t extra = rd_u16le(r);
		if (!r->err && extra < 2)
			return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
					  "rows event: extra data length %u < 2",
					  extra);
		rd_skip(r, extra - 2u);
	}
	uint64_t ncols = rd_lenenc(r, NULL);
	if (r->err)
		return err_set_at(&d->err, -r->err, r->err_off,
				  "rows event: truncated header");
	const struct bl_table *t = bl_decoder_table(d, id);
	ev->rows.table = t;
	if (!t)
		return err_set_at(&d->err, ERR_PROTO, ev->pos,
				  "rows event for table id %llu without a "
				  "preceding Table_map event",
				  (unsigned long long)id);
	if (ncols != t->ncols)
		return err_set_at(&d->err, ERR_PROTO, ev->pos,
				  "rows event for `%s`.`%s` has %llu columns, its "
				  "Table_map has %u",
				  t->schema, t->name, (unsigned long long)ncols,
				  t->ncols);
	size_t mapn = (t->ncols + 7) / 8;
	*before_map = rd_bytes(r, mapn);
	*after_map = *before_map;
	if (ev->rows.op == BL_OP_UPDATE)
		*after_map = rd_bytes(r, mapn);
	if (r->err)
		return err_set_at(&d->err, -r->err, r->err_off,
				  "rows event: truncated column bitmaps");
	return 0;
}

/* One row: its before and/or after image, as the operation has them. */
static int decode_row(struct bl_decoder *d, struct rd *rows,
		      const struct bl_event *ev, const struct image_ctx *bi,
		      const struct image_ctx *ai, struct bl_row *row)
{
	const struct bl_table *t = bi->t;
	size_t left_before = rd_left(rows);
	row->before = row->after = NULL;
	size_t vsz = (size_t)t->ncols * sizeof(struct bl_value);
	if (ev->rows.op != BL_OP_INSERT) {
		row->before = arena_alloc(&d->ev, vsz ? vsz : 1);
		int rc = decode_image(d, rows, bi, row->before);
		if (rc)
			return rc;
	}
	if (ev->rows.op != BL_OP_DELETE) {
		row->after = arena_alloc(&d->ev, vsz ? vsz : 1);
		int rc = decode_image(d, rows, ev->rows.op == BL_OP_UPDATE ? ai : bi,
				      row->after);
		if (rc)
			return rc;
	}
	/*
	 * Each row costs ncols values of memory: refuse input that would
	 * expand far beyond what real servers write.
	 */
	if (d->ev.used > ((size_t)64 << 20) + 64 * (size_t)ev->h.event_size)
		return err_set_at(&d->err, ERR_TOOBIG, ev->pos,
				  "rows event for `%s`.`%s` expands to more "
				  "than %zu bytes of values",
				  t->schema, t->name, d->ev.used);
	if (rd_left(rows) == left_before)
		return err_set_at(&d->err, ERR_PROTO, rd_offset(rows),
				  "rows event for `%s`.`%s`: empty row image",
				  t->schema, t->name);
	return 0;
}

int bl__rows_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev)
{
	struct bytes before_map = {NULL, 0}, after_map = {NULL, 0};
	int rc = decode_rows_head(d, r, ev, &before_map, &after_map);
	if (rc)
		return rc;
	const struct bl_table *t = ev->rows.table;
	struct rd rows = *r;
	if (ev->rows.compressed) {
		rc = bl__maria_uncompress(d, r, &d->scratch);
		if (rc)
			return rc;
		/* offsets inside decompressed data are reported at the event */
		rd_init_at(&rows, d->scratch.p, d->scratch.n, ev->pos);
	} else {
		rd_rest(r);
	}
	struct image_ctx bi = {t, before_map.p, popcount_map(before_map.p, t->ncols),
			       false};
	struct image_ctx ai = {t, after_map.p, popcount_map(after_map.p, t->ncols),
			       ev->rows.partial};
	uint32_t n = 0;
	while (rd_left(&rows)) {
		if (n == d->rowv_cap) {
			d->rowv_cap = d->rowv_cap ? d->rowv_cap * 2 : 64;
			d->rowv = xreallocarray(d->rowv, d->rowv_cap, sizeof(*d->rowv));
		}
		rc = decode_row(d, &rows, ev, &bi, &ai, &d->rowv[n]);
		if (rc)
			return rc;
		n++;
	}
	ev->rows.nrows = n;
	ev->rows.rows = d->rowv;
	return 0;
}
