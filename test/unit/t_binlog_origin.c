/*
 * Values asserted by the projects the fixture files come from (see
 * fixtures/binlog/public/MANIFEST.md, "test expectations in origin"),
 * checked on chameleon's JSON rendering of the same files.
 */
#include "base/buf.h"
#include "binlog/binlog.h"
#include "test/unit/test.h"

/* Decode a whole fixture to JSON lines. */
static char *decode_json(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/binlog/public/%s", test_fixture_dir(), name);
	size_t n;
	uint8_t *p = test_read_file(path, &n);
	struct bl_decoder *d = bl_decoder_new(0);
	struct buf out;
	buf_init(&out, 0);
	struct bl_render_ctx ctx = {name, NULL};
	size_t off = 4;
	while (off + BL_HEADER_LEN <= n) {
		struct bl_header h;
		ASSERT_EQ(bl_frame(p + off, n - off, &h), 0);
		uint32_t size = h.event_size;
		ASSERT(size <= n - off);
		struct bl_event ev;
		if (bl_decode(d, p + off, size, off, &ev) != 0)
			test_fail(__FILE__, __LINE__, "%s: %s", name,
				  bl_decoder_err(d)->msg);
		ctx.gtid = bl_decoder_gtid(d);
		bl_render_json(&out, &ev, &ctx);
		while (bl_decoder_next_inner(d, &ev) == 1) {
			ctx.gtid = bl_decoder_gtid(d);
			bl_render_json(&out, &ev, &ctx);
		}
		off += size;
	}
	bl_decoder_free(d);
	free(p);
	char *s = strdup(buf_cstr(&out));
	buf_release(&out);
	return s;
}

#define ASSERT_HAS(hay, needle)                                              \
	do {                                                                 \
		if (!strstr((hay), (needle)))                                \
			test_fail(__FILE__, __LINE__, "missing %s", (needle)); \
	} while (0)

TEST(origin, minimal_row_image_unsigned)
{
	char *s = decode_json("rust_mysql_common__minimal_row_metadata.000001");
	/* only columns 1, 3 and 5 are in the MINIMAL after image */
	ASSERT_HAS(s, "\"after\":{\"@1\":1,\"@3\":\"a\",\"@5\":3230202323}");
	free(s);
}

TEST(origin, negative_time2)
{
	char *s = decode_json("rust_mysql_common__time_issue.000001");
	ASSERT_HAS(s, "\"-507:48:27\"");
	free(s);
}

TEST(origin, json_opaque_values)
{
	char *s = decode_json("rust_mysql_common__json-opaque.binlog");
	ASSERT_HAS(s, "{\"a\":\"base64:type15:VQ==\"}");
	ASSERT_HAS(s, "{\"b\":\"2012-03-18\"}");
	ASSERT_HAS(s, "{\"c\":\"2012-03-18 11:30:45.000000\"}");
	ASSERT_HAS(s, "{\"c\":\"87:31:46.654321\"}");
	/* decimals stay numbers with every digit (MySQL prints them so) */
	ASSERT_HAS(s, "{\"d\":123.456}");
	ASSERT_HAS(s, "{\"e\":9.00}");
	ASSERT_HAS(s, "{\"e\":[0,1,true,false]}");
	ASSERT_HAS(s, "{\"e\":null}");
	free(s);
}

TEST(origin, partial_json_update)
{
	char *s = decode_json("rust_mysql_common__json.binlog.000001");
	ASSERT_HAS(s, "[{\"op\":\"replace\",\"path\":\"$.age\",\"value\":26}]");
	free(s);
}

TEST(origin, gtid_tagged_decimal_row)
{
	char *s = decode_json("rust_mysql_common__binlog_transaction_with_GTID_TAG.000001");
	ASSERT_HAS(s, "\"gtid\":\"55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3\"");
	ASSERT_HAS(s, "\"op\":\"insert\"");
	free(s);
}

TEST(origin, enum_set_labels)
{
	char *s = decode_json("rust_mysql_common__mysql-enum-string-set.000001");
	/* FULL metadata carries the labels: ENUM index 1 then 2, SET 0b101
	 * then 0b1010, rendered as labels */
	ASSERT_HAS(s, "\"f3\":\"var1\",\"f4\":\"one,three\",\"f5\":\"0123456789\"");
	ASSERT_HAS(s, "\"f3\":\"variant2\",\"f4\":\"two,four\"");
	/* CHAR longer than 255 bytes (metadata length trick) */
	ASSERT_HAS(s, "\"after\":{\"f1\":\"field1\",\"f2\":\"field_2\"");
	free(s);
}

TEST(origin, vector_column)
{
	char *s = decode_json("rust_mysql_common__vector.binlog");
	ASSERT_HAS(s, "\"vector_column\":[1.1,2.2,3.3]");
	ASSERT_HAS(s, "\"vector_column2\":[42,43,44,45]");
	ASSERT_HAS(s, "\"vector_column\":[1.01,-1.01]");
	free(s);
}
