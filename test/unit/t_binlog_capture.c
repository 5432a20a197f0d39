/*
 * capture: a stream built from a real binlog file (a fake ROTATE naming
 * the file, then its events, as a server sends them) must be written
 * back byte for byte, also when the capture stops and resumes midway.
 */
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/buf.h"
#include "binlog/binlog.h"
#include "test/unit/test.h"

static void fake_rotate(struct buf *b, const char *name, uint64_t pos)
{
	size_t n = strlen(name);
	size_t size = BL_HEADER_LEN + 8 + n + 4;
	buf_reset(b);
	buf_put_u32le(b, 0);
	buf_put_u8(b, BL_ROTATE_EVENT);
	buf_put_u32le(b, 1);
	buf_put_u32le(b, (uint32_t)size);
	buf_put_u32le(b, 0);
	buf_put_u16le(b, 0x20);
	buf_put_u64le(b, pos);
	buf_put(b, name, n);
	uLong c = crc32(0L, b->p, (uInt)b->n);
	buf_put_u32le(b, (uint32_t)c);
}

static char *tmpdir(void)
{
	static char dir[] = "/tmp/chameleon-capture-XXXXXX";
	ASSERT(mkdtemp(dir) != NULL);
	return dir;
}

static void feed(struct bl_capture *c, const uint8_t *p, size_t from, size_t to)
{
	struct err e = {0};
	size_t off = from;
	while (off < to) {
		struct bl_header h;
		ASSERT_EQ(bl_frame(p + off, to - off, &h), 0);
		uint32_t size = h.event_size;
		int rc = bl_capture_event(c, p + off, size, &e);
		if (rc)
			test_fail(__FILE__, __LINE__, "capture at %zu: %s", off, e.msg);
		off += size;
	}
}

static void check_same(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	size_t m;
	uint8_t *q = test_read_file(path, &m);
	ASSERT_EQ(m, n);
	ASSERT_MEM_EQ(q, p, n);
	free(q);
	unlink(path);
}

static void roundtrip(const char *fixture, const char *as)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/binlog/public/%s", test_fixture_dir(), fixture);
	size_t n;
	uint8_t *p = test_read_file(path, &n);
	char *dir = tmpdir();
	struct err e = {0};
	struct bl_capture *c;
	struct buf b;
	buf_init(&b, 0);

	/* whole file in one go */
	ASSERT_EQ(bl_capture_open(&c, dir, &e), 0);
	fake_rotate(&b, as, 4);
	ASSERT_EQ(bl_capture_event(c, b.p, b.n, &e), 0);
	feed(c, p, 4, n);
	bl_capture_close(c);
	check_same(dir, as, p, n);

	/* stop after the third event, plus half of the fourth; resume */
	size_t cut = 4;
	for (int k = 0; k < 3; k++)
		cut += (uint32_t)p[cut + 9] | (uint32_t)p[cut + 10] << 8;
	ASSERT_EQ(bl_capture_open(&c, dir, &e), 0);
	fake_rotate(&b, as, 4);
	ASSERT_EQ(bl_capture_event(c, b.p, b.n, &e), 0);
	feed(c, p, 4, cut);
	bl_capture_close(c);
	snprintf(path, sizeof(path), "%s/%s", dir, as);
	FILE *f = fopen(path, "ab");
	fwrite(p + cut, 1, 7, f);	/* a torn write */
	fclose(f);

	ASSERT_EQ(bl_capture_open(&c, dir, &e), 0);
	char file[256];
	uint64_t pos;
	ASSERT_EQ(bl_capture_resume_point(c, file, sizeof(file), &pos, &e), 0);
	ASSERT_STREQ(file, as);
	ASSERT_EQ(pos, cut);
	fake_rotate(&b, as, pos);
	ASSERT_EQ(bl_capture_event(c, b.p, b.n, &e), 0);
	/* the server re-sends the format description with log_pos 0 */
	uint32_t fsize = (uint32_t)p[4 + 9] | (uint32_t)p[4 + 10] << 8;
	uint8_t *fde = malloc(fsize);
	memcpy(fde, p + 4, fsize);
	memset(fde + 13, 0, 4);
	ASSERT_EQ(bl_capture_event(c, fde, fsize, &e), 0);
	free(fde);
	feed(c, p, cut, n);
	bl_capture_close(c);
	check_same(dir, as, p, n);

	rmdir(dir);
	buf_release(&b);
	free(p);
}

TEST(binlog, capture_roundtrip_rotate_at_end)
{
	/* ends with a ROTATE: the capture clears the in-use flag as the server does */
	roundtrip("rust_mysql_common__binlog_transaction_with_GTID_TAG.000001",
		  "binlog.000001");
}

TEST(binlog, capture_roundtrip_mariadb)
{
	roundtrip("rust_mysql_common__mariadb-bin.000001", "mariadb-bin.000001");
}

TEST(binlog, capture_rejects_bad_names)
{
	char *dir = tmpdir();
	struct err e = {0};
	struct bl_capture *c;
	struct buf b;
	buf_init(&b, 0);
	ASSERT_EQ(bl_capture_open(&c, dir, &e), 0);
	fake_rotate(&b, "../escape", 4);
	ASSERT_ERR(bl_capture_event(c, b.p, b.n, &e), ERR_PROTO);
	bl_capture_close(c);
	rmdir(dir);
	buf_release(&b);
}
