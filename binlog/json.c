/*
 * MySQL binary JSON (the JSON column format, sql-common/json_binary.cc's
 * layout) rendered as JSON text, and the partial-update diffs of
 * PARTIAL_UPDATE_ROWS events.  Values are found through the offsets of
 * their containers (in-place updates leave gaps), every offset is checked
 * against its container, and nesting depth is bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlog/internal.h"

enum {
	J_SMALL_OBJ = 0x00, J_LARGE_OBJ = 0x01, J_SMALL_ARR = 0x02,
	J_LARGE_ARR = 0x03, J_LITERAL = 0x04, J_INT16 = 0x05, J_UINT16 = 0x06,
	J_INT32 = 0x07, J_UINT32 = 0x08, J_INT64 = 0x09, J_UINT64 = 0x0a,
	J_DOUBLE = 0x0b, J_STRING = 0x0c, J_OPAQUE = 0x0f,
};

#define JSON_MAX_DEPTH 100

struct jctx {
	struct buf *out;
	struct err *e;
	const uint8_t *base;	/* document start, for offsets in messages */
};

static int jfail(struct jctx *j, const uint8_t *at, const char *what)
{
	return err_set_at(j->e, ERR_PROTO, (uint64_t)(at - j->base),
			  "binary JSON: %s", what);
}

void bl__json_escape(struct buf *b, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		/* 8 bytes at a time while none is below 0x20, '"' or '\\' */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
			uint64_t q = w ^ (ones * '"'), s = w ^ (ones * '\\');
			if (((w - ones * 0x20) & ~w & high) | ((q - ones) & ~q & high) |
			    ((s - ones) & ~s & high))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		uint8_t c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_put(b, p + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': buf_putl(b, "\\\""); break;
		case '\\': buf_putl(b, "\\\\"); break;
		case '\n': buf_putl(b, "\\n"); break;
		case '\r': buf_putl(b, "\\r"); break;
		case '\t': buf_putl(b, "\\t"); break;
		case '\b': buf_putl(b, "\\b"); break;
		case '\f': buf_putl(b, "\\f"); break;
		default:
			buf_putl(b, "\\u00");
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
	buf_put(b, p + run, n - run);
	buf_putc(b, '"');
}

void bl__put_double(struct buf *b, double d, bool single)
{
	if (d != d || d - d != 0)
		buf_putl(b, "null");	/* not JSON numbers */
	else
		bl_put_float(b, d, single);
}

static int render(struct jctx *j, uint8_t type, const uint8_t *p, size_t n,
		  int depth);

/* Variable-length string length: 7 bits per byte, little end first. */
static int read_varlen(struct rd *r, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 5; i++) {
		uint8_t b = rd_u8(r);
		if (r->err)
			return -1;
		v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static void put_2(struct buf *b, unsigned v)
{
	buf_putc(b, (char)('0' + v / 10 % 10));
	buf_putc(b, (char)('0' + v % 10));
}

/* Opaque temporal: MySQL's packed 8-byte time/datetime representation. */
static void render_packed_temporal(struct buf *b, uint8_t ftype, int64_t v)
{
	bool neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint32_t usec = (uint32_t)(u % (1u << 24));
	uint64_t rest = u >> 24;
	buf_putc(b, '"');
	if (ftype == BL_TYPE_TIME) {
		unsigned hour = (unsigned)((rest >> 12) % (1u << 10));
		if (neg)
			buf_putc(b, '-');
		if (hour >= 100)
			buf_put_u64dec(b, hour);
		else
			put_2(b, hour);
		buf_putc(b, ':');
		put_2(b, (unsigned)((rest >> 6) % 64));
		buf_putc(b, ':');
		put_2(b, (unsigned)(rest % 64));
	} else {
		uint64_t ymd = rest >> 17, hms = rest % (1u << 17);
		uint64_t ym = ymd >> 5;
		buf_printf(b, "%04u-%02u-%02u", (unsigned)(ym / 13 % 10000),
			   (unsigned)(ym % 13), (unsigned)(ymd % 32));
		if (ftype != BL_TYPE_DATE && ftype != BL_TYPE_NEWDATE) {
			buf_printf(b, " %02u:%02u:%02u", (unsigned)(hms >> 12),
				   (unsigned)((hms >> 6) % 64), (unsigned)(hms % 64));
		} else {
			buf_putc(b, '"');
			return;
		}
	}
	buf_printf(b, ".%06u\"", usec % 1000000);
}

static void base64(struct buf *b, const uint8_t *p, size_t n)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		char t[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63],
			     tbl[v & 63]};
		buf_put(b, t, 4);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		char t[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], '=', '='};
		buf_put(b, t, 4);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		char t[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63],
			     '='};
		buf_put(b, t, 4);
	}
}

static int render_opaque(struct jctx *j, struct rd *r, const uint8_t *at)
{
	uint8_t ftype = rd_u8(r);
	uint32_t len;
	if (r->err || read_varlen(r, &len) || len > rd_left(r))
		return jfail(j, at, "truncated opaque value");
	struct bytes d = rd_bytes(r, len);
	switch (ftype) {
	case BL_TYPE_NEWDECIMAL: {
		struct rd dr;
		rd_init(&dr, d.p, d.n);
		uint8_t prec = rd_u8(&dr), scale = rd_u8(&dr);
		struct bl_value v;
		struct arena a;
		arena_init(&a, 256);
		int rc = dr.err ? -1 : bl__decimal_decode(&dr, prec, scale, &v, &a,
							  j->e);
		if (rc == 0)
			buf_put(j->out, v.s.p, v.s.n);
		arena_release(&a);
		if (rc)
			return jfail(j, at, "bad opaque decimal");
		return 0;
	}
	case BL_TYPE_DATE:
	case BL_TYPE_NEWDATE:
	case BL_TYPE_TIME:
	case BL_TYPE_DATETIME:
	case BL_TYPE_TIMESTAMP:
	case BL_TYPE_DATETIME2:
	case BL_TYPE_TIMESTAMP2:
	case BL_TYPE_TIME2: {
		if (d.n < 8)
			return jfail(j, at, "short opaque temporal value");
		struct rd dr;
		rd_init(&dr, d.p, 8);
		uint8_t t = ftype == BL_TYPE_TIME2 || ftype == BL_TYPE_TIME
				    ? BL_TYPE_TIME
			    : ftype == BL_TYPE_DATE || ftype == BL_TYPE_NEWDATE
				    ? BL_TYPE_DATE : BL_TYPE_DATETIME;
		render_packed_temporal(j->out, t, (int64_t)rd_u64le(&dr));
		return 0;
	}
	default:
		buf_printf(j->out, "\"base64:type%u:", ftype);
		base64(j->out, d.p, d.n);
		buf_putc(j->out, '"');
		return 0;
	}
}

static bool inlined(uint8_t type, bool large)
{
	switch (type) {
	case J_LITERAL:
	case J_INT16:
	case J_UINT16:
		return true;
	case J_INT32:
	case J_UINT32:
		return large;
	default:
		return false;
	}
}

/* p/n: the container, after its type byte. */
static int render_container(struct jctx *j, bool obj, bool large,
			    const uint8_t *p, size_t n, int depth)
{
	unsigned w = large ? 4 : 2;
	struct rd r;
	rd_init(&r, p, n);
	uint32_t count = (uint32_t)rd_uNle(&r, w);
	uint32_t size = (uint32_t)rd_uNle(&r, w);
	if (r.err)
		return jfail(j, p, "truncated container header");
	if (size > n)
		return jfail(j, p, "container larger than its value");
	/* each element needs at least its entry */
	size_t entry = (obj ? w + 2 : 0) + 1 + w;
	if (size < 2 * w || count > (size - 2 * w) / entry)
		return jfail(j, p, "element count too large for the container");
	const uint8_t *key_entries = p + 2 * w;
	const uint8_t *val_entries = key_entries + (obj ? (size_t)count * (w + 2) : 0);
	buf_putc(j->out, obj ? '{' : '[');
	for (uint32_t i = 0; i < count; i++) {
		if (i)
			buf_putc(j->out, ',');
		if (obj) {
			struct rd k;
			rd_init(&k, key_entries + (size_t)i * (w + 2), w + 2);
			uint32_t koff = (uint32_t)rd_uNle(&k, w);
			uint16_t klen = rd_u16le(&k);
			if (koff > size || klen > size - koff)
				return jfail(j, p, "key outside its object");
			bl__json_escape(j->out, p + koff, klen);
			buf_putc(j->out, ':');
		}
		struct rd ve;
		rd_init(&ve, val_entries + (size_t)i * (1 + w), 1 + w);
		uint8_t vt = rd_u8(&ve);
		if (inlined(vt, large)) {
			int rc = render(j, vt, ve.p, w, depth + 1);
			if (rc)
				return rc;
			continue;
		}
		uint32_t voff = (uint32_t)rd_uNle(&ve, w);
		if (voff >= size)
			return jfail(j, p, "value outside its container");
		int rc = render(j, vt, p + voff, size - voff, depth + 1);
		if (rc)
			return rc;
	}
	buf_putc(j->out, obj ? '}' : ']');
	return 0;
}

static int render(struct jctx *j, uint8_t type, const uint8_t *p, size_t n,
		  int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return jfail(j, p, "nesting too deep");
	struct rd r;
	rd_init(&r, p, n);
	switch (type) {
	case J_SMALL_OBJ:
	case J_LARGE_OBJ:
	case J_SMALL_ARR:
	case J_LARGE_ARR:
		return render_container(j, type <= J_LARGE_OBJ,
					type == J_LARGE_OBJ || type == J_LARGE_ARR,
					p, n, depth);
	case J_LITERAL: {
		uint8_t l = rd_u8(&r);
		if (r.err || l > 2)
			return jfail(j, p, "bad literal");
		buf_puts(j->out, l == 0 ? "null" : l == 1 ? "true" : "false");
		return 0;
	}
	case J_INT16:
		buf_put_i64dec(j->out, (int16_t)rd_u16le(&r));
		break;
	case J_UINT16:
		buf_put_u64dec(j->out, rd_u16le(&r));
		break;
	case J_INT32:
		buf_put_i64dec(j->out, (int32_t)rd_u32le(&r));
		break;
	case J_UINT32:
		buf_put_u64dec(j->out, rd_u32le(&r));
		break;
	case J_INT64:
		buf_put_i64dec(j->out, (int64_t)rd_u64le(&r));
		break;
	case J_UINT64:
		buf_put_u64dec(j->out, rd_u64le(&r));
		break;
	case J_DOUBLE: {
		uint64_t x = rd_u64le(&r);
		double d;
		memcpy(&d, &x, 8);
		if (!r.err)
			bl__put_double(j->out, d, false);
		break;
	}
	case J_STRING: {
		uint32_t len;
		if (read_varlen(&r, &len) || len > rd_left(&r))
			return jfail(j, p, "truncated string");
		struct bytes s = rd_bytes(&r, len);
		bl__json_escape(j->out, s.p, s.n);
		return 0;
	}
	case J_OPAQUE:
		return render_opaque(j, &r, p);
	default:
		return jfail(j, p, "unknown value type");
	}
	if (r.err)
		return jfail(j, p, "truncated scalar");
	return 0;
}

int bl_json_to_text(struct buf *out, const uint8_t *p, size_t n, struct err *e)
{
	struct jctx j = {out, e, p};
	if (n == 0) {	/* an empty value is JSON null */
		buf_putl(out, "null");
		return 0;
	}
	size_t mark = out->n;
	int rc = render(&j, p[0], p + 1, n - 1, 0);
	if (rc)
		out->n = mark;
	else if (out->failed)
		return err_set(e, ERR_TOOBIG, "JSON value too large to render");
	return rc;
}

/*
 * Partial JSON update: a list of (operation(1) path(lenenc length +
 * bytes) [value(lenenc length + binary JSON)]), operations 0 REPLACE,
 * 1 INSERT, 2 REMOVE.
 */
int bl__json_diff_decode(struct rd *r, struct bl_value *v, struct arena *a,
			 struct err *e)
{
	static const char *const ops[] = {"replace", "insert", "remove"};
	struct buf out;
	buf_init(&out, BL_MAX_EVENT);
	buf_putc(&out, '[');
	int rc = 0;
	bool first = true;
	while (rd_left(r)) {
		uint64_t at = rd_offset(r);
		uint8_t op = rd_u8(r);
		struct bytes path = rd_lenstr(r);
		if (r->err || op > 2) {
			rc = err_set_at(e, r->err ? -r->err : ERR_PROTO, at,
					"partial JSON update: bad operation");
			break;
		}
		if (!first)
			buf_putc(&out, ',');
		first = false;
		buf_putl(&out, "{\"op\":\"");
		buf_puts(&out, ops[op]);
		buf_putl(&out, "\",\"path\":");
		bl__json_escape(&out, path.p, path.n);
		if (op != 2) {
			struct bytes val = rd_lenstr(r);
			if (r->err) {
				rc = err_set_at(e, -r->err, at,
						"partial JSON update: truncated value");
				break;
			}
			buf_putl(&out, ",\"value\":");
			rc = bl_json_to_text(&out, val.p, val.n, e);
			if (rc)
				break;
		}
		buf_putc(&out, '}');
	}
	buf_putc(&out, ']');
	if (rc == 0) {
		v->kind = BLV_JSON_DIFF;
		v->s.p = arena_memdup(a, out.p, out.n);
		v->s.n = out.n;
	}
	buf_release(&out);
	return rc;
}
