/* replay: what its own .c files and the tests share. */
#ifndef REPLAY_INTERNAL_H
#define REPLAY_INTERNAL_H

#include <stddef.h>

#include "base/buf.h"

/* A PostgreSQL array literal of n strings ({"a","b\"c"}), for $n::text[]. */
void rp__array_literal(struct buf *b, const char *const *v, size_t n);

#endif
