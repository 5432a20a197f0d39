/*
 * Fuzz target: the input is a binlog file body (magic optional); every
 * event is framed, decoded and rendered as JSON and text, including the
 * inner events of transaction payloads.  Checksums are not verified so
 * that mutations reach the decoders.
 */
#include <string.h>

#include "base/buf.h"
#include "base/rd.h"
#include "binlog/binlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r;
	rd_init(&r, data, size);
	if (size >= 4 && memcmp(data, BL_MAGIC, 4) == 0)
		rd_skip(&r, 4);
	struct bl_decoder *d = bl_decoder_new(BL_NO_VERIFY_CHECKSUM);
	struct buf out;
	buf_init(&out, 1 << 24);
	struct bl_render_ctx ctx = {"fuzz", NULL};
	while (rd_left(&r) >= BL_HEADER_LEN) {
		struct bl_header h;
		if (bl_frame(r.p, rd_left(&r), &h) || h.event_size > rd_left(&r))
			break;
		uint32_t n = h.event_size;
		uint64_t pos = rd_offset(&r);
		struct bytes ev_bytes = rd_bytes(&r, n);
		struct bl_event ev;
		if (bl_decode(d, ev_bytes.p, ev_bytes.n, pos, &ev) != 0)
			continue;
		ctx.gtid = bl_decoder_gtid(d);
		buf_reset(&out);
		bl_render_json(&out, &ev, &ctx);
		bl_render_text(&out, &ev, &ctx);
		int rc;
		while ((rc = bl_decoder_next_inner(d, &ev)) == 1) {
			buf_reset(&out);
			bl_render_json(&out, &ev, &ctx);
			bl_render_text(&out, &ev, &ctx);
		}
	}
	buf_release(&out);
	bl_decoder_free(d);
	return 0;
}
