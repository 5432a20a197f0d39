/*
 * Column values: byte vectors built from the documented storage formats,
 * rendered through the JSON contract, plus a truncation sweep over each.
 */
#include <math.h>

#include "base/arena.h"
#include "base/buf.h"
#include "binlog/internal.h"
#include "test/unit/test.h"

struct vec {
	uint8_t type;
	uint16_t meta;
	bool is_unsigned;
	uint16_t collation;	/* 0: no charset metadata */
	uint8_t bytes[64];
	size_t n;
	const char *json;
};

static void put_be(uint8_t *p, uint64_t v, int w)
{
	for (int i = w - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static char *render_vec(const struct vec *t, int *rc_out)
{
	struct bl_column c;
	memset(&c, 0, sizeof(c));
	c.type = t->type;
	c.meta = t->meta;
	c.is_unsigned = t->is_unsigned;
	if (t->collation) {
		c.has_charset = true;
		c.collation = t->collation;
	}
	struct rd r;
	rd_init(&r, t->bytes, t->n);
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	struct arena a;
	arena_init(&a, 1024);
	struct err e = {0};
	int rc = bl__value_decode(&r, &c, &v, &a, &e);
	*rc_out = rc;
	char *s = NULL;
	if (rc == 0) {
		if (rd_left(&r) != 0)
			test_fail(__FILE__, __LINE__, "%zu bytes left", rd_left(&r));
		struct buf b;
		buf_init(&b, 0);
		bl_value_json(&b, &c, &v);
		s = strdup(buf_cstr(&b));
		buf_release(&b);
	}
	arena_release(&a);
	return s;
}

static void check(const struct vec *t)
{
	int rc;
	char *s = render_vec(t, &rc);
	if (rc)
		test_fail(__FILE__, __LINE__, "type %u: decode failed %d", t->type, rc);
	ASSERT_STREQ(s, t->json);
	free(s);
	/* every shorter input fails cleanly */
	for (size_t k = 0; k < t->n; k++) {
		struct vec u = *t;
		u.n = k;
		char *z = render_vec(&u, &rc);
		if (rc == 0 && t->type != BL_TYPE_NULL)
			test_fail(__FILE__, __LINE__, "type %u cut at %zu decoded as %s",
				  t->type, k, z);
		free(z);
	}
}

TEST(value, integers)
{
	static const struct vec v[] = {
		{BL_TYPE_TINY, 0, false, 0, {0x80}, 1, "-128"},
		{BL_TYPE_TINY, 0, true, 0, {0xff}, 1, "255"},
		{BL_TYPE_SHORT, 0, false, 0, {0x00, 0x80}, 2, "-32768"},
		{BL_TYPE_SHORT, 0, true, 0, {0xff, 0xff}, 2, "65535"},
		{BL_TYPE_INT24, 0, false, 0, {0x00, 0x00, 0x80}, 3, "-8388608"},
		{BL_TYPE_INT24, 0, false, 0, {0xff, 0xff, 0x7f}, 3, "8388607"},
		{BL_TYPE_INT24, 0, true, 0, {0xff, 0xff, 0xff}, 3, "16777215"},
		{BL_TYPE_LONG, 0, false, 0, {0, 0, 0, 0x80}, 4, "-2147483648"},
		{BL_TYPE_LONG, 0, true, 0, {0xff, 0xff, 0xff, 0xff}, 4, "4294967295"},
		{BL_TYPE_LONGLONG, 0, false, 0, {0, 0, 0, 0, 0, 0, 0, 0x80}, 8,
		 "-9223372036854775808"},
		{BL_TYPE_LONGLONG, 0, true, 0, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						0xff, 0xff}, 8,
		 "18446744073709551615"},
		{BL_TYPE_YEAR, 0, false, 0, {0}, 1, "0"},
		{BL_TYPE_YEAR, 0, false, 0, {255}, 1, "2155"},
		{BL_TYPE_BIT, (8 << 8) | 0, false, 0, {0x80, 0, 0, 0, 0, 0, 0, 1}, 8,
		 "9223372036854775809"},
		{BL_TYPE_BIT, 1, false, 0, {1}, 1, "1"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check(&v[i]);
}

TEST(value, floats)
{
	struct vec f = {BL_TYPE_FLOAT, 4, false, 0, {0}, 4, "0.1"};
	float x = 0.1f;
	memcpy(f.bytes, &x, 4);
	check(&f);
	struct vec d = {BL_TYPE_DOUBLE, 8, false, 0, {0}, 8, "0.1"};
	double y = 0.1;
	memcpy(d.bytes, &y, 8);
	check(&d);
	y = 1.0 / 3;
	memcpy(d.bytes, &y, 8);
	d.json = "0.3333333333333333";
	check(&d);
}

/* bl_put_float against printf's output on one value; 0 when the same. */
static int float_differs(double d, bool single, char *got, char *want)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	bl_put_float(&a, d, single);
	bl__put_float_printf(&b, d, single);
	int diff = a.n != b.n || memcmp(a.p, b.p, a.n);
	snprintf(got, 64, "%.*s", (int)a.n, (const char *)a.p);
	snprintf(want, 64, "%.*s", (int)b.n, (const char *)b.p);
	buf_release(&a);
	buf_release(&b);
	return diff;
}

/*
 * The digits computed here are printf's, byte for byte: powers of ten and
 * of two and their neighbours, values halfway between two decimals of 15
 * and 16 digits, every decade, and random bit patterns and decimals.
 */
TEST(value, float_text_is_printfs)
{
	char got[64], want[64];
	static const double fixed[] = {
		0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1e15, 1e16, 1e17, 1e18, 9.2e18, 1e-4,
		1e-5, 9.99999999999999e-5, 0.000123, 123456789012345.5, 999999999999999.9,
		9999999999999998.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
		4.35, 2.675, 1.005, 0.5, 1.5, 2.5, 100, 1e21, 123.456, -0.0, 0.0, -1.25,
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		for (int s = 0; s < 2; s++)
			if (float_differs(fixed[i], s, got, want))
				test_fail(__FILE__, __LINE__, "%.17g (single %d): '%s', printf '%s'", fixed[i], s, got, want);
	for (int e = -25; e <= 20; e++) {
		double p = pow(10, e), q = ldexp(1, e * 3);
		double v[] = {p, nextafter(p, 0), nextafter(p, 1e300), q, nextafter(q, 0),
			      nextafter(q, 1e300), p * 9.999999999999999};
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			for (int s = 0; s < 2; s++)
				if (float_differs(v[i], s, got, want))
					test_fail(__FILE__, __LINE__, "%.17g (single %d): '%s', printf '%s'", v[i], s, got,
					     want);
	}
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 300000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double d;
		/* bit patterns of every exponent, and decimals of few digits */
		uint64_t bits = (x & 0x800fffffffffffffULL) |
				((uint64_t)(1023 - 80 + (int)(x >> 52 & 127)) << 52);
		memcpy(&d, &bits, 8);
		if (i % 3 == 1)
			d = (double)(int64_t)(x % 100000000000ULL) / pow(10, (double)(x >> 60));
		if (i % 3 == 2) {
			uint32_t u = (uint32_t)x;
			float fl;
			memcpy(&fl, &u, 4);
			d = fl;
		}
		if (!isfinite(d))
			continue;	/* NaN and infinities are printed before */
		for (int s = 0; s < 2; s++)
			if (float_differs(s ? (double)(float)d : d, s, got, want))
				test_fail(__FILE__, __LINE__, "%.17g (single %d): '%s', printf '%s'", d, s, got, want);
	}
}

/* The escaping, 8 bytes at a time, against one byte at a time: every
 * special byte at every position of strings of every length to 40. */
TEST(value, json_escape_every_position)
{
	static const uint8_t special[] = {0, 1, 0x1f, '"', '\\', '\n', 0x7f, 0x80, 0xff, 0x20, '!', '#', '[', ']'};
	uint8_t s[40];
	for (size_t len = 0; len <= sizeof(s); len++)
		for (size_t at = 0; at < (len ? len : 1); at++)
			for (size_t k = 0; k < sizeof(special); k++) {
				for (size_t i = 0; i < len; i++)
					s[i] = (uint8_t)('a' + i % 26);
				if (len)
					s[at] = special[k];
				struct buf got = BUF_INIT, want = BUF_INIT;
				bl__json_escape(&got, s, len);
				buf_putc(&want, '"');
				for (size_t i = 0; i < len; i++) {
					uint8_t c = s[i];
					if (c == '"' || c == '\\')
						buf_printf(&want, "\\%c", c);
					else if (c == '\n')
						buf_putl(&want, "\\n");
					else if (c < 0x20)
						buf_printf(&want, "\\u%04x", c);
					else
						buf_putc(&want, (char)c);
				}
				buf_putc(&want, '"');
				if (got.n != want.n || memcmp(got.p, want.p, got.n))
					test_fail(__FILE__, __LINE__, "length %zu, byte %#x at %zu: %.*s",
						  len, special[k], at, (int)got.n, (const char *)got.p);
				buf_release(&got);
				buf_release(&want);
			}
}

/* mysqlbinlog-style quoting of text, 8 bytes at a time, against one byte
 * at a time: every special byte at every position, as utf8mb4 text (bytes
 * from 0x80 kept) and as binary (escaped). */
TEST(value, text_quoting_every_position)
{
	static const uint8_t special[] = {0, 0x1f, '\\', '\'', 0x7f, 0x80, 0xff, ' ', '~', '"'};
	for (int bin = 0; bin < 2; bin++)
		for (size_t len = 0; len <= 40; len++)
			for (size_t at = 0; at < (len ? len : 1); at++)
				for (size_t k = 0; k < sizeof(special); k++) {
					if (!bin && special[k] >= 0x80)
						continue;	/* not valid UTF-8 alone */
					uint8_t raw[48];
					raw[0] = (uint8_t)len;
					for (size_t i = 0; i < len; i++)
						raw[1 + i] = (uint8_t)('a' + i % 26);
					if (len)
						raw[1 + at] = special[k];
					struct bl_column c;
					memset(&c, 0, sizeof(c));
					c.type = BL_TYPE_VARCHAR;
					c.meta = 200;
					c.has_charset = true;
					c.collation = bin ? 63 : 45;
					struct rd r;
					rd_init(&r, raw, len + 1);
					struct bl_value v;
					memset(&v, 0, sizeof(v));
					struct arena a;
					arena_init(&a, 256);
					struct err e = {0};
					ASSERT_EQ(bl__value_decode(&r, &c, &v, &a, &e), 0);
					struct buf got = BUF_INIT, want = BUF_INIT;
					bl_value_text(&got, &c, &v);
					buf_putc(&want, '\'');
					for (size_t i = 0; i < len; i++) {
						uint8_t ch = raw[1 + i];
						if (ch == '\\' || ch == '\'')
							buf_printf(&want, "\\%c", ch);
						else if (ch < 0x20 || ch == 0x7f || ch >= 0x80)
							buf_printf(&want, "\\x%02x", ch);
						else
							buf_putc(&want, (char)ch);
					}
					buf_putc(&want, '\'');
					if (got.n != want.n || memcmp(got.p, want.p, got.n))
						test_fail(__FILE__, __LINE__, "%s length %zu, %#x at %zu: %.*s",
							  bin ? "binary" : "utf8mb4", len, special[k], at,
							  (int)got.n, (const char *)got.p);
					buf_release(&got);
					buf_release(&want);
					arena_release(&a);
				}
}

TEST(value, decimals)
{
	struct vec v[] = {
		/* DECIMAL(4,2): 2 integer digits in 1 byte, 2 fraction digits in 1 */
		{BL_TYPE_NEWDECIMAL, 4 << 8 | 2, false, 0, {0x8a, 0x37}, 2, "\"10.55\""},
		{BL_TYPE_NEWDECIMAL, 4 << 8 | 2, false, 0, {0x75, 0xc8}, 2, "\"-10.55\""},
		{BL_TYPE_NEWDECIMAL, 4 << 8 | 2, false, 0, {0x80, 0x01}, 2, "\"0.01\""},
		{BL_TYPE_NEWDECIMAL, 4 << 8 | 2, false, 0, {0x7f, 0xfe}, 2, "\"-0.01\""},
		{BL_TYPE_NEWDECIMAL, 4 << 8 | 2, false, 0, {0x80, 0x00}, 2, "\"0.00\""},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check(&v[i]);
	/* DECIMAL(65,30) maximum: 35 integer and 30 fraction digits of 9 */
	struct vec m = {BL_TYPE_NEWDECIMAL, 65 << 8 | 30, false, 0, {0}, 0, NULL};
	size_t n = 0;
	put_be(m.bytes + n, 99999999, 4), n += 4;	/* 8 digits in 4 bytes */
	for (int i = 0; i < 3; i++)
		put_be(m.bytes + n, 999999999, 4), n += 4;
	for (int i = 0; i < 3; i++)
		put_be(m.bytes + n, 999999999, 4), n += 4;
	put_be(m.bytes + n, 999, 2), n += 2;		/* 3 digits in 2 bytes */
	m.bytes[0] |= 0x80;
	m.n = n;
	char want[80];
	memset(want, '9', sizeof(want));
	want[0] = '"';
	want[36] = '.';
	want[67] = '"';
	want[68] = 0;
	m.json = want;
	check(&m);
	/* an impossible digit group is an error, not a wrong number */
	struct vec bad = {BL_TYPE_NEWDECIMAL, 10 << 8 | 0, false, 0,
			  {0x80, 0xff, 0xff, 0xff, 0xff}, 5, NULL};
	int rc;
	free(render_vec(&bad, &rc));
	ASSERT_ERR(rc, ERR_PROTO);
}

/*
 * DECIMAL digits go straight from the binary groups to the text: every
 * precision and scale, random groups (many zero), both signs, against a
 * reference that prints each group with printf and strips the zeros.
 */
TEST(value, decimals_against_printf)
{
	static const uint8_t d2b[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
	static const uint32_t p10[10] = {1,	 10,	  100,	    1000,      10000,
					 100000, 1000000, 10000000, 100000000, 1000000000};
	uint64_t x = 0x2545f4914f6cdd1dULL;
	for (unsigned prec = 1; prec <= 65; prec++)
		for (unsigned scale = 0; scale <= prec && scale <= 30; scale++)
			for (int k = 0; k < 40; k++) {
				unsigned intg = prec - scale;
				/* groups, most significant first: widths in digits */
				unsigned w[16], ng = 0;
				if (intg % 9)
					w[ng++] = intg % 9;
				for (unsigned i = 0; i < intg / 9; i++)
					w[ng++] = 9;
				unsigned nint = ng;
				for (unsigned i = 0; i < scale / 9; i++)
					w[ng++] = 9;
				if (scale % 9)
					w[ng++] = scale % 9;
				struct vec v = {BL_TYPE_NEWDECIMAL, (uint16_t)(prec << 8 | scale), false, 0, {0}, 0, NULL};
				char digits[100] = "", frac[100] = "";
				bool zero = true;
				for (unsigned i = 0; i < ng; i++) {
					x ^= x << 13, x ^= x >> 7, x ^= x << 17;
					uint32_t g = (uint32_t)(x % p10[w[i]]);
					if (k % 4 == 0 || (k % 4 == 1 && x >> 60 < 12))
						g = 0;
					zero = zero && !g;
					put_be(v.bytes + v.n, g, d2b[w[i]]);
					v.n += d2b[w[i]];
					char *to = i < nint ? digits : frac;
					snprintf(to + strlen(to), 12, "%0*u", (int)w[i], g);
				}
				bool neg = k % 2;
				v.bytes[0] ^= 0x80;
				for (size_t i = 0; neg && i < v.n; i++)
					v.bytes[i] ^= 0xff;
				const char *ip = digits;
				while (*ip == '0')
					ip++;
				char want[256];
				snprintf(want, sizeof(want), "\"%s%s%s%s\"", neg && !zero ? "-" : "", *ip ? ip : "0",
					 scale ? "." : "", frac);
				v.json = want;
				check(&v);
			}
}

TEST(value, temporal)
{
	struct vec v[] = {
		/* DATE: day | month << 5 | year << 9, little endian */
		{BL_TYPE_DATE, 0, false, 0, {0}, 3, "\"0000-00-00\""},
		{BL_TYPE_DATE, 0, false, 0, {0x0f, 0x28, 0x0f}, 3, "\"1940-00-15\""},
		{BL_TYPE_YEAR, 0, false, 0, {120}, 1, "2020"},
		/* old DATETIME: YYYYMMDDhhmmss */
		{BL_TYPE_DATETIME, 0, false, 0, {0}, 8, "\"0000-00-00 00:00:00\""},
		/* old TIME: signed HHMMSS */
		{BL_TYPE_TIME, 0, false, 0, {0}, 3, "\"00:00:00\""},
		{BL_TYPE_TIMESTAMP, 0, false, 0, {0, 0, 0, 0}, 4,
		 "\"0000-00-00 00:00:00Z\""},
		{BL_TYPE_TIMESTAMP2, 6, false, 0, {0x65, 0x5e, 0x9c, 0x00, 0x01, 0xe2,
						   0x40}, 7,
		 "\"2023-11-23 00:25:36.123456Z\""},
		{BL_TYPE_TIMESTAMP2, 0, false, 0, {0, 0, 0, 0}, 4,
		 "\"0000-00-00 00:00:00Z\""},
	};
	uint64_t dt = 20200015000000ull;	/* partly zero: month 00 */
	memcpy(v[1].bytes, (uint8_t[]){0x0f, 0x28 & 0x1f, 0x0f}, 3);
	/* 1940-00-15: year 1940 << 9 | 0 << 5 | 15 */
	uint32_t d = (1940u << 9) | 15u;
	v[1].bytes[0] = (uint8_t)d, v[1].bytes[1] = (uint8_t)(d >> 8),
	v[1].bytes[2] = (uint8_t)(d >> 16);
	for (int i = 0; i < 8; i++)
		v[3].bytes[i] = (uint8_t)(dt >> (8 * i));
	v[3].json = "\"2020-00-15 00:00:00\"";
	/* old TIME -838:59:59 */
	int32_t t = -8385959;
	uint32_t tu = (uint32_t)t & 0xffffff;
	v[4].bytes[0] = (uint8_t)tu, v[4].bytes[1] = (uint8_t)(tu >> 8),
	v[4].bytes[2] = (uint8_t)(tu >> 16);
	v[4].json = "\"-838:59:59\"";
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check(&v[i]);
}

/* DATETIME2: 40-bit offset value, then the fraction, big endian. */
static void datetime2(struct vec *v, unsigned fsp, unsigned y, unsigned mo,
		      unsigned d, unsigned h, unsigned mi, unsigned s, uint32_t us)
{
	uint64_t ym = (uint64_t)y * 13 + mo;
	uint64_t x = 0x8000000000ull | ym << 22 | (uint64_t)d << 17 |
		     (uint64_t)h << 12 | (uint64_t)mi << 6 | s;
	memset(v, 0, sizeof(*v));
	v->type = BL_TYPE_DATETIME2;
	v->meta = (uint16_t)fsp;
	put_be(v->bytes, x, 5);
	v->n = 5;
	static const uint32_t div[] = {1, 100000, 10000, 1000, 100, 10, 1};
	if (fsp) {
		int w = (int)(fsp + 1) / 2;
		uint32_t f = us / div[fsp];
		/* stored with an even number of digits */
		if (fsp % 2)
			f *= 10;
		put_be(v->bytes + 5, f, w);
		v->n += (size_t)w;
	}
}

TEST(value, datetime2_every_fsp)
{
	static const char *const want[] = {
		"\"2024-02-29 23:59:58\"",	  "\"2024-02-29 23:59:58.1\"",
		"\"2024-02-29 23:59:58.12\"",	  "\"2024-02-29 23:59:58.123\"",
		"\"2024-02-29 23:59:58.1234\"",  "\"2024-02-29 23:59:58.12345\"",
		"\"2024-02-29 23:59:58.123456\"",
	};
	for (unsigned fsp = 0; fsp <= 6; fsp++) {
		struct vec v;
		datetime2(&v, fsp, 2024, 2, 29, 23, 59, 58, 123456);
		v.json = want[fsp];
		check(&v);
	}
	struct vec z;
	datetime2(&z, 6, 0, 0, 0, 0, 0, 0, 0);
	z.json = "\"0000-00-00 00:00:00.000000\"";
	check(&z);
	/* legacy dates decode as stored: month 0, day 0, a day past the
	 * month's end (ALLOW_INVALID_DATES); replay applies the policy */
	datetime2(&z, 0, 2024, 0, 10, 1, 2, 3, 0);
	z.json = "\"2024-00-10 01:02:03\"";
	check(&z);
	datetime2(&z, 0, 2024, 1, 0, 0, 0, 0, 0);
	z.json = "\"2024-01-00 00:00:00\"";
	check(&z);
	datetime2(&z, 3, 2024, 2, 30, 12, 0, 0, 5000);
	z.json = "\"2024-02-30 12:00:00.005\"";
	check(&z);
}

/* TIME2: the whole value is a signed fixed-point number in offset binary. */
static void time2(struct vec *v, unsigned fsp, bool neg, unsigned h, unsigned m,
		  unsigned s, uint32_t us)
{
	memset(v, 0, sizeof(*v));
	v->type = BL_TYPE_TIME2;
	v->meta = (uint16_t)fsp;
	int64_t hms = (int64_t)h << 12 | (int64_t)m << 6 | s;
	int w;
	int64_t n;
	if (fsp <= 0) {
		w = 3;
		n = hms;
	} else if (fsp <= 2) {
		w = 4;
		n = hms * 256 + us / 10000;
	} else if (fsp <= 4) {
		w = 5;
		n = hms * 65536 + us / 100;
	} else {
		w = 6;
		n = hms << 24 | us;
	}
	if (neg)
		n = -n;
	uint64_t off = 1ull << (8 * w - 1);
	put_be(v->bytes, off + (uint64_t)n, w);
	v->n = (size_t)w;
}

TEST(value, time2_negative_fractions)
{
	struct vec v;
	time2(&v, 2, true, 0, 0, 0, 10000);
	v.json = "\"-00:00:00.01\"";
	check(&v);
	time2(&v, 4, true, 0, 0, 1, 500);
	v.json = "\"-00:00:01.0005\"";
	check(&v);
	time2(&v, 6, true, 838, 59, 59, 0);
	v.json = "\"-838:59:59.000000\"";
	check(&v);
	time2(&v, 0, true, 507, 48, 27, 0);
	v.json = "\"-507:48:27\"";
	check(&v);
	time2(&v, 3, false, 12, 0, 0, 999000);
	v.json = "\"12:00:00.999\"";
	check(&v);
	time2(&v, 1, true, 1, 2, 3, 900000);
	v.json = "\"-01:02:03.9\"";
	check(&v);
}

static const char *fmt(void (*f)(struct buf *, unsigned, unsigned, unsigned),
		       unsigned a, unsigned b, unsigned c)
{
	static struct buf out;
	buf_release(&out);
	buf_init(&out, 0);
	f(&out, a, b, c);
	return buf_cstr(&out);
}

/* The date and time formatter shared with replay, at its edges. */
TEST(value, date_time_formatter)
{
	ASSERT_STREQ(fmt(bl_put_date, 0, 0, 0), "0000-00-00");
	ASSERT_STREQ(fmt(bl_put_date, 9999, 12, 31), "9999-12-31");
	/* a forged DATE or DATETIME2 can hold a year past 9999: all of it,
	 * where the digits used to be cut to the last four */
	ASSERT_STREQ(fmt(bl_put_date, 10082, 1, 2), "10082-01-02");
	ASSERT_STREQ(fmt(bl_put_time, 0, 0, 0), "00:00:00");
	ASSERT_STREQ(fmt(bl_put_time, 838, 59, 59), "838:59:59");
	ASSERT_STREQ(fmt(bl_put_time, 1023, 0, 1), "1023:00:01");
	ASSERT_STREQ(fmt(bl_put_time, 65535, 0, 1), "65535:00:01");
	static const char *const frac[] = {"", ".1", ".12", ".123", ".1234",
					   ".12345", ".123456", ".123456"};
	for (unsigned fsp = 0; fsp <= 7; fsp++) {
		struct buf b;
		buf_init(&b, 0);
		bl_put_frac(&b, 123456, fsp);
		ASSERT_STREQ(buf_cstr(&b), frac[fsp]);
		buf_reset(&b);
		bl_put_frac(&b, 0, fsp);	/* zeros are printed */
		ASSERT_EQ(b.n, fsp ? (fsp > 6 ? 7u : fsp + 1) : 0u);
		buf_release(&b);
	}
	struct buf b;
	buf_init(&b, 0);
	bl_put_utc(&b, 0);
	ASSERT_STREQ(buf_cstr(&b), "1970-01-01 00:00:00");
	buf_reset(&b);
	bl_put_utc(&b, 951782400);	/* a leap day */
	ASSERT_STREQ(buf_cstr(&b), "2000-02-29 00:00:00");
	buf_release(&b);
}

/* DATE with a year no server writes: rendered whole (it was cut). */
TEST(value, date_year_past_9999)
{
	struct vec v = {BL_TYPE_DATE, 0, false, 0, {0}, 3, "\"12345-01-02\""};
	uint32_t d = (12345u << 9) | (1u << 5) | 2u;
	v.bytes[0] = (uint8_t)d, v.bytes[1] = (uint8_t)(d >> 8),
	v.bytes[2] = (uint8_t)(d >> 16);
	check(&v);
}

TEST(value, strings_and_charsets)
{
	struct vec v[] = {
		/* latin1 is Windows-1252: 0x80 is the euro sign */
		{BL_TYPE_VARCHAR, 10, false, 8, {3, 'a', 0x80, 0xe9}, 4,
		 "\"a\xe2\x82\xac\xc3\xa9\""},
		/* utf8mb4 emoji */
		{BL_TYPE_VARCHAR, 400, false, 45, {4, 0, 0xf0, 0x9f, 0x98, 0x80}, 6,
		 "\"\xf0\x9f\x98\x80\""},
		/* invalid UTF-8 in a utf8mb4 column is shown as bytes */
		{BL_TYPE_VARCHAR, 10, false, 45, {2, 0xc3, 0x28}, 3,
		 "{\"hex\":\"c328\"}"},
		/* binary collation: bytes */
		/* BINARY(4): the trailing zero byte the row image dropped is back */
		{BL_TYPE_STRING, 4, false, 63, {3, 0x00, 0xff, 0x7f}, 4,
		 "{\"hex\":\"00ff7f00\"}"},
		{BL_TYPE_BLOB, 2, false, 63, {2, 0, 0x00, 0x01}, 4,
		 "{\"hex\":\"0001\"}"},
		/* sjis through iconv */
		{BL_TYPE_VARCHAR, 10, false, 13, {2, 0x82, 0xa0}, 3,
		 "\"\xe3\x81\x82\""},
		/* quotes and control characters escaped */
		{BL_TYPE_VARCHAR, 10, false, 45, {3, '"', '\\', 1}, 4,
		 "\"\\\"\\\\\\u0001\""},
		{BL_TYPE_ENUM, 1, false, 0, {2}, 1, "2"},
		{BL_TYPE_SET, 1, false, 0, {5}, 1, "5"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check(&v[i]);
}

TEST(value, json_binary)
{
	/* {"a":[1,true,"x"],"b":-2} as small object */
	static const uint8_t doc[] = {
		0x00,			/* small object */
		0x02, 0x00,		/* 2 members */
		0x23, 0x00,		/* size 35 */
		0x12, 0x00, 0x01, 0x00,	/* key "a" at 18 */
		0x13, 0x00, 0x01, 0x00,	/* key "b" at 19 */
		0x02, 0x14, 0x00,	/* small array at 20 */
		0x05, 0xfe, 0xff,	/* int16 -2 inline */
		'a', 'b',
		/* array at 20: 3 elements, size 15 */
		0x03, 0x00, 0x0f, 0x00,
		0x05, 0x01, 0x00,	/* int16 1 */
		0x04, 0x01, 0x00,	/* literal true */
		0x0c, 0x0d, 0x00,	/* string at 13 */
		0x01, 'x',
	};
	struct buf b;
	buf_init(&b, 0);
	struct err e = {0};
	ASSERT_EQ(bl_json_to_text(&b, doc, sizeof(doc), &e), 0);
	ASSERT_STREQ(buf_cstr(&b), "{\"a\":[1,true,\"x\"],\"b\":-2}");
	/* every cut fails cleanly */
	for (size_t k = 1; k < sizeof(doc); k++) {
		buf_reset(&b);
		err_clear(&e);
		if (bl_json_to_text(&b, doc, k, &e) == 0)
			test_fail(__FILE__, __LINE__, "cut at %zu decoded", k);
	}
	/* an offset outside the document is an error */
	uint8_t bad[sizeof(doc)];
	memcpy(bad, doc, sizeof(doc));
	bad[13] = 0x7f;
	buf_reset(&b);
	err_clear(&e);
	ASSERT_ERR(bl_json_to_text(&b, bad, sizeof(bad), &e), ERR_PROTO);
	/* empty document is null */
	buf_reset(&b);
	ASSERT_EQ(bl_json_to_text(&b, doc, 0, &e), 0);
	ASSERT_STREQ(buf_cstr(&b), "null");
	buf_release(&b);
}

TEST(value, charset_table)
{
	ASSERT_STREQ(bl_collation_charset(8), "latin1");
	ASSERT_STREQ(bl_collation_charset(33), "utf8mb3");
	ASSERT_STREQ(bl_collation_charset(255), "utf8mb4");
	ASSERT_STREQ(bl_collation_charset(63), "binary");
	ASSERT_STREQ(bl_collation_charset(45 + 1024), "utf8mb4");	/* nopad */
	ASSERT_STREQ(bl_collation_charset(2304), "utf8mb4");	/* uca1400 */
	ASSERT(bl_collation_charset(4000) == NULL);
}
