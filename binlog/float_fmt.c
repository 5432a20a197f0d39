/*
 * FLOAT and DOUBLE as text: the shortest of "%.15g", "%.16g", "%.17g"
 * (FLOAT: "%.6g" to "%.9g") that reads back to the same value, which is
 * what the decoder has always printed.  printf's exact conversion of
 * binary floating point is multi-precision arithmetic and was half of the
 * time of decode_binlog --format json on rows with a DOUBLE column
 * (docs/benchmarks.md), so the digits are computed here instead, exactly,
 * with 128-bit integers, for every value whose binary exponent keeps them
 * within 128 bits (about 7e-21 to 9e18 in magnitude, which is nearly
 * every value stored in practice).  The rounding to p digits is printf's
 * (to nearest, ties to even, on the exact value), the layout %g's, and
 * the read-back check strtod's (or, where it is exact, one multiplication
 * or division by a power of ten), so the output is byte for byte the
 * same as bl__put_float_printf's; test/unit checks that on millions of
 * values.  Other values go to bl__put_float_printf.
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

enum { MAXDIG = 48 };

/*
 * The exact decimal digits of |d| = f * 2^e: the first 18 significant
 * ones or a few more (all of them when there are fewer) in dig (n), the decimal exponent of the first
 * in *x, and whether any digit after them is not zero in *sticky.
 * Returns false when the value is outside what 128 bits hold.
 */
static bool exact_digits(double d, char *dig, int *n, int *x, bool *sticky)
{
	uint64_t bits;
	memcpy(&bits, &d, 8);
	int be = (int)(bits >> 52 & 0x7ff);
	uint64_t f = bits & ((1ULL << 52) - 1);
	if (be == 0 || be == 0x7ff)
		return false;	/* zero, subnormal, infinite, NaN */
	f |= 1ULL << 52;
	int e = be - 1075;	/* |d| = f * 2^e */
	if (e > 10 || e < -120)
		return false;
	uint64_t ip;
	unsigned __int128 r = 0;	/* fraction numerator, over 2^-e */
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
	char tmp[24];
	int k = 0, nd = 0, lead = 0;
	*x = -1;
	while (ip) {
		tmp[k++] = (char)('0' + ip % 10);
		ip /= 10;
	}
	if (k) {
		*x = k - 1;
		while (k && nd < 18)
			dig[nd++] = tmp[--k];
	}
	*sticky = false;
	while (k)	/* integer digits past the 18th */
		if (tmp[--k] != '0')
			*sticky = true;
	unsigned __int128 mask = sh ? (((unsigned __int128)1 << sh) - 1) : 0;
	while (r && nd < 18) {
		if (nd && sh <= 98) {
			/* nine digits in one step: r * 10^9 < 2^128 */
			r *= 1000000000u;
			uint32_t chunk = (uint32_t)(r >> sh);
			r &= mask;
			for (int i = 8; i >= 0; i--) {
				dig[nd + i] = (char)('0' + chunk % 10);
				chunk /= 10;
			}
			nd += 9;
			continue;
		}
		r *= 10;
		char c = (char)('0' + (int)(r >> sh));
		r &= mask;
		if (nd == 0 && c == '0') {
			lead++;		/* zeros after the point: not significant */
			continue;
		}
		if (nd == 0)
			*x = -1 - lead;
		dig[nd++] = c;
	}
	if (r)
		*sticky = true;
	*n = nd;
	return nd > 0;
}

/*
 * The %.{p}g text of the value whose exact digits are dig[0..n) (exponent
 * x, sticky as above), into out; returns its length.  *m and *q: the
 * text's value is m * 10^q.
 */
static int format_g(char *out, bool neg, const char *dig, int n, int x, bool sticky, int p,
		    uint64_t *m, int *q)
{
	char r[MAXDIG];
	for (int i = 0; i < p; i++)
		r[i] = i < n ? dig[i] : '0';
	bool up = false;
	if (p < n) {
		char next = dig[p];
		bool rest = sticky;
		for (int i = p + 1; i < n && !rest; i++)
			rest = dig[i] != '0';
		up = next > '5' || (next == '5' && (rest || (r[p - 1] - '0') % 2 == 1));
	}
	if (up) {
		int i = p - 1;
		while (i >= 0 && r[i] == '9')
			r[i--] = '0';
		if (i >= 0) {
			r[i]++;
		} else {
			r[0] = '1';	/* 9.99... became 10.0... */
			x++;
		}
	}
	*m = 0;
	for (int i = 0; i < p; i++)
		*m = *m * 10 + (uint64_t)(r[i] - '0');
	*q = x - p + 1;
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
		for (int i = 0; i < -x - 1; i++)
			*o++ = '0';
		memcpy(o, r, (size_t)last + 1);
		o += last + 1;
	}
	*o = 0;
	return (int)(o - out);
}

/*
 * What strtod reads from text t, whose value is m * 10^q: when m and 10^q
 * are both exact doubles, one multiplication or division rounds the exact
 * value once, as strtod does (Clinger's fast path); strtod otherwise.
 */
static double read_back(const char *t, uint64_t m, int q, bool neg)
{
	static const double p10[] = {1e0,  1e1,	 1e2,  1e3,  1e4,  1e5,	 1e6,  1e7,
				     1e8,  1e9,	 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	if (m > (1ULL << 53) || q > 22 || q < -22)
		return strtod(t, NULL);
	double v = q >= 0 ? (double)m * p10[q] : (double)m / p10[-q];
	return neg ? -v : v;
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
	char dig[MAXDIG];
	int n, x;
	bool sticky;
	if (!exact_digits(d, dig, &n, &x, &sticky)) {
		bl__put_float_printf(b, d, single);
		return;
	}
	char t[64];
	int lo = single ? 6 : 15, hi = single ? 9 : 17, len = 0;
	for (int p = lo; p <= hi; p++) {
		uint64_t m;
		int q;
		len = format_g(t, d < 0, dig, n, x, sticky, p, &m, &q);
		if (p == hi)
			break;	/* 17 (FLOAT: 9) digits always read back */
		if (single ? (float)read_back(t, m, q, d < 0) == (float)d
			   : read_back(t, m, q, d < 0) == d)
			break;
	}
	buf_put(b, t, (size_t)len);
}
