/* UTF-8 validation (base/utf8.h), after RFC 3629 section 4's table. */
#include <string.h>

#include "base/utf8.h"

size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;	/* above U+10FFFF */
		return 4;
	}
	return 0;
}

bool utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* ASCII runs, 8 bytes at a time */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		size_t k = utf8_seq(p + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

bool utf8_ascii(const uint8_t *p, size_t n)
{
	const uint64_t high = 0x8080808080808080ull;
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		uint64_t w, v;
		memcpy(&w, p + i, 8);
		memcpy(&v, p + i + 8, 8);
		if ((w | v) & high)
			return false;
	}
	if (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w & high)
			return false;
		i += 8;
	}
	uint8_t acc = 0;
	for (; i < n; i++)
		acc |= p[i];
	return acc < 0x80;
}
