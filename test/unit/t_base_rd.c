/* Unit tests for the bounded reader, the buffer and the arena. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/rd.h"
#include "test/unit/test.h"

TEST(base, rd_ints)
{
	const uint8_t d[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct rd r;
	rd_init(&r, d, sizeof(d));
	ASSERT_EQ(rd_u8(&r), 1);
	ASSERT_EQ(rd_u16le(&r), 0x0302);
	ASSERT_EQ(rd_u16be(&r), 0x0405);
	ASSERT_EQ(rd_u32le(&r), 0x09080706);
	ASSERT_EQ(rd_done(&r), 0);
	ASSERT_EQ(rd_u8(&r), 0);
	ASSERT_ERR(r.err, ERR_TRUNC);
	ASSERT_EQ(r.err_off, 9);
}

TEST(base, rd_sticky_and_sub)
{
	const uint8_t d[] = {3, 'a', 'b', 'c', 0, 'x'};
	struct rd r;
	rd_init_at(&r, d, sizeof(d), 100);
	struct bytes s = rd_lenstr(&r);
	ASSERT_EQ(s.n, 3);
	ASSERT_MEM_EQ(s.p, "abc", 3);
	struct rd sub = rd_sub(&r, 2);
	ASSERT_EQ(rd_offset(&sub), 104);
	ASSERT_EQ(rd_u8(&sub), 0);
	ASSERT_EQ(rd_u8(&sub), 'x');
	ASSERT_EQ(rd_u8(&sub), 0);
	ASSERT_ERR(sub.err, ERR_TRUNC);
	ASSERT_EQ(sub.err_off, 106);
	ASSERT_EQ(rd_done(&r), 0);
	/* a sub-reader longer than what is left fails the parent */
	rd_init(&r, d, sizeof(d));
	sub = rd_sub(&r, 7);
	ASSERT_ERR(r.err, ERR_TRUNC);
	ASSERT_EQ(rd_left(&sub), 0);
}

TEST(base, rd_lenenc)
{
	const uint8_t d[] = {0xfa, 0xfc, 0x34, 0x12, 0xfd, 1, 2, 3,
			     0xfe, 1, 0, 0, 0, 0, 0, 0, 0x80, 0xfb, 0xff};
	struct rd r;
	rd_init(&r, d, sizeof(d));
	ASSERT_EQ(rd_lenenc(&r, NULL), 0xfa);
	ASSERT_EQ(rd_lenenc(&r, NULL), 0x1234);
	ASSERT_EQ(rd_lenenc(&r, NULL), 0x030201);
	ASSERT_UEQ(rd_lenenc(&r, NULL), 0x8000000000000001ull);
	bool isnull = false;
	ASSERT_EQ(rd_lenenc(&r, &isnull), 0);
	ASSERT(isnull);
	ASSERT_EQ(rd_lenenc(&r, NULL), 0);
	ASSERT_ERR(r.err, ERR_PROTO);
	/* a lenstr longer than the input is a truncation, not an over-read */
	const uint8_t e[] = {0xfc, 0xff, 0xff, 'a'};
	rd_init(&r, e, sizeof(e));
	struct bytes b = rd_lenstr(&r);
	ASSERT_EQ(b.n, 0);
	ASSERT_ERR(r.err, ERR_TRUNC);
}

TEST(base, rd_cstr_needs_nul)
{
	const uint8_t d[] = {'a', 'b'};
	struct rd r;
	rd_init(&r, d, sizeof(d));
	struct bytes b = rd_cstr(&r);
	ASSERT_EQ(b.n, 0);
	ASSERT_ERR(r.err, ERR_TRUNC);
}

TEST(base, rd_varlen)
{
	/* 1 byte: value << 1; 2 bytes: low bits 01, value << 2 */
	const uint8_t d[] = {0x0a, 0x01 | (300 << 2 & 0xff), (300 << 2) >> 8,
			     0xff, 1, 2, 3, 4, 5, 6, 7, 8};
	struct rd r;
	rd_init(&r, d, sizeof(d));
	ASSERT_EQ(rd_varlen(&r), 5);
	ASSERT_EQ(rd_varlen(&r), 300);
	ASSERT_UEQ(rd_varlen(&r), 0x0807060504030201ull);
	ASSERT_EQ(rd_done(&r), 0);
}

TEST(base, buf_cap)
{
	struct buf b;
	buf_init(&b, 8);
	buf_puts(&b, "1234");
	buf_put_u64dec(&b, 567);
	ASSERT(!buf_failed(&b));
	ASSERT_STREQ(buf_cstr(&b), "1234567");
	buf_puts(&b, "89");
	ASSERT(buf_failed(&b));
	buf_reset(&b);
	buf_put_i64dec(&b, INT64_MIN);
	ASSERT(buf_failed(&b));
	buf_release(&b);
	buf_init(&b, 0);
	buf_put_i64dec(&b, INT64_MIN);
	buf_printf(&b, "/%s", "x");
	ASSERT_STREQ(buf_cstr(&b), "-9223372036854775808/x");
	buf_release(&b);
}

/* Short appends (copied without memcpy): every length to 40 after every
 * length to 20, byte for byte. */
TEST(base, buf_put_short)
{
	uint8_t src[64], want[64];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 37 + 1);
	for (size_t pre = 0; pre <= 20; pre++)
		for (volatile size_t n = 0; n <= 40; n++) {
			struct buf b = BUF_INIT;
			buf_put(&b, src + 20, pre);
			buf_put(&b, src + 1, n);
			memcpy(want, src + 20, pre);
			memcpy(want + pre, src + 1, n);
			ASSERT_EQ(b.n, pre + n);
			ASSERT(b.n == 0 || memcmp(b.p, want, b.n) == 0);
			buf_release(&b);
		}
}

TEST(base, arena)
{
	struct arena a;
	arena_init(&a, 128);
	char *p = arena_alloc(&a, 10);
	memset(p, 'x', 10);
	char *big = arena_alloc(&a, 1000);
	memset(big, 'y', 1000);
	char *q = arena_strndup(&a, "hello", 5);
	ASSERT_STREQ(q, "hello");
	ASSERT_EQ(((uintptr_t)q) % 16, 0);
	arena_reset(&a);
	char *r = arena_alloc(&a, 16);
	ASSERT(r != NULL);
	arena_release(&a);
}
