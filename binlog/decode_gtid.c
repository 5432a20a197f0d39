/*
 * GTID events: MySQL's GTID / ANONYMOUS_GTID, GTID_TAGGED (8.4+) and
 * PREVIOUS_GTIDS; MariaDB's GTID and GTID_LIST.  Each sets its text form
 * ("uuid:n", "domain-server-seq", sets joined by commas) and the decoder's
 * current transaction GTID; GTID sets are not merged or compared here.
 * Layouts: docs/binlog.md, Events.
 */
#include <stdio.h>
#include <string.h>

#include "binlog/decoder_int.h"

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

/* MySQL GTID / ANONYMOUS_GTID (33/34), fixed layout with optional tails. */
int bl__gtid_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev)
{
	ev->gtid.anonymous = ev->h.type == BL_ANONYMOUS_GTID_LOG_EVENT;
	ev->gtid.flags = rd_u8(r);
	struct bytes u = rd_bytes(r, 16);
	ev->gtid.gtid.gno = rd_u64le(r);
	if (r->err)
		return bl__rd_error(d, r, "Gtid event");
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
		return bl__rd_error(d, r, "Gtid event");
	struct buf b;
	buf_init(&b, 128);
	put_uuid(&b, u.p);
	buf_putc(&b, ':');
	buf_put_u64dec(&b, ev->gtid.gtid.gno);
	bl__set_text(d, &ev->gtid.text, &b);
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

int bl__gtid_tagged_decode(struct bl_decoder *d, struct rd *r,
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
		return bl__rd_error(d, r, "Gtid_tagged event");
	struct buf b;
	buf_init(&b, 128);
	put_uuid(&b, ev->gtid.gtid.uuid);
	if (ev->gtid.gtid.tag[0]) {
		buf_putc(&b, ':');
		buf_puts(&b, ev->gtid.gtid.tag);
	}
	buf_putc(&b, ':');
	buf_put_u64dec(&b, ev->gtid.gtid.gno);
	bl__set_text(d, &ev->gtid.text, &b);
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
int bl__previous_gtids_decode(struct bl_decoder *d, struct rd *r,
			      struct bl_event *ev)
{
	uint64_t head = rd_u64le(r);
	bool tagged = (head >> 56) == 1;
	uint64_t nsids = tagged ? (head >> 8) & 0xffffffffffffull
				: head & 0x00ffffffffffffffull;
	if (r->err)
		return bl__rd_error(d, r, "Previous_gtids event");
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
		return bl__rd_error(d, r, "Previous_gtids event");
	}
	bl__set_text(d, &ev->gtid_set.text, &b);
	buf_release(&b);
	return 0;
}

/* MariaDB GTID (162): seq_no(8) domain_id(4) flags(1) [commit_id(8) | xid]. */
int bl__maria_gtid_decode(struct bl_decoder *d, struct rd *r,
			  struct bl_event *ev)
{
	ev->maria_gtid.seq_no = rd_u64le(r);
	ev->maria_gtid.domain_id = rd_u32le(r);
	ev->maria_gtid.flags = rd_u8(r);
	if (r->err)
		return bl__rd_error(d, r, "Gtid event");
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
int bl__maria_gtid_list_decode(struct bl_decoder *d, struct rd *r,
			       struct bl_event *ev)
{
	uint32_t v = rd_u32le(r);
	if (r->err)
		return bl__rd_error(d, r, "Gtid_list event");
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
	bl__set_text(d, &ev->maria_gtid_list.text, &b);
	buf_release(&b);
	return 0;
}
