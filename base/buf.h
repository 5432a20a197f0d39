/*
 * buf: a growable byte buffer with a hard cap and a sticky failure flag.
 * buf_put_* never fail loudly: once the cap would be exceeded the buffer
 * is marked failed and further writes are ignored; the owner checks
 * buf_failed() (or buf_finish-style helpers) once.
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"

struct buf {
	uint8_t *p;	/* owned; NUL-terminated past 'n' when cap allows */
	size_t n;	/* bytes used */
	size_t alloc;	/* bytes allocated */
	size_t cap;	/* hard upper bound on n; 0 means SIZE_MAX/2 */
	bool failed;	/* a write exceeded cap */
};

#define BUF_INIT {0, 0, 0, 0, false}

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
static inline void buf_reset(struct buf *b)
{
	b->n = 0;
	b->failed = false;
}
static inline bool buf_failed(const struct buf *b)
{
	return b->failed;
}
/* Make room for n more bytes; returns NULL (and marks failed) past cap. */
uint8_t *buf_reserve(struct buf *b, size_t n);
void buf__put_slow(struct buf *b, const void *p, size_t n);
/*
 * n (at most 16) bytes from s to d: two overlapping fixed-size copies,
 * which compile to a few moves, where memcpy of a length not known at
 * compile time is a library call.
 */
static inline void buf__copy16(uint8_t *d, const uint8_t *s, size_t n)
{
	if (n >= 8) {
		uint64_t a, z;
		memcpy(&a, s, 8);
		memcpy(&z, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &z, 8);
	} else if (n >= 4) {
		uint32_t a, z;
		memcpy(&a, s, 4);
		memcpy(&z, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &z, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}
/* Append n bytes (inline fast path when there is room). */
static inline void buf_put(struct buf *b, const void *p, size_t n)
{
	if (!b->failed && n < b->alloc - b->n) {
		if (__builtin_constant_p(n) || n > 16) {
			if (n)
				memcpy(b->p + b->n, p, n);	/* inlined when constant */
		} else {
			buf__copy16(b->p + b->n, (const uint8_t *)p, n);
		}
		b->n += n;
		return;
	}
	buf__put_slow(b, p, n);
}
/* Append n <= 16 bytes (a small local array: never the memcpy path). */
static inline void buf_put_small(struct buf *b, const void *p, size_t n)
{
	if (!b->failed && n < b->alloc - b->n) {
		buf__copy16(b->p + b->n, (const uint8_t *)p, n);
		b->n += n;
		return;
	}
	buf__put_slow(b, p, n);
}
static inline void buf_putc(struct buf *b, char c)
{
	if (!b->failed && 1 < b->alloc - b->n) {
		b->p[b->n++] = (uint8_t)c;
		return;
	}
	buf__put_slow(b, &c, 1);
}
static inline void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}
/* Append a string literal without strlen. */
#define buf_putl(b, lit) buf_put((b), "" lit, sizeof(lit) - 1)
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
void buf_put_u8(struct buf *b, uint8_t v);
void buf_put_u16le(struct buf *b, uint16_t v);
void buf_put_u24le(struct buf *b, uint32_t v);
void buf_put_u32le(struct buf *b, uint32_t v);
void buf_put_u64le(struct buf *b, uint64_t v);
void buf_put_lenenc(struct buf *b, uint64_t v);
void buf_put_u64dec(struct buf *b, uint64_t v);	/* decimal digits */
void buf_put_i64dec(struct buf *b, int64_t v);
/* Returns a NUL-terminated view of the contents (valid until next write). */
const char *buf_cstr(struct buf *b);
/* Transfer ownership of the bytes to the caller; the buffer is reset. */
uint8_t *buf_detach(struct buf *b, size_t *n);

#endif
