/*
 * Event decoding: the decoder handle, checksums, FORMAT_DESCRIPTION, the
 * dispatch by event type and the small fixed-layout events.  Families
 * live beside it: QUERY and USER_VAR in decode_query.c, GTIDs in
 * decode_gtid.c, compressed events in decode_payload.c, TABLE_MAP in
 * tablemap.c, rows in rows.c.  The common header is read by bl_frame()
 * (frame.c).  Layouts: docs/binlog.md (sections named after the events).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return bl__crc32(0, p, n - 4) == rd_u32le(&r);
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
	uint32_t c = bl__crc32(0, head, BL_HEADER_LEN);
	c = bl__crc32(c, p + BL_HEADER_LEN, n - BL_HEADER_LEN - 4);
	struct rd r;
	rd_init(&r, p + n - 4, 4);
	return c == rd_u32le(&r);
}

/* Reader failure to decoder error, with the event type and offset. */
int bl__rd_error(struct bl_decoder *d, struct rd *r, const char *what)
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
		return bl__rd_error(d, &r, "Format_desc event");
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
		return bl__rd_error(d, &r, "Format_desc event");
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

uint8_t bl__post_header_len(const struct bl_decoder *d, uint8_t type, uint8_t dflt)
{
	if (d->have_fde && type <= d->n_post_header && d->post_header[type])
		return d->post_header[type];
	return dflt;
}

void bl__set_text(struct bl_decoder *d, const char **dst, const struct buf *b)
{
	*dst = arena_strndup(&d->ev, (const char *)b->p ? (const char *)b->p : "",
			     b->n);
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
		return bl__rd_error(d, r, "Heartbeat_v2 event");
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
		return bl__query_decode(d, r, ev, false);
	case BL_MARIA_QUERY_COMPRESSED_EVENT:
		return bl__query_decode(d, r, ev, true);
	case BL_ROTATE_EVENT: {
		uint8_t phl = bl__post_header_len(d, t, 8);
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
		return bl__user_var_decode(d, r, ev);
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
		return bl__gtid_decode(d, r, ev);
	case BL_GTID_TAGGED_LOG_EVENT:
		return bl__gtid_tagged_decode(d, r, ev);
	case BL_PREVIOUS_GTIDS_LOG_EVENT:
		return bl__previous_gtids_decode(d, r, ev);
	case BL_TRANSACTION_PAYLOAD_EVENT:
		if (ev->in_payload)
			return err_set_at(&d->err, ERR_PROTO, ev->pos,
					  "Transaction_payload event nested "
					  "in a payload");
		return bl__payload_decode(d, r, ev);
	case BL_MARIA_GTID_EVENT:
		return bl__maria_gtid_decode(d, r, ev);
	case BL_MARIA_GTID_LIST_EVENT:
		return bl__maria_gtid_list_decode(d, r, ev);
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
		return bl__rd_error(d, r, bl_event_type_name(t));
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
	/* an event_size out of bounds (-ERR_PROTO) is reported just below,
	 * where it does not match the bytes available */
	int rc = bl_frame(p, n, &ev->h);
	rd_skip(&r, BL_HEADER_LEN);
	if (rc == -ERR_TRUNC || r.err)
		return bl__rd_error(d, &r, "event header");
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
