/*
 * CRC-32 (IEEE 802.3, zlib's crc32()) of event bytes, the binlog event
 * checksum.  zlib computes it a few bytes per step; on x86-64 processors
 * with carry-less multiplication (PCLMULQDQ, checked at run time) the
 * bulk of a buffer is folded here 64 bytes per step instead: the message
 * is a polynomial over GF(2), and a 128-bit block followed by 128 more
 * bits of message can be replaced by the block times x^128 reduced to
 * fewer bits (two 64x32-bit carry-less products) without changing the
 * remainder modulo the CRC polynomial.  The last folded block and the
 * bytes after it go through zlib, so the result is zlib's by
 * construction; test/unit compares both on every length to a few KiB.
 */
#include <zlib.h>

#include "binlog/internal.h"

/* zlib's crc32() for any length (its length argument is 32-bit). */
static uint32_t crc_zlib(uint32_t crc, const uint8_t *p, size_t n)
{
	uLong c = crc;
	while (n) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)c;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*
 * The constants: a 128-bit register loaded from 16 message bytes holds
 * the block A = H * x^64 + L (bit j of the register is the coefficient
 * of x^(127-j): CRC-32 is bit-reflected), H in the low 64 bits.  A
 * constant C (degree 1 to 32) is laid out with the coefficient of x^e at
 * bit 64-e, so that the carry-less product of a 64-bit half by it is the
 * polynomial product laid out as blocks are.  x^k mod P is written
 * x * (x^(k-1) mod P), which has no x^0 term.
 *   fold by 128 bits: H * (x^192 mod P) + L * (x^128 mod P)
 *   fold by 512 bits: H * (x^576 mod P) + L * (x^512 mod P)
 */
#define K192 0x65673b4600000000ULL
#define K128 0x9ba54c6f00000000ULL
#define K576 0x653d982200000000ULL
#define K512 0xcad38e8f00000000ULL

__attribute__((target("pclmul,sse2"))) static inline __m128i fold(__m128i a,
								  __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00),
			     _mm_clmulepi64_si128(a, k, 0x11));
}

__attribute__((target("pclmul,sse2"))) static uint32_t crc_clmul(uint32_t crc,
								 const uint8_t *p,
								 size_t n)
{
	/* n >= 64.  The running remainder ~crc goes into the first 4 bytes. */
	const __m128i k512 = _mm_set_epi64x((long long)K512, (long long)K576);
	const __m128i k128 = _mm_set_epi64x((long long)K128, (long long)K192);
	__m128i a0 = _mm_loadu_si128((const __m128i *)p);
	__m128i a1 = _mm_loadu_si128((const __m128i *)(p + 16));
	__m128i a2 = _mm_loadu_si128((const __m128i *)(p + 32));
	__m128i a3 = _mm_loadu_si128((const __m128i *)(p + 48));
	a0 = _mm_xor_si128(a0, _mm_cvtsi32_si128((int)~crc));
	p += 64;
	n -= 64;
	while (n >= 64) {
		a0 = _mm_xor_si128(fold(a0, k512),
				   _mm_loadu_si128((const __m128i *)p));
		a1 = _mm_xor_si128(fold(a1, k512),
				   _mm_loadu_si128((const __m128i *)(p + 16)));
		a2 = _mm_xor_si128(fold(a2, k512),
				   _mm_loadu_si128((const __m128i *)(p + 32)));
		a3 = _mm_xor_si128(fold(a3, k512),
				   _mm_loadu_si128((const __m128i *)(p + 48)));
		p += 64;
		n -= 64;
	}
	a1 = _mm_xor_si128(a1, fold(a0, k128));
	a2 = _mm_xor_si128(a2, fold(a1, k128));
	a3 = _mm_xor_si128(a3, fold(a2, k128));
	while (n >= 16) {
		a3 = _mm_xor_si128(fold(a3, k128),
				   _mm_loadu_si128((const __m128i *)p));
		p += 16;
		n -= 16;
	}
	/* what is left: the block, then n < 16 bytes, from remainder 0 */
	uint8_t last[16];
	_mm_storeu_si128((__m128i *)last, a3);
	return crc_zlib(crc_zlib(0xffffffffu, last, 16), p, n);
}

uint32_t bl__crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	/* a bit test of what libgcc found at start-up: no state here */
	if (n >= 64 && __builtin_cpu_supports("pclmul") &&
	    __builtin_cpu_supports("sse2"))
		return crc_clmul(crc, p, n);
	return crc_zlib(crc, p, n);
}
#else
uint32_t bl__crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	return crc_zlib(crc, p, n);
}
#endif

uint32_t bl__crc32_zlib(uint32_t crc, const uint8_t *p, size_t n)
{
	return crc_zlib(crc, p, n);
}
