/*
 * COPY binary format from the text of values (docs/replication.md, "COPY
 * in binary"): the text rp_value_text writes for a column is turned into
 * PostgreSQL's binary representation of the column's type, for a few
 * types whose binary input PostgreSQL reads with less work than text.
 * The text stays the one conversion: each encoder reads only the forms
 * the text conversion writes (strictly; anything else is refused, and the
 * row goes as text), and yields the value PostgreSQL's text input would
 * have made of that text.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "replay/internal.h"

static void put_be16(struct buf *b, uint16_t v)
{
	uint8_t d[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	buf_put(b, d, 2);
}

static void put_be32(struct buf *b, uint32_t v)
{
	uint8_t d[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
			(uint8_t)v};
	buf_put(b, d, 4);
}

static void put_be64(struct buf *b, uint64_t v)
{
	put_be32(b, (uint32_t)(v >> 32));
	put_be32(b, (uint32_t)v);
}

enum rp_bin rp_bin_type(const char *typname)
{
	static const struct {
		const char *name;
		enum rp_bin t;
	} types[] = {
		{"int2", RP_BIN_INT2},
		{"int4", RP_BIN_INT4},
		{"int8", RP_BIN_INT8},
		{"float4", RP_BIN_FLOAT4},
		{"float8", RP_BIN_FLOAT8},
		{"numeric", RP_BIN_NUMERIC},
		{"text", RP_BIN_TEXT},
		{"varchar", RP_BIN_TEXT},
		{"bpchar", RP_BIN_TEXT},
		{"bytea", RP_BIN_BYTEA},
		{"date", RP_BIN_DATE},
		{"timestamp", RP_BIN_TIMESTAMP},
		{"timestamptz", RP_BIN_TIMESTAMPTZ},
		{"bool", RP_BIN_BOOL},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(typname, types[i].name))
			return types[i].t;
	return RP_BIN_NONE;
}

void rp_bin_header(struct buf *b)
{
	buf_put(b, "PGCOPY\n\377\r\n\0", 11);
	put_be32(b, 0); /* flags */
	put_be32(b, 0); /* header extension length */
}

void rp_bin_trailer(struct buf *b)
{
	put_be16(b, 0xffff);
}

void rp_bin_tuple(struct buf *b, uint16_t nfields)
{
	put_be16(b, nfields);
}

void rp_bin_null(struct buf *b)
{
	put_be32(b, 0xffffffff);
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* [-]digits, no more than 19 digits, into *v; false for anything else. */
static bool parse_int(const uint8_t *p, size_t n, int64_t lo, int64_t hi, int64_t *v)
{
	size_t i = 0;
	bool neg = n && p[0] == '-';
	i = neg;
	if (i == n || n - i > 19)
		return false;
	uint64_t u = 0;
	for (; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		u = u * 10 + (uint64_t)(p[i] - '0'); /* 19 digits fit */
	}
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return false;
		*v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return false;
		*v = (int64_t)u;
	}
	return *v >= lo && *v <= hi;
}

/* A decimal float: [-]digits[.digits][e[+-]digits], nothing else. */
static bool float_shape(const uint8_t *p, size_t n)
{
	size_t i = n && p[0] == '-';
	bool digit = false;
	for (; i < n && is_digit(p[i]); i++)
		digit = true;
	if (i < n && p[i] == '.')
		for (i++; i < n && is_digit(p[i]); i++)
			digit = true;
	if (!digit)
		return false;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i == n || !is_digit(p[i]))
			return false;
		while (i < n && is_digit(p[i]))
			i++;
	}
	return i == n;
}

static bool enc_float(struct buf *b, const uint8_t *p, size_t n, bool single)
{
	char tmp[64];
	if (n >= sizeof(tmp) || !float_shape(p, n))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = 0;
	char *end;
	errno = 0;
	if (single) {
		float f = strtof(tmp, &end);
		/* ERANGE for a subnormal, which PostgreSQL takes too */
		if ((errno && (errno != ERANGE || f == 0)) || end != tmp + n ||
		    !isfinite(f))
			return false;
		uint32_t u;
		memcpy(&u, &f, 4);
		put_be32(b, 4);
		put_be32(b, u);
	} else {
		double d = strtod(tmp, &end);
		if ((errno && (errno != ERANGE || d == 0)) || end != tmp + n ||
		    !isfinite(d))
			return false;
		uint64_t u;
		memcpy(&u, &d, 8);
		put_be32(b, 8);
		put_be64(b, u);
	}
	return true;
}

#define NUMERIC_MAX_TEXT 1000 /* digits; longer texts go as text */

/*
 * [-]digits[.digits] as numeric: base-10000 digits aligned on the point,
 * weight of the first, dscale the digits after the point as written (so
 * the value shows as the text did).  Zero is positive with no digits.
 */
static bool enc_numeric(struct buf *b, const uint8_t *p, size_t n)
{
	size_t i = 0;
	bool neg = n && p[0] == '-';
	i = neg;
	size_t is = i;
	while (i < n && is_digit(p[i]))
		i++;
	size_t ie = i, fs = i, fe = i;
	if (i < n && p[i] == '.') {
		fs = ++i;
		while (i < n && is_digit(p[i]))
			i++;
		fe = i;
	}
	if (i != n || (ie == is && fe == fs) || n > NUMERIC_MAX_TEXT)
		return false;
	while (is < ie && p[is] == '0')
		is++; /* leading zeros */
	size_t ni = ie - is, nf = fe - fs;
	size_t ngi = (ni + 3) / 4, ngf = (nf + 3) / 4;
	uint16_t d[(NUMERIC_MAX_TEXT + 3) / 4 + 2];
	size_t nd = 0;
	/* integer groups: the first takes ni % 4 digits (or 4) */
	size_t k = is;
	for (size_t g = 0; g < ngi; g++) {
		size_t take = g == 0 && ni % 4 ? ni % 4 : 4;
		unsigned v = 0;
		for (size_t j = 0; j < take; j++)
			v = v * 10 + (unsigned)(p[k++] - '0');
		d[nd++] = (uint16_t)v;
	}
	/* fraction groups, the last padded with zeros on the right */
	k = fs;
	for (size_t g = 0; g < ngf; g++) {
		unsigned v = 0;
		for (size_t j = 0; j < 4; j++)
			v = v * 10 + (k < fe ? (unsigned)(p[k++] - '0') : 0);
		d[nd++] = (uint16_t)v;
	}
	long weight = (long)ngi - 1;
	size_t first = 0;
	while (first < nd && d[first] == 0) {
		first++;
		weight--;
	}
	while (nd > first && d[nd - 1] == 0)
		nd--;
	size_t cnt = nd - first;
	uint16_t sign = neg ? 0x4000 : 0;
	if (cnt == 0) {
		weight = 0;
		sign = 0;
	}
	if (nf > 0x3fff)
		return false;
	put_be32(b, (uint32_t)(8 + 2 * cnt));
	put_be16(b, (uint16_t)cnt);
	put_be16(b, (uint16_t)(int16_t)weight);
	put_be16(b, sign);
	put_be16(b, (uint16_t)nf);
	for (size_t j = first; j < nd; j++)
		put_be16(b, d[j]);
	return true;
}

static bool enc_bytea(struct buf *b, const uint8_t *p, size_t n)
{
	if (n < 2 || p[0] != '\\' || p[1] != 'x' || n % 2)
		return false;
	size_t m = (n - 2) / 2;
	if (m > INT32_MAX)
		return false;
	size_t mark = b->n;
	put_be32(b, (uint32_t)m);
	uint8_t *d = buf_reserve(b, m);
	if (!d) {
		b->n = mark;
		return false;
	}
	for (size_t i = 0; i < m; i++) {
		int v = 0;
		for (size_t j = 0; j < 2; j++) {
			uint8_t c = p[2 + 2 * i + j];
			int x = is_digit(c)	       ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
						       : -1;
			if (x < 0) {
				b->n = mark;
				return false;
			}
			v = v * 16 + x;
		}
		d[i] = (uint8_t)v;
	}
	b->n += m;
	return true;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

#define DAYS_1970_2000 10957
#define USEC_DAY 86400000000LL

static unsigned num(const uint8_t *p, size_t n, bool *ok)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			*ok = false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return v;
}

/* YYYY-MM-DD: days since 2000-01-01; false when not a valid date. */
static bool parse_date(const uint8_t *p, size_t n, int64_t *days)
{
	if (n < 10 || p[4] != '-' || p[7] != '-')
		return false;
	bool ok = true;
	unsigned y = num(p, 4, &ok), m = num(p + 5, 2, &ok), d = num(p + 8, 2, &ok);
	if (!ok || !rp_date_valid((int)y, m, d))
		return false;
	*days = days_civil(y, m, d) - DAYS_1970_2000;
	return true;
}

/*
 * YYYY-MM-DD[ HH:MM:SS[.f{1,6}]] then the suffix tz ("+00" or ""):
 * microseconds since 2000-01-01 00:00.
 */
static bool parse_ts(const uint8_t *p, size_t n, const char *tz, int64_t *us)
{
	size_t ntz = strlen(tz);
	if (n < ntz || memcmp(p + n - ntz, tz, ntz))
		return false;
	n -= ntz;
	int64_t days;
	if (!parse_date(p, n, &days))
		return false;
	int64_t t = 0;
	if (n > 10) {
		if (n < 19 || p[10] != ' ' || p[13] != ':' || p[16] != ':')
			return false;
		bool ok = true;
		unsigned h = num(p + 11, 2, &ok), mi = num(p + 14, 2, &ok),
			 s = num(p + 17, 2, &ok);
		if (!ok || h > 23 || mi > 59 || s > 59)
			return false;
		int64_t frac = 0;
		if (n > 19) {
			size_t nf = n - 20;
			if (p[19] != '.' || nf < 1 || nf > 6)
				return false;
			frac = num(p + 20, nf, &ok);
			if (!ok)
				return false;
			for (size_t i = nf; i < 6; i++)
				frac *= 10;
		}
		t = ((int64_t)h * 3600 + mi * 60 + s) * 1000000 + frac;
	}
	*us = days * USEC_DAY + t;
	return true;
}

static bool text_is(const uint8_t *p, size_t n, const char *s)
{
	return n == strlen(s) && !memcmp(p, s, n);
}

static bool enc_time(struct buf *b, enum rp_bin t, const uint8_t *p, size_t n)
{
	bool inf = text_is(p, n, "infinity"), ninf = text_is(p, n, "-infinity");
	if (t == RP_BIN_DATE) {
		int64_t days = 0;
		if (!inf && !ninf && (n != 10 || !parse_date(p, n, &days)))
			return false;
		put_be32(b, 4);
		put_be32(b, inf	   ? (uint32_t)INT32_MAX
			    : ninf ? (uint32_t)INT32_MIN
				   : (uint32_t)(int32_t)days);
		return true;
	}
	int64_t us = 0;
	if (!inf && !ninf &&
	    !parse_ts(p, n, t == RP_BIN_TIMESTAMPTZ ? "+00" : "", &us))
		return false;
	put_be32(b, 8);
	put_be64(b, inf	   ? (uint64_t)INT64_MAX
		    : ninf ? (uint64_t)INT64_MIN
			   : (uint64_t)us);
	return true;
}

bool rp_bin_direct(struct buf *b, enum rp_bin t, const struct bl_value *v)
{
	int64_t lo = t == RP_BIN_INT2	? INT16_MIN
		     : t == RP_BIN_INT4 ? INT32_MIN
					: INT64_MIN;
	int64_t hi = t == RP_BIN_INT2	? INT16_MAX
		     : t == RP_BIN_INT4 ? INT32_MAX
					: INT64_MAX;
	int64_t i;
	switch (v->kind) {
	case BLV_INT:
	case BLV_UINT:
		if (t != RP_BIN_INT2 && t != RP_BIN_INT4 && t != RP_BIN_INT8)
			return false;
		if (v->kind == BLV_UINT && v->u > (uint64_t)INT64_MAX)
			return false;
		i = v->kind == BLV_INT ? v->i : (int64_t)v->u;
		if (i < lo || i > hi)
			return false;
		if (t == RP_BIN_INT2) {
			put_be32(b, 2);
			put_be16(b, (uint16_t)(int16_t)i);
		} else if (t == RP_BIN_INT4) {
			put_be32(b, 4);
			put_be32(b, (uint32_t)(int32_t)i);
		} else {
			put_be32(b, 8);
			put_be64(b, (uint64_t)i);
		}
		return true;
	case BLV_DOUBLE:
		/* the text reads back to d (17 digits at most always do) */
		if (t != RP_BIN_FLOAT8 || !isfinite(v->d))
			return false;
		uint64_t u8;
		memcpy(&u8, &v->d, 8);
		put_be32(b, 8);
		put_be64(b, u8);
		return true;
	case BLV_FLOAT: {
		/* the same for a FLOAT's text read as a float (not as a double:
		 * "0.1" is not the float 0.1 widened) */
		if (t != RP_BIN_FLOAT4 || !isfinite(v->d))
			return false;
		float f = (float)v->d;
		uint32_t u4;
		memcpy(&u4, &f, 4);
		put_be32(b, 4);
		put_be32(b, u4);
		return true;
	}
	default:
		return false;
	}
}

bool rp_bin_field(struct buf *b, enum rp_bin t, const uint8_t *p, size_t n)
{
	int64_t v;
	switch (t) {
	case RP_BIN_INT2:
		if (!parse_int(p, n, INT16_MIN, INT16_MAX, &v))
			return false;
		put_be32(b, 2);
		put_be16(b, (uint16_t)(int16_t)v);
		return true;
	case RP_BIN_INT4:
		if (!parse_int(p, n, INT32_MIN, INT32_MAX, &v))
			return false;
		put_be32(b, 4);
		put_be32(b, (uint32_t)(int32_t)v);
		return true;
	case RP_BIN_INT8:
		if (!parse_int(p, n, INT64_MIN, INT64_MAX, &v))
			return false;
		put_be32(b, 8);
		put_be64(b, (uint64_t)v);
		return true;
	case RP_BIN_FLOAT4:
	case RP_BIN_FLOAT8:
		return enc_float(b, p, n, t == RP_BIN_FLOAT4);
	case RP_BIN_NUMERIC:
		return enc_numeric(b, p, n);
	case RP_BIN_TEXT:
		/* the bytes themselves; a NUL left by the text is refused */
		if (n > INT32_MAX || memchr(p, 0, n))
			return false;
		put_be32(b, (uint32_t)n);
		buf_put(b, p, n);
		return true;
	case RP_BIN_BYTEA:
		return enc_bytea(b, p, n);
	case RP_BIN_DATE:
	case RP_BIN_TIMESTAMP:
	case RP_BIN_TIMESTAMPTZ:
		return enc_time(b, t, p, n);
	case RP_BIN_BOOL:
		if (!text_is(p, n, "0") && !text_is(p, n, "1"))
			return false;
		put_be32(b, 1);
		buf_putc(b, p[0] == '1');
		return true;
	default:
		return false;
	}
}
