/* TEMPORARY: minimal value decoding until binlog/value.c lands (same session). */
#include <string.h>

#include "binlog/internal.h"

int bl__value_decode(struct rd *r, const struct bl_column *c,
		     struct bl_value *v, struct arena *a, struct err *e)
{
	(void)a;
	switch (c->type) {
	case BL_TYPE_TINY: v->kind = BLV_INT; v->i = (int8_t)rd_u8(r); break;
	case BL_TYPE_SHORT: v->kind = BLV_INT; v->i = (int16_t)rd_u16le(r); break;
	case BL_TYPE_LONG: v->kind = BLV_INT; v->i = (int32_t)rd_u32le(r); break;
	case BL_TYPE_LONGLONG: v->kind = BLV_INT; v->i = (int64_t)rd_u64le(r); break;
	case BL_TYPE_VARCHAR: case BL_TYPE_VAR_STRING: case BL_TYPE_STRING: {
		size_t n = c->meta > 255 ? rd_u16le(r) : rd_u8(r);
		v->kind = BLV_STRING; v->s = rd_bytes(r, n); break;
	}
	case BL_TYPE_BLOB: case BL_TYPE_JSON: case BL_TYPE_GEOMETRY: {
		size_t n = (size_t)rd_uNle(r, c->meta);
		v->kind = BLV_BINARY; v->s = rd_bytes(r, n); break;
	}
	default:
		return err_set_at(e, ERR_UNSUPPORTED, rd_offset(r), "stub: type %u", c->type);
	}
	return r->err;
}

int bl__json_diff_decode(struct rd *r, struct bl_value *v, struct arena *a, struct err *e)
{
	(void)a; (void)v;
	return err_set_at(e, ERR_UNSUPPORTED, rd_offset(r), "stub");
}

int bl_text_to_utf8(struct buf *out, uint16_t collation, const uint8_t *p, size_t n)
{
	(void)collation;
	buf_put(out, p, n);
	return 0;
}

void bl_value_json(struct buf *out, const struct bl_column *c, const struct bl_value *v)
{
	(void)c;
	if (v->kind == BLV_INT) buf_put_i64dec(out, v->i);
	else if (v->kind == BLV_NULL) buf_puts(out, "null");
	else { buf_putc(out, '"'); buf_put(out, v->s.p, v->s.n); buf_putc(out, '"'); }
}

void bl_value_text(struct buf *out, const struct bl_column *c, const struct bl_value *v)
{
	bl_value_json(out, c, v);
}
