/*
 * Column values of row images: one decoder per MySQL/MariaDB column type.
 * Layouts follow the server's Field::pack formats; every read goes through
 * the bounded reader and every length is checked before use.
 */
#include <string.h>

#include "binlog/internal.h"

static int bad(struct rd *r, struct err *e, const char *what)
{
	if (r->err)
		return err_set_at(e, -r->err, r->err_off, "%s: truncated", what);
	return err_set_at(e, ERR_PROTO, rd_offset(r), "%s", what);
}

/* DECIMAL: groups of 9 digits in 4 bytes, partial groups in fewer. */
static const uint8_t dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
static const uint32_t pow10_9[10] = {1,      10,      100,      1000,     10000,
				     100000, 1000000, 10000000, 100000000,
				     1000000000};

/* "00" .. "99": the two digits of v < 100 at 2 * v (shared by the
 * decimal, time and float formatting) */
const char bl__two_digits[200] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

/* v (< 10^width) as exactly width digits at out, two at a time. */
static void put_fixed(char *out, uint32_t v, unsigned width)
{
	while (width >= 2) {
		width -= 2;
		memcpy(out + width, bl__two_digits + 2 * (v % 100), 2);
		v /= 100;
	}
	if (width)
		out[0] = (char)('0' + v);
}

/* v without leading zeros at out (v > 0); returns the digit count. */
static unsigned put_min(char *out, uint32_t v)
{
	unsigned k = 1;
	while (k < 10 && v >= pow10_9[k])
		k++;
	put_fixed(out, v, k);
	return k;
}

/* A big-endian group of w (1 to 4) bytes. */
static uint32_t group_be(const uint8_t *p, unsigned w)
{
	uint32_t x = 0;
	for (unsigned i = 0; i < w; i++)
		x = x << 8 | p[i];
	return x;
}

/*
 * The digits go straight from the groups to the text: the integer part
 * without its leading zeros (one zero when it is zero), the fraction
 * with all of its scale digits, a sign unless the value is zero.
 */
int bl__decimal_decode(struct rd *r, unsigned precision, unsigned scale,
		       struct bl_value *v, struct arena *a, struct err *e)
{
	if (precision == 0 || precision > 65 || scale > 30 || scale > precision)
		return err_set_at(e, ERR_PROTO, rd_offset(r),
				  "DECIMAL(%u,%u) is impossible", precision, scale);
	unsigned intg = precision - scale;
	unsigned intg0 = intg / 9, intg0x = intg % 9;
	unsigned frac0 = scale / 9, frac0x = scale % 9;
	size_t size = intg0 * 4 + dig2bytes[intg0x] + frac0 * 4 + dig2bytes[frac0x];
	struct bytes raw = rd_bytes(r, size);
	if (r->err)
		return bad(r, e, "DECIMAL value");
	uint8_t b[40];
	memcpy(b, raw.p, size);
	bool neg = !(b[0] & 0x80);
	b[0] ^= 0x80;
	uint8_t mask = neg ? 0xff : 0x00;
	for (size_t i = 0; i < size; i++)
		b[i] ^= mask;
	/* digits: at most 65 + sign + point */
	char out[80];
	size_t n = 1;	/* out[0]: room for the sign */
	const uint8_t *g = b;
	bool zero = true;
	if (intg0x) {
		uint32_t x = group_be(g, dig2bytes[intg0x]);
		g += dig2bytes[intg0x];
		if (x >= pow10_9[intg0x])
			goto corrupt;
		if (x) {
			n += put_min(out + n, x);
			zero = false;
		}
	}
	for (unsigned i = 0; i < intg0; i++, g += 4) {
		uint32_t x = group_be(g, 4);
		if (x >= 1000000000u)
			goto corrupt;
		if (!zero) {
			put_fixed(out + n, x, 9);
			n += 9;
		} else if (x) {
			n += put_min(out + n, x);
			zero = false;
		}
	}
	if (zero)
		out[n++] = '0';
	if (scale)
		out[n++] = '.';
	for (unsigned i = 0; i < frac0; i++, g += 4) {
		uint32_t x = group_be(g, 4);
		if (x >= 1000000000u)
			goto corrupt;
		zero = zero && !x;
		put_fixed(out + n, x, 9);
		n += 9;
	}
	if (frac0x) {
		uint32_t x = group_be(g, dig2bytes[frac0x]);
		if (x >= pow10_9[frac0x])
			goto corrupt;
		zero = zero && !x;
		put_fixed(out + n, x, frac0x);
		n += frac0x;
	}
	size_t from = 1;
	if (neg && !zero)
		out[--from] = '-';
	v->kind = BLV_DECIMAL;
	v->s.p = arena_memdup(a, out + from, n - from);
	v->s.n = n - from;
	return 0;
corrupt:
	return err_set_at(e, ERR_PROTO, rd_offset(r),
			  "DECIMAL(%u,%u) value has an impossible digit group",
			  precision, scale);
}

/* Fractional part of TIMESTAMP2/DATETIME2 (big-endian, (fsp+1)/2 bytes). */
static uint32_t read_frac(struct rd *r, unsigned fsp)
{
	switch (fsp) {
	case 1:
	case 2:
		return rd_u8(r) * 10000u;
	case 3:
	case 4:
		return rd_u16be(r) * 100u;
	case 5:
	case 6:
		return rd_u24be(r);
	default:
		return 0;
	}
}

static int decode_time2(struct rd *r, unsigned fsp, struct bl_value *v,
			struct err *e)
{
	int64_t packed;
	int64_t intpart;
	switch (fsp) {
	case 0:
		intpart = (int64_t)rd_u24be(r) - 0x800000;
		packed = intpart * (1 << 24);
		break;
	case 1:
	case 2: {
		intpart = (int64_t)rd_u24be(r) - 0x800000;
		int64_t frac = rd_u8(r);
		if (intpart < 0 && frac) {
			intpart++;
			frac -= 0x100;
		}
		packed = intpart * (1 << 24) + frac * 10000;
		break;
	}
	case 3:
	case 4: {
		intpart = (int64_t)rd_u24be(r) - 0x800000;
		int64_t frac = rd_u16be(r);
		if (intpart < 0 && frac) {
			intpart++;
			frac -= 0x10000;
		}
		packed = intpart * (1 << 24) + frac * 100;
		break;
	}
	default:
		packed = (int64_t)rd_uNbe(r, 6) - 0x800000000000LL;
		break;
	}
	if (r->err)
		return bad(r, e, "TIME value");
	v->kind = BLV_TIME;
	v->fsp = (uint8_t)fsp;
	v->t.neg = packed < 0;
	uint64_t u = packed < 0 ? (uint64_t)0 - (uint64_t)packed : (uint64_t)packed;
	v->t.usec = (uint32_t)(u % (1u << 24));
	uint64_t hms = u >> 24;
	v->t.hour = (uint16_t)((hms >> 12) % (1u << 10));
	v->t.minute = (uint8_t)((hms >> 6) % 64);
	v->t.second = (uint8_t)(hms % 64);
	return 0;
}

static size_t lenbytes_for(uint16_t maxlen)
{
	return maxlen > 255 ? 2 : 1;
}

static int take_bytes(struct rd *r, size_t lenbytes, struct bl_value *v,
		      const char *what, struct err *e)
{
	uint64_t n = rd_uNle(r, (unsigned)lenbytes);
	if (r->err)
		return bad(r, e, what);
	if (n > rd_left(r))
		return err_set_at(e, ERR_TRUNC, rd_offset(r),
				  "%s of %llu bytes: only %zu left", what,
				  (unsigned long long)n, rd_left(r));
	v->s = rd_bytes(r, (size_t)n);
	return 0;
}

int bl__value_decode(struct rd *r, const struct bl_column *c,
		     struct bl_value *v, struct arena *a, struct err *e)
{
	v->fsp = 0;
	switch (c->type) {
	case BL_TYPE_TINY: {
		uint8_t x = rd_u8(r);
		if (c->is_unsigned) {
			v->kind = BLV_UINT;
			v->u = x;
		} else {
			v->kind = BLV_INT;
			v->i = (int8_t)x;
		}
		break;
	}
	case BL_TYPE_SHORT: {
		uint16_t x = rd_u16le(r);
		if (c->is_unsigned) {
			v->kind = BLV_UINT;
			v->u = x;
		} else {
			v->kind = BLV_INT;
			v->i = (int16_t)x;
		}
		break;
	}
	case BL_TYPE_INT24: {
		uint32_t x = rd_u24le(r);
		if (c->is_unsigned) {
			v->kind = BLV_UINT;
			v->u = x;
		} else {
			v->kind = BLV_INT;
			v->i = (x & 0x800000) ? (int64_t)x - 0x1000000 : (int64_t)x;
		}
		break;
	}
	case BL_TYPE_LONG: {
		uint32_t x = rd_u32le(r);
		if (c->is_unsigned) {
			v->kind = BLV_UINT;
			v->u = x;
		} else {
			v->kind = BLV_INT;
			v->i = (int32_t)x;
		}
		break;
	}
	case BL_TYPE_LONGLONG: {
		uint64_t x = rd_u64le(r);
		if (c->is_unsigned) {
			v->kind = BLV_UINT;
			v->u = x;
		} else {
			v->kind = BLV_INT;
			v->i = (int64_t)x;
		}
		break;
	}
	case BL_TYPE_FLOAT: {
		uint32_t x = rd_u32le(r);
		float f;
		memcpy(&f, &x, 4);
		v->kind = BLV_FLOAT;
		v->d = f;
		break;
	}
	case BL_TYPE_DOUBLE: {
		uint64_t x = rd_u64le(r);
		memcpy(&v->d, &x, 8);
		v->kind = BLV_DOUBLE;
		break;
	}
	case BL_TYPE_NEWDECIMAL:
		return bl__decimal_decode(r, c->meta >> 8, c->meta & 0xff, v, a, e);
	case BL_TYPE_DECIMAL:
		return err_set_at(e, ERR_UNSUPPORTED, rd_offset(r),
				  "old DECIMAL columns (MySQL before 5.0.3) are "
				  "not supported");
	case BL_TYPE_YEAR: {
		uint8_t x = rd_u8(r);
		v->kind = BLV_YEAR;
		v->i = x ? 1900 + x : 0;
		break;
	}
	case BL_TYPE_DATE:
	case BL_TYPE_NEWDATE: {
		uint32_t x = rd_u24le(r);
		v->kind = BLV_DATE;
		memset(&v->t, 0, sizeof(v->t));
		v->t.day = (uint8_t)(x & 31);
		v->t.month = (uint8_t)((x >> 5) & 15);
		v->t.year = (int32_t)(x >> 9);
		break;
	}
	case BL_TYPE_TIME: {
		/* pre-5.6 TIME: signed 3-byte integer HHMMSS */
		uint32_t x = rd_u24le(r);
		int32_t s = (x & 0x800000) ? (int32_t)x - 0x1000000 : (int32_t)x;
		v->kind = BLV_TIME;
		memset(&v->t, 0, sizeof(v->t));
		v->t.neg = s < 0;
		uint32_t u = s < 0 ? (uint32_t)-s : (uint32_t)s;
		v->t.hour = (uint16_t)(u / 10000);
		v->t.minute = (uint8_t)(u / 100 % 100);
		v->t.second = (uint8_t)(u % 100);
		break;
	}
	case BL_TYPE_DATETIME: {
		/* pre-5.6 DATETIME: YYYYMMDDhhmmss as an 8-byte integer */
		uint64_t x = rd_u64le(r);
		v->kind = BLV_DATETIME;
		memset(&v->t, 0, sizeof(v->t));
		uint64_t d = x / 1000000, t = x % 1000000;
		v->t.year = (int32_t)(d / 10000 % 10000);
		v->t.month = (uint8_t)(d / 100 % 100);
		v->t.day = (uint8_t)(d % 100);
		v->t.hour = (uint16_t)(t / 10000);
		v->t.minute = (uint8_t)(t / 100 % 100);
		v->t.second = (uint8_t)(t % 100);
		break;
	}
	case BL_TYPE_TIMESTAMP:
		v->kind = BLV_TIMESTAMP;
		v->i = rd_u32le(r);
		v->t.usec = 0;
		break;
	case BL_TYPE_TIMESTAMP2: {
		unsigned fsp = c->meta > 6 ? 6 : c->meta;
		v->kind = BLV_TIMESTAMP;
		v->i = rd_u32be(r);
		v->t.usec = read_frac(r, fsp);
		v->fsp = (uint8_t)fsp;
		break;
	}
	case BL_TYPE_DATETIME2: {
		unsigned fsp = c->meta > 6 ? 6 : c->meta;
		uint64_t x = rd_uNbe(r, 5);
		uint32_t us = read_frac(r, fsp);
		if (r->err)
			return bad(r, e, "DATETIME value");
		int64_t ip = (int64_t)x - 0x8000000000LL;
		uint64_t u = ip < 0 ? (uint64_t)-ip : (uint64_t)ip;
		uint64_t ym = (u >> 22) & 0x1ffff;
		v->kind = BLV_DATETIME;
		memset(&v->t, 0, sizeof(v->t));
		v->t.year = (int32_t)(ym / 13);
		v->t.month = (uint8_t)(ym % 13);
		v->t.day = (uint8_t)((u >> 17) & 31);
		v->t.hour = (uint16_t)((u >> 12) & 31);
		v->t.minute = (uint8_t)((u >> 6) & 63);
		v->t.second = (uint8_t)(u & 63);
		v->t.usec = us;
		v->fsp = (uint8_t)fsp;
		break;
	}
	case BL_TYPE_TIME2:
		memset(&v->t, 0, sizeof(v->t));
		return decode_time2(r, c->meta > 6 ? 6 : c->meta, v, e);
	case BL_TYPE_STRING:
		if (c->has_charset && c->collation == BL_COLLATION_BINARY) {
			/*
			 * BINARY(n): the row image drops trailing zero bytes;
			 * the column's value is padded back to n bytes, as
			 * SELECT returns it.
			 */
			int rc = take_bytes(r, lenbytes_for(c->meta), v, "string value", e);
			if (rc)
				return rc;
			v->kind = BLV_BINARY;
			if (v->s.n < c->meta) {
				uint8_t *pad = arena_alloc(a, c->meta);
				if (v->s.n)
					memcpy(pad, v->s.p, v->s.n);
				memset(pad + v->s.n, 0, c->meta - v->s.n);
				v->s.p = pad;
				v->s.n = c->meta;
			}
			return 0;
		}
		__attribute__((fallthrough));
	case BL_TYPE_VARCHAR:
	case BL_TYPE_VAR_STRING: {
		int rc = take_bytes(r, lenbytes_for(c->meta), v, "string value", e);
		if (rc)
			return rc;
		v->kind = c->has_charset && c->collation == BL_COLLATION_BINARY
				  ? BLV_BINARY : BLV_STRING;
		return 0;
	}
	case BL_TYPE_ENUM:
		v->kind = BLV_ENUM;
		v->u = rd_uNle(r, c->meta == 2 ? 2 : 1);
		break;
	case BL_TYPE_SET: {
		unsigned n = c->meta >= 1 && c->meta <= 8 ? c->meta : 8;
		v->kind = BLV_SET;
		v->u = rd_uNle(r, n);
		break;
	}
	case BL_TYPE_BIT: {
		unsigned bits = (c->meta >> 8) * 8 + (c->meta & 0xff);
		unsigned nb = (bits + 7) / 8;
		if (nb == 0 || nb > 8)
			return err_set_at(e, ERR_PROTO, rd_offset(r),
					  "BIT(%u) is impossible", bits);
		v->kind = BLV_BIT;
		v->u = rd_uNbe(r, nb);
		v->fsp = (uint8_t)bits;	/* width, for b'0101' text */
		break;
	}
	case BL_TYPE_BLOB:
	case BL_TYPE_TINY_BLOB:
	case BL_TYPE_MEDIUM_BLOB:
	case BL_TYPE_LONG_BLOB: {
		unsigned lb = c->meta >= 1 && c->meta <= 4 ? c->meta : 0;
		if (!lb)
			return err_set_at(e, ERR_PROTO, rd_offset(r),
					  "BLOB length size %u is impossible", c->meta);
		int rc = take_bytes(r, lb, v, "BLOB value", e);
		if (rc)
			return rc;
		v->kind = c->has_charset && c->collation == BL_COLLATION_BINARY
				  ? BLV_BINARY : BLV_STRING;
		return 0;
	}
	case BL_TYPE_JSON: {
		unsigned lb = c->meta >= 1 && c->meta <= 4 ? c->meta : 4;
		int rc = take_bytes(r, lb, v, "JSON value", e);
		if (rc)
			return rc;
		struct buf out;
		buf_init(&out, BL_MAX_EVENT);
		rc = bl_json_to_text(&out, v->s.p, v->s.n, e);
		if (rc) {
			buf_release(&out);
			return rc;
		}
		v->kind = BLV_JSON;
		v->s.p = arena_memdup(a, out.p ? out.p : (const uint8_t *)"", out.n);
		v->s.n = out.n;
		buf_release(&out);
		return 0;
	}
	case BL_TYPE_GEOMETRY: {
		unsigned lb = c->meta >= 1 && c->meta <= 4 ? c->meta : 4;
		int rc = take_bytes(r, lb, v, "GEOMETRY value", e);
		if (rc)
			return rc;
		struct rd g;
		rd_init(&g, v->s.p, v->s.n);
		v->kind = BLV_GEOMETRY;
		v->u = rd_u32le(&g);
		v->s = rd_rest(&g);
		if (g.err)
			return err_set_at(e, ERR_PROTO, rd_offset(r),
					  "GEOMETRY value shorter than its SRID");
		return 0;
	}
	case BL_TYPE_VECTOR: {
		unsigned lb = c->meta >= 1 && c->meta <= 4 ? c->meta : 4;
		int rc = take_bytes(r, lb, v, "VECTOR value", e);
		if (rc)
			return rc;
		if (v->s.n % 4)
			return err_set_at(e, ERR_PROTO, rd_offset(r),
					  "VECTOR value of %zu bytes is not a "
					  "float32 array", v->s.n);
		v->kind = BLV_VECTOR;
		return 0;
	}
	case BL_TYPE_NULL:
		v->kind = BLV_NULL;
		return 0;
	default:
		return err_set_at(e, ERR_UNSUPPORTED, rd_offset(r),
				  "column type %u (%s) is not supported", c->type,
				  bl_col_type_name(c->type));
	}
	if (r->err)
		return bad(r, e, "value");
	return 0;
}
