/*
 * Event decoding: the common header, checksums, FORMAT_DESCRIPTION and
 * every non-row event.  TABLE_MAP lives in tablemap.c, row events in
 * rows.c.  Layouts: docs/binlog.md (sections named after the events).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "base/xalloc.h"
#include "binlog/decoder_int.h"

struct bl_decoder *bl_decoder_new(unsigned flags)
{
	struct bl_decoder *d = xcalloc(1, sizeof(*d));
	d->flags = flags;
	arena_init(&d->ev, 256 * 1024);
	buf_init(&d->payload, BL_MAX_EVENT);
	buf_init(&d->scratch, BL_MAX_EVENT);
	d->checksum = BL_CHECKSUM_OFF;
	return d;
}

void bl_decoder_free(struct bl_decoder *d)
{
	if (!d)
		return;
	bl__tables_clear(d);
	free(d->slots);
	arena_release(&d->ev);
	buf_release(&d->payload);
	buf_release(&d->scratch);
	free(d->rowv);
	free(d);
}

const struct err *bl_decoder_err(const struct bl_decoder *d)
{
	return &d->err;
}

enum bl_checksum bl_decoder_checksum(const struct bl_decoder *d)
{
	return (enum bl_checksum)d->checksum;
}

void bl_decoder_set_checksum(struct bl_decoder *d, enum bl_checksum alg)
{
	d->checksum = (uint8_t)alg;
}

const char *bl_decoder_gtid(const struct bl_decoder *d)
{
	return d->gtid;
}

bool bl__crc_ok(const uint8_t *p, size_t n)
{
	if (n < 4)
		return false;
	struct rd r;
	rd_init(&r, p + n - 4, 4);
	uint32_t want = rd_u32le(&r);
	uLong c = crc32(0L, Z_NULL, 0);
	size_t left = n - 4;
	const uint8_t *q = p;
	while (left) {
		uInt k = left > (1u << 30) ? (1u << 30) : (uInt)left;
		c = crc32(c, q, k);
		q += k;
		left -= k;
	}
	return (uint32_t)c == want;
}

/*
 * The server clears LOG_EVENT_BINLOG_IN_USE_F (0x1) in the FDE flags when
 * it closes a binlog, without recomputing the checksum, which was taken
 * with the flag clear: verify with the flag clear.
 */
static bool fde_crc_ok(const uint8_t *p, size_t n)
{
	if (n < BL_HEADER_LEN + 4)
		return false;
	uint8_t head[BL_HEADER_LEN];
	memcpy(head, p, BL_HEADER_LEN);
	head[17] &= (uint8_t)~0x01;
	uLong c = crc32(0L, Z_NULL, 0);
	c = crc32(c, head, BL_HEADER_LEN);
	c = crc32(c, p + BL_HEADER_LEN, (uInt)(n - BL_HEADER_LEN - 4));
	struct rd r;
	rd_init(&r, p + n - 4, 4);
	return (uint32_t)c == rd_u32le(&r);
}

/* Reader failure to decoder error, with the event type and offset. */
static int rd_error(struct bl_decoder *d, struct rd *r, const char *what)
{
	int code = r->err ? -r->err : ERR_PROTO;
	return err_set_at(&d->err, code, r->err ? r->err_off : rd_offset(r),
			  "%s: %s", what,
			  code == ERR_TRUNC ? "truncated" : "malformed");
}

/* Parse "5.6.1-log" into a comparable number (5 * 10000 + 6 * 100 + 1). */
static unsigned version_number(const char *v)
{
	unsigned part[3] = {0, 0, 0};
	int i = 0;
	for (const char *s = v; *s && i < 3; s++) {
		if (*s >= '0' && *s <= '9') {
			part[i] = part[i] * 10 + (unsigned)(*s - '0');
			if (part[i] > 999)
				part[i] = 999;
		} else if (*s == '.') {
			i++;
		} else {
			break;
		}
	}
	return part[0] * 10000 + part[1] * 100 + part[2];
}

/*
 * FORMAT_DESCRIPTION body: binlog_version(2) server_version(50)
 * create_timestamp(4) header_length(1) post_header_lengths(n)
 * [checksum_alg(1) crc(4) when the server knows checksums].
 */
static int decode_fde(struct bl_decoder *d, const uint8_t *p, size_t n,
		      uint64_t pos, struct bl_event *ev)
{
	struct rd r;
	rd_init_at(&r, p + BL_HEADER_LEN, n - BL_HEADER_LEN, pos + BL_HEADER_LEN);
	ev->fde.binlog_version = rd_u16le(&r);
	struct bytes sv = rd_bytes(&r, 50);
	ev->fde.created = rd_u32le(&r);
	ev->fde.header_len = rd_u8(&r);
	if (r.err)
		return rd_error(d, &r, "Format_desc event");
	if (ev->fde.binlog_version != 4)
		return err_set_at(&d->err, ERR_UNSUPPORTED, pos,
				  "binlog format version %u is not supported "
				  "(only v4, MySQL 5.0 and later)",
				  ev->fde.binlog_version);
	if (ev->fde.header_len != BL_HEADER_LEN)
		return err_set_at(&d->err, ERR_UNSUPPORTED, pos,
				  "event header length %u is not supported",
				  ev->fde.header_len);
	size_t svn = strnlen((const char *)sv.p, 50);
	memcpy(ev->fde.server_version, sv.p, svn);
	ev->fde.server_version[svn] = 0;
	ev->fde.is_mariadb = strstr(ev->fde.server_version, "MariaDB") != NULL;
	unsigned ver = version_number(ev->fde.server_version);
	bool has_alg = ev->fde.is_mariadb ? ver >= 50300 : ver >= 50601;
	size_t left = rd_left(&r);
	size_t nph = left;
	if (has_alg) {
		if (left < 5)
			return err_set_at(&d->err, ERR_TRUNC, pos,
					  "Format_desc event: truncated");
		nph = left - 5;
	}
	struct bytes ph = rd_bytes(&r, nph);
	uint8_t alg = BL_CHECKSUM_OFF;
	if (has_alg)
		alg = rd_u8(&r);
	if (r.err)
		return rd_error(d, &r, "Format_desc event");
	if (alg != BL_CHECKSUM_OFF && alg != BL_CHECKSUM_CRC32 &&
	    alg != BL_CHECKSUM_UNDEF)
		return err_set_at(&d->err, ERR_UNSUPPORTED, pos,
				  "unknown checksum algorithm %u", alg);
	if (alg == BL_CHECKSUM_UNDEF)
		alg = BL_CHECKSUM_OFF;
	if (alg == BL_CHECKSUM_CRC32) {
		ev->checksum_ok = fde_crc_ok(p, n);
		if (!ev->checksum_ok && !(d->flags & BL_NO_VERIFY_CHECKSUM))
			return err_set_at(&d->err, ERR_CHECKSUM, pos,
					  "checksum mismatch in Format_desc event");
	}
	ev->fde.checksum_alg = alg;
	d->checksum = alg;
	d->have_fde = true;
	d->binlog_version = 4;
	d->is_mariadb = ev->fde.is_mariadb;
	memset(d->post_header, 0, sizeof(d->post_header));
	d->n_post_header = (uint32_t)(nph > 255 ? 255 : nph);
	/* post_header[type] for type 1..n */
	for (size_t i = 0; i < d->n_post_header; i++)
		d->post_header[i + 1] = ph.p[i];
	/* a new FDE starts a new file: table ids are no longer valid */
	return 0;
}

static uint8_t post_header_len(struct bl_decoder *d, uint8_t type,
			       uint8_t dflt)
{
	if (d->have_fde && type <= d->n_post_header && d->post_header[type])
		return d->post_header[type];
	return dflt;
}

static void set_text(struct bl_decoder *d, const char **dst, struct buf *b)
{
	*dst = arena_strndup(&d->ev, (const char *)b->p ? (const char *)b->p : "",
			     b->n);
}

static void put_uuid(struct buf *b, const uint8_t *u)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf_putc(b, '-');
		buf_putc(b, hex[u[i] >> 4]);
		buf_putc(b, hex[u[i] & 15]);
	}
}

/*
 * QUERY post-header: thread_id(4) exec_time(4) db_len(1) error_code(2)
 * status_vars_len(2); body: status vars, db NUL, query (rest).
 */
static int decode_status_vars(struct bl_decoder *d, struct rd *s,
			      struct bl_event *ev)
{
	while (rd_left(s) && !s->err) {
		uint8_t key = rd_u8(s);
		switch (key) {
		case 0: /* Q_FLAGS2_CODE */
			ev->query.has_flags2 = true;
			ev->query.flags2 = rd_u32le(s);
			break;
		case 1: /* Q_SQL_MODE_CODE */
			ev->query.has_sql_mode = true;
			ev->query.sql_mode = rd_u64le(s);
			break;
		case 2: { /* Q_CATALOG_CODE (old): len, bytes, NUL */
			uint8_t n = rd_u8(s);
			ev->query.has_catalog = true;
			ev->query.catalog = rd_bytes(s, n);
			rd_skip(s, 1);
			break;
		}
		case 3: /* Q_AUTO_INCREMENT */
			ev->query.has_auto_inc = true;
			ev->query.auto_inc_increment = rd_u16le(s);
			ev->query.auto_inc_offset = rd_u16le(s);
			break;
		case 4: /* Q_CHARSET_CODE */
			ev->query.has_charset = true;
			ev->query.charset_client = rd_u16le(s);
			ev->query.collation_connection = rd_u16le(s);
			ev->query.collation_server = rd_u16le(s);
			break;
		case 5: { /* Q_TIME_ZONE_CODE */
			uint8_t n = rd_u8(s);
			ev->query.has_time_zone = true;
			ev->query.time_zone = rd_bytes(s, n);
			break;
		}
		case 6: { /* Q_CATALOG_NZ_CODE */
			uint8_t n = rd_u8(s);
			ev->query.has_catalog = true;
			ev->query.catalog = rd_bytes(s, n);
			break;
		}
		case 7: /* Q_LC_TIME_NAMES_CODE */
			ev->query.has_lc_time = true;
			ev->query.lc_time_names = rd_u16le(s);
			break;
		case 8: /* Q_CHARSET_DATABASE_CODE */
			ev->query.has_collation_database = true;
			ev->query.collation_database = rd_u16le(s);
			break;
		case 9: /* Q_TABLE_MAP_FOR_UPDATE_CODE */
			ev->query.has_table_map_for_update = true;
			rd_skip(s, 8);
			break;
		case 10: /* Q_MASTER_DATA_WRITTEN_CODE */
			rd_skip(s, 4);
			break;
		case 11: { /* Q_INVOKER: user, host (1-byte lengths) */
			uint8_t n = rd_u8(s);
			ev->query.user = rd_bytes(s, n);
			n = rd_u8(s);
			ev->query.host = rd_bytes(s, n);
			break;
		}
		case 12: { /* Q_UPDATED_DB_NAMES */
			uint8_t n = rd_u8(s);
			if (n == 254) /* OVER_MAX_DBS_IN_EVENT_MTS */
				break;
			for (unsigned i = 0; i < n && !s->err; i++)
				rd_cstr(s);
			break;
		}
		case 13: /* Q_MICROSECONDS */
			rd_skip(s, 3);
			break;
		case 14: /* Q_COMMIT_TS */
		case 15: /* Q_COMMIT_TS2 */
			rd_skip(s, 8);
			break;
		case 16: /* Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP */
			rd_skip(s, 1);
			break;
		case 17: /* Q_DDL_LOGGED_WITH_XID */
			ev->query.has_ddl_xid = true;
			ev->query.ddl_xid = rd_u64le(s);
			break;
		case 18: /* Q_DEFAULT_COLLATION_FOR_UTF8MB4 */
			rd_skip(s, 2);
			break;
		case 19: /* Q_SQL_REQUIRE_PRIMARY_KEY */
		case 20: /* Q_DEFAULT_TABLE_ENCRYPTION */
			rd_skip(s, 1);
			break;
		case 128: /* MariaDB Q_HRNOW */
			rd_skip(s, 3);
			break;
		case 129: /* MariaDB Q_XID */
			ev->query.has_ddl_xid = true;
			ev->query.ddl_xid = rd_u64le(s);
			break;
		case 130: /* MariaDB Q_GTID_FLAGS3 */
			rd_skip(s, 1);
			break;
		default:
			/*
			 * Unknown status variable: its length is unknown, so
			 * the rest of the block cannot be interpreted.  The
			 * block has its own length, so the query text is
			 * still found; stop here.
			 */
			return 0;
		}
	}
	if (s->err)
		return rd_error(d, s, "Query event status variables");
	return 0;
}

static int decode_query(struct bl_decoder *d, struct rd *r, struct bl_event *ev,
			bool compressed)
{
	uint8_t phl = post_header_len(d, ev->h.type, 13);
	struct rd ph = rd_sub(r, phl);
	ev->query.thread_id = rd_u32le(&ph);
	ev->query.exec_time = rd_u32le(&ph);
	uint8_t dblen = rd_u8(&ph);
	ev->query.error_code = rd_u16le(&ph);
	uint16_t svlen = phl >= 13 ? rd_u16le(&ph) : 0;
	if (ph.err || r->err)
		return rd_error(d, ph.err ? &ph : r, "Query event");
	struct rd sv = rd_sub(r, svlen);
	if (r->err)
		return rd_error(d, r, "Query event");
	int rc = decode_status_vars(d, &sv, ev);
	if (rc)
		return rc;
	ev->query.schema = rd_bytes(r, dblen);
	rd_skip(r, 1); /* NUL */
	if (r->err)
		return rd_error(d, r, "Query event");
	ev->query.compressed = compressed;
	if (!compressed) {
		ev->query.query = rd_rest(r);
		return 0;
	}
	buf_reset(&d->scratch);
	rc = bl__maria_uncompress(d, r, &d->scratch);
	if (rc)
		return rc;
	ev->query.query.p = arena_memdup(&d->ev, d->scratch.p, d->scratch.n);
	ev->query.query.n = d->scratch.n;
	return 0;
}

int bl__maria_uncompress(struct bl_decoder *d, struct rd *r, struct buf *out)
{
	/* header: 0x80 | lenlen (1..4), then the length big-endian */
	uint64_t at = rd_offset(r);
	uint8_t h = rd_u8(r);
	unsigned lenlen = h & 0x07;
	if (r->err)
		return rd_error(d, r, "compressed event");
	if (lenlen < 1 || lenlen > 4)
		return err_set_at(&d->err, ERR_PROTO, at,
				  "compressed event: bad header byte 0x%02x", h);
	uint64_t ulen = rd_uNbe(r, lenlen);
	struct bytes z = rd_rest(r);
	if (r->err)
		return rd_error(d, r, "compressed event");
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

/* MySQL GTID / ANONYMOUS_GTID (33/34), fixed layout with optional tails. */
static int decode_gtid(struct bl_decoder *d, struct rd *r, struct bl_event *ev)
{
	ev->gtid.anonymous = ev->h.type == BL_ANONYMOUS_GTID_LOG_EVENT;
	ev->gtid.flags = rd_u8(r);
	struct bytes u = rd_bytes(r, 16);
	ev->gtid.gtid.gno = rd_u64le(r);
	if (r->err)
		return rd_error(d, r, "Gtid event");
	memcpy(ev->gtid.gtid.uuid, u.p, 16);
	if (rd_left(r) >= 17 && r->p[0] == 2) { /* LOGICAL_TIMESTAMP_TYPECODE */
		rd_skip(r, 1);
		ev->gtid.has_logical_ts = true;
		ev->gtid.last_committed = (int64_t)rd_u64le(r);
		ev->gtid.sequence_number = (int64_t)rd_u64le(r);
	}
	if (rd_left(r) >= 7) {
		uint64_t ts = rd_uNle(r, 7);
		ev->gtid.has_commit_ts = true;
		ev->gtid.immediate_commit_ts = ts & ~(1ull << 55);
		ev->gtid.original_commit_ts = ev->gtid.immediate_commit_ts;
		if (ts & (1ull << 55))
			ev->gtid.original_commit_ts = rd_uNle(r, 7);
	}
	if (rd_left(r) >= 1) {
		ev->gtid.has_tx_length = true;
		ev->gtid.tx_length = rd_lenenc(r, NULL);
	}
	if (rd_left(r) >= 4) {
		uint32_t v = rd_u32le(r);
		ev->gtid.has_server_version = true;
		ev->gtid.immediate_server_version = v & 0x7fffffffu;
		ev->gtid.original_server_version = v & 0x7fffffffu;
		if (v & 0x80000000u)
			ev->gtid.original_server_version = rd_u32le(r);
	}
	/* commit_group_ticket(8) may follow (8.0.33+): appended fields allowed */
	if (r->err)
		return rd_error(d, r, "Gtid event");
	struct buf b;
	buf_init(&b, 128);
	put_uuid(&b, u.p);
	buf_putc(&b, ':');
	buf_put_u64dec(&b, ev->gtid.gtid.gno);
	set_text(d, &ev->gtid.text, &b);
	buf_release(&b);
	if (ev->gtid.anonymous)
		d->gtid[0] = 0;
	else
		snprintf(d->gtid, sizeof(d->gtid), "%s", ev->gtid.text);
	return 0;
}

/*
 * mysql::serialization message (MySQL 8.4+): format_version, message
 * size, last non-ignorable field id, then (field id, value) pairs.
 * Integers are varlen (signed ones zigzag), strings varlen length +
 * bytes, fixed arrays one varlen per element.
 */
static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int decode_gtid_tagged(struct bl_decoder *d, struct rd *r,
			      struct bl_event *ev)
{
	ev->gtid.tagged = true;
	rd_varlen(r); /* format version */
	uint64_t size = rd_varlen(r);
	uint64_t last_ni = rd_varlen(r);
	(void)size;
	while (rd_left(r) && !r->err) {
		uint64_t id = rd_varlen(r);
		switch (id) {
		case 0:
			ev->gtid.flags = (uint8_t)rd_varlen(r);
			break;
		case 1:
			for (int i = 0; i < 16; i++)
				ev->gtid.gtid.uuid[i] = (uint8_t)rd_varlen(r);
			break;
		case 2:
			ev->gtid.gtid.gno = (uint64_t)unzigzag(rd_varlen(r));
			break;
		case 3: {
			uint64_t n = rd_varlen(r);
			if (n > 32)
				return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
						  "Gtid_tagged event: tag of %llu bytes",
						  (unsigned long long)n);
			struct bytes t = rd_bytes(r, (size_t)n);
			if (t.p)
				memcpy(ev->gtid.gtid.tag, t.p, t.n);
			ev->gtid.gtid.tag[t.n] = 0;
			break;
		}
		case 4:
			ev->gtid.has_logical_ts = true;
			ev->gtid.last_committed = unzigzag(rd_varlen(r));
			break;
		case 5:
			ev->gtid.sequence_number = unzigzag(rd_varlen(r));
			break;
		case 6:
			ev->gtid.has_commit_ts = true;
			ev->gtid.immediate_commit_ts = rd_varlen(r);
			ev->gtid.original_commit_ts = ev->gtid.immediate_commit_ts;
			break;
		case 7:
			ev->gtid.original_commit_ts = rd_varlen(r);
			break;
		case 8:
			ev->gtid.has_tx_length = true;
			ev->gtid.tx_length = rd_varlen(r);
			break;
		case 9:
			ev->gtid.has_server_version = true;
			ev->gtid.immediate_server_version = (uint32_t)rd_varlen(r);
			ev->gtid.original_server_version =
				ev->gtid.immediate_server_version;
			break;
		case 10:
			ev->gtid.original_server_version = (uint32_t)rd_varlen(r);
			break;
		case 11: /* commit_group_ticket */
			rd_varlen(r);
			break;
		default:
			if (id > last_ni) {
				/* an ignorable field added by a later version */
				rd_rest(r);
				break;
			}
			return err_set_at(&d->err, ERR_UNSUPPORTED, rd_offset(r),
					  "Gtid_tagged event: unknown field %llu",
					  (unsigned long long)id);
		}
	}
	if (r->err)
		return rd_error(d, r, "Gtid_tagged event");
	struct buf b;
	buf_init(&b, 128);
	put_uuid(&b, ev->gtid.gtid.uuid);
	if (ev->gtid.gtid.tag[0]) {
		buf_putc(&b, ':');
		buf_puts(&b, ev->gtid.gtid.tag);
	}
	buf_putc(&b, ':');
	buf_put_u64dec(&b, ev->gtid.gtid.gno);
	set_text(d, &ev->gtid.text, &b);
	buf_release(&b);
	snprintf(d->gtid, sizeof(d->gtid), "%s", ev->gtid.text);
	return 0;
}

/*
 * PREVIOUS_GTIDS: n_sids(8) — in the tagged format (8.4+) the top byte
 * is 1 and n_sids sits in bits 8..55 — then per sid: uuid(16)
 * [tag: varlen length + bytes] n_intervals(8) (start(8) end(8))*, end
 * exclusive.
 */
static int decode_previous_gtids(struct bl_decoder *d, struct rd *r,
				 struct bl_event *ev)
{
	uint64_t head = rd_u64le(r);
	bool tagged = (head >> 56) == 1;
	uint64_t nsids = tagged ? (head >> 8) & 0xffffffffffffull
				: head & 0x00ffffffffffffffull;
	if (r->err)
		return rd_error(d, r, "Previous_gtids event");
	if (nsids > rd_left(r) / 24)
		return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
				  "Previous_gtids event: %llu sids do not fit",
				  (unsigned long long)nsids);
	struct buf b;
	buf_init(&b, 0);
	for (uint64_t i = 0; i < nsids && !r->err; i++) {
		struct bytes u = rd_bytes(r, 16);
		struct bytes tag = {0, 0};
		if (tagged) {
			uint64_t tn = rd_varlen(r);
			if (tn > 32) {
				buf_release(&b);
				return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
						  "Previous_gtids event: tag of "
						  "%llu bytes",
						  (unsigned long long)tn);
			}
			tag = rd_bytes(r, (size_t)tn);
		}
		uint64_t nint = rd_u64le(r);
		if (r->err)
			break;
		if (nint > rd_left(r) / 16) {
			buf_release(&b);
			return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
					  "Previous_gtids event: %llu intervals "
					  "do not fit",
					  (unsigned long long)nint);
		}
		if (i)
			buf_putc(&b, ',');
		put_uuid(&b, u.p);
		if (tag.n) {
			buf_putc(&b, ':');
			buf_put(&b, tag.p, tag.n);
		}
		for (uint64_t k = 0; k < nint; k++) {
			uint64_t s = rd_u64le(r), e = rd_u64le(r);
			buf_putc(&b, ':');
			buf_put_u64dec(&b, s);
			if (e > s + 1) {
				buf_putc(&b, '-');
				buf_put_u64dec(&b, e - 1);
			}
		}
	}
	if (r->err) {
		buf_release(&b);
		return rd_error(d, r, "Previous_gtids event");
	}
	set_text(d, &ev->gtid_set.text, &b);
	buf_release(&b);
	return 0;
}

/* MariaDB GTID (162): seq_no(8) domain_id(4) flags(1) [commit_id(8) | xid]. */
static int decode_maria_gtid(struct bl_decoder *d, struct rd *r,
			     struct bl_event *ev)
{
	ev->maria_gtid.seq_no = rd_u64le(r);
	ev->maria_gtid.domain_id = rd_u32le(r);
	ev->maria_gtid.flags = rd_u8(r);
	if (r->err)
		return rd_error(d, r, "Gtid event");
	ev->maria_gtid.standalone = ev->maria_gtid.flags & 1;
	if ((ev->maria_gtid.flags & 2) && rd_left(r) >= 8) {
		ev->maria_gtid.has_commit_id = true;
		ev->maria_gtid.commit_id = rd_u64le(r);
	}
	/* XA xid and flags_extra may follow; appended fields are allowed */
	char t[80];
	snprintf(t, sizeof(t), "%u-%u-%llu", ev->maria_gtid.domain_id,
		 ev->h.server_id, (unsigned long long)ev->maria_gtid.seq_no);
	ev->maria_gtid.text = arena_strndup(&d->ev, t, strlen(t));
	snprintf(d->gtid, sizeof(d->gtid), "%s", t);
	return 0;
}

/* MariaDB GTID_LIST (163): count(4, low 28 bits) then (domain, server, seq). */
static int decode_maria_gtid_list(struct bl_decoder *d, struct rd *r,
				  struct bl_event *ev)
{
	uint32_t v = rd_u32le(r);
	if (r->err)
		return rd_error(d, r, "Gtid_list event");
	uint32_t count = v & 0x0fffffff;
	ev->maria_gtid_list.count = count;
	ev->maria_gtid_list.flags = (uint8_t)(v >> 28);
	if (count > rd_left(r) / 16)
		return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
				  "Gtid_list event: %u entries do not fit", count);
	struct buf b;
	buf_init(&b, 0);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t dom = rd_u32le(r), srv = rd_u32le(r);
		uint64_t seq = rd_u64le(r);
		buf_printf(&b, "%s%u-%u-%llu", i ? "," : "", dom, srv,
			   (unsigned long long)seq);
	}
	set_text(d, &ev->maria_gtid_list.text, &b);
	buf_release(&b);
	return 0;
}

/* USER_VAR: name_len(4) name is_null(1) [type(1) charset(4) len(4) value] [flags(1)] */
static int decode_user_var(struct bl_decoder *d, struct rd *r,
			   struct bl_event *ev)
{
	uint32_t n = rd_u32le(r);
	ev->user_var.name = rd_bytes(r, n);
	ev->user_var.is_null = rd_u8(r) != 0;
	if (!ev->user_var.is_null) {
		ev->user_var.type = rd_u8(r);
		ev->user_var.charset = rd_u32le(r);
		uint32_t vl = rd_u32le(r);
		ev->user_var.value = rd_bytes(r, vl);
		if (rd_left(r))
			ev->user_var.flags = rd_u8(r);
	}
	if (r->err)
		return rd_error(d, r, "User_var event");
	struct buf b;
	buf_init(&b, 0);
	struct bytes v = ev->user_var.value;
	struct rd vr;
	rd_init(&vr, v.p, v.n);
	if (ev->user_var.is_null) {
		buf_puts(&b, "NULL");
	} else if (ev->user_var.type == 1 && v.n == 8) { /* REAL_RESULT */
		uint64_t bits = rd_u64le(&vr);
		double dv;
		memcpy(&dv, &bits, 8);
		buf_printf(&b, "%.17g", dv);
	} else if (ev->user_var.type == 2 && v.n == 8) { /* INT_RESULT */
		uint64_t u = rd_u64le(&vr);
		if (ev->user_var.flags & 1)
			buf_put_u64dec(&b, u);
		else
			buf_put_i64dec(&b, (int64_t)u);
	} else if (ev->user_var.type == 4 && v.n >= 2) { /* DECIMAL_RESULT */
		uint8_t prec = rd_u8(&vr), scale = rd_u8(&vr);
		struct bl_column c = {0};
		c.type = BL_TYPE_NEWDECIMAL;
		c.meta = (uint16_t)(prec << 8 | scale);
		struct bl_value val;
		struct err e = {0};
		memset(&val, 0, sizeof(val));
		if (bl__value_decode(&vr, &c, &val, &d->ev, &e) == 0)
			buf_put(&b, val.s.p, val.s.n);
		else
			buf_puts(&b, "(bad decimal)");
	} else {
		/* STRING_RESULT: charset-converted text, hex when not valid */
		if (bl_text_to_utf8(&b, (uint16_t)ev->user_var.charset, v.p,
				    v.n) != 0) {
			buf_reset(&b);
			buf_puts(&b, "0x");
			for (size_t i = 0; i < v.n; i++)
				buf_printf(&b, "%02x", v.p[i]);
		}
	}
	set_text(d, &ev->user_var.text, &b);
	buf_release(&b);
	return 0;
}

/* HEARTBEAT_V2: serialization message with log_filename(0), log_position(1). */
static int decode_heartbeat_v2(struct bl_decoder *d, struct rd *r,
			       struct bl_event *ev)
{
	rd_varlen(r);
	rd_varlen(r);
	uint64_t last_ni = rd_varlen(r);
	while (rd_left(r) && !r->err) {
		uint64_t id = rd_varlen(r);
		if (id == 0) {
			uint64_t n = rd_varlen(r);
			if (n > rd_left(r))
				return err_set_at(&d->err, ERR_TRUNC, rd_offset(r),
						  "Heartbeat_v2 event: truncated");
			ev->heartbeat.file = rd_bytes(r, (size_t)n);
		} else if (id == 1) {
			ev->heartbeat.pos = rd_varlen(r);
		} else if (id > last_ni) {
			rd_rest(r);
		} else {
			return err_set_at(&d->err, ERR_UNSUPPORTED, rd_offset(r),
					  "Heartbeat_v2 event: unknown field %llu",
					  (unsigned long long)id);
		}
	}
	if (r->err)
		return rd_error(d, r, "Heartbeat_v2 event");
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

static int decode_payload(struct bl_decoder *d, struct rd *r,
			  struct bl_event *ev)
{
	ev->payload.compression = 255;
	for (;;) {
		uint64_t id = rd_lenenc(r, NULL);
		if (r->err)
			return rd_error(d, r, "Transaction_payload event");
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

static int decode_header(struct bl_decoder *d, struct rd *r,
			 struct bl_header *h)
{
	h->timestamp = rd_u32le(r);
	h->type = rd_u8(r);
	h->server_id = rd_u32le(r);
	h->event_size = rd_u32le(r);
	h->log_pos = rd_u32le(r);
	h->flags = rd_u16le(r);
	if (r->err)
		return rd_error(d, r, "event header");
	return 0;
}

/* Decode the body of an event whose header and checksum are settled. */
static int decode_body(struct bl_decoder *d, struct rd *r, struct bl_event *ev)
{
	uint8_t t = ev->h.type;
	if (d->encrypted)
		return err_set_at(&d->err, ERR_UNSUPPORTED, ev->pos,
				  "encrypted binlog: event at %llu cannot be "
				  "decoded (binlog encryption is not supported)",
				  (unsigned long long)ev->pos);
	if (bl_event_is_rows(t))
		return bl__rows_decode(d, r, ev);
	switch (t) {
	case BL_QUERY_EVENT:
		return decode_query(d, r, ev, false);
	case BL_MARIA_QUERY_COMPRESSED_EVENT:
		return decode_query(d, r, ev, true);
	case BL_ROTATE_EVENT: {
		uint8_t phl = post_header_len(d, t, 8);
		ev->rotate.pos = phl >= 8 ? rd_u64le(r) : 4;
		ev->rotate.file = rd_rest(r);
		ev->rotate.fake = ev->h.timestamp == 0 || ev->h.log_pos == 0;
		break;
	}
	case BL_STOP_EVENT:
	case BL_IGNORABLE_LOG_EVENT:
	case BL_TRANSACTION_CONTEXT_EVENT:
	case BL_VIEW_CHANGE_EVENT:
	case BL_XA_PREPARE_LOG_EVENT:
		rd_rest(r);
		break;
	case BL_XID_EVENT:
		ev->xid.xid = rd_u64le(r);
		break;
	case BL_INTVAR_EVENT:
		ev->intvar.type = rd_u8(r);
		ev->intvar.value = rd_u64le(r);
		break;
	case BL_RAND_EVENT:
		ev->rand.seed1 = rd_u64le(r);
		ev->rand.seed2 = rd_u64le(r);
		break;
	case BL_USER_VAR_EVENT:
		return decode_user_var(d, r, ev);
	case BL_TABLE_MAP_EVENT:
		return bl__tablemap_decode(d, r, ev);
	case BL_INCIDENT_EVENT: {
		ev->incident.type = rd_u16le(r);
		uint8_t n = rd_u8(r);
		ev->incident.message = rd_bytes(r, n);
		break;
	}
	case BL_HEARTBEAT_LOG_EVENT:
		ev->heartbeat.pos = ev->h.log_pos;
		ev->heartbeat.file = rd_rest(r);
		break;
	case BL_HEARTBEAT_LOG_EVENT_V2:
		return decode_heartbeat_v2(d, r, ev);
	case BL_ROWS_QUERY_LOG_EVENT:
		rd_skip(r, 1); /* length byte, unreliable past 255 */
		ev->rows_query.query = rd_rest(r);
		break;
	case BL_MARIA_ANNOTATE_ROWS_EVENT:
		ev->rows_query.query = rd_rest(r);
		break;
	case BL_GTID_LOG_EVENT:
	case BL_ANONYMOUS_GTID_LOG_EVENT:
		return decode_gtid(d, r, ev);
	case BL_GTID_TAGGED_LOG_EVENT:
		return decode_gtid_tagged(d, r, ev);
	case BL_PREVIOUS_GTIDS_LOG_EVENT:
		return decode_previous_gtids(d, r, ev);
	case BL_TRANSACTION_PAYLOAD_EVENT:
		if (ev->in_payload)
			return err_set_at(&d->err, ERR_PROTO, ev->pos,
					  "Transaction_payload event nested "
					  "in a payload");
		return decode_payload(d, r, ev);
	case BL_MARIA_GTID_EVENT:
		return decode_maria_gtid(d, r, ev);
	case BL_MARIA_GTID_LIST_EVENT:
		return decode_maria_gtid_list(d, r, ev);
	case BL_MARIA_BINLOG_CHECKPOINT_EVENT: {
		uint32_t n = rd_u32le(r);
		ev->checkpoint.file = rd_bytes(r, n);
		break;
	}
	case BL_MARIA_START_ENCRYPTION_EVENT:
		ev->encryption.scheme = rd_u8(r);
		ev->encryption.key_version = rd_u32le(r);
		rd_rest(r);
		if (!r->err)
			d->encrypted = true;
		break;
	case BL_START_EVENT_V3:
		return err_set_at(&d->err, ERR_UNSUPPORTED, ev->pos,
				  "binlog format v1/v3 (Start_v3 event, MySQL "
				  "before 5.0) is not supported");
	case BL_LOAD_EVENT:
	case BL_SLAVE_EVENT:
	case BL_CREATE_FILE_EVENT:
	case BL_APPEND_BLOCK_EVENT:
	case BL_EXEC_LOAD_EVENT:
	case BL_DELETE_FILE_EVENT:
	case BL_NEW_LOAD_EVENT:
	case BL_BEGIN_LOAD_QUERY_EVENT:
	case BL_EXECUTE_LOAD_QUERY_EVENT:
		/* LOAD DATA under statement format: shown, not interpreted */
		rd_rest(r);
		break;
	default:
		if (ev->h.flags & BL_LOG_EVENT_IGNORABLE_F) {
			rd_rest(r);
			break;
		}
		return err_set_at(&d->err, ERR_UNSUPPORTED, ev->pos,
				  "unknown event type %u at offset %llu (not "
				  "marked ignorable)",
				  t, (unsigned long long)ev->pos);
	}
	if (r->err)
		return rd_error(d, r, bl_event_type_name(t));
	return 0;
}

static int decode_one(struct bl_decoder *d, const uint8_t *p, size_t n,
		      uint64_t pos, struct bl_event *ev, bool inner)
{
	memset(ev, 0, sizeof(*ev));
	ev->pos = pos;
	ev->in_payload = inner;
	struct rd r;
	rd_init_at(&r, p, n, pos);
	int rc = decode_header(d, &r, &ev->h);
	if (rc)
		return rc;
	if (ev->h.event_size != n)
		return err_set_at(&d->err, ERR_PROTO, pos,
				  "event size %u does not match the %zu bytes "
				  "available",
				  ev->h.event_size, n);
	ev->end_pos = pos + n;
	if (ev->h.type == BL_FORMAT_DESCRIPTION_EVENT && !inner) {
		memset(&ev->fde, 0, sizeof(ev->fde));
		return decode_fde(d, p, n, pos, ev);
	}
	size_t body = n - BL_HEADER_LEN;
	if (!inner && d->checksum == BL_CHECKSUM_CRC32) {
		if (body < 4)
			return err_set_at(&d->err, ERR_TRUNC, pos,
					  "%s event: too short for its checksum",
					  bl_event_type_name(ev->h.type));
		body -= 4;
		ev->checksum_ok = bl__crc_ok(p, n);
		if (!ev->checksum_ok && !(d->flags & BL_NO_VERIFY_CHECKSUM))
			return err_set_at(&d->err, ERR_CHECKSUM, pos,
					  "checksum mismatch in %s event",
					  bl_event_type_name(ev->h.type));
	}
	struct rd b = rd_sub(&r, body);
	return decode_body(d, &b, ev);
}

int bl_decode(struct bl_decoder *d, const uint8_t *p, size_t n, uint64_t pos,
	      struct bl_event *ev)
{
	arena_reset(&d->ev);
	err_clear(&d->err);
	d->in_payload = false;
	if (n < BL_HEADER_LEN)
		return err_set_at(&d->err, ERR_TRUNC, pos,
				  "event of %zu bytes is shorter than its header",
				  n);
	return decode_one(d, p, n, pos, ev, false);
}

int bl_decoder_next_inner(struct bl_decoder *d, struct bl_event *ev)
{
	if (!d->in_payload)
		return 0;
	if (d->payload_off >= d->payload.n) {
		d->in_payload = false;
		return 0;
	}
	arena_reset(&d->ev);
	err_clear(&d->err);
	size_t left = d->payload.n - d->payload_off;
	const uint8_t *p = d->payload.p + d->payload_off;
	struct rd r;
	rd_init_at(&r, p, left, d->payload_pos);
	rd_skip(&r, 9);
	uint32_t size = rd_u32le(&r);
	if (r.err || size < BL_HEADER_LEN || size > left) {
		d->in_payload = false;
		return err_set_at(&d->err, ERR_PROTO, d->payload_pos,
				  "Transaction_payload event: inner event at "
				  "payload offset %zu is truncated or has a bad size",
				  d->payload_off);
	}
	d->payload_off += size;
	int rc = decode_one(d, p, size, d->payload_pos, ev, true);
	ev->pos = d->payload_pos;
	ev->end_pos = d->payload_end;
	if (rc) {
		d->in_payload = false;
		return rc;
	}
	return 1;
}
