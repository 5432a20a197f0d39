/*
 * Binary COPY fields from the text of values (replay/copybin.c), against
 * bytes computed by hand from PostgreSQL's binary formats: integers and
 * floats big-endian, numeric as base-10000 digits with weight, sign and
 * display scale, dates and timestamps counted from 2000-01-01.  Texts the
 * text conversion does not write, or PostgreSQL would refuse, are refused.
 */
#include <stdio.h>

#include "binlog/binlog.h"
#include "replay/internal.h"
#include "test/unit/test.h"

/* The field of text s as type t, in hex; "no" when refused. */
static const char *enc(enum rp_bin t, const char *s, size_t n)
{
	static char hex[2048];
	struct buf b;
	buf_init(&b, 0);
	buf_putl(&b, "!"); /* what is there stays */
	if (!rp_bin_field(&b, t, (const uint8_t *)s, n)) {
		bool kept = b.n == 1;
		buf_release(&b);
		return kept ? "no" : "no, but written";
	}
	size_t k = 0;
	for (size_t i = 1; i < b.n && k + 3 < sizeof(hex); i++)
		k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%02x", b.p[i]);
	hex[k] = 0;
	buf_release(&b);
	return hex;
}

#define E(t, s) enc(t, s, sizeof(s) - 1)

TEST(copybin, types)
{
	ASSERT_EQ(rp_bin_type("int8"), RP_BIN_INT8);
	ASSERT_EQ(rp_bin_type("varchar"), RP_BIN_TEXT);
	ASSERT_EQ(rp_bin_type("bpchar"), RP_BIN_TEXT);
	ASSERT_EQ(rp_bin_type("timestamptz"), RP_BIN_TIMESTAMPTZ);
	ASSERT_EQ(rp_bin_type("name"), RP_BIN_NONE);
	ASSERT_EQ(rp_bin_type("time"), RP_BIN_NONE);
	ASSERT_EQ(rp_bin_type("jsonb"), RP_BIN_NONE);
	ASSERT_EQ(rp_bin_type("_int4"), RP_BIN_NONE);
	struct buf b;
	buf_init(&b, 0);
	rp_bin_header(&b);
	rp_bin_tuple(&b, 2);
	rp_bin_null(&b);
	rp_bin_trailer(&b);
	ASSERT_EQ(b.n, 19u + 2 + 4 + 2);
	ASSERT_MEM_EQ(b.p,
		      "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0\0\2\377\377\377\377\377\377",
		      27);
	buf_release(&b);
}

TEST(copybin, integers)
{
	ASSERT_STREQ(E(RP_BIN_INT2, "0"), "000000020000");
	ASSERT_STREQ(E(RP_BIN_INT2, "32767"), "000000027fff");
	ASSERT_STREQ(E(RP_BIN_INT2, "-32768"), "000000028000");
	ASSERT_STREQ(E(RP_BIN_INT2, "32768"), "no");
	ASSERT_STREQ(E(RP_BIN_INT2, "-32769"), "no");
	ASSERT_STREQ(E(RP_BIN_INT4, "2147483647"), "000000047fffffff");
	ASSERT_STREQ(E(RP_BIN_INT4, "-2147483648"), "0000000480000000");
	ASSERT_STREQ(E(RP_BIN_INT4, "-1"), "00000004ffffffff");
	ASSERT_STREQ(E(RP_BIN_INT4, "2147483648"), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, "9223372036854775807"),
		     "000000087fffffffffffffff");
	ASSERT_STREQ(E(RP_BIN_INT8, "-9223372036854775808"),
		     "000000088000000000000000");
	ASSERT_STREQ(E(RP_BIN_INT8, "9223372036854775808"), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, "18446744073709551615"), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, "-9223372036854775809"), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, ""), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, "-"), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, "1a"), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, "+1"), "no");
	ASSERT_STREQ(E(RP_BIN_INT8, " 1"), "no");
	ASSERT_STREQ(E(RP_BIN_BOOL, "1"), "0000000101");
	ASSERT_STREQ(E(RP_BIN_BOOL, "0"), "0000000100");
	ASSERT_STREQ(E(RP_BIN_BOOL, "2"), "no");
}

TEST(copybin, numeric)
{
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "0"), "000000080000000000000000");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "0.00"), "000000080000000000000002");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "-0.00"), "000000080000000000000002");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "-1.5"), "0000000c00020000400000010001"
						"1388");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "123456789012.34"), "000000100004000200000002"
							   "04d2162e23340d48");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "10000"), "0000000a0001000100000000"
						 "0001");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "0.0001"), "0000000a0001ffff00000004"
						  "0001");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "0.00000001"), "0000000a0001fffe00000008"
						      "0001");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "18446744073709551615"),
		     "000000120005000400000000"
		     "0734"
		     "1a58"
		     "02e1"
		     "03bb"
		     "064f");
	ASSERT_STREQ(E(RP_BIN_NUMERIC,
		       "99999999999999999999999999999999999999999999999999"
		       "999999999999999"),
		     "0000002a0011001000000000"
		     "0009"
		     "270f270f270f270f270f270f270f270f"
		     "270f270f270f270f270f270f270f270f");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "-0.5"), "0000000a0001ffff40000001"
						"1388");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "1e5"), "no");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "NaN"), "no");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "."), "no");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "-"), "no");
	ASSERT_STREQ(E(RP_BIN_NUMERIC, "1.2.3"), "no");
}

TEST(copybin, floats)
{
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "1.5"), "000000083ff8000000000000");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "0.1"), "000000083fb999999999999a");
	ASSERT_STREQ(E(RP_BIN_FLOAT4, "1.5"), "000000043fc00000");
	ASSERT_STREQ(E(RP_BIN_FLOAT4, "0.1"), "000000043dcccccd");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "-0"), "000000088000000000000000");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "Infinity"), "no");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "-Infinity"), "no");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "NaN"), "no");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "0x10"), "no");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "1e999"), "no");
	ASSERT_STREQ(E(RP_BIN_FLOAT4, "1e39"), "no");
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "1e-400"), "no"); /* PostgreSQL: out of range */
	ASSERT_STREQ(E(RP_BIN_FLOAT8, "5e-324"), "000000080000000000000001");
	/* the text conversion's shortest forms read back to the same bits */
	static const double ds[] = {0.1,
				    1.0 / 3,
				    -2.5e-300,
				    1.7976931348623157e308,
				    123456789.123456789,
				    5e-324 * 1e10,
				    -0.0};
	for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
		struct buf t, b;
		buf_init(&t, 0);
		buf_init(&b, 0);
		bl_put_float(&t, ds[i], false);
		ASSERT(rp_bin_field(&b, RP_BIN_FLOAT8, t.p, t.n));
		uint64_t u, w = 0;
		memcpy(&u, &ds[i], 8);
		for (size_t k = 4; k < 12; k++)
			w = w << 8 | b.p[k];
		ASSERT_UEQ(w, u);
		buf_release(&t);
		buf_release(&b);
	}
	static const float fs[] = {0.1f, 1.0f / 3, -3.4028235e38f, 1.17549435e-38f,
				   16777217.0f};
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		struct buf t, b;
		buf_init(&t, 0);
		buf_init(&b, 0);
		bl_put_float(&t, fs[i], true);
		ASSERT(rp_bin_field(&b, RP_BIN_FLOAT4, t.p, t.n));
		uint32_t u, w = 0;
		memcpy(&u, &fs[i], 4);
		for (size_t k = 4; k < 8; k++)
			w = w << 8 | b.p[k];
		ASSERT_UEQ(w, u);
		buf_release(&t);
		buf_release(&b);
	}
}

TEST(copybin, bytes_and_text)
{
	ASSERT_STREQ(E(RP_BIN_BYTEA, "\\x00ff41"), "0000000300ff41");
	ASSERT_STREQ(E(RP_BIN_BYTEA, "\\x"), "00000000");
	ASSERT_STREQ(E(RP_BIN_BYTEA, "\\x0"), "no");
	ASSERT_STREQ(E(RP_BIN_BYTEA, "\\xzz"), "no");
	ASSERT_STREQ(E(RP_BIN_BYTEA, "\\xAB"), "no"); /* not what the text writes */
	ASSERT_STREQ(E(RP_BIN_BYTEA, "ab"), "no");
	ASSERT_STREQ(E(RP_BIN_TEXT, "a\tb\\"), "00000004610962"
					       "5c");
	ASSERT_STREQ(E(RP_BIN_TEXT, ""), "00000000");
	ASSERT_STREQ(E(RP_BIN_TEXT, "\xc3\xa9"), "00000002c3a9");
	ASSERT_STREQ(E(RP_BIN_TEXT, "a\0b"), "no");
}

TEST(copybin, dates_and_times)
{
	ASSERT_STREQ(E(RP_BIN_DATE, "2000-01-01"), "0000000400000000");
	ASSERT_STREQ(E(RP_BIN_DATE, "1970-01-01"), "00000004ffffd533");
	ASSERT_STREQ(E(RP_BIN_DATE, "0001-01-01"), "00000004fff4dbf9");
	ASSERT_STREQ(E(RP_BIN_DATE, "9999-12-31"), "00000004002c95d3");
	ASSERT_STREQ(E(RP_BIN_DATE, "infinity"), "000000047fffffff");
	ASSERT_STREQ(E(RP_BIN_DATE, "-infinity"), "0000000480000000");
	ASSERT_STREQ(E(RP_BIN_DATE, "2000-02-30"), "no");
	ASSERT_STREQ(E(RP_BIN_DATE, "0000-01-01"), "no");
	ASSERT_STREQ(E(RP_BIN_DATE, "2000-01-01 00:00:00"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01"), "000000080000000000000000");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01"),
		     "0000000800000000000f4240");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01.1"),
		     "00000008000000000010c8e0");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01.12"),
		     "000000080000000000111700");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01.123"),
		     "0000000800000000001122b8");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01.1234"),
		     "000000080000000000112448");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01.12345"),
		     "00000008000000000011247a");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01.123456"),
		     "000000080000000000112480");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "1999-12-31 23:59:59"),
		     "00000008fffffffffff0bdc0");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "0001-01-01 00:00:00"),
		     "00000008ff1fe2ffc59c6000");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "9999-12-31 23:59:59.999999"),
		     "000000080380e70b913b7fff");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "infinity"), "000000087fffffffffffffff");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "-infinity"), "000000088000000000000000");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01.1234567"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:01."), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 24:00:00"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:60:00"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:60"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01T00:00:00"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "2000-01-01 00:00:00+00"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMPTZ, "2020-06-01 12:00:00+00"),
		     "0000000800024a034d8f1000");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMPTZ, "2020-06-01 12:00:00"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMPTZ, "2020-06-01 12:00:00+02"), "no");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMPTZ, "-infinity"), "000000088000000000000000");
	ASSERT_STREQ(E(RP_BIN_TIMESTAMP, "10000-01-01 00:00:00"), "no");
}

/* rp_bin_direct makes of a value what rp_bin_field makes of its text. */
static void same_as_text(const struct bl_value *v, int *direct)
{
	static const enum rp_bin types[] = {RP_BIN_INT2,   RP_BIN_INT4,
					    RP_BIN_INT8,   RP_BIN_FLOAT4,
					    RP_BIN_FLOAT8, RP_BIN_NUMERIC};
	struct bl_column c;
	memset(&c, 0, sizeof(c));
	c.type = v->kind == BLV_DOUBLE	? BL_TYPE_DOUBLE
		 : v->kind == BLV_FLOAT ? BL_TYPE_FLOAT
					: BL_TYPE_LONGLONG;
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		struct buf a, t, b;
		buf_init(&a, 0);
		buf_init(&t, 0);
		buf_init(&b, 0);
		if (rp_bin_direct(&a, types[k], v)) {
			bool isnull;
			struct err e = {0};
			ASSERT_EQ(rp_value_text(&t, &c, v, NULL, &isnull, &e), 0);
			ASSERT(rp_bin_field(&b, types[k], t.p, t.n));
			ASSERT_EQ(a.n, b.n);
			ASSERT_MEM_EQ(a.p, b.p, a.n);
			(*direct)++;
		}
		buf_release(&a);
		buf_release(&t);
		buf_release(&b);
	}
}

TEST(copybin, direct_numbers_as_their_text)
{
	uint64_t x = 88172645463325252ull;
	int direct = 0;
	static const int64_t ints[] = {0,
				       1,
				       -1,
				       INT16_MIN,
				       INT16_MAX,
				       INT16_MIN - 1,
				       INT16_MAX + 1,
				       INT32_MIN,
				       INT32_MAX,
				       (int64_t)INT32_MIN - 1,
				       (int64_t)INT32_MAX + 1,
				       INT64_MIN,
				       INT64_MAX};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		struct bl_value v = {.kind = BLV_INT};
		v.i = ints[i];
		same_as_text(&v, &direct);
		struct bl_value u = {.kind = BLV_UINT};
		u.u = (uint64_t)ints[i];
		same_as_text(&u, &direct);
	}
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		struct bl_value v = {.kind = BLV_DOUBLE};
		double d;
		memcpy(&d, &x, 8);
		if (i % 3 == 0)
			d = (double)(int64_t)(x >> 20) / 1000.0; /* everyday values */
		v.d = d;
		same_as_text(&v, &direct);
		struct bl_value f = {.kind = BLV_FLOAT};
		float ff;
		uint32_t x32 = (uint32_t)x;
		memcpy(&ff, &x32, 4);
		f.d = ff;
		same_as_text(&f, &direct);
		struct bl_value n = {.kind = BLV_INT};
		n.i = (int64_t)x >> (i % 64);
		same_as_text(&n, &direct);
	}
	ASSERT(direct > 200000);
}
