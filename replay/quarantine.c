/*
 * Tables taken out of replication (docs/replication.md, "A change
 * PostgreSQL refuses"): inside the open transaction (the structure check,
 * DROP or RENAME TABLE), undone when that transaction is rolled back; or
 * after PostgreSQL refused one of their changes: the transaction is rolled
 * back, the table recorded with the error, and the caller feeds the input
 * again from the committed position (RP_RESTART), when the refused row is
 * captured into the error log.  What the catalog rows say is
 * catalog_sink.c's.
 */
#include <stdio.h>
#include <string.h>

#include "replay/internal.h"

bool rp__set_has(const struct buf *set, const char *key)
{
	for (size_t off = 0; off < set->n;) {
		const char *k = (const char *)set->p + off;
		if (!strcmp(k, key))
			return true;
		off += strlen(k) + 1;
	}
	return false;
}

bool rp__is_disabled(const struct rp_sink *s, const char *schema, const char *table)
{
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, table);
	return rp__set_has(&s->disabled, key);
}

void rp__quarantine_committed(struct rp_sink *s, size_t n, uint64_t count)
{
	s->disabled_committed = n;
	s->disabled_count_committed = count;
}

int rp__disable_in_tx(struct rp_sink *s, const char *schema, const char *table,
		      const char *msg, const char *stmt, const struct bl_pos *at,
		      struct err *e)
{
	int rc = rp__catalog_disable(s, schema, table, e);
	if (!rc)
		rc = rp__catalog_log(s, schema, table, msg, stmt, at, e);
	if (rc)
		return rc;
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, table);
	buf_put(&s->disabled, key, strlen(key) + 1);
	s->st.disabled++;
	rp__say(s, true, "table %s taken out of replication: %s", key, msg);
	return 0;
}

void rp__forget_uncommitted(struct rp_sink *s)
{
	s->disabled.n = s->disabled_committed;
	s->st.disabled = s->disabled_count_committed;
	rp__guard_forget(&s->guard);
	/* tables created by the transaction are gone too, and its DDL's
	 * copies are asked for again when the DDL is fed again */
	buf_reset(&s->guard.created);
	buf_reset(&s->copies);
}

/*
 * A change PostgreSQL refused: roll back, take its table out of
 * replication (t_disabled_tables) with the error logged (t_error_log),
 * and have the caller start again from the committed position.
 */
static int recover(struct rp_sink *s, struct err *e)
{
	struct rp__pipe *p = &s->pipe;
	const char *table = p->fail.table;
	uint64_t fail_pos = p->fail.pos;
	char msg[512], sql[1024] = "";
	snprintf(msg, sizeof(msg), "%s", p->fail.msg);
	if (p->fail.sql)
		snprintf(sql, sizeof(sql), "%s", p->fail.sql);
	rp__forget_uncommitted(s);
	rp__pipe_discard(p);
	/* the open transaction, or a sent one whose COMMIT did not run */
	rp__pipe_reset(p, s->in_pg_tx || s->sent_read < s->nsent);
	s->in_pg_tx = false;
	s->in_src_tx = false;
	s->pending_rows = 0;
	s->nsent = s->sent_read = 0;
	rp__drop_counts(s);
	s->boundary = s->stored;
	s->sent_at = s->stored;
	/* statements prepared in the aborted part of the pipeline do not
	 * exist: forget them all, they are prepared again when needed */
	rp__pipe_forget_statements(p);
	struct rp__rows_result r;
	struct err ignore = {0};
	if (!rp__pipe_query(p, "DEALLOCATE ALL", 0, NULL, &r, &ignore))
		rp__rows_result_release(&r);
	const char *dot = strchr(table, '.');
	char schema[300];
	snprintf(schema, sizeof(schema), "%.*s", (int)(dot ? dot - table : 0), table);
	char id[24];
	int rc = rp__catalog_quarantine(s, schema, dot ? dot + 1 : table, msg, sql, id,
					sizeof(id), e);
	if (rc)
		return rc;
	if (id[0]) {
		/* the failing event is in the file last received (a rotation
		 * in between only loses the row, never the error) */
		snprintf(s->capture_id, sizeof(s->capture_id), "%s", id);
		bl_pos_set(&s->capture, s->received.file, fail_pos);
		s->capture_table = table;
	}
	buf_put(&s->disabled, table, strlen(table) + 1);
	s->st.disabled++;
	rp__quarantine_committed(s, s->disabled.n, s->st.disabled);
	err_clear(e);
	err_set(e, ERR_PG, "table %s taken out of replication: %s", table, msg);
	return RP_RESTART;
}

int rp__handle(struct rp_sink *s, int rc, struct err *e)
{
	if (rc < 0 && s->pipe.fail.table && !s->o.stop_on_error && !rp__pipe_lost(&s->pipe))
		return recover(s, e);
	return rc;
}

#define ROW_DATA_MAX (256 * 1024)	/* bytes of row_data kept at most */

/*
 * The refused change's event, fed again: its rows as JSON (the decoder's
 * rendering: op, before, after, column -> value) into the error log entry.
 * One row: that object; several (the statement that failed may have
 * held any of them): an array.
 */
int rp__capture(struct rp_sink *s, const struct bl_event *ev, const char *file,
		struct err *e)
{
	struct buf lines, out;
	buf_init(&lines, 0);
	buf_init(&out, 0);
	struct bl_render_ctx ctx = {file, NULL};
	bl_render_json(&lines, ev, &ctx);
	if (ev->rows.nrows > 1)
		buf_putc(&out, '[');
	/* JSON lines: strings never hold a raw newline */
	for (size_t i = 0; i < lines.n; i++) {
		char ch = (char)lines.p[i];
		if (ch != '\n')
			buf_putc(&out, ch);
		else if (i + 1 < lines.n)
			buf_putc(&out, ',');
	}
	if (ev->rows.nrows > 1)
		buf_putc(&out, ']');
	int rc = 0;
	if (out.n <= ROW_DATA_MAX)
		rc = rp__catalog_row_data(s, buf_cstr(&out), s->capture_id, e);
	s->capture_table = NULL;
	buf_release(&lines);
	buf_release(&out);
	return rc;
}
