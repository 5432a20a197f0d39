/*
 * Positions order by the number of the binlog file (not its text),
 * framing reads the common header, and transaction marks follow what
 * servers write.
 */
#include "base/utf8.h"
#include "base/hash.h"
#include "binlog/internal.h"
#include "test/unit/test.h"

TEST(binlog, pos_order_numeric_suffix)
{
	/* strcmp puts mysql-bin.1000000 before mysql-bin.999999 */
	ASSERT(bl_pos_cmp("mysql-bin.999999", 900, "mysql-bin.1000000", 4) < 0);
	ASSERT(bl_pos_cmp("mysql-bin.1000000", 4, "mysql-bin.999999", 900) > 0);
	ASSERT(bl_pos_cmp("mysql-bin.000012", 4, "mysql-bin.000012", 4) == 0);
	ASSERT(bl_pos_cmp("mysql-bin.000012", 4, "mysql-bin.000012", 5) < 0);
	ASSERT(bl_pos_cmp("mysql-bin.000012", 4, "mysql-bin.000011", 5000) > 0);
	/* leading zeros do not count */
	ASSERT(bl_file_cmp("b.0010", "b.9") > 0);
	ASSERT(bl_file_cmp("b.000009", "b.9") == 0);
	/* nothing stored yet comes first */
	ASSERT(bl_pos_cmp("", 0, "mysql-bin.000001", 4) < 0);
	/* different bases, or no number: by name */
	ASSERT(bl_file_cmp("a.000002", "b.000001") < 0);
	ASSERT(bl_file_cmp("x.log", "x.log") == 0);
	struct bl_pos p;
	bl_pos_set(&p, "mysql-bin.000003", 77);
	ASSERT_STREQ(p.file, "mysql-bin.000003");
	ASSERT_UEQ(p.pos, 77);
}

TEST(binlog, frame_common_header)
{
	uint8_t h[19] = {0x10, 0, 0, 0, BL_XID_EVENT, 1, 0, 0, 0, 31, 0, 0, 0,
			 0x20, 0x01, 0, 0, 0, 0};
	struct bl_header fh;
	ASSERT_EQ(bl_frame(h, sizeof(h), &fh), 0);
	ASSERT_EQ(fh.type, BL_XID_EVENT);
	ASSERT_EQ(fh.event_size, 31);
	ASSERT_EQ(fh.log_pos, 0x120);
	ASSERT_UEQ(bl_frame_start(&fh), 0x120 - 31);
	for (size_t k = 0; k < sizeof(h); k++)
		ASSERT_ERR(bl_frame(h, k, &fh), ERR_TRUNC);
	h[9] = 18;	/* smaller than a header */
	ASSERT_ERR(bl_frame(h, sizeof(h), &fh), ERR_PROTO);
	h[9] = 0;
	h[12] = 0x7f;	/* over BL_MAX_EVENT */
	ASSERT_ERR(bl_frame(h, sizeof(h), &fh), ERR_PROTO);
	/* artificial events (log_pos 0) have no start */
	uint8_t a[19] = {0, 0, 0, 0, BL_ROTATE_EVENT, 1, 0, 0, 0, 40, 0, 0, 0};
	ASSERT_EQ(bl_frame(a, sizeof(a), &fh), 0);
	ASSERT_UEQ(bl_frame_start(&fh), 0);
}

static enum bl_tx_mark query_mark(const char *q)
{
	struct bl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.h.type = BL_QUERY_EVENT;
	ev.query.query.p = (const uint8_t *)q;
	ev.query.query.n = strlen(q);
	return bl_event_tx_mark(&ev);
}

TEST(binlog, tx_marks)
{
	ASSERT_EQ(query_mark("BEGIN"), BL_TX_BEGIN);
	ASSERT_EQ(query_mark("/* app */ begin"), BL_TX_BEGIN);
	ASSERT_EQ(query_mark("XA START X'01',X'',1"), BL_TX_BEGIN);
	ASSERT_EQ(query_mark("COMMIT"), BL_TX_COMMIT);
	ASSERT_EQ(query_mark("ROLLBACK"), BL_TX_COMMIT);
	ASSERT_EQ(query_mark("XA COMMIT X'01',X'',1"), BL_TX_COMMIT);
	ASSERT_EQ(query_mark("ROLLBACK TO sp1"), BL_TX_NONE);
	ASSERT_EQ(query_mark("ROLLBACK  WORK TO SAVEPOINT sp1"), BL_TX_NONE);
	ASSERT_EQ(query_mark("SAVEPOINT sp1"), BL_TX_NONE);
	ASSERT_EQ(query_mark("RELEASE SAVEPOINT sp1"), BL_TX_NONE);
	ASSERT_EQ(query_mark("XA END X'01',X'',1"), BL_TX_NONE);
	ASSERT_EQ(query_mark("ALTER TABLE t ADD c INT"), BL_TX_STATEMENT);
	/* a word that only starts like a keyword */
	ASSERT_EQ(query_mark("COMMITTED_TABLE_DROP"), BL_TX_STATEMENT);
	ASSERT_EQ(query_mark("BEGINNING"), BL_TX_STATEMENT);
	ASSERT_EQ(query_mark(""), BL_TX_STATEMENT);
	struct bl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.h.type = BL_XID_EVENT;
	ASSERT_EQ(bl_event_tx_mark(&ev), BL_TX_COMMIT);
	ev.h.type = BL_MARIA_GTID_EVENT;
	ASSERT_EQ(bl_event_tx_mark(&ev), BL_TX_BEGIN);
	ev.maria_gtid.standalone = true;
	ASSERT_EQ(bl_event_tx_mark(&ev), BL_TX_NONE);
	ev.h.type = BL_WRITE_ROWS_EVENT;
	ASSERT_EQ(bl_event_tx_mark(&ev), BL_TX_NONE);
}

TEST(base, utf8_and_hash)
{
	ASSERT(utf8_valid((const uint8_t *)"plain ascii text, long enough", 29));
	ASSERT(utf8_valid((const uint8_t *)"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	ASSERT(!utf8_valid((const uint8_t *)"\xc0\x80", 2));	/* overlong NUL */
	ASSERT(!utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));	/* surrogate */
	ASSERT(!utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	ASSERT(!utf8_valid((const uint8_t *)"abcdefgh\xe2\x82", 10));	/* cut */
	ASSERT_EQ(utf8_seq((const uint8_t *)"\xe2\x82\xac", 3), 3);
	ASSERT_EQ(utf8_seq((const uint8_t *)"\xe2\x82\xac", 2), 0);
	/* utf8_ascii: every length to 40, a high byte at every place */
	uint8_t t[40];
	memset(t, 'a', sizeof(t));
	for (size_t n = 0; n <= sizeof(t); n++) {
		ASSERT(utf8_ascii(t, n));
		for (size_t i = 0; i < n; i++) {
			t[i] = 0x80;
			ASSERT(!utf8_ascii(t, n));
			t[i] = 0xff;
			ASSERT(!utf8_ascii(t, n));
			t[i] = 0x7f;
			ASSERT(utf8_ascii(t, n));
			t[i] = 'a';
		}
	}
	/* FNV-1a 64 test vectors */
	ASSERT_UEQ(hash_bytes("", 0), 0xcbf29ce484222325ull);
	ASSERT_UEQ(hash_bytes("a", 1), 0xaf63dc4c8601ec8cull);
	ASSERT_UEQ(hash_bytes("foobar", 6), 0x85944171f73967e8ull);
}

/*
 * The event checksum folded by carry-less multiplication (where the
 * processor has it) is zlib's: every length to 4 KiB, at three
 * alignments, from zero and from a running value; and a known vector.
 */
TEST(binlog, crc32_is_zlibs)
{
	static uint8_t buf[4200];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	ASSERT_UEQ(bl__crc32(0, (const uint8_t *)"123456789", 9), 0xcbf43926u);
	for (size_t n = 0; n <= 4096; n++)
		for (size_t off = 0; off < 3; off++) {
			uint32_t init = off ? (uint32_t)(x >> 32) ^ (uint32_t)n : 0;
			uint32_t got = bl__crc32(init, buf + off, n);
			uint32_t want = bl__crc32_zlib(init, buf + off, n);
			if (got != want)
				test_fail(__FILE__, __LINE__, "length %zu at %zu: %08x, zlib %08x", n, off,
					  got, want);
		}
}
