/*
 * Compressed events: MySQL's TRANSACTION_PAYLOAD (zstd, or stored), whose
 * inner events bl_decoder_next_inner() then decodes, and the zlib records
 * of MariaDB's compressed QUERY and rows events.  Output grows only as
 * data comes out, so a forged length cannot make us allocate memory.
 * Layouts: docs/binlog.md, Events.
 */
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "binlog/decoder_int.h"

int bl__maria_uncompress(struct bl_decoder *d, struct rd *r, struct buf *out)
{
	/* header: 0x80 | lenlen (1..4), then the length big-endian */
	uint64_t at = rd_offset(r);
	uint8_t h = rd_u8(r);
	unsigned lenlen = h & 0x07;
	if (r->err)
		return bl__rd_error(d, r, "compressed event");
	if (lenlen < 1 || lenlen > 4)
		return err_set_at(&d->err, ERR_PROTO, at,
				  "compressed event: bad header byte 0x%02x", h);
	uint64_t ulen = rd_uNbe(r, lenlen);
	struct bytes z = rd_rest(r);
	if (r->err)
		return bl__rd_error(d, r, "compressed event");
	if (ulen > BL_MAX_EVENT)
		return err_set_at(&d->err, ERR_TOOBIG, at,
				  "compressed event: uncompressed length %llu "
				  "exceeds the limit",
				  (unsigned long long)ulen);
	buf_reset(out);
	/*
	 * Inflate in steps, growing the output only as data comes out: a
	 * forged length cannot make us allocate memory the data does not fill.
	 */
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return err_set_at(&d->err, ERR_PROTO, at, "zlib init failed");
	zs.next_in = (Bytef *)(uintptr_t)(z.p ? z.p : (const uint8_t *)"");
	zs.avail_in = (uInt)z.n;
	int zrc = Z_OK;
	while (zrc == Z_OK) {
		size_t room = out->n < ulen ? (size_t)ulen - out->n : 0;
		if (room > 65536)
			room = 65536;
		if (room == 0)
			room = 1;	/* detect data beyond the stated length */
		uint8_t *dst = buf_reserve(out, room);
		if (!dst)
			break;
		zs.next_out = dst;
		zs.avail_out = (uInt)room;
		zrc = inflate(&zs, Z_NO_FLUSH);
		out->n += room - zs.avail_out;
		if (out->n > ulen)
			break;
		if (zrc == Z_OK && zs.avail_out == room && zs.avail_in == 0)
			break;	/* no progress: input ended early */
	}
	inflateEnd(&zs);
	if (zrc != Z_STREAM_END || out->n != ulen)
		return err_set_at(&d->err, ERR_PROTO, at,
				  "compressed event: zlib data is corrupt "
				  "(zlib %d, %zu of %llu bytes)",
				  zrc, out->n, (unsigned long long)ulen);
	return 0;
}

/*
 * TRANSACTION_PAYLOAD: fields (type, length, value), each a
 * length-encoded integer: payload_size(1), compression_type(2),
 * uncompressed_size(3), terminated by type 0, then the compressed events.
 */
/* zstd, output grown as it is produced (see bl__maria_uncompress) */
static int zstd_stream(struct bl_decoder *d, struct bytes z,
		       const struct bl_event *ev)
{
	uint64_t want = ev->payload.uncompressed_size;
	if (want > BL_MAX_EVENT)
		return err_set_at(&d->err, ERR_TOOBIG, ev->pos,
				  "Transaction_payload event: uncompressed size "
				  "%llu too big",
				  (unsigned long long)want);
	ZSTD_DStream *zd = ZSTD_createDStream();
	if (!zd)
		return err_set_at(&d->err, ERR_PROTO, ev->pos, "zstd init failed");
	ZSTD_inBuffer in = {z.p ? z.p : (const uint8_t *)"", z.n, 0};
	size_t zr = 1;
	struct buf *out = &d->payload;
	while (zr != 0) {
		size_t room = out->n < want ? (size_t)want - out->n : 1;
		if (room > 65536)
			room = 65536;
		uint8_t *dst = buf_reserve(out, room);
		if (!dst)
			break;
		ZSTD_outBuffer ob = {dst, room, 0};
		size_t in_before = in.pos;
		zr = ZSTD_decompressStream(zd, &ob, &in);
		out->n += ob.pos;
		if (ZSTD_isError(zr) || out->n > want)
			break;
		if (ob.pos == 0 && in.pos == in_before)
			break;	/* no progress: truncated input */
	}
	ZSTD_freeDStream(zd);
	if (ZSTD_isError(zr))
		return err_set_at(&d->err, ERR_PROTO, ev->pos,
				  "Transaction_payload event: zstd: %s",
				  ZSTD_getErrorName(zr));
	if (zr != 0 || out->n != want)
		return err_set_at(&d->err, ERR_PROTO, ev->pos,
				  "Transaction_payload event: %zu bytes "
				  "uncompressed, %llu announced",
				  out->n, (unsigned long long)want);
	return 0;
}

int bl__payload_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev)
{
	ev->payload.compression = 255;
	for (;;) {
		uint64_t id = rd_lenenc(r, NULL);
		if (r->err)
			return bl__rd_error(d, r, "Transaction_payload event");
		if (id == 0)
			break;
		uint64_t len = rd_lenenc(r, NULL);
		if (len > rd_left(r))
			return err_set_at(&d->err, ERR_TRUNC, rd_offset(r),
					  "Transaction_payload event: truncated");
		struct rd f = rd_sub(r, (size_t)len);
		uint64_t v = rd_lenenc(&f, NULL);
		switch (id) {
		case 1:
			ev->payload.size = v;
			break;
		case 2:
			ev->payload.compression = (uint32_t)v;
			break;
		case 3:
			ev->payload.uncompressed_size = v;
			break;
		default:
			break;	/* unknown fields are length-prefixed: skip */
		}
	}
	struct bytes z = rd_rest(r);
	if (ev->payload.size && ev->payload.size != z.n)
		return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
				  "Transaction_payload event: payload size %llu "
				  "but %zu bytes present",
				  (unsigned long long)ev->payload.size, z.n);
	buf_reset(&d->payload);
	if (ev->payload.compression == 255) {
		buf_put(&d->payload, z.p, z.n);
	} else if (ev->payload.compression == 0) {
		int rc = zstd_stream(d, z, ev);
		if (rc)
			return rc;
	} else {
		return err_set_at(&d->err, ERR_UNSUPPORTED, ev->pos,
				  "Transaction_payload event: compression type "
				  "%u is not supported",
				  ev->payload.compression);
	}
	d->payload_off = 0;
	d->in_payload = true;
	d->payload_pos = ev->pos;
	d->payload_end = ev->end_pos;
	return 0;
}
