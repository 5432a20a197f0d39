/*
 * Output of decoded events: JSON lines (one object per row change or
 * event) and a mysqlbinlog -v like text form.  The value contract is in
 * docs/decode_binlog.md; values themselves are rendered by value_render.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "binlog/internal.h"

static void put_jstr(struct buf *b, const uint8_t *p, size_t n)
{
	bl__json_escape(b, p, n);
}

/* Text that should be UTF-8 (names, queries): hex object when it is not. */
static void put_jtext(struct buf *b, struct bytes s)
{
	size_t mark = b->n;
	if (bl_text_to_utf8(b, 45 /* utf8mb4_general_ci */, s.p, s.n) == 0) {
		/* re-escape what was appended */
		size_t n = b->n - mark;
		uint8_t small[256];
		uint8_t *tmp = n <= sizeof(small) ? small : NULL;
		struct buf t = BUF_INIT;
		if (!tmp) {
			buf_init(&t, 0);
			buf_put(&t, b->p + mark, n);
			tmp = t.p;
		} else {
			memcpy(tmp, b->p + mark, n);
		}
		b->n = mark;
		put_jstr(b, tmp, n);
		buf_release(&t);
		return;
	}
	b->n = mark;
	buf_puts(b, "{\"hex\":\"");
	for (size_t i = 0; i < s.n; i++)
		buf_printf(b, "%02x", s.p[i]);
	buf_puts(b, "\"}");
}

static void put_jcstr(struct buf *b, const char *s)
{
	put_jstr(b, (const uint8_t *)s, strlen(s));
}

static void put_key(struct buf *b, const char *k)
{
	buf_puts(b, ",\"");
	buf_puts(b, k);
	buf_puts(b, "\":");
}

static void kv_str(struct buf *b, const char *k, const char *v)
{
	put_key(b, k);
	if (v)
		put_jcstr(b, v);
	else
		buf_puts(b, "null");
}

static void kv_u64(struct buf *b, const char *k, uint64_t v)
{
	put_key(b, k);
	buf_put_u64dec(b, v);
}

static void kv_bytes(struct buf *b, const char *k, struct bytes v)
{
	put_key(b, k);
	put_jtext(b, v);
}

static const char *query_op(struct bytes q)
{
	struct bytes s = bl__stmt_start(q);
	if (bl__starts_words(s, "BEGIN") || bl__starts_words(s, "START TRANSACTION"))
		return "begin";
	if (bl__starts_words(s, "COMMIT") || bl__starts_words(s, "XA COMMIT"))
		return "commit";
	if (bl__starts_words(s, "ROLLBACK") || bl__starts_words(s, "XA ROLLBACK"))
		return "rollback";
	static const char *const ddl[] = {"CREATE", "ALTER", "DROP", "RENAME",
					  "TRUNCATE", "GRANT", "REVOKE", NULL};
	for (int i = 0; ddl[i]; i++)
		if (bl__starts_words(s, ddl[i]))
			return "ddl";
	return "query";
}

static const char *op_name(enum bl_row_op op)
{
	return op == BL_OP_INSERT ? "insert" : op == BL_OP_UPDATE ? "update"
								  : "delete";
}

static void json_image(struct buf *b, const struct bl_table *t,
		       const struct bl_value *vals)
{
	if (!vals) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '{');
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		const struct bl_value *v = &vals[i];
		if (v->kind == BLV_ABSENT)
			continue;
		if (!first)
			buf_putc(b, ',');
		first = false;
		const struct bl_column *c = &t->cols[i];
		buf_put(b, c->json_key, c->json_key_len);
		bl_value_json(b, c, v);
	}
	buf_putc(b, '}');
}

static void json_head(struct buf *b, const char *op, const struct bl_event *ev,
		      const struct bl_render_ctx *ctx)
{
	buf_puts(b, "{\"op\":\"");
	buf_puts(b, op);
	buf_puts(b, "\",\"type\":\"");
	buf_puts(b, bl_event_type_name(ev->h.type));
	buf_putc(b, '"');
	kv_str(b, "file", ctx->file);
	kv_u64(b, "pos", ev->pos);
	kv_u64(b, "end_pos", ev->end_pos);
	kv_u64(b, "ts", ev->h.timestamp);
	kv_u64(b, "server_id", ev->h.server_id);
	if (ev->in_payload)
		buf_puts(b, ",\"in_payload\":true");
}

static void json_rows(struct buf *b, const struct bl_event *ev,
		      const struct bl_render_ctx *ctx)
{
	const struct bl_table *t = ev->rows.table;
	if (ev->rows.nrows == 0)
		return;
	/* everything up to "before" is the same for every row of the event */
	size_t start = b->n;
	json_head(b, op_name(ev->rows.op), ev, ctx);
	kv_str(b, "schema", t->schema);
	kv_str(b, "table", t->name);
	kv_str(b, "gtid", ctx->gtid && *ctx->gtid ? ctx->gtid : NULL);
	buf_putl(b, ",\"before\":");
	size_t plen = b->n - start;
	char small[512];
	struct buf big = BUF_INIT;
	const void *prefix = small;
	if (plen <= sizeof(small) && !b->failed) {
		memcpy(small, b->p + start, plen);
	} else {
		buf_init(&big, 0);
		buf_put(&big, b->p + start, plen);
		prefix = big.p;
	}
	for (uint32_t i = 0; i < ev->rows.nrows; i++) {
		const struct bl_row *row = &ev->rows.rows[i];
		if (i)
			buf_put(b, prefix, plen);
		json_image(b, t, row->before);
		buf_putl(b, ",\"after\":");
		json_image(b, t, row->after);
		buf_putl(b, "}\n");
	}
	buf_release(&big);
}

static const char *checksum_name(uint8_t alg)
{
	return alg == BL_CHECKSUM_CRC32 ? "crc32" : "none";
}

void bl_render_json(struct buf *b, const struct bl_event *ev,
		    const struct bl_render_ctx *ctx)
{
	switch (ev->h.type) {
	case BL_FORMAT_DESCRIPTION_EVENT:
		json_head(b, "format", ev, ctx);
		kv_u64(b, "binlog_version", ev->fde.binlog_version);
		kv_str(b, "server_version", ev->fde.server_version);
		kv_str(b, "checksum", checksum_name(ev->fde.checksum_alg));
		break;
	case BL_QUERY_EVENT:
	case BL_MARIA_QUERY_COMPRESSED_EVENT:
		json_head(b, query_op(ev->query.query), ev, ctx);
		kv_bytes(b, "schema", ev->query.schema);
		kv_bytes(b, "query", ev->query.query);
		if (ev->query.has_charset) {
			kv_u64(b, "charset_client", ev->query.charset_client);
			kv_u64(b, "collation_connection",
			       ev->query.collation_connection);
			kv_u64(b, "collation_server", ev->query.collation_server);
		}
		if (ev->query.has_sql_mode)
			kv_u64(b, "sql_mode", ev->query.sql_mode);
		if (ev->query.error_code)
			kv_u64(b, "error_code", ev->query.error_code);
		kv_u64(b, "thread_id", ev->query.thread_id);
		if (ev->query.compressed)
			buf_puts(b, ",\"compressed\":true");
		break;
	case BL_XID_EVENT:
		json_head(b, "commit", ev, ctx);
		kv_u64(b, "xid", ev->xid.xid);
		break;
	case BL_ROTATE_EVENT:
		json_head(b, "rotate", ev, ctx);
		kv_bytes(b, "next_file", ev->rotate.file);
		kv_u64(b, "next_pos", ev->rotate.pos);
		if (ev->rotate.fake)
			buf_puts(b, ",\"fake\":true");
		break;
	case BL_STOP_EVENT:
		json_head(b, "stop", ev, ctx);
		break;
	case BL_INTVAR_EVENT:
		json_head(b, "intvar", ev, ctx);
		kv_str(b, "name", ev->intvar.type == 1 ? "LAST_INSERT_ID"
			   : ev->intvar.type == 2 ? "INSERT_ID" : "INVALID_INT");
		kv_u64(b, "value", ev->intvar.value);
		break;
	case BL_RAND_EVENT:
		json_head(b, "rand", ev, ctx);
		kv_u64(b, "seed1", ev->rand.seed1);
		kv_u64(b, "seed2", ev->rand.seed2);
		break;
	case BL_USER_VAR_EVENT:
		json_head(b, "user_var", ev, ctx);
		kv_bytes(b, "name", ev->user_var.name);
		if (ev->user_var.is_null)
			buf_puts(b, ",\"value\":null");
		else
			kv_str(b, "value", ev->user_var.text);
		break;
	case BL_TABLE_MAP_EVENT: {
		const struct bl_table *t = ev->table_map.table;
		json_head(b, "table_map", ev, ctx);
		kv_u64(b, "table_id", t->table_id);
		kv_str(b, "schema", t->schema);
		kv_str(b, "table", t->name);
		buf_puts(b, ",\"columns\":[");
		for (uint32_t i = 0; i < t->ncols; i++) {
			const struct bl_column *c = &t->cols[i];
			buf_printf(b, "%s{\"type\":\"%s\",\"meta\":%u", i ? "," : "",
				   bl_col_type_name(c->type), c->meta);
			if (c->name) {
				buf_puts(b, ",\"name\":");
				put_jcstr(b, c->name);
			}
			if (c->is_unsigned)
				buf_puts(b, ",\"unsigned\":true");
			if (c->nullable)
				buf_puts(b, ",\"nullable\":true");
			if (c->has_charset)
				buf_printf(b, ",\"collation\":%u", c->collation);
			if (c->is_pk)
				buf_puts(b, ",\"pk\":true");
			if (!c->visible)
				buf_puts(b, ",\"visible\":false");
			buf_putc(b, '}');
		}
		buf_putc(b, ']');
		break;
	}
	case BL_GTID_LOG_EVENT:
	case BL_ANONYMOUS_GTID_LOG_EVENT:
	case BL_GTID_TAGGED_LOG_EVENT:
		json_head(b, "gtid", ev, ctx);
		kv_str(b, "gtid", ev->gtid.anonymous ? NULL : ev->gtid.text);
		if (ev->gtid.anonymous)
			buf_puts(b, ",\"anonymous\":true");
		if (ev->gtid.has_logical_ts) {
			buf_printf(b, ",\"last_committed\":%lld,\"sequence_number\":%lld",
				   (long long)ev->gtid.last_committed,
				   (long long)ev->gtid.sequence_number);
		}
		if (ev->gtid.has_commit_ts)
			kv_u64(b, "commit_ts_us", ev->gtid.immediate_commit_ts);
		if (ev->gtid.has_tx_length)
			kv_u64(b, "tx_length", ev->gtid.tx_length);
		break;
	case BL_PREVIOUS_GTIDS_LOG_EVENT:
		json_head(b, "previous_gtids", ev, ctx);
		kv_str(b, "gtid_set", ev->gtid_set.text);
		break;
	case BL_MARIA_GTID_EVENT:
		json_head(b, ev->maria_gtid.standalone ? "gtid" : "begin", ev, ctx);
		kv_str(b, "gtid", ev->maria_gtid.text);
		kv_u64(b, "domain_id", ev->maria_gtid.domain_id);
		kv_u64(b, "seq_no", ev->maria_gtid.seq_no);
		if (ev->maria_gtid.has_commit_id)
			kv_u64(b, "commit_id", ev->maria_gtid.commit_id);
		if (ev->maria_gtid.standalone)
			buf_puts(b, ",\"standalone\":true");
		break;
	case BL_MARIA_GTID_LIST_EVENT:
		json_head(b, "gtid_list", ev, ctx);
		kv_str(b, "gtid_list", ev->maria_gtid_list.text);
		break;
	case BL_MARIA_BINLOG_CHECKPOINT_EVENT:
		json_head(b, "checkpoint", ev, ctx);
		kv_bytes(b, "checkpoint_file", ev->checkpoint.file);
		break;
	case BL_ROWS_QUERY_LOG_EVENT:
	case BL_MARIA_ANNOTATE_ROWS_EVENT:
		json_head(b, "rows_query", ev, ctx);
		kv_bytes(b, "query", ev->rows_query.query);
		break;
	case BL_HEARTBEAT_LOG_EVENT:
	case BL_HEARTBEAT_LOG_EVENT_V2:
		json_head(b, "heartbeat", ev, ctx);
		kv_bytes(b, "log_file", ev->heartbeat.file);
		kv_u64(b, "log_pos", ev->heartbeat.pos);
		break;
	case BL_INCIDENT_EVENT:
		json_head(b, "incident", ev, ctx);
		kv_u64(b, "incident", ev->incident.type);
		kv_bytes(b, "message", ev->incident.message);
		break;
	case BL_TRANSACTION_PAYLOAD_EVENT:
		json_head(b, "payload", ev, ctx);
		kv_str(b, "compression", ev->payload.compression == 0 ? "zstd"
								      : "none");
		kv_u64(b, "size", ev->payload.size);
		kv_u64(b, "uncompressed_size", ev->payload.uncompressed_size);
		break;
	case BL_MARIA_START_ENCRYPTION_EVENT:
		json_head(b, "start_encryption", ev, ctx);
		break;
	default:
		if (bl_event_is_rows(ev->h.type) && ev->rows.table) {
			json_rows(b, ev, ctx);
			return;
		}
		json_head(b, "other", ev, ctx);
		kv_u64(b, "type_code", ev->h.type);
		break;
	}
	buf_puts(b, "}\n");
}

/* ---- text ----------------------------------------------------------- */

static void text_head(struct buf *b, const struct bl_event *ev)
{
	time_t ts = (time_t)ev->h.timestamp;
	struct tm tm;
	gmtime_r(&ts, &tm);
	char when[32];
	snprintf(when, sizeof(when), "%02d%02d%02d %02d:%02d:%02d",
		 tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	buf_printf(b, "# at %llu\n#%s server id %u  end_log_pos %llu ",
		   (unsigned long long)ev->pos, when, ev->h.server_id,
		   (unsigned long long)(ev->in_payload ? 0 : ev->end_pos));
	buf_puts(b, bl_event_type_name(ev->h.type));
	if (ev->in_payload)
		buf_puts(b, " (in transaction payload)");
}

static void text_image(struct buf *b, const struct bl_table *t,
		       const struct bl_value *vals)
{
	for (uint32_t i = 0; i < t->ncols; i++) {
		const struct bl_value *v = &vals[i];
		if (v->kind == BLV_ABSENT)
			continue;
		const struct bl_column *c = &t->cols[i];
		if (c->text_key) {	/* derived with the table map */
			buf_put(b, c->text_key, c->text_key_len);
			bl_value_text(b, c, v);
			buf_put(b, c->text_note, c->text_note_len);
			continue;
		}
		buf_putl(b, "###   @");
		buf_put_u64dec(b, i + 1);
		buf_putc(b, '=');
		bl_value_text(b, c, v);
		if (c->name) {
			buf_putl(b, " /* ");
			buf_puts(b, c->name);
			buf_putl(b, " */");
		}
		buf_putc(b, '\n');
	}
}

/* The lines before each row's images, the same for every row of the
 * event: formatted once. */
static void text_row_head(struct buf *h, const struct bl_event *ev)
{
	const struct bl_table *t = ev->rows.table;
	switch (ev->rows.op) {
	case BL_OP_INSERT:
		buf_printf(h, "### INSERT INTO `%s`.`%s`\n### SET\n", t->schema, t->name);
		break;
	case BL_OP_UPDATE:
		buf_printf(h, "### UPDATE `%s`.`%s`\n### WHERE\n", t->schema, t->name);
		break;
	case BL_OP_DELETE:
		buf_printf(h, "### DELETE FROM `%s`.`%s`\n### WHERE\n", t->schema, t->name);
		break;
	}
}

static void text_rows(struct buf *b, const struct bl_event *ev)
{
	const struct bl_table *t = ev->rows.table;
	struct buf head;
	buf_init(&head, 0);
	text_row_head(&head, ev);
	for (uint32_t i = 0; i < ev->rows.nrows; i++) {
		const struct bl_row *row = &ev->rows.rows[i];
		buf_put(b, head.p, head.n);
		switch (ev->rows.op) {
		case BL_OP_INSERT:
			text_image(b, t, row->after);
			break;
		case BL_OP_UPDATE:
			text_image(b, t, row->before);
			buf_puts(b, "### SET\n");
			text_image(b, t, row->after);
			break;
		case BL_OP_DELETE:
			text_image(b, t, row->before);
			break;
		}
	}
	buf_release(&head);
}

static void put_raw(struct buf *b, struct bytes s)
{
	buf_put(b, s.p, s.n);
}

void bl_render_text(struct buf *b, const struct bl_event *ev,
		    const struct bl_render_ctx *ctx)
{
	(void)ctx;
	text_head(b, ev);
	switch (ev->h.type) {
	case BL_FORMAT_DESCRIPTION_EVENT:
		buf_printf(b, "\tbinlog v %u, server v %s, checksum %s\n",
			   ev->fde.binlog_version, ev->fde.server_version,
			   checksum_name(ev->fde.checksum_alg));
		break;
	case BL_QUERY_EVENT:
	case BL_MARIA_QUERY_COMPRESSED_EVENT:
		buf_printf(b, "\tthread_id=%u\texec_time=%u\terror_code=%u\n",
			   ev->query.thread_id, ev->query.exec_time,
			   ev->query.error_code);
		if (ev->query.schema.n) {
			buf_puts(b, "use `");
			put_raw(b, ev->query.schema);
			buf_puts(b, "`;\n");
		}
		put_raw(b, ev->query.query);
		buf_puts(b, "\n");
		break;
	case BL_XID_EVENT:
		buf_printf(b, " = %llu\nCOMMIT;\n",
			   (unsigned long long)ev->xid.xid);
		break;
	case BL_ROTATE_EVENT:
		buf_puts(b, " to ");
		put_raw(b, ev->rotate.file);
		buf_printf(b, "  pos: %llu\n", (unsigned long long)ev->rotate.pos);
		break;
	case BL_INTVAR_EVENT:
		buf_printf(b, "\nSET %s=%llu;\n",
			   ev->intvar.type == 1 ? "LAST_INSERT_ID" : "INSERT_ID",
			   (unsigned long long)ev->intvar.value);
		break;
	case BL_RAND_EVENT:
		buf_printf(b, "\nSET @@RAND_SEED1=%llu, @@RAND_SEED2=%llu;\n",
			   (unsigned long long)ev->rand.seed1,
			   (unsigned long long)ev->rand.seed2);
		break;
	case BL_USER_VAR_EVENT:
		buf_puts(b, "\nSET @`");
		put_raw(b, ev->user_var.name);
		buf_printf(b, "`:=%s;\n", ev->user_var.text);
		break;
	case BL_TABLE_MAP_EVENT:
		buf_printf(b, ": `%s`.`%s` mapped to number %llu\n",
			   ev->table_map.table->schema, ev->table_map.table->name,
			   (unsigned long long)ev->table_map.table->table_id);
		break;
	case BL_GTID_LOG_EVENT:
	case BL_ANONYMOUS_GTID_LOG_EVENT:
	case BL_GTID_TAGGED_LOG_EVENT:
		if (ev->gtid.anonymous)
			buf_puts(b, "\tSET @@SESSION.GTID_NEXT= 'ANONYMOUS';\n");
		else
			buf_printf(b, "\tSET @@SESSION.GTID_NEXT= '%s';\n",
				   ev->gtid.text);
		break;
	case BL_PREVIOUS_GTIDS_LOG_EVENT:
		buf_printf(b, "\t%s\n", ev->gtid_set.text);
		break;
	case BL_MARIA_GTID_EVENT:
		buf_printf(b, " %s%s\n", ev->maria_gtid.text,
			   ev->maria_gtid.standalone ? "" : "\nSTART TRANSACTION");
		break;
	case BL_MARIA_GTID_LIST_EVENT:
		buf_printf(b, " [%s]\n", ev->maria_gtid_list.text);
		break;
	case BL_MARIA_BINLOG_CHECKPOINT_EVENT:
		buf_puts(b, " ");
		put_raw(b, ev->checkpoint.file);
		buf_puts(b, "\n");
		break;
	case BL_ROWS_QUERY_LOG_EVENT:
	case BL_MARIA_ANNOTATE_ROWS_EVENT:
		buf_puts(b, "\n#Q> ");
		put_raw(b, ev->rows_query.query);
		buf_puts(b, "\n");
		break;
	case BL_HEARTBEAT_LOG_EVENT:
	case BL_HEARTBEAT_LOG_EVENT_V2:
		buf_puts(b, " ");
		put_raw(b, ev->heartbeat.file);
		buf_printf(b, ":%llu\n", (unsigned long long)ev->heartbeat.pos);
		break;
	case BL_INCIDENT_EVENT:
		buf_printf(b, " #%u ", ev->incident.type);
		put_raw(b, ev->incident.message);
		buf_puts(b, "\n");
		break;
	case BL_TRANSACTION_PAYLOAD_EVENT:
		buf_printf(b, "\tcompression %s, %llu bytes, %llu uncompressed\n",
			   ev->payload.compression == 0 ? "zstd" : "none",
			   (unsigned long long)ev->payload.size,
			   (unsigned long long)ev->payload.uncompressed_size);
		break;
	default:
		if (bl_event_is_rows(ev->h.type) && ev->rows.table) {
			buf_printf(b, ": table id %llu%s\n",
				   (unsigned long long)ev->rows.table_id,
				   ev->rows.flags & 1 ? " flags: STMT_END_F" : "");
			text_rows(b, ev);
			return;
		}
		buf_puts(b, "\n");
		break;
	}
}
