/*
 * Fuzz target for row images: the first input byte picks one of a few
 * TABLE_MAP definitions covering every column type; the rest is the body
 * of a rows event (v1, v2, partial update or MariaDB compressed, picked
 * by the second byte) for that table.
 */
#include <string.h>

#include "base/buf.h"
#include "binlog/binlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* column type, metadata bytes (0-2) */
struct coldef {
	uint8_t type;
	uint8_t nmeta;
	uint8_t meta[2];
};

static const struct coldef table_a[] = {
	{1, 0, {0}}, {2, 0, {0}}, {9, 0, {0}}, {3, 0, {0}}, {8, 0, {0}},
	{4, 1, {4}}, {5, 1, {8}}, {246, 2, {65, 30}}, {246, 2, {10, 2}},
	{13, 0, {0}}, {10, 0, {0}}, {11, 0, {0}}, {12, 0, {0}}, {7, 0, {0}},
};
static const struct coldef table_b[] = {
	{17, 1, {6}}, {18, 1, {3}}, {19, 1, {5}}, {19, 1, {0}}, {18, 1, {0}},
	{15, 2, {40, 0}}, {15, 2, {0x2c, 0x01}}, {254, 2, {0xfe, 20}},
	{254, 2, {0xce, 0xfc}}, {254, 2, {0xf7, 1}}, {254, 2, {0xf8, 2}},
	{16, 2, {3, 1}}, {16, 2, {0, 8}},
};
static const struct coldef table_c[] = {
	{252, 1, {2}}, {245, 1, {4}}, {255, 1, {4}}, {252, 1, {1}},
	{252, 1, {3}}, {242, 1, {4}}, {245, 1, {4}}, {3, 0, {0}},
};

static const struct coldef *const tables[] = {table_a, table_b, table_c};
static const size_t ncols[] = {sizeof(table_a) / sizeof(table_a[0]),
			       sizeof(table_b) / sizeof(table_b[0]),
			       sizeof(table_c) / sizeof(table_c[0])};

static void put_header(struct buf *b, uint8_t type, size_t body)
{
	buf_put_u32le(b, 1);
	buf_put_u8(b, type);
	buf_put_u32le(b, 1);
	buf_put_u32le(b, (uint32_t)(BL_HEADER_LEN + body));
	buf_put_u32le(b, 0);
	buf_put_u16le(b, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned which = data[0] % 3;
	static const uint8_t kinds[] = {23, 24, 25, 30, 31, 32, 39, 166, 169, 20};
	uint8_t kind = kinds[data[1] % sizeof(kinds)];
	const struct coldef *cols = tables[which];
	size_t n = ncols[which];

	struct bl_decoder *d = bl_decoder_new(BL_NO_VERIFY_CHECKSUM);
	struct buf body, ev, out;
	buf_init(&body, 0);
	buf_init(&ev, 0);
	buf_init(&out, 1 << 24);
	/* TABLE_MAP body: id(6) flags(2) db table ncols types meta nulls */
	buf_put_u32le(&body, 7);
	buf_put_u16le(&body, 0);
	buf_put_u16le(&body, 0);
	buf_put_u8(&body, 1);
	buf_put(&body, "d", 2);
	buf_put_u8(&body, 1);
	buf_put(&body, "t", 2);
	buf_put_lenenc(&body, n);
	size_t mlen = 0;
	for (size_t i = 0; i < n; i++) {
		buf_put_u8(&body, cols[i].type);
		mlen += cols[i].nmeta;
	}
	buf_put_lenenc(&body, mlen);
	for (size_t i = 0; i < n; i++)
		buf_put(&body, cols[i].meta, cols[i].nmeta);
	for (size_t i = 0; i < (n + 7) / 8; i++)
		buf_put_u8(&body, 0xff);
	put_header(&ev, BL_TABLE_MAP_EVENT, body.n);
	buf_put(&ev, body.p, body.n);
	struct bl_event e;
	struct bl_render_ctx ctx = {"fuzz", NULL};
	if (bl_decode(d, ev.p, ev.n, 4, &e) == 0) {
		buf_reset(&ev);
		put_header(&ev, kind, size - 2);
		buf_put(&ev, data + 2, size - 2);
		if (bl_decode(d, ev.p, ev.n, 100, &e) == 0) {
			bl_render_json(&out, &e, &ctx);
			bl_render_text(&out, &e, &ctx);
		}
	}
	buf_release(&body);
	buf_release(&ev);
	buf_release(&out);
	bl_decoder_free(d);
	return 0;
}
