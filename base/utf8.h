/*
 * utf8: the one UTF-8 validator.  Valid means what PostgreSQL accepts as
 * UTF8 text minus NUL handling: shortest forms only, no UTF-16
 * surrogates, nothing above U+10FFFF.  NUL bytes are valid UTF-8 here;
 * callers that feed PostgreSQL text refuse them separately.
 */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1 to 4) of the valid UTF-8 sequence at p (n > 0 bytes), or 0. */
size_t utf8_seq(const uint8_t *p, size_t n);
/* Whether all n bytes at p are valid UTF-8 (ASCII runs 8 bytes at a time). */
bool utf8_valid(const uint8_t *p, size_t n);
/* Whether all n bytes at p are ASCII (below 0x80), 16 bytes at a time. */
bool utf8_ascii(const uint8_t *p, size_t n);

#endif
