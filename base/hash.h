/*
 * hash: 64-bit FNV-1a, the one hash of the program (statement caches,
 * structure signatures, text comparisons).  Not for anything an attacker
 * chooses to collide: keys are compared in full after a hash match.
 */
#ifndef BASE_HASH_H
#define BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_INIT 14695981039346656037ull	/* FNV-1a offset basis */

/* h extended by n bytes at p. */
static inline uint64_t hash_add(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* h extended by the eight bytes of v (little-endian order). */
static inline uint64_t hash_add_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(v >> (8 * i))) * 1099511628211ull;
	return h;
}

static inline uint64_t hash_bytes(const void *p, size_t n)
{
	return hash_add(HASH_INIT, p, n);
}

#endif
