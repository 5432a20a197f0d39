/*
 * FLOAT and DOUBLE as text: the shortest of "%.15g", "%.16g", "%.17g"
 * (FLOAT: "%.6g" to "%.9g") that reads back to the same value, which is
 * what the decoder has always printed.  printf's exact conversion of
 * binary floating point is multi-precision arithmetic and was half of the
 * time of decode_binlog --format json on rows with a DOUBLE column
 * (docs/benchmarks.md), so the digits are computed here instead, exactly,
 * with 128-bit integers, for every value whose binary exponent keeps them
 * within 128 bits (about 7e-21 to 9e18 in magnitude, which is nearly
 * every value stored in practice): the first 18 significant digits as
 * one integer, and whether any digit after them is not zero.  The
 * rounding to p digits is printf's (to nearest, ties to even, on the
 * exact value), done on that integer; the layout is %g's; the read-back
 * check strtod's (or, where it is exact, one multiplication or division
 * by a power of ten), so the output is byte for byte the same as
 * bl__put_float_printf's; test/unit checks that on hundreds of thousands
 * of values per run.  Other values go to bl__put_float_printf.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlog/internal.h"

void bl__put_float_printf(struct buf *b, double d, bool single)
{
	char t[40];
	/* the shortest representation that reads back to the same value */
	int lo = single ? 6 : 15, hi = single ? 9 : 17;
	for (int prec = lo; prec <= hi; prec++) {
		snprintf(t, sizeof(t), "%.*g", prec, d);
		if (single ? (float)strtod(t, NULL) == (float)d : strtod(t, NULL) == d)
			break;
	}
	buf_puts(b, t);
}

static const uint64_t p10u[20] = {
	1ULL,
	10ULL,
	100ULL,
	1000ULL,
	10000ULL,
	100000ULL,
	1000000ULL,
	10000000ULL,
	100000000ULL,
	1000000000ULL,
	10000000000ULL,
	100000000000ULL,
	1000000000000ULL,
	10000000000000ULL,
	100000000000000ULL,
	1000000000000000ULL,
	10000000000000000ULL,
	100000000000000000ULL,
	1000000000000000000ULL,
	10000000000000000000ULL,
};

/*
 * The next 'count' (at most 18) decimal digits of the fraction r / 2^sh
 * (r < 2^sh, sh <= 120) as one integer; r keeps what is left.  Nine
 * digits per multiplication while r * 10^9 stays below 2^128.
 */
static uint64_t frac_digits(unsigned __int128 *r, int sh, unsigned __int128 mask, int count)
{
	uint64_t v = 0;
	while (count > 0) {
		int k = sh > 98 ? 1 : count > 9 ? 9 : count;
		*r *= p10u[k];
		v = v * p10u[k] + (uint64_t)(*r >> sh);
		*r &= mask;
		count -= k;
	}
	return v;
}

/*
 * The exact decimal digits of |d| = f * 2^e: the first 18 significant
 * ones as the integer *h (10^17 <= *h < 10^18), the decimal exponent of
 * the first in *x, and whether any digit after them is not zero in
 * *sticky.  Returns false when d is zero, subnormal, not finite, or
 * outside what 128 bits hold.
 */
static bool digits18(double d, uint64_t *h, int *x, bool *sticky)
{
	uint64_t bits;
	memcpy(&bits, &d, 8);
	int be = (int)(bits >> 52 & 0x7ff);
	uint64_t f = bits & ((1ULL << 52) - 1);
	if (be == 0 || be == 0x7ff)
		return false;
	f |= 1ULL << 52;
	int e = be - 1075;	/* |d| = f * 2^e */
	if (e > 10 || e < -120)
		return false;
	uint64_t ip;
	unsigned __int128 r = 0;	/* fraction numerator, over 2^sh */
	int sh = e < 0 ? -e : 0;
	if (e >= 0) {
		ip = f << e;	/* < 2^63 */
	} else if (sh < 64) {
		ip = f >> sh;
		r = f & ((1ULL << sh) - 1);
	} else {
		ip = 0;
		r = f;
	}
	unsigned __int128 mask = sh ? (((unsigned __int128)1 << sh) - 1) : 0;
	if (ip) {
		int k = 1;	/* digits of ip: at most 19 */
		while (k < 19 && ip >= p10u[k])
			k++;
		*x = k - 1;
		if (k >= 18) {
			*h = ip / p10u[k - 18];
			*sticky = ip % p10u[k - 18] != 0 || r != 0;
		} else {
			*h = ip * p10u[18 - k] + frac_digits(&r, sh, mask, 18 - k);
			*sticky = r != 0;
		}
		return true;
	}
	int lead = 0;	/* zeros after the point: not significant */
	for (;;) {
		r *= 10;	/* < 2^124 */
		if (r >> sh)
			break;
		lead++;
	}
	uint64_t first = (uint64_t)(r >> sh);
	r &= mask;
	*x = -1 - lead;
	*h = first * p10u[17] + frac_digits(&r, sh, mask, 17);
	*sticky = r != 0;
	return true;
}

/*
 * h (18 digits, sticky as above) rounded to p digits (6 to 17) as printf
 * rounds: to nearest, ties to even.  *x grows by one when the rounding
 * carries into a new digit (9.99... to 10.0...).
 */
static uint64_t round_to(uint64_t h, bool sticky, int p, int *x)
{
	uint64_t div = p10u[18 - p], q = h / div, rem = h % div, half = div / 2;
	if (rem > half || (rem == half && (sticky || (q & 1))))
		q++;
	if (q == p10u[p]) {
		q = p10u[p - 1];
		(*x)++;
	}
	return q;
}

/*
 * The %.{p}g text of m * 10^(x - p + 1), m of exactly p digits, into out
 * (NUL-terminated); returns its length.
 */
static int layout_g(char *out, bool neg, uint64_t m, int p, int x)
{
	char r[20];
	int i = p;
	while (i >= 2) {
		unsigned v = (unsigned)(m % 100);
		m /= 100;
		i -= 2;
		memcpy(r + i, bl__two_digits + 2 * v, 2);
	}
	if (i)
		r[0] = (char)('0' + m);
	int last = p - 1;	/* trailing zeros go */
	char *o = out;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= p) {
		while (last > 0 && r[last] == '0')
			last--;
		*o++ = r[0];
		if (last > 0) {
			*o++ = '.';
			memcpy(o, r + 1, (size_t)last);
			o += last;
		}
		int ax = x < 0 ? -x : x;
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		if (ax >= 100)
			*o++ = (char)('0' + ax / 100);
		*o++ = (char)('0' + ax / 10 % 10);
		*o++ = (char)('0' + ax % 10);
	} else if (x >= 0) {
		while (last > x && r[last] == '0')
			last--;
		memcpy(o, r, (size_t)x + 1);
		o += x + 1;
		if (last > x) {
			*o++ = '.';
			memcpy(o, r + x + 1, (size_t)(last - x));
			o += last - x;
		}
	} else {
		while (last > 0 && r[last] == '0')
			last--;
		*o++ = '0';
		*o++ = '.';
		for (int k = 0; k < -x - 1; k++)
			*o++ = '0';
		memcpy(o, r, (size_t)last + 1);
		o += last + 1;
	}
	*o = 0;
	return (int)(o - out);
}

/*
 * Whether the text of m * 10^q (p digits, first at 10^x) reads back to d:
 * when m and 10^q are both exact doubles, one multiplication or division
 * rounds the exact value once, as strtod does (Clinger's fast path);
 * strtod on the text otherwise.
 */
static bool reads_back(double d, bool single, uint64_t m, int p, int x)
{
	static const double p10[] = {1e0,  1e1,	 1e2,  1e3,  1e4,  1e5,	 1e6,  1e7,
				     1e8,  1e9,	 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	int q = x - p + 1;
	double v;
	if (m > (1ULL << 53) || q > 22 || q < -22) {
		char t[40];
		layout_g(t, d < 0, m, p, x);
		v = strtod(t, NULL);
	} else {
		v = q >= 0 ? (double)m * p10[q] : (double)m / p10[-q];
		if (d < 0)
			v = -v;
	}
	return single ? (float)v == (float)d : v == d;
}

void bl_put_float(struct buf *b, double d, bool single)
{
	if (d != d) {
		buf_putl(b, "NaN");
		return;
	}
	if (d - d != 0) {
		buf_puts(b, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	uint64_t h;
	int x;
	bool sticky;
	if (!digits18(d, &h, &x, &sticky)) {
		bl__put_float_printf(b, d, single);
		return;
	}
	int lo = single ? 6 : 15, hi = single ? 9 : 17;
	for (int p = lo;; p++) {
		int xp = x;
		uint64_t m = round_to(h, sticky, p, &xp);
		/* 17 (FLOAT: 9) digits always read back */
		if (p == hi || reads_back(d, single, m, p, xp)) {
			char t[40];
			buf_put(b, t, (size_t)layout_g(t, d < 0, m, p, xp));
			return;
		}
	}
}
