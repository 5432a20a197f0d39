/*
 * Decoder tests over real binlog files from fixtures/binlog/public
 * (origins in fixtures/binlog/public/MANIFEST.md): event-level facts,
 * error reporting, a truncation sweep and byte corruption.
 */
#include "base/buf.h"
#include "binlog/binlog.h"
#include "test/unit/test.h"

static uint8_t *load(const char *name, size_t *n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/binlog/public/%s", test_fixture_dir(),
		 name);
	return test_read_file(path, n);
}

struct walk {
	int events, rows, inner;
	char last_gtid[128];
	char prev_gtids[256];
	int types[256];
	uint64_t err_off;
	int err;
	char msg[256];
};

/* Decode every event of an in-memory binlog; stops at the first error. */
static int walk(const uint8_t *p, size_t n, unsigned flags, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	struct bl_decoder *d = bl_decoder_new(flags);
	size_t off = 4;
	int rc = 0;
	while (off < n) {
		struct bl_header h;
		if (bl_frame(p + off, n - off, &h) || h.event_size > n - off) {
			rc = -ERR_TRUNC;
			w->err = ERR_TRUNC;
			break;
		}
		uint32_t size = h.event_size;
		struct bl_event ev;
		rc = bl_decode(d, p + off, size, off, &ev);
		if (rc)
			break;
		for (;;) {
			w->events++;
			w->types[ev.h.type]++;
			w->inner += ev.in_payload;
			if (bl_event_is_rows(ev.h.type))
				w->rows += (int)ev.rows.nrows;
			if (ev.h.type == BL_PREVIOUS_GTIDS_LOG_EVENT)
				snprintf(w->prev_gtids, sizeof(w->prev_gtids), "%s",
					 ev.gtid_set.text);
			if (ev.h.type == BL_GTID_TAGGED_LOG_EVENT ||
			    ev.h.type == BL_GTID_LOG_EVENT)
				snprintf(w->last_gtid, sizeof(w->last_gtid), "%s",
					 ev.gtid.text);
			rc = bl_decoder_next_inner(d, &ev);
			if (rc != 1)
				break;
		}
		if (rc < 0)
			break;
		rc = 0;
		off += size;
	}
	if (rc && !w->err) {
		const struct err *e = bl_decoder_err(d);
		w->err = e->code;
		w->err_off = e->off;
		snprintf(w->msg, sizeof(w->msg), "%s", e->msg);
	}
	bl_decoder_free(d);
	return rc;
}

TEST(binlog, gtid_tagged_mysql96)
{
	size_t n;
	uint8_t *p = load("rust_mysql_common__binlog_transaction_with_GTID_TAG.000001", &n);
	struct walk w;
	/* the DECIMAL row needs binlog/value.c; header events come first */
	walk(p, n, 0, &w);
	ASSERT_EQ(w.types[BL_GTID_TAGGED_LOG_EVENT], 1);
	ASSERT_STREQ(w.last_gtid, "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3");
	/* origin test: uuid:1..14 and uuid:mytag:1..3 as half-open ranges */
	ASSERT_STREQ(w.prev_gtids, "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13,"
				   "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:1-2");
	free(p);
}

TEST(binlog, payload_inner_events)
{
	size_t n;
	uint8_t *p = load("mbcj__mysql-bin.compressed", &n);
	struct walk w;
	ASSERT_EQ(walk(p, n, 0, &w), 0);
	/* MANIFEST: 5 top-level events; inside: QUERY, TABLE_MAP, UPDATE_ROWS_V2, XID */
	ASSERT_EQ(w.events - w.inner, 5);
	ASSERT_EQ(w.inner, 4);
	ASSERT_EQ(w.types[BL_UPDATE_ROWS_EVENT], 1);
	ASSERT_EQ(w.types[BL_XID_EVENT], 1);
	ASSERT_EQ(w.rows, 1);
	free(p);
}

TEST(binlog, ignorable_unknown_event_skipped)
{
	size_t n;
	uint8_t *p = load("mbcj__mysql-bin.aurora-padding", &n);
	struct walk w;
	int rc = walk(p, n, 0, &w);
	ASSERT_EQ(w.types[100], 1);	/* Aurora padding, flagged ignorable */
	(void)rc;
	free(p);
}

TEST(binlog, unknown_event_is_an_error)
{
	size_t n;
	uint8_t *p = load("mbcj__mysql-bin.aurora-padding", &n);
	/* clear the ignorable flag of the Aurora event at offset 281 */
	ASSERT_EQ(p[281 + 4], 100);
	p[281 + 17] &= (uint8_t)~0x80;
	struct walk w;
	int rc = walk(p, n, BL_NO_VERIFY_CHECKSUM, &w);
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
	ASSERT_EQ(w.err_off, 281);
	ASSERT(strstr(w.msg, "unknown event type 100") != NULL);
	free(p);
}

TEST(binlog, checksum_mismatch_reported_with_offset)
{
	size_t n;
	uint8_t *p = load("myflash__binlog_output_base.flashback", &n);
	struct walk w;
	int rc = walk(p, n, 0, &w);
	ASSERT_ERR(rc, ERR_CHECKSUM);
	ASSERT_EQ(w.err_off, 120);
	ASSERT(walk(p, n, BL_NO_VERIFY_CHECKSUM, &w) != -ERR_CHECKSUM);
	free(p);
}

TEST(binlog, fde_in_use_flag_checksum)
{
	/* a closed MySQL 8 binlog whose FDE checksum was taken with the flag set */
	size_t n;
	uint8_t *p = load("rust_mysql_common__json-opaque.binlog", &n);
	struct walk w;
	walk(p, n, 0, &w);
	ASSERT(w.err != ERR_CHECKSUM);
	ASSERT(w.types[BL_FORMAT_DESCRIPTION_EVENT] == 1);
	/* and a real corruption of the FDE is still caught */
	p[4 + 30] ^= 0x01;
	walk(p, n, 0, &w);
	ASSERT_EQ(w.err, ERR_CHECKSUM);
	free(p);
}

static const char *const sweep_files[] = {
	"canal__parse_src_test_resources_binlog_tsdb_mysql-bin.000002",
	"mbcj__mysql-bin.compressed",
	"rust_mysql_common__binlog_transaction_with_GTID_TAG.000001",
	"rust_mysql_common__binlog-invisible-columns.000001",
	"rust_mysql_common__mariadb-bin.000001",
	"rust_mysql_common__json.binlog.000001",
	"rust_mysql_common__minimal_row_metadata.000001",
	"apecloud-mbcr__tests_parse_file_tests_mysql-bin.000057",
	"zalora__mysql-bin.07",	/* last: checksum NONE */
	NULL,
};

/*
 * Every event, cut at every length (size field patched to match), must
 * decode or fail with a clean error; ASan checks that nothing is read
 * outside the given bytes.
 */
TEST(binlog, truncation_sweep)
{
	for (int fi = 0; sweep_files[fi]; fi++) {
		size_t n;
		uint8_t *p = load(sweep_files[fi], &n);
		struct bl_decoder *d = bl_decoder_new(BL_NO_VERIFY_CHECKSUM);
		size_t off = 4;
		while (off + BL_HEADER_LEN <= n) {
			struct bl_header h;
			if (bl_frame(p + off, n - off, &h) || h.event_size > n - off)
				break;
			uint32_t size = h.event_size;
			for (uint32_t cut = 0; cut < size; cut++) {
				uint8_t *copy = malloc(cut ? cut : 1);
				memcpy(copy, p + off, cut);
				if (cut >= 13) {
					copy[9] = (uint8_t)cut;
					copy[10] = (uint8_t)(cut >> 8);
					copy[11] = (uint8_t)(cut >> 16);
					copy[12] = (uint8_t)(cut >> 24);
				}
				struct bl_event ev;
				int rc = bl_decode(d, copy, cut, off, &ev);
				if (rc == 0)
					while (bl_decoder_next_inner(d, &ev) == 1)
						;
				else
					ASSERT(bl_decoder_err(d)->msg[0] != 0);
				free(copy);
			}
			/* then the whole event, to keep the decoder state right */
			struct bl_event ev;
			if (bl_decode(d, p + off, size, off, &ev) == 0)
				while (bl_decoder_next_inner(d, &ev) == 1)
					;
			off += size;
		}
		bl_decoder_free(d);
		free(p);
	}
}

/* Flipping any byte is caught by the checksum; without it, no crash. */
TEST(binlog, corruption)
{
	for (int fi = 0; sweep_files[fi]; fi++) {
		size_t n;
		uint8_t *p = load(sweep_files[fi], &n);
		size_t limit = n < 6000 ? n : 6000;
		for (size_t i = 4; i < limit; i++) {
			for (int k = 0; k < 2; k++) {
				uint8_t saved = p[i];
				p[i] ^= k ? 0xff : 0x01;
				struct walk w;
				walk(p, n, k ? BL_NO_VERIFY_CHECKSUM : 0, &w);
				p[i] = saved;
				/* the files but the last carry CRC32 checksums; byte 21
				 * holds the FDE's in-use flag, which the server
				 * changes without updating the checksum */
				bool crc = strcmp(sweep_files[fi], "zalora__mysql-bin.07");
				if (crc && k == 0 && !(i == 21 && saved != (saved ^ 1)))
					if (!w.err)
						test_fail(__FILE__, __LINE__,
							  "%s: flip at %zu undetected",
							  sweep_files[fi], i);
			}
		}
		free(p);
	}
}
