/*
 * Rendering of decoded values: the JSON contract of docs/decode_binlog.md
 * and a mysqlbinlog -v like text form.
 */
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "binlog/internal.h"

static const char hexd[] = "0123456789abcdef";

/*
 * Scratch space for charset conversion, reused so that rendering does not
 * allocate per value.  Rendering is single-threaded per process.
 */
static struct buf scratch = {NULL, 0, 0, 0, false};

static struct buf *scratch_buf(void)
{
	if (!scratch.cap)
		buf_init(&scratch, BL_MAX_EVENT);
	buf_reset(&scratch);
	return &scratch;
}

static void put_hex(struct buf *b, const uint8_t *p, size_t n)
{
	uint8_t *d = buf_reserve(b, n * 2);
	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		d[2 * i] = (uint8_t)hexd[p[i] >> 4];
		d[2 * i + 1] = (uint8_t)hexd[p[i] & 15];
	}
	b->n += n * 2;
}

static void hex_object(struct buf *b, const uint8_t *p, size_t n)
{
	buf_putl(b, "{\"hex\":\"");
	put_hex(b, p, n);
	buf_putl(b, "\"}");
}

static void put_datetime(struct buf *b, const struct bl_value *v)
{
	bl_put_date(b, (unsigned)v->t.year, v->t.month, v->t.day);
	buf_putc(b, ' ');
	bl_put_time(b, v->t.hour, v->t.minute, v->t.second);
	bl_put_frac(b, v->t.usec, v->fsp);
}

static void put_timestamp_utc(struct buf *b, const struct bl_value *v)
{
	if (v->i == 0)
		buf_putl(b, "0000-00-00 00:00:00");
	else
		bl_put_utc(b, v->i);
	bl_put_frac(b, v->t.usec, v->fsp);
}

static void put_time(struct buf *b, const struct bl_value *v)
{
	if (v->t.neg)
		buf_putc(b, '-');
	bl_put_time(b, v->t.hour, v->t.minute, v->t.second);
	bl_put_frac(b, v->t.usec, v->fsp);
}

/* Text bytes of a column as a JSON string, or a hex object when invalid. */
static void json_text(struct buf *b, const struct bl_column *c,
		      const uint8_t *p, size_t n)
{
	if (c->has_charset) {
		uint8_t cls = c->cs_class ? c->cs_class : bl__cs_class(c->collation);
		/* latin1 text that is all ASCII is its own UTF-8 */
		if (cls == BL_CS_LATIN1 && utf8_ascii(p, n)) {
			bl__json_escape(b, p, n);
			return;
		}
		if (cls == BL_CS_UTF8) {
			if (utf8_valid(p, n))
				bl__json_escape(b, p, n);
			else
				hex_object(b, p, n);
			return;
		}
		struct buf *t = scratch_buf();
		if (bl_text_to_utf8(t, c->collation, p, n) == 0)
			bl__json_escape(b, t->p ? t->p : (const uint8_t *)"", t->n);
		else
			hex_object(b, p, n);
		return;
	}
	/* no charset metadata: UTF-8 when it is, bytes otherwise */
	if (utf8_valid(p, n))
		bl__json_escape(b, p, n);
	else
		hex_object(b, p, n);
}

static bool set_labels_known(const struct bl_column *c, uint64_t mask)
{
	if (!c->strings)
		return false;
	return c->n_strings >= 64 || (mask >> c->n_strings) == 0;
}

void bl_put_vector(struct buf *b, const struct bl_value *v, char open, char close)
{
	struct rd r;
	rd_init(&r, v->s.p, v->s.n);
	buf_putc(b, open);
	for (size_t i = 0; rd_left(&r) >= 4; i++) {
		uint32_t x = rd_u32le(&r);
		float f;
		memcpy(&f, &x, 4);
		if (i)
			buf_putc(b, ',');
		bl__put_double(b, f, true);
	}
	buf_putc(b, close);
}

void bl_value_json(struct buf *b, const struct bl_column *c,
		   const struct bl_value *v)
{
	switch (v->kind) {
	case BLV_ABSENT:
		return;
	case BLV_NULL:
		buf_putl(b, "null");
		return;
	case BLV_INT:
	case BLV_YEAR:
		buf_put_i64dec(b, v->i);
		return;
	case BLV_UINT:
	case BLV_BIT:
		buf_put_u64dec(b, v->u);
		return;
	case BLV_FLOAT:
		bl__put_double(b, v->d, true);
		return;
	case BLV_DOUBLE:
		bl__put_double(b, v->d, false);
		return;
	case BLV_DECIMAL:
		buf_putc(b, '"');
		buf_put(b, v->s.p, v->s.n);
		buf_putc(b, '"');
		return;
	case BLV_DATE:
		buf_putc(b, '"');
		bl_put_date(b, (unsigned)v->t.year, v->t.month, v->t.day);
		buf_putc(b, '"');
		return;
	case BLV_DATETIME:
		buf_putc(b, '"');
		put_datetime(b, v);
		buf_putc(b, '"');
		return;
	case BLV_TIMESTAMP:
		buf_putc(b, '"');
		put_timestamp_utc(b, v);
		buf_putl(b, "Z\"");
		return;
	case BLV_TIME:
		buf_putc(b, '"');
		put_time(b, v);
		buf_putc(b, '"');
		return;
	case BLV_STRING:
		json_text(b, c, v->s.p, v->s.n);
		return;
	case BLV_BINARY:
		hex_object(b, v->s.p, v->s.n);
		return;
	case BLV_ENUM:
		if (v->u == 0 && c->strings) {
			buf_putl(b, "\"\"");
		} else if (c->strings && v->u <= c->n_strings) {
			const struct bytes *s = &c->strings[v->u - 1];
			json_text(b, c, s->p, s->n);
		} else {
			buf_put_u64dec(b, v->u);
		}
		return;
	case BLV_SET:
		if (set_labels_known(c, v->u)) {
			/* members in definition order, comma-joined */
			struct buf t;
			buf_init(&t, 0);
			bool first = true;
			for (uint32_t i = 0; i < c->n_strings && i < 64; i++) {
				if (!(v->u & (1ull << i)))
					continue;
				if (!first)
					buf_putc(&t, ',');
				first = false;
				buf_put(&t, c->strings[i].p, c->strings[i].n);
			}
			json_text(b, c, t.p ? t.p : (const uint8_t *)"", t.n);
			buf_release(&t);
		} else {
			buf_put_u64dec(b, v->u);
		}
		return;
	case BLV_JSON:
	case BLV_JSON_DIFF:
		buf_put(b, v->s.p, v->s.n);
		return;
	case BLV_GEOMETRY:
		buf_putl(b, "{\"srid\":");
		buf_put_u64dec(b, v->u);
		buf_putl(b, ",\"wkb\":\"");
		put_hex(b, v->s.p, v->s.n);
		buf_putl(b, "\"}");
		return;
	case BLV_VECTOR:
		bl_put_vector(b, v, '[', ']');
		return;
	default:
		buf_putl(b, "null");
		return;
	}
}

/* Whether one of the 8 bytes of w needs escaping in text_quoted. */
static inline bool text_special8(uint64_t w, bool utf8ok)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
	uint64_t a = w ^ (ones * '\\'), q = w ^ (ones * '\''), d = w ^ (ones * 0x7f);
	uint64_t hit = ((w - ones * 0x20) & ~w & high) | ((a - ones) & ~a & high) |
		       ((q - ones) & ~q & high) | ((d - ones) & ~d & high);
	return hit || (!utf8ok && (w & high));
}

/* 'text' with \\, \' and non-printable bytes escaped (mysqlbinlog style);
 * runs of plain bytes are copied 8 bytes at a time. */
static void text_quoted(struct buf *b, const uint8_t *p, size_t n, bool utf8ok)
{
	buf_putc(b, '\'');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (text_special8(w, utf8ok))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		uint8_t ch = p[i];
		bool esc = ch == '\\' || ch == '\'';
		if (!esc && !(ch < 0x20 || ch == 0x7f || (ch >= 0x80 && !utf8ok)))
			continue;
		buf_put(b, p + run, i - run);
		run = i + 1;
		if (esc) {
			buf_putc(b, '\\');
			buf_putc(b, (char)ch);
		} else {
			buf_putl(b, "\\x");
			buf_putc(b, hexd[ch >> 4]);
			buf_putc(b, hexd[ch & 15]);
		}
	}
	buf_put(b, p + run, n - run);
	buf_putc(b, '\'');
}

static void text_string(struct buf *b, const struct bl_column *c,
			const uint8_t *p, size_t n)
{
	if (c->has_charset && c->collation != BL_COLLATION_BINARY) {
		uint8_t cls = c->cs_class ? c->cs_class : bl__cs_class(c->collation);
		if ((cls == BL_CS_UTF8 && utf8_valid(p, n)) ||
		    (cls == BL_CS_LATIN1 && utf8_ascii(p, n))) {
			text_quoted(b, p, n, true);
			return;
		}
		struct buf *t = scratch_buf();
		if (bl_text_to_utf8(t, c->collation, p, n) == 0) {
			text_quoted(b, t->p ? t->p : (const uint8_t *)"", t->n, true);
			return;
		}
	}
	text_quoted(b, p, n, !c->has_charset && utf8_valid(p, n));
}

void bl_value_text(struct buf *b, const struct bl_column *c,
		   const struct bl_value *v)
{
	switch (v->kind) {
	case BLV_ABSENT:
		return;
	case BLV_NULL:
		buf_putl(b, "NULL");
		return;
	case BLV_TIMESTAMP:
		/* like mysqlbinlog: seconds since the epoch */
		buf_put_i64dec(b, v->i);
		bl_put_frac(b, v->t.usec, v->fsp);
		return;
	case BLV_DATE:
		buf_putc(b, '\'');
		bl_put_date(b, (unsigned)v->t.year, v->t.month, v->t.day);
		buf_putc(b, '\'');
		return;
	case BLV_DATETIME:
		buf_putc(b, '\'');
		put_datetime(b, v);
		buf_putc(b, '\'');
		return;
	case BLV_TIME:
		buf_putc(b, '\'');
		put_time(b, v);
		buf_putc(b, '\'');
		return;
	case BLV_DECIMAL:
		buf_put(b, v->s.p, v->s.n);
		return;
	case BLV_STRING:
		text_string(b, c, v->s.p, v->s.n);
		return;
	case BLV_BINARY:
		text_quoted(b, v->s.p, v->s.n, false);
		return;
	case BLV_BIT: {
		unsigned bits = v->fsp ? v->fsp : 64;
		buf_putl(b, "b'");
		for (unsigned i = bits; i-- > 0;)
			buf_putc(b, (v->u >> i) & 1 ? '1' : '0');
		buf_putc(b, '\'');
		return;
	}
	case BLV_ENUM:
	case BLV_SET:
		if ((v->kind == BLV_ENUM && c->strings && v->u <= c->n_strings) ||
		    (v->kind == BLV_SET && set_labels_known(c, v->u))) {
			struct buf t;
			buf_init(&t, 0);
			bl_value_json(&t, c, v);
			/* the JSON string, re-quoted SQL style */
			if (t.n >= 2 && t.p[0] == '"')
				text_quoted(b, t.p + 1, t.n - 2, true);
			else
				buf_put(b, t.p, t.n);
			buf_release(&t);
		} else {
			buf_put_u64dec(b, v->u);
		}
		return;
	case BLV_JSON:
	case BLV_JSON_DIFF:
		text_quoted(b, v->s.p, v->s.n, true);
		return;
	case BLV_GEOMETRY:
		buf_putl(b, "SRID ");
		buf_put_u64dec(b, v->u);
		buf_putl(b, " X'");
		put_hex(b, v->s.p, v->s.n);
		buf_putc(b, '\'');
		return;
	default:
		bl_value_json(b, c, v);
		return;
	}
}
