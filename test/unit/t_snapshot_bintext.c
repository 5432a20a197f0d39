/*
 * The binary protocol's rows (mysqlproto's mp__binary_row) and their
 * values as the text protocol's text (snapshot's sn__bin_text): every
 * type, NULLs, the edge values, malformed rows refused with the offset.
 * No server: the integration test t_init_binary.sh compares both
 * protocols against MariaDB.
 */
#include <float.h>
#include <math.h>

#include "mysqlproto/internal.h"
#include "snapshot/internal.h"
#include "test/unit/test.h"

static struct mp_column col(uint8_t type, uint16_t flags, uint8_t decimals,
			    uint32_t length)
{
	struct mp_column c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.flags = flags;
	c.decimals = decimals;
	c.length = length;
	return c;
}

/* The text of one value given as its binary bytes. */
static const char *text(struct buf *b, struct mp_column c, const void *p, size_t n)
{
	static struct err e;
	err_clear(&e);
	buf_reset(b);
	struct bytes v = {p, n};
	if (sn__bin_text(b, &c, v, &e))
		return e.msg;
	buf_putc(b, 0);
	return (const char *)b->p;
}

static const char *le_int(struct buf *b, uint8_t type, uint16_t flags, uint64_t v,
			  unsigned w)
{
	uint8_t t[8];
	for (unsigned i = 0; i < w; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	return text(b, col(type, flags, 0, 0), t, w);
}

TEST(bintext, integers)
{
	struct buf b;
	buf_init(&b, 0);
	ASSERT_STREQ(le_int(&b, MP_TYPE_TINY, 0, 0x80, 1), "-128");
	ASSERT_STREQ(le_int(&b, MP_TYPE_TINY, 0, 0x7f, 1), "127");
	ASSERT_STREQ(le_int(&b, MP_TYPE_TINY, MP_FLAG_UNSIGNED, 0xff, 1), "255");
	ASSERT_STREQ(le_int(&b, MP_TYPE_SHORT, 0, 0x8000, 2), "-32768");
	ASSERT_STREQ(le_int(&b, MP_TYPE_SHORT, MP_FLAG_UNSIGNED, 0xffff, 2), "65535");
	ASSERT_STREQ(le_int(&b, MP_TYPE_INT24, 0, 0xff800000u, 4), "-8388608");
	ASSERT_STREQ(le_int(&b, MP_TYPE_INT24, MP_FLAG_UNSIGNED, 16777215, 4),
		     "16777215");
	ASSERT_STREQ(le_int(&b, MP_TYPE_LONG, 0, 0x80000000u, 4), "-2147483648");
	ASSERT_STREQ(le_int(&b, MP_TYPE_LONG, 0, 0xffffffffu, 4), "-1");
	ASSERT_STREQ(le_int(&b, MP_TYPE_LONG, MP_FLAG_UNSIGNED, 0xffffffffu, 4),
		     "4294967295");
	ASSERT_STREQ(le_int(&b, MP_TYPE_LONGLONG, 0, 0x8000000000000000ull, 8),
		     "-9223372036854775808");
	ASSERT_STREQ(le_int(&b, MP_TYPE_LONGLONG, 0, 0x7fffffffffffffffull, 8),
		     "9223372036854775807");
	ASSERT_STREQ(le_int(&b, MP_TYPE_LONGLONG, MP_FLAG_UNSIGNED, UINT64_MAX, 8),
		     "18446744073709551615");
	ASSERT_STREQ(le_int(&b, MP_TYPE_LONGLONG, 0, 0, 8), "0");
	/* ZEROFILL: padded to the display width */
	uint8_t t[4] = {42, 0, 0, 0};
	ASSERT_STREQ(text(&b,
			  col(MP_TYPE_LONG, MP_FLAG_UNSIGNED | MP_FLAG_ZEROFILL, 0,
			      5),
			  t, 4),
		     "00042");
	/* YEAR: four digits, 0 as 0000 */
	ASSERT_STREQ(le_int(&b, MP_TYPE_YEAR, MP_FLAG_UNSIGNED, 2155, 2), "2155");
	ASSERT_STREQ(le_int(&b, MP_TYPE_YEAR, MP_FLAG_UNSIGNED, 0, 2), "0000");
	/* a width the type does not have */
	ASSERT(strstr(le_int(&b, MP_TYPE_LONG, 0, 1, 2), "2 bytes"));
	buf_release(&b);
}

static const char *dbl(struct buf *b, double d, uint8_t decimals)
{
	return text(b, col(MP_TYPE_DOUBLE, 0, decimals, 0), &d, 8);
}

static const char *flt(struct buf *b, float f, uint8_t decimals)
{
	return text(b, col(MP_TYPE_FLOAT, 0, decimals, 0), &f, 4);
}

TEST(bintext, floating_point)
{
	struct buf b;
	buf_init(&b, 0);
	ASSERT_STREQ(dbl(&b, 2.718281828459045, 31), "2.718281828459045");
	ASSERT_STREQ(dbl(&b, 0.1, 31), "0.1");
	ASSERT_STREQ(dbl(&b, -0.0, 31), "-0");
	ASSERT_STREQ(dbl(&b, 1e308, 31), "1e+308");
	ASSERT_STREQ(dbl(&b, DBL_MAX, 31), "1.7976931348623157e+308");
	ASSERT(strtod(dbl(&b, 5e-324, 31), NULL) == 5e-324);
	ASSERT(strtod(dbl(&b, -DBL_MIN, 31), NULL) == -DBL_MIN);
	/* DOUBLE(M,D): D digits, rounded on the exact value */
	ASSERT_STREQ(dbl(&b, 1.5, 2), "1.50");
	ASSERT_STREQ(dbl(&b, 0.125, 2), "0.12");
	ASSERT_STREQ(dbl(&b, -2.675, 2), "-2.67"); /* -2.67499999... */
	ASSERT_STREQ(dbl(&b, 1e20, 1), "100000000000000000000.0");
	/* every double reads back as itself */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double d;
		memcpy(&d, &x, 8);
		if (!isfinite(d))
			continue;
		ASSERT(strtod(dbl(&b, d, 31), NULL) == d);
	}
	/* FLOAT: the float's shortest digits, not the double's */
	ASSERT_STREQ(flt(&b, 3.14159f, 31), "3.14159");
	ASSERT_STREQ(flt(&b, 0.1f, 31), "0.1");
	ASSERT_STREQ(flt(&b, -1.5e-30f, 31), "-1.5e-30");
	ASSERT_STREQ(flt(&b, FLT_MAX, 31), "3.4028235e+38");
	ASSERT_STREQ(flt(&b, -0.0f, 31), "-0");
	ASSERT_STREQ(flt(&b, 1.25f, 3), "1.250");
	buf_release(&b);
}

static const char *dt(struct buf *b, uint8_t type, uint8_t decimals,
		      const uint8_t *p, size_t n)
{
	return text(b, col(type, 0, decimals, 0), p, n);
}

TEST(bintext, dates_and_times)
{
	struct buf b;
	buf_init(&b, 0);
	/* year (2 LE), month, day, hour, minute, second, microseconds (4 LE) */
	const uint8_t full[11] = {0xe8, 0x07, 2,    29,	  23, 59,
				  59,	0x40, 0xe2, 0x01, 0};
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 6, full, 11),
		     "2024-02-29 23:59:59.123456");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 3, full, 11),
		     "2024-02-29 23:59:59.123");
	ASSERT_STREQ(dt(&b, MP_TYPE_TIMESTAMP, 1, full, 11), "2024-02-29 23:59:59.1");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 6, full, 7),
		     "2024-02-29 23:59:59.000000");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 0, full, 7), "2024-02-29 23:59:59");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 0, full, 4), "2024-02-29 00:00:00");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 2, full, 0), "0000-00-00 00:00:00.00");
	ASSERT_STREQ(dt(&b, MP_TYPE_TIMESTAMP, 0, full, 0), "0000-00-00 00:00:00");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATE, 0, full, 4), "2024-02-29");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATE, 0, full, 0), "0000-00-00");
	/* zero parts */
	const uint8_t zp[7] = {0xe4, 0x07, 0, 15, 0, 0, 0};
	ASSERT_STREQ(dt(&b, MP_TYPE_DATE, 0, zp, 4), "2020-00-15");
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 0, zp, 7), "2020-00-15 00:00:00");
	const uint8_t y1[11] = {1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0};
	ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, 6, y1, 11),
		     "0001-01-01 00:00:00.000001");
	/* fractional digits 0 to 6 of .999999 */
	const uint8_t f9[11] = {0xd0, 0x07, 1, 1, 0, 0, 0, 0x3f, 0x42, 0x0f, 0};
	const char *want[7] = {"",	".9",	  ".99",    ".999",
			       ".9999", ".99999", ".999999"};
	for (uint8_t d = 0; d <= 6; d++) {
		char w[40];
		snprintf(w, sizeof(w), "2000-01-01 00:00:00%s", want[d]);
		ASSERT_STREQ(dt(&b, MP_TYPE_DATETIME, d, f9, 11), w);
	}
	/* TIME: is_negative, days (4 LE), hour, minute, second[, micro] */
	const uint8_t t1[12] = {1, 34, 0, 0, 0, 22, 59, 59, 0, 0, 0, 0};
	ASSERT_STREQ(dt(&b, MP_TYPE_TIME, 0, t1, 8), "-838:59:59");
	const uint8_t t2[12] = {0, 1, 0, 0, 0, 1, 2, 3, 0x10, 0x27, 0, 0};
	ASSERT_STREQ(dt(&b, MP_TYPE_TIME, 4, t2, 12), "25:02:03.0100");
	ASSERT_STREQ(dt(&b, MP_TYPE_TIME, 6, t2, 12), "25:02:03.010000");
	const uint8_t t3[12] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	ASSERT_STREQ(dt(&b, MP_TYPE_TIME, 6, t3, 12), "-00:00:00.000001");
	ASSERT_STREQ(dt(&b, MP_TYPE_TIME, 0, t3, 0), "00:00:00");
	ASSERT_STREQ(dt(&b, MP_TYPE_TIME, 2, t3, 0), "00:00:00.00");
	const uint8_t t4[12] = {0, 0xff, 0xff, 0xff, 0xff, 23, 59, 59, 0, 0, 0, 0};
	ASSERT_STREQ(dt(&b, MP_TYPE_TIME, 0, t4, 8), "103079215103:59:59");
	/* lengths the protocol does not have, values out of range */
	ASSERT(strstr(dt(&b, MP_TYPE_TIME, 0, t1, 7), "7 bytes"));
	ASSERT(strstr(dt(&b, MP_TYPE_DATE, 0, full, 5), "5 bytes"));
	const uint8_t bad[11] = {0xe8, 0x07, 2, 29, 23, 59, 59, 0x40, 0x42, 0x0f, 0};
	ASSERT(strstr(dt(&b, MP_TYPE_DATETIME, 6, bad, 11), "microseconds"));
	buf_release(&b);
}

TEST(bintext, strings_as_they_are)
{
	struct buf b;
	buf_init(&b, 0);
	/* DECIMAL is text in both protocols: 65 digits */
	const char *d65 =
		"-99999999999999999999999999999999999.999999999999999999999999999999";
	ASSERT_STREQ(text(&b, col(MP_TYPE_NEWDECIMAL, 0, 30, 67), d65, strlen(d65)),
		     d65);
	uint8_t bits[2] = {0x02, 0xaa};
	ASSERT_STREQ(text(&b, col(MP_TYPE_BIT, MP_FLAG_UNSIGNED, 0, 10), bits, 2),
		     "\x02\xaa");
	ASSERT_STREQ(text(&b, col(MP_TYPE_STRING, 0, 0, 0), "medium", 6), "medium");
	ASSERT_STREQ(text(&b, col(MP_TYPE_BLOB, 0, 0, 0), "", 0), "");
	ASSERT(strstr(text(&b, col(200, 0, 0, 0), "x", 1), "type 200"));
	buf_release(&b);
}

/* A binary row: header, NULL bitmap (offset 2), values. */
TEST(bintext, binary_rows)
{
	struct mp_column cols[11] = {
		col(MP_TYPE_LONG, 0, 0, 11),
		col(MP_TYPE_LONGLONG, MP_FLAG_UNSIGNED, 0, 20),
		col(MP_TYPE_VAR_STRING, 0, 0, 40),
		col(MP_TYPE_DATETIME, 0, 6, 26),
		col(MP_TYPE_NEWDECIMAL, 0, 2, 12),
		col(MP_TYPE_DOUBLE, 0, 31, 22),
		col(MP_TYPE_TIME, 0, 0, 10),
		col(MP_TYPE_TINY, 0, 0, 4),
		col(MP_TYPE_NULL, 0, 0, 0),
		col(MP_TYPE_SHORT, 0, 0, 6),
		col(MP_TYPE_BLOB, 0, 0, 65535),
	};
	struct buf p;
	buf_init(&p, 0);
	buf_put_u8(&p, 0);
	/* NULL: columns 8 (tiny), 9 (NULL type): bits 9 and 10 */
	buf_put_u8(&p, 0);
	buf_put_u8(&p, 0x06);
	buf_put_u32le(&p, (uint32_t)-7);
	buf_put_u64le(&p, UINT64_MAX);
	buf_put_lenenc(&p, 3);
	buf_put(&p, "a\tb", 3);
	buf_put_u8(&p, 11);
	const uint8_t dtv[11] = {0xe8, 0x07, 2, 29, 23, 59, 59, 0x40, 0xe2, 0x01, 0};
	buf_put(&p, dtv, 11);
	buf_put_lenenc(&p, 5);
	buf_put(&p, "-1.50", 5);
	double d = 0.1;
	uint64_t du;
	memcpy(&du, &d, 8);
	buf_put_u64le(&p, du);
	buf_put_u8(&p, 0); /* TIME 00:00:00 */
	buf_put_u16le(&p, 0xffff);
	buf_put_lenenc(&p, 300);
	for (int i = 0; i < 300; i++)
		buf_putc(&p, 'x');
	struct bytes vals[11];
	bool nulls[11];
	struct err e = {0};
	ASSERT_EQ(mp__binary_row(cols, 11, p.p, p.n, vals, nulls, &e), 0);
	ASSERT(nulls[7] && nulls[8] && !nulls[0] && !nulls[10]);
	/* as text */
	struct mp_result res;
	memset(&res, 0, sizeof(res));
	res.ncols = 11;
	res.cols = cols;
	res.binary = true;
	struct mp_row in = {11, vals, nulls};
	struct bytes tv[11];
	size_t off[11];
	struct buf tmp;
	buf_init(&tmp, 0);
	ASSERT_EQ(sn__text_row(&tmp, off, &res, &in, tv, &e), 0);
	const char *want[11] = {"-7",	    "18446744073709551615",
				"a\tb",	    "2024-02-29 23:59:59.123456",
				"-1.50",    "0.1",
				"00:00:00", NULL,
				NULL,	    "-1",
				NULL};
	for (int i = 0; i < 11; i++) {
		if (!want[i])
			continue;
		ASSERT_EQ(tv[i].n, strlen(want[i]));
		ASSERT_MEM_EQ(tv[i].p, want[i], tv[i].n);
	}
	ASSERT_EQ(tv[10].n, 300);
	ASSERT(tv[2].p == vals[2].p); /* strings are not copied */
	/* every truncation is refused, with an offset */
	for (size_t n = 0; n < p.n; n++) {
		err_clear(&e);
		ASSERT(mp__binary_row(cols, 11, p.p, n, vals, nulls, &e) < 0);
		ASSERT(strstr(e.msg, "at byte"));
	}
	/* a byte too many, a bad header, a bad temporal length */
	buf_put_u8(&p, 0);
	err_clear(&e);
	ASSERT(mp__binary_row(cols, 11, p.p, p.n, vals, nulls, &e) < 0);
	ASSERT(strstr(e.msg, "after the last column"));
	p.n--;
	p.p[0] = 1;
	err_clear(&e);
	ASSERT(mp__binary_row(cols, 11, p.p, p.n, vals, nulls, &e) < 0);
	p.p[0] = 0;
	p.p[3 + 4 + 8 + 4] = 5; /* DATETIME length */
	err_clear(&e);
	ASSERT(mp__binary_row(cols, 11, p.p, p.n, vals, nulls, &e) < 0);
	ASSERT(strstr(e.msg, "column 4"));
	ASSERT(strstr(e.msg, "at byte 19"));
	/* a value of the NULL type that is not NULL */
	p.p[3 + 4 + 8 + 4] = 11;
	p.p[2] = 0x02;
	err_clear(&e);
	ASSERT(mp__binary_row(cols, 11, p.p, p.n, vals, nulls, &e) < 0);
	ASSERT(strstr(e.msg, "type 6"));
	buf_release(&p);
	buf_release(&tmp);
}
