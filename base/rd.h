/*
 * rd: the one bounds-checked reader over a borrowed byte slice.
 * Every parser of untrusted bytes (packets, events, row images, JSON
 * binary, files) reads through it.  Errors are sticky: after the first
 * failure every getter returns 0 / an empty view and does not move, so a
 * fixed layout can be read straight through and r->err tested once.
 * rd_offset() gives the absolute offset for error messages.
 */
#ifndef BASE_RD_H
#define BASE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct bytes {
	const uint8_t *p;	/* borrowed, not NUL-terminated */
	size_t n;
};

struct rd {
	const uint8_t *p;	/* next unread byte */
	const uint8_t *end;	/* one past the last readable byte */
	const uint8_t *start;	/* first byte of this reader's slice */
	uint64_t origin;	/* absolute offset of 'start' (for messages) */
	int err;		/* 0 or first error (-ERR_TRUNC / -ERR_PROTO) */
	uint64_t err_off;	/* absolute offset where err happened */
};

void rd_init(struct rd *r, const void *p, size_t n);
/* Same, stating the absolute offset of p in the enclosing file/stream. */
void rd_init_at(struct rd *r, const void *p, size_t n, uint64_t origin);

static inline size_t rd_left(const struct rd *r)
{
	return (size_t)(r->end - r->p);
}

static inline uint64_t rd_offset(const struct rd *r)
{
	return r->origin + (uint64_t)(r->p - r->start);
}

/* Mark the reader failed (first error wins); returns the error. */
int rd_fail(struct rd *r, int err);

/* true when n more bytes can be read; otherwise fails with -ERR_TRUNC */
static inline bool rd_need(struct rd *r, size_t n)
{
	if (r->err)
		return false;
	if (n > rd_left(r)) {
		rd_fail(r, -ERR_TRUNC);
		return false;
	}
	return true;
}

uint8_t rd_u8(struct rd *r);
uint16_t rd_u16le(struct rd *r);
uint32_t rd_u24le(struct rd *r);
uint32_t rd_u32le(struct rd *r);
uint64_t rd_u48le(struct rd *r);
uint64_t rd_u64le(struct rd *r);
uint64_t rd_uNle(struct rd *r, unsigned n);	/* n in 1..8 */
uint16_t rd_u16be(struct rd *r);
uint32_t rd_u24be(struct rd *r);
uint32_t rd_u32be(struct rd *r);
uint64_t rd_uNbe(struct rd *r, unsigned n);	/* n in 1..8 */
/* MySQL length-encoded integer; 0xfb sets *is_null (if given), 0xff fails */
uint64_t rd_lenenc(struct rd *r, bool *is_null);
/* MySQL 8 serialization "packed" varint (1..9 bytes, length in low bits) */
uint64_t rd_varlen(struct rd *r);
struct bytes rd_bytes(struct rd *r, size_t n);
struct bytes rd_rest(struct rd *r);	/* all remaining bytes */
struct bytes rd_cstr(struct rd *r);	/* bytes before a NUL; NUL consumed */
struct bytes rd_lenstr(struct rd *r);	/* lenenc length, then bytes */
void rd_skip(struct rd *r, size_t n);
/* A child reader over exactly the next n bytes; the parent skips them. */
struct rd rd_sub(struct rd *r, size_t n);
/* 0 when fully consumed without error; else the error or -ERR_PROTO */
int rd_done(struct rd *r);

#endif
