/* Bump allocator (see arena.h). */
#include "base/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct arena_block {
	struct arena_block *next;
	size_t size;	/* usable bytes in data[] */
	size_t used;
	_Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->used = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->used = 0;
}

void arena_reset(struct arena *a)
{
#ifdef ARENA_DEBUG
	arena_release(a);
#else
	/* Keep the oldest block (the tail); free the rest. */
	struct arena_block *b = a->head, *keep = NULL;
	while (b) {
		struct arena_block *n = b->next;
		if (!n && b->size == a->block_size) {
			keep = b;
		} else {
			free(b);
		}
		b = n;
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
	a->used = 0;
#endif
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need < n)
		need = SIZE_MAX;	/* overflow: xmalloc will fail */
#ifndef ARENA_DEBUG
	struct arena_block *h = a->head;
	if (h && need <= h->size - h->used) {
		void *p = h->data + h->used;
		h->used += need;
		a->used += need;
		return p;
	}
	size_t size = need > a->block_size ? need : a->block_size;
#else
	size_t size = need;
#endif
	if (size > SIZE_MAX - sizeof(struct arena_block))
		size = SIZE_MAX - sizeof(struct arena_block);
	struct arena_block *b = xmalloc(sizeof(*b) + size);
	b->size = size;
	b->used = need;
	a->used += need;
	if (a->head && size != a->block_size) {
		/* oversized block: insert behind head so head keeps its room */
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
	}
	return b->data;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		n = SIZE_MAX / size + 1, size = 1;
	void *p = arena_alloc(a, n * size);
	memset(p, 0, n * size);
	return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
	void *d = arena_alloc(a, n ? n : 1);
	if (n)
		memcpy(d, p, n);
	return d;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = 0;
	return d;
}
