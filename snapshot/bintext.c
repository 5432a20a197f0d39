/*
 * Values of the binary protocol (mp_stmt_query) as the text protocol
 * gives them, so that the rest of the copy (rp_copy_field, the error
 * log's rows) is the text path's: integers in decimal (ZEROFILL padded),
 * YEAR in four digits, DATE / DATETIME / TIMESTAMP / TIME with as many
 * fractional digits as the column's decimals, DOUBLE as the shortest
 * digits that read back to the same value (or with the column's fixed
 * decimals), FLOAT likewise as a float.  Strings, DECIMAL (text in both
 * protocols), BIT, ENUM, SET, JSON and GEOMETRY arrive as the text
 * protocol's bytes and are not copied.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "snapshot/internal.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* "00" to "99" */
static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
			       "25262728293031323334353637383940414243444546474849"
			       "50515253545556575859606162636465666768697071727374"
			       "75767778798081828384858687888990919293949596979899";

/* v in decimal, at least width digits (ZEROFILL). */
static void put_u64(struct buf *out, uint64_t v, bool neg, unsigned width)
{
	char t[24];
	int k = sizeof(t);
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		t[--k] = pairs[2 * r + 1];
		t[--k] = pairs[2 * r];
	}
	if (v >= 10) {
		t[--k] = pairs[2 * v + 1];
		t[--k] = pairs[2 * v];
	} else {
		t[--k] = (char)('0' + v);
	}
	size_t nd = sizeof(t) - (size_t)k;
	if (width <= nd) {
		if (neg)
			t[--k] = '-';
		buf_put(out, t + k, sizeof(t) - (size_t)k);
		return;
	}
	if (neg)
		buf_putc(out, '-');
	for (size_t d = nd; d < width && d < 256; d++)
		buf_putc(out, '0');
	buf_put(out, t + k, nd);
}

static void two(char *d, unsigned v)
{
	d[0] = (char)('0' + v / 10 % 10);
	d[1] = (char)('0' + v % 10);
}

/* '.' and the first `decimals` digits of the microseconds (all six when
 * the column's decimals are not fixed and there are some). */
static void fraction(struct buf *out, uint32_t micro, uint8_t decimals)
{
	unsigned k = decimals <= 6 ? decimals : micro ? 6 : 0;
	if (!k)
		return;
	char t[8];
	t[0] = '.';
	for (int i = 6; i >= 1; i--) {
		t[i] = (char)('0' + micro % 10);
		micro /= 10;
	}
	buf_put(out, t, 1 + k);
}

static int temporal(struct buf *out, const struct mp_column *col, struct bytes v,
		    struct err *e)
{
	const uint8_t *p = v.p;
	if (col->type == MP_TYPE_TIME) {
		/* is_negative, days, hour, minute, second[, microseconds] */
		if (v.n != 0 && v.n != 8 && v.n != 12)
			return err_set(e, ERR_PROTO, "a TIME value of %zu bytes",
				       v.n);
		uint64_t hours = v.n ? le(p + 1, 4) * 24 + p[5] : 0;
		uint32_t micro = v.n == 12 ? (uint32_t)le(p + 8, 4) : 0;
		if (v.n && p[0])
			buf_putc(out, '-');
		if (hours < 100) {
			char t[2];
			two(t, (unsigned)hours);
			buf_put(out, t, 2);
		} else {
			put_u64(out, hours, false, 0);
		}
		char t[6] = {':', 0, 0, ':', 0, 0};
		two(t + 1, v.n ? p[6] : 0);
		two(t + 4, v.n ? p[7] : 0);
		buf_put(out, t, 6);
		if (micro > 999999)
			return err_set(e, ERR_PROTO,
				       "a TIME value of %u microseconds", micro);
		fraction(out, micro, col->decimals);
		return 0;
	}
	/* year, month, day[, hour, minute, second[, microseconds]] */
	if (v.n != 0 && v.n != 4 && v.n != 7 && v.n != 11)
		return err_set(e, ERR_PROTO, "a date value of %zu bytes", v.n);
	unsigned y = v.n ? (unsigned)le(p, 2) : 0;
	if (y > 9999)
		return err_set(e, ERR_PROTO, "a date of year %u", y);
	char t[19] = {0,   0, 0, 0,   '-', 0, 0,   '-', 0, 0,
		      ' ', 0, 0, ':', 0,   0, ':', 0,	0};
	two(t, y / 100);
	two(t + 2, y % 100);
	two(t + 5, v.n ? p[2] : 0);
	two(t + 8, v.n ? p[3] : 0);
	if (col->type == MP_TYPE_DATE || col->type == MP_TYPE_NEWDATE) {
		buf_put(out, t, 10);
		return 0;
	}
	two(t + 11, v.n >= 7 ? p[4] : 0);
	two(t + 14, v.n >= 7 ? p[5] : 0);
	two(t + 17, v.n >= 7 ? p[6] : 0);
	buf_put(out, t, 19);
	uint32_t micro = v.n == 11 ? (uint32_t)le(p + 7, 4) : 0;
	if (micro > 999999)
		return err_set(e, ERR_PROTO, "a date-time value of %u microseconds",
			       micro);
	fraction(out, micro, col->decimals);
	return 0;
}

/* Not fixed: the decimals of a FLOAT or DOUBLE without (M,D). */
#define NOT_FIXED_DEC 31

static void real(struct buf *out, double d, bool single, uint8_t decimals)
{
	if (decimals >= NOT_FIXED_DEC || !isfinite(d)) {
		bl_put_float(out, d, single);
		return;
	}
	/* FLOAT(M,D), DOUBLE(M,D): D digits after the point, rounded on the
	 * exact value (as the server's my_fcvt) */
	int n = snprintf(NULL, 0, "%.*f", (int)decimals, d);
	char *w = (char *)buf_reserve(out, (size_t)n + 1);
	if (!w)
		return;
	snprintf(w, (size_t)n + 1, "%.*f", (int)decimals, d);
	out->n += (size_t)n;
}

int sn__bin_text(struct buf *out, const struct mp_column *col, struct bytes v,
		 struct err *e)
{
	unsigned w;
	switch (mp_bin_form(col->type, &w)) {
	case MP_BIN_STRING:
		buf_put(out, v.p, v.n);
		return 0;
	case MP_BIN_TEMPORAL:
		return temporal(out, col, v, e);
	case MP_BIN_FIXED:
		break;
	default:
		return err_set(e, ERR_UNSUPPORTED, "a value of type %u", col->type);
	}
	if (v.n != w)
		return err_set(e, ERR_PROTO, "a value of type %u with %zu bytes",
			       col->type, v.n);
	uint64_t u = le(v.p, w);
	if (col->type == MP_TYPE_FLOAT) {
		uint32_t b = (uint32_t)u;
		float f;
		memcpy(&f, &b, 4);
		real(out, f, true, col->decimals);
		return 0;
	}
	if (col->type == MP_TYPE_DOUBLE) {
		double d;
		memcpy(&d, &u, 8);
		real(out, d, false, col->decimals);
		return 0;
	}
	if (col->type == MP_TYPE_YEAR) {
		put_u64(out, u, false, col->length == 2 ? 2 : 4);
		return 0;
	}
	unsigned width = col->flags & MP_FLAG_ZEROFILL ? col->length : 0;
	bool neg = false;
	if (!(col->flags & MP_FLAG_UNSIGNED)) {
		/* sign-extend from w bytes */
		unsigned sh = 64 - 8 * w;
		int64_t s = (int64_t)(u << sh) >> sh;
		if (s < 0) {
			neg = true;
			u = (uint64_t)0 - (uint64_t)s;
		}
	}
	put_u64(out, u, neg, width);
	return 0;
}

int sn__text_row(struct buf *tmp, size_t *off, const struct mp_result *res,
		 const struct mp_row *in, struct bytes *vals, struct err *e)
{
	buf_reset(tmp);
	for (uint32_t i = 0; i < in->n; i++) {
		unsigned w;
		vals[i] = in->values[i];
		off[i] = SIZE_MAX;
		if (in->is_null[i] ||
		    mp_bin_form(res->cols[i].type, &w) == MP_BIN_STRING)
			continue;
		off[i] = tmp->n;
		int rc = sn__bin_text(tmp, &res->cols[i], in->values[i], e);
		if (rc)
			return rc;
		vals[i].n = tmp->n - off[i];
	}
	if (buf_failed(tmp))
		return err_set(e, ERR_TOOBIG, "value too big");
	for (uint32_t i = 0; i < in->n; i++)
		if (off[i] != SIZE_MAX)
			vals[i].p = tmp->p + off[i];
	return 0;
}
