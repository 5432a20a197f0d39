/*
 * The bounded reader.  Every read first checks the remaining length as
 * 'n > left' (never 'p + n > end', which can overflow).
 */
#include "base/rd.h"

#include <string.h>

void rd_init_at(struct rd *r, const void *p, size_t n, uint64_t origin)
{
	static const uint8_t empty[1];
	if (!p) {
		p = empty;
		n = 0;
	}
	r->p = p;
	r->start = p;
	r->end = r->p + n;
	r->origin = origin;
	r->err = 0;
	r->err_off = 0;
}

void rd_init(struct rd *r, const void *p, size_t n)
{
	rd_init_at(r, p, n, 0);
}

int rd_fail(struct rd *r, int err)
{
	if (!r->err) {
		r->err = err < 0 ? err : -err;
		r->err_off = rd_offset(r);
	}
	return r->err;
}

uint8_t rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return *r->p++;
}

uint64_t rd_uNle(struct rd *r, unsigned n)
{
	if (n == 0 || n > 8 || !rd_need(r, n))
		return 0;
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

uint64_t rd_uNbe(struct rd *r, unsigned n)
{
	if (n == 0 || n > 8 || !rd_need(r, n))
		return 0;
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | r->p[i];
	r->p += n;
	return v;
}

uint16_t rd_u16le(struct rd *r)
{
	return (uint16_t)rd_uNle(r, 2);
}

uint32_t rd_u24le(struct rd *r)
{
	return (uint32_t)rd_uNle(r, 3);
}

uint32_t rd_u32le(struct rd *r)
{
	return (uint32_t)rd_uNle(r, 4);
}

uint64_t rd_u48le(struct rd *r)
{
	return rd_uNle(r, 6);
}

uint64_t rd_u64le(struct rd *r)
{
	return rd_uNle(r, 8);
}

uint16_t rd_u16be(struct rd *r)
{
	return (uint16_t)rd_uNbe(r, 2);
}

uint32_t rd_u24be(struct rd *r)
{
	return (uint32_t)rd_uNbe(r, 3);
}

uint32_t rd_u32be(struct rd *r)
{
	return (uint32_t)rd_uNbe(r, 4);
}

uint64_t rd_lenenc(struct rd *r, bool *is_null)
{
	if (is_null)
		*is_null = false;
	uint8_t b = rd_u8(r);
	if (r->err)
		return 0;
	if (b < 0xfb)
		return b;
	switch (b) {
	case 0xfb:
		if (is_null) {
			*is_null = true;
			return 0;
		}
		r->p--;
		rd_fail(r, -ERR_PROTO);
		return 0;
	case 0xfc:
		return rd_uNle(r, 2);
	case 0xfd:
		return rd_uNle(r, 3);
	case 0xfe:
		return rd_uNle(r, 8);
	default:
		r->p--;
		rd_fail(r, -ERR_PROTO);
		return 0;
	}
}

/*
 * mysql::serialization variable-length integer: the number of trailing
 * one bits in the first byte (plus one) is the total byte count; the
 * remaining bits of the whole little-endian run hold the value.  Nine
 * bytes (first byte 0xff) carry a full 64-bit value in bytes 1..8.
 */
uint64_t rd_varlen(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	uint8_t b = r->p[0];
	unsigned n = 1;
	while (n < 9 && (b & (1u << (n - 1))))
		n++;
	if (!rd_need(r, n))
		return 0;
	if (n == 9) {
		r->p++;
		return rd_uNle(r, 8);
	}
	uint64_t v = rd_uNle(r, n);
	return v >> n;
}

struct bytes rd_bytes(struct rd *r, size_t n)
{
	struct bytes b = {0, 0};
	if (!rd_need(r, n))
		return b;
	b.p = r->p;
	b.n = n;
	r->p += n;
	return b;
}

struct bytes rd_rest(struct rd *r)
{
	if (r->err) {
		struct bytes b = {0, 0};
		return b;
	}
	return rd_bytes(r, rd_left(r));
}

struct bytes rd_cstr(struct rd *r)
{
	struct bytes b = {0, 0};
	if (r->err)
		return b;
	const uint8_t *nul = memchr(r->p, 0, rd_left(r));
	if (!nul) {
		rd_fail(r, -ERR_TRUNC);
		return b;
	}
	b.p = r->p;
	b.n = (size_t)(nul - r->p);
	r->p = nul + 1;
	return b;
}

struct bytes rd_lenstr(struct rd *r)
{
	uint64_t n = rd_lenenc(r, NULL);
	if (r->err) {
		struct bytes b = {0, 0};
		return b;
	}
	if (n > rd_left(r)) {
		rd_fail(r, -ERR_TRUNC);
		struct bytes b = {0, 0};
		return b;
	}
	return rd_bytes(r, (size_t)n);
}

void rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n))
		r->p += n;
}

struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s;
	uint64_t at = rd_offset(r);
	if (!rd_need(r, n)) {
		rd_init_at(&s, r->p, 0, at);
		s.err = r->err;
		s.err_off = r->err_off;
		return s;
	}
	rd_init_at(&s, r->p, n, at);
	r->p += n;
	return s;
}

int rd_done(struct rd *r)
{
	if (r->err)
		return r->err;
	if (r->p != r->end)
		return rd_fail(r, -ERR_PROTO);
	return 0;
}
