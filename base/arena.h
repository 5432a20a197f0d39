/*
 * arena: bump allocator for values with one lifetime (an event, a batch,
 * the configuration).  arena_reset() keeps the first block and frees the
 * rest, so a steady-state decoder allocates nothing from malloc.
 * With -DARENA_DEBUG every allocation is its own malloc so ASan and
 * valgrind see overruns.
 */
#ifndef BASE_ARENA_H
#define BASE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;	/* current block, newest first */
	size_t block_size;		/* default size of new blocks */
	size_t used;			/* bytes handed out since reset */
};

void arena_init(struct arena *a, size_t block_size);
void arena_release(struct arena *a);
void arena_reset(struct arena *a);
/* 16-byte aligned memory, valid until reset/release; never NULL. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n, size_t size);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif
