/* Growable byte buffer with a hard cap (see buf.h). */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void buf_init(struct buf *b, size_t cap)
{
	b->p = NULL;
	b->n = 0;
	b->alloc = 0;
	b->cap = cap ? cap : SIZE_MAX / 2;
	b->failed = false;
}

void buf_release(struct buf *b)
{
	free(b->p);
	size_t cap = b->cap;
	buf_init(b, cap);
}

uint8_t *buf_reserve(struct buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	size_t cap = b->cap ? b->cap : SIZE_MAX / 2;
	if (n > cap - b->n) {
		b->failed = true;
		return NULL;
	}
	size_t need = b->n + n + 1;	/* room for a NUL */
	if (need > b->alloc) {
		size_t a = b->alloc ? b->alloc : 64;
		while (a < need)
			a = a > SIZE_MAX / 4 ? need : a * 2;
		/* never beyond cap (+1 for the NUL): the inline fast paths
		 * rely on the allocation to enforce the cap */
		if (a > cap + 1)
			a = cap + 1;
		b->p = xrealloc(b->p, a);
		b->alloc = a;
	}
	return b->p + b->n;
}

void buf__put_slow(struct buf *b, const void *p, size_t n)
{
	uint8_t *d = buf_reserve(b, n);
	if (!d)
		return;
	if (n)
		memcpy(d, p, n);
	b->n += n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		buf_put(b, small, (size_t)n);
		return;
	}
	uint8_t *d = buf_reserve(b, (size_t)n);
	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf((char *)d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void buf_put_u8(struct buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

static void put_le(struct buf *b, uint64_t v, unsigned n)
{
	uint8_t t[8];
	for (unsigned i = 0; i < n; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	buf_put_small(b, t, n);
}

void buf_put_u16le(struct buf *b, uint16_t v)
{
	put_le(b, v, 2);
}

void buf_put_u24le(struct buf *b, uint32_t v)
{
	put_le(b, v, 3);
}

void buf_put_u32le(struct buf *b, uint32_t v)
{
	put_le(b, v, 4);
}

void buf_put_u64le(struct buf *b, uint64_t v)
{
	put_le(b, v, 8);
}

void buf_put_lenenc(struct buf *b, uint64_t v)
{
	if (v < 0xfb) {
		buf_put_u8(b, (uint8_t)v);
	} else if (v <= 0xffff) {
		buf_put_u8(b, 0xfc);
		put_le(b, v, 2);
	} else if (v <= 0xffffff) {
		buf_put_u8(b, 0xfd);
		put_le(b, v, 3);
	} else {
		buf_put_u8(b, 0xfe);
		put_le(b, v, 8);
	}
}

static const char digits2[] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

void buf_put_u64dec(struct buf *b, uint64_t v)
{
	char t[24];
	int i = 24;
	while (v >= 100) {
		unsigned k = (unsigned)(v % 100) * 2;
		v /= 100;
		t[--i] = digits2[k + 1];
		t[--i] = digits2[k];
	}
	if (v >= 10) {
		unsigned k = (unsigned)v * 2;
		t[--i] = digits2[k + 1];
		t[--i] = digits2[k];
	} else {
		t[--i] = (char)('0' + v);
	}
	buf_put(b, t + i, (size_t)(24 - i));
}

void buf_put_i64dec(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_putc(b, '-');
		buf_put_u64dec(b, (uint64_t)0 - (uint64_t)v);
	} else {
		buf_put_u64dec(b, (uint64_t)v);
	}
}

const char *buf_cstr(struct buf *b)
{
	if (!buf_reserve(b, 0)) {
		/* failed or at cap: still terminate inside the allocation */
		if (!b->p)
			return "";
	}
	b->p[b->n] = 0;
	return (const char *)b->p;
}

uint8_t *buf_detach(struct buf *b, size_t *n)
{
	buf_cstr(b);
	uint8_t *p = b->p;
	if (n)
		*n = b->n;
	size_t cap = b->cap;
	buf_init(b, cap);
	return p;
}
