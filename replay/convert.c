/*
 * Decoded values as PostgreSQL text parameters, exactly: integers and
 * DECIMAL digits as written, floats in their shortest round-trip form,
 * fractional seconds kept, TIMESTAMP in UTC, text converted to UTF-8 from
 * its charset (never altered: invalid bytes or a NUL refuse the row),
 * bytes as bytea hex.  Used by replication and the initial copy alike.
 */
#include <stdio.h>
#include <string.h>

#include "binlog/binlog.h"
#include "replay/replay.h"

static const char hexd[] = "0123456789abcdef";

/* PostgreSQL reads the fraction's six digits; none when it is zero. */
static void put_usec(struct buf *b, uint32_t usec, unsigned fsp)
{
	if (fsp && usec)
		bl_put_frac(b, usec, 6);
}

static bool zero_date(const struct bl_time *t)
{
	return t->year == 0 || t->month == 0 || t->day == 0;
}

static int zero_policy(struct buf *out, const struct rp_convert_opts *o,
		       bool *is_null, struct err *e, const char *what)
{
	switch (o ? o->zero_dates : RP_ZERO_DATE_NULL) {
	case RP_ZERO_DATE_ERROR:
		return err_set(e, ERR_UNSUPPORTED,
			       "%s cannot be stored in PostgreSQL (zero_dates: error)",
			       what);
	case RP_ZERO_DATE_INFINITY:
		buf_putl(out, "-infinity");
		return RP_ZERO_DATE_REPLACED;
	default:
		*is_null = true;
		return RP_ZERO_DATE_REPLACED;
	}
}

static int text_value(struct buf *out, const struct bl_column *c,
		      const uint8_t *p, size_t n, struct err *e)
{
	size_t mark = out->n;
	int rc;
	if (c->has_charset) {
		rc = bl_text_to_utf8(out, c->collation, p, n);
		if (rc == -ERR_UNSUPPORTED) {
			/* glibc's iconv module for the charset is absent: a
			 * static binary has none of its own (docs/deploy.md) */
			out->n = mark;
			return err_set(e, ERR_UNSUPPORTED,
				       "no converter from %s to UTF-8 here (glibc's iconv "
				       "modules are missing): refused rather than altered",
				       bl_collation_charset(c->collation)
					       ? bl_collation_charset(c->collation)
					       : "its charset");
		}
		if (rc) {
			out->n = mark;
			return err_set(e, ERR_PROTO,
				       "text is not valid %s: refused rather than altered",
				       bl_collation_charset(c->collation)
					       ? bl_collation_charset(c->collation)
					       : "in its charset");
		}
	} else {
		/* no charset metadata: UTF-8 expected (binlog_row_metadata=FULL
		 * or the catalog gives the charset otherwise) */
		rc = bl_text_to_utf8(out, 45, p, n);
		if (rc) {
			out->n = mark;
			return err_set(e, ERR_PROTO,
				       "text is not valid UTF-8 and its charset is unknown");
		}
	}
	if (memchr(out->p + mark, 0, out->n - mark)) {
		out->n = mark;
		return err_set(e, ERR_PROTO,
			       "text holds a NUL byte, which PostgreSQL text cannot store");
	}
	return 0;
}

static void bytea(struct buf *out, const uint8_t *p, size_t n)
{
	buf_putl(out, "\\x");
	uint8_t *d = buf_reserve(out, n * 2);
	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		d[2 * i] = (uint8_t)hexd[p[i] >> 4];
		d[2 * i + 1] = (uint8_t)hexd[p[i] & 15];
	}
	out->n += n * 2;
}

/* DATE, DATETIME, TIMESTAMP (in UTC) and TIME (as an interval). */
static int temporal_text(struct buf *out, const struct bl_value *v,
			 const struct rp_convert_opts *o, bool *is_null,
			 struct err *e)
{
	const struct bl_time *t = &v->t;
	switch (v->kind) {
	case BLV_DATE:
		if (zero_date(t))
			return zero_policy(out, o, is_null, e, "a zero date");
		bl_put_date(out, (unsigned)t->year, t->month, t->day);
		return 0;
	case BLV_DATETIME:
		if (zero_date(t))
			return zero_policy(out, o, is_null, e, "a zero datetime");
		bl_put_date(out, (unsigned)t->year, t->month, t->day);
		buf_putc(out, ' ');
		bl_put_time(out, t->hour, t->minute, t->second);
		put_usec(out, t->usec, v->fsp);
		return 0;
	case BLV_TIMESTAMP:
		if (v->i == 0 && t->usec == 0)
			return zero_policy(out, o, is_null, e, "a zero timestamp");
		bl_put_utc(out, v->i);
		put_usec(out, t->usec, v->fsp);
		buf_putl(out, "+00");
		return 0;
	default:
		/* TIME: interval input, hours may exceed 24 */
		if (t->neg)
			buf_putc(out, '-');
		bl_put_time(out, t->hour, t->minute, t->second);
		put_usec(out, t->usec, v->fsp);
		return 0;
	}
}

/* The labels of the bits set, comma-separated. */
static int set_text(struct buf *out, const struct bl_column *c,
		    const struct bl_value *v, struct err *e)
{
	if (!c->strings)
		return err_set(e, ERR_UNSUPPORTED,
			       "SET value without its labels (needs "
			       "binlog_row_metadata=FULL or the catalog)");
	bool first = true;
	for (uint32_t i = 0; i < 64; i++) {
		if (!(v->u & (1ull << i)))
			continue;
		if (i >= c->n_strings)
			return err_set(e, ERR_PROTO, "SET bit %u has no label", i);
		if (!first)
			buf_putc(out, ',');
		first = false;
		int rc = text_value(out, c, c->strings[i].p, c->strings[i].n, e);
		if (rc)
			return rc;
	}
	return 0;
}

/* The original MySQL bytes: SRID (4, little endian) + WKB. */
static void geometry_bytea(struct buf *out, const struct bl_value *v)
{
	uint8_t srid[4] = {(uint8_t)v->u, (uint8_t)(v->u >> 8),
			   (uint8_t)(v->u >> 16), (uint8_t)(v->u >> 24)};
	struct buf tmp;
	buf_init(&tmp, 0);
	buf_put(&tmp, srid, 4);
	buf_put(&tmp, v->s.p, v->s.n);
	bytea(out, tmp.p, tmp.n);
	buf_release(&tmp);
}

int rp_value_text(struct buf *out, const struct bl_column *c,
		  const struct bl_value *v, const struct rp_convert_opts *o,
		  bool *is_null, struct err *e)
{
	*is_null = false;
	switch (v->kind) {
	case BLV_NULL:
		*is_null = true;
		return 0;
	case BLV_ABSENT:
		return err_set(e, ERR_PROTO, "column absent from the row image");
	case BLV_INT:
	case BLV_YEAR:
		buf_put_i64dec(out, v->i);
		return 0;
	case BLV_UINT:
		buf_put_u64dec(out, v->u);
		return 0;
	case BLV_FLOAT:
		bl_put_float(out, v->d, true);
		return 0;
	case BLV_DOUBLE:
		bl_put_float(out, v->d, false);
		return 0;
	case BLV_DECIMAL:
		buf_put(out, v->s.p, v->s.n);
		return 0;
	case BLV_DATE:
	case BLV_DATETIME:
	case BLV_TIMESTAMP:
	case BLV_TIME:
		return temporal_text(out, v, o, is_null, e);
	case BLV_STRING:
		if (c->type == BL_TYPE_BLOB && !c->has_charset) {
			bytea(out, v->s.p, v->s.n);	/* BLOB or TEXT unknown: bytes */
			return 0;
		}
		return text_value(out, c, v->s.p, v->s.n, e);
	case BLV_BINARY:
		bytea(out, v->s.p, v->s.n);
		return 0;
	case BLV_ENUM:
		if (v->u == 0)
			return 0;	/* MySQL's invalid-value index: '' */
		if (!c->strings || v->u > c->n_strings)
			return err_set(e, ERR_UNSUPPORTED,
				       "ENUM index %llu without its labels (needs "
				       "binlog_row_metadata=FULL or the catalog)",
				       (unsigned long long)v->u);
		return text_value(out, c, c->strings[v->u - 1].p,
				  c->strings[v->u - 1].n, e);
	case BLV_SET:
		return set_text(out, c, v, e);
	case BLV_BIT: {
		unsigned bits = v->fsp ? v->fsp : 64;
		for (unsigned i = bits; i-- > 0;)
			buf_putc(out, (v->u >> i) & 1 ? '1' : '0');
		return 0;
	}
	case BLV_JSON:
		buf_put(out, v->s.p, v->s.n);
		return 0;
	case BLV_JSON_DIFF:
		return err_set(e, ERR_UNSUPPORTED,
			       "a partial JSON update is applied as an expression, "
			       "not a value");
	case BLV_GEOMETRY:
		if (c->pg_geometry)
			return rp_geometry_ewkb(out, (uint32_t)v->u, v->s.p, v->s.n, e);
		geometry_bytea(out, v);
		return 0;
	case BLV_VECTOR:
		/* a real[] literal */
		bl_put_vector(out, v, '{', '}');
		return 0;
	default:
		return err_set(e, ERR_UNSUPPORTED, "value kind %u", v->kind);
	}
}

/* ---- values of the initial copy ------------------------------------------
 * init_replica reads rows with the text protocol (character_set_results
 * NULL: text arrives in its column's charset, time_zone '+00:00') and
 * writes them with COPY text format.  What is not already PostgreSQL's
 * text goes through the same helpers as replication: charset conversion
 * and NUL refusal (text_value), bytea, the zero-date policy.
 */

/* A MySQL date or datetime text with a zero year, month or day. */
static bool zero_date_text(const uint8_t *p, size_t n)
{
	if (n < 10 || p[4] != '-' || p[7] != '-')
		return false;
	bool y0 = !memcmp(p, "0000", 4);
	bool m0 = p[5] == '0' && p[6] == '0';
	bool d0 = p[8] == '0' && p[9] == '0';
	return y0 || m0 || d0;
}

static int copy_value(struct buf *out, const struct rp_copy_col *c, const uint8_t *p,
		      size_t n, const struct rp_convert_opts *o, bool *is_null,
		      struct err *e)
{
	switch (c->kind) {
	case RP_CV_ASIS:
		buf_put(out, p, n);
		return 0;
	case RP_CV_DATE:
		if (zero_date_text(p, n))
			return zero_policy(out, o, is_null, e, "a zero date");
		buf_put(out, p, n);
		return 0;
	case RP_CV_TIMESTAMP:
		if (zero_date_text(p, n))
			return zero_policy(out, o, is_null, e, "a zero timestamp");
		buf_put(out, p, n);
		buf_putl(out, "+00");
		return 0;
	case RP_CV_TEXT:
		return text_value(out, &c->col, p, n, e);
	case RP_CV_BYTES:
		bytea(out, p, n);
		return 0;
	case RP_CV_BIT: {
		/* big-endian bytes holding the column's bits */
		unsigned bits = c->bits ? c->bits : 1;
		for (unsigned i = bits; i-- > 0;) {
			size_t byte = n - 1 - i / 8;
			bool on = i / 8 < n && (p[byte] >> (i % 8)) & 1;
			buf_putc(out, on ? '1' : '0');
		}
		return 0;
	}
	case RP_CV_GEOMETRY: {
		/* the text protocol gives the internal format: SRID, then WKB */
		if (n < 4)
			return err_set(e, ERR_PROTO,
				       "malformed geometry: %zu bytes, shorter than its SRID", n);
		uint32_t srid = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
				(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		return rp_geometry_ewkb(out, srid, p + 4, n - 4, e);
	}
	case RP_CV_VECTOR: {
		if (n % 4)
			return err_set(e, ERR_PROTO, "a VECTOR value of %zu bytes", n);
		buf_putc(out, '{');
		for (size_t i = 0; i < n; i += 4) {
			uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
				     (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
			float f;
			memcpy(&f, &u, 4);
			if (i)
				buf_putc(out, ',');
			bl_put_float(out, f, true);
		}
		buf_putc(out, '}');
		return 0;
	}
	}
	return err_set(e, ERR_UNSUPPORTED, "conversion kind %d", (int)c->kind);
}

/* Bytes that COPY text format escapes: backslash and the delimiters. */
static const uint8_t copy_special[256] = {
	['\\'] = 1, ['\n'] = 1, ['\r'] = 1, ['\t'] = 1,
};

/* Bytes before the first one COPY escapes: eight at a time, then one. */
static size_t copy_plain_len(const uint8_t *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		uint64_t a = v ^ (ones * '\\'), b = v ^ (ones * '\n');
		uint64_t c = v ^ (ones * '\r'), d = v ^ (ones * '\t');
		/* a zero byte in any of them: one of the four is there */
		if ((((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) |
		     ((d - ones) & ~d)) & highs)
			break;
	}
	while (i < n && !copy_special[p[i]])
		i++;
	return i;
}

/*
 * The value is written straight into the line; only when it holds a byte
 * COPY escapes (rare: numbers, dates and most text have none) is it moved
 * to tmp and written back escaped.  bytea hex is written pre-escaped.
 */
int rp_copy_field(struct buf *out, struct buf *tmp, const struct rp_copy_col *c,
		  const uint8_t *p, size_t n, bool is_null,
		  const struct rp_convert_opts *o, struct err *e)
{
	if (is_null) {
		buf_putl(out, "\\N");
		return 0;
	}
	if (c->kind == RP_CV_BYTES) {
		buf_putl(out, "\\\\x");
		uint8_t *d = buf_reserve(out, n * 2);
		if (!d)
			return err_set(e, ERR_TOOBIG, "value too big");
		for (size_t i = 0; i < n; i++) {
			d[2 * i] = (uint8_t)hexd[p[i] >> 4];
			d[2 * i + 1] = (uint8_t)hexd[p[i] & 15];
		}
		out->n += n * 2;
		return 0;
	}
	size_t mark = out->n;
	bool null2 = false;
	int rc = copy_value(out, c, p, n, o, &null2, e);
	if (rc < 0) {
		out->n = mark;
		return rc;
	}
	if (null2) {
		out->n = mark;
		buf_putl(out, "\\N");
		return rc;
	}
	if (buf_failed(out))
		return err_set(e, ERR_TOOBIG, "value too big");
	size_t i = mark + copy_plain_len(out->p + mark, out->n - mark);
	if (i == out->n)
		return rc;
	/* COPY text format: backslash, and the delimiters, escaped */
	buf_reset(tmp);
	buf_put(tmp, out->p + i, out->n - i);
	out->n = i;
	uint8_t *d = buf_reserve(out, tmp->n * 2);
	if (!d)
		return err_set(e, ERR_TOOBIG, "value too big");
	size_t k = 0;
	for (size_t j = 0; j < tmp->n; j++) {
		uint8_t ch = tmp->p[j];
		switch (ch) {
		case '\\': d[k++] = '\\'; d[k++] = '\\'; break;
		case '\n': d[k++] = '\\'; d[k++] = 'n'; break;
		case '\r': d[k++] = '\\'; d[k++] = 'r'; break;
		case '\t': d[k++] = '\\'; d[k++] = 't'; break;
		default: d[k++] = ch;
		}
	}
	out->n += k;
	return rc;
}
