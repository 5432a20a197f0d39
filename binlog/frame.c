/*
 * Event framing and transaction boundaries (binlog/binlog.h).  The v4
 * common header: timestamp(4) type(1) server_id(4) event_size(4)
 * log_pos(4) flags(2); docs/binlog.md#common-header.
 */
#include <strings.h>

#include "binlog/internal.h"

int bl_frame(const uint8_t *p, size_t n, struct bl_header *h)
{
	struct rd r;
	rd_init(&r, p, n < BL_HEADER_LEN ? n : BL_HEADER_LEN);
	h->timestamp = rd_u32le(&r);
	h->type = rd_u8(&r);
	h->server_id = rd_u32le(&r);
	h->event_size = rd_u32le(&r);
	h->log_pos = rd_u32le(&r);
	h->flags = rd_u16le(&r);
	if (r.err)
		return -ERR_TRUNC;
	if (h->event_size < BL_HEADER_LEN || h->event_size > BL_MAX_EVENT)
		return -ERR_PROTO;
	return 0;
}

uint64_t bl_frame_start(const struct bl_header *h)
{
	return h->log_pos >= h->event_size ? h->log_pos - h->event_size : 0;
}

struct bytes bl__stmt_start(struct bytes q)
{
	size_t i = 0;
	for (;;) {
		while (i < q.n && (q.p[i] == ' ' || q.p[i] == '\t' ||
				   q.p[i] == '\n' || q.p[i] == '\r'))
			i++;
		if (i + 1 < q.n && q.p[i] == '/' && q.p[i + 1] == '*' &&
		    !(i + 2 < q.n && q.p[i + 2] == '!')) {
			size_t j = i + 2;
			while (j + 1 < q.n && !(q.p[j] == '*' && q.p[j + 1] == '/'))
				j++;
			i = j + 2 < q.n ? j + 2 : q.n;
			continue;
		}
		if (i + 1 < q.n && q.p[i] == '-' && q.p[i + 1] == '-') {
			while (i < q.n && q.p[i] != '\n')
				i++;
			continue;
		}
		if (i < q.n && q.p[i] == '#') {
			while (i < q.n && q.p[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	struct bytes r = {q.p + i, q.n - i};
	return r;
}

bool bl__starts_words(struct bytes s, const char *w)
{
	size_t i = 0;
	for (; *w; w++) {
		if (*w == ' ') {
			if (i >= s.n || (s.p[i] != ' ' && s.p[i] != '\t' &&
					 s.p[i] != '\n' && s.p[i] != '\r'))
				return false;
			while (i < s.n && (s.p[i] == ' ' || s.p[i] == '\t' ||
					   s.p[i] == '\n' || s.p[i] == '\r'))
				i++;
			continue;
		}
		if (i >= s.n || (s.p[i] | 0x20) != (*w | 0x20))
			return false;
		i++;
	}
	if (i == s.n)
		return true;
	uint8_t c = s.p[i];
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		 (c >= '0' && c <= '9') || c == '_');
}

enum bl_tx_mark bl_event_tx_mark(const struct bl_event *ev)
{
	switch (ev->h.type) {
	case BL_XID_EVENT:
	case BL_XA_PREPARE_LOG_EVENT:
		/* a prepared XA transaction's rows are applied at its prepare */
		return BL_TX_COMMIT;
	case BL_MARIA_GTID_EVENT:
		return ev->maria_gtid.standalone ? BL_TX_NONE : BL_TX_BEGIN;
	case BL_QUERY_EVENT:
	case BL_MARIA_QUERY_COMPRESSED_EVENT: {
		struct bytes q = bl__stmt_start(ev->query.query);
		if (bl__starts_words(q, "BEGIN") || bl__starts_words(q, "START TRANSACTION") ||
		    bl__starts_words(q, "XA START") || bl__starts_words(q, "XA BEGIN"))
			return BL_TX_BEGIN;
		if (bl__starts_words(q, "ROLLBACK TO") || bl__starts_words(q, "ROLLBACK WORK TO") ||
		    bl__starts_words(q, "SAVEPOINT") || bl__starts_words(q, "RELEASE SAVEPOINT") ||
		    bl__starts_words(q, "XA END"))
			return BL_TX_NONE;
		if (bl__starts_words(q, "COMMIT") || bl__starts_words(q, "ROLLBACK") ||
		    bl__starts_words(q, "XA COMMIT") || bl__starts_words(q, "XA ROLLBACK"))
			return BL_TX_COMMIT;
		return BL_TX_STATEMENT;
	}
	default:
		return BL_TX_NONE;
	}
}
