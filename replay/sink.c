/*
 * The sink: decoded events in, PostgreSQL transactions out
 * (docs/replication.md).  A PostgreSQL transaction is opened at the first
 * change and committed only at a source commit boundary (XID, a COMMIT
 * query, or the end of a statement outside a transaction) once at least
 * max_rows rows are pending, when the source is idle, or at the end of
 * the input; the source's position is updated in the same transaction, so
 * a crash at any moment leaves rows and position consistent.  This file
 * holds the lifecycle, the dispatch of events, boundaries and positions;
 * statements are built by rows.c and sql.c and sent by pipe.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "replay/internal.h"

#define REPORT_EVERY_MS 10000	/* idle reports, so show_status sees a live replica */

const char *rp__intern(struct rp_sink *s, const char *schema, const char *table)
{
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, table);
	for (struct rp__name *n = s->names; n; n = n->next)
		if (!strcmp(n->s, key))
			return n->s;
	size_t len = strlen(key);
	struct rp__name *n = xmalloc(sizeof(*n) + len + 1);
	memcpy(n->s, key, len + 1);
	n->next = s->names;
	s->names = n;
	return n->s;
}

const char *rp__pg_schema(const struct rp_sink *s, const char *mysql_schema)
{
	for (size_t i = 0; i < s->o.n_mappings; i++)
		if (!strcmp(s->o.mappings[i].mysql_schema, mysql_schema))
			return s->o.mappings[i].pg_schema;
	return NULL;
}

void rp__say(struct rp_sink *s, bool warning, const char *fmt, ...)
{
	if (!s->o.log)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o.log(s->o.log_arg, warning, msg);
}

int rp__postgis(struct rp_sink *s, bool *yes, struct err *e)
{
	if (!s->postgis) {
		struct rp__rows_result r;
		int rc = rp__pipe_query(&s->pipe,
					"SELECT extversion FROM pg_catalog.pg_extension "
					"WHERE extname = 'postgis'", 0, NULL, &r, e);
		if (rc)
			return rc;
		s->postgis = r.nrows ? 2 : 1;
		if (r.nrows)
			rp__say(s, false, "PostGIS %s in the target database: GEOMETRY "
				"columns become geometry", rp__rows_get(&r, 0, 0));
		else
			rp__say(s, false, "no PostGIS in the target database: GEOMETRY "
				"columns become bytea (MySQL's SRID and WKB)");
		rp__rows_result_release(&r);
	}
	*yes = s->postgis == 2;
	return 0;
}

int rp__sink_send(struct rp_sink *s, const char *sql, int n, const char *const *v,
		  struct err *e)
{
	const char *keep = s->pipe.cur_table;
	s->pipe.cur_table = NULL;
	int rc = rp__pipe_send(&s->pipe, sql, n, v, e);
	s->pipe.cur_table = keep;
	return rc;
}

int rp__begin(struct rp_sink *s, struct err *e)
{
	if (s->in_pg_tx)
		return 0;
	s->in_pg_tx = true;
	return rp__sink_send(s, "BEGIN", 0, NULL, e);
}

/* A COMMIT succeeded (pipe.c, in the order they were sent): its position
 * is the committed one. */
static void committed(void *arg)
{
	struct rp_sink *s = arg;
	if (s->sent_read >= s->nsent)
		BUG("a COMMIT confirmed that was not sent");
	const struct rp__sent *c = &s->sent[s->sent_read++];
	s->stored = c->at;
	rp__quarantine_committed(s, c->disabled_n, c->disabled_count);
	s->st.commits++;
	s->rows_total += c->rows;
	s->tx_total += c->tx;
	if (c->last_ts)
		s->applied_epoch = c->last_ts;
	rp__totals_confirm(s, c->deltas_end);
	if (s->sent_read == s->nsent) {
		s->nsent = s->sent_read = 0;
	} else if (s->sent_read >= 64) {
		/* commits always in flight: keep the array short */
		memmove(s->sent, s->sent + s->sent_read,
			(s->nsent - s->sent_read) * sizeof(*s->sent));
		s->nsent -= s->sent_read;
		s->sent_read = 0;
	}
}

static void attach(struct rp_sink *s)
{
	s->pipe.on_commit = committed;
	s->pipe.arg = s;
}

struct rp_sink *rp__sink_new(const struct rp_opts *o, const struct rp__wire *w, void *c)
{
	struct rp_sink *s = xcalloc(1, sizeof(*s));
	s->o = *o;
	s->source = xstrdup(o->source ? o->source : "default");
	if (s->o.max_rows <= 0)
		s->o.max_rows = 10000;
	rp__rows_init(&s->rows, &s->o.conv, &s->st);
	s->rows.guard = &s->guard;
	rp__guard_init(&s->guard);
	buf_init(&s->disabled, 0);
	buf_init(&s->copies, 0);
	buf_init(&s->copies_list, 0);
	buf_init(&s->ddl_stmt, 0);
	if (w) {
		rp__pipe_init(&s->pipe, w, c);
		attach(s);
	}
	return s;
}

int rp_sink_open(struct rp_sink **out, const struct rp_opts *o, struct err *e)
{
	*out = NULL;
	struct rp_sink *s = rp__sink_new(o, NULL, NULL);
	PGconn *conn;
	int rc = rp__pg_connect(o->conninfo, &conn, e);
	if (!rc) {
		rc = rp_catalog_upgrade(conn, NULL, e);
		if (rc)
			rp__pg_close(conn);
	}
	if (!rc) {
		rc = rp__pipe_init_pg(&s->pipe, conn, e);
		attach(s);
	}
	if (!rc)
		rc = rp__catalog_load(s, e);
	if (rc) {
		rp_sink_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void rp_sink_position(const struct rp_sink *s, const char **file, uint64_t *pos)
{
	*file = s->stored.file;
	*pos = s->stored.pos;
}

const struct rp_stats *rp_sink_stats(const struct rp_sink *s)
{
	return &s->st;
}

/*
 * Commit the PostgreSQL transaction with the position of the last
 * boundary and show_status's report (catalog_sink.c).  The position is
 * the committed one once PostgreSQL confirmed the COMMIT (committed()).
 */
static int commit(struct rp_sink *s, struct err *e)
{
	if (!s->in_pg_tx)
		return 0;
	uint64_t rows = s->pending_rows, tx = s->pending_tx;
	int rc = rp__catalog_commit(s, e);
	if (rc)
		return rc;
	if (s->nsent == s->sent_cap) {
		s->sent_cap = s->sent_cap ? s->sent_cap * 2 : 8;
		s->sent = xreallocarray(s->sent, s->sent_cap, sizeof(*s->sent));
	}
	struct rp__sent *c = &s->sent[s->nsent++];
	c->at = s->boundary;
	c->disabled_n = s->disabled.n;
	c->disabled_count = s->st.disabled;
	c->rows = rows;
	c->tx = tx;
	c->last_ts = s->last_ts;
	c->deltas_end = s->ndeltas;
	/* not waiting for the result: the next transaction is sent while
	 * PostgreSQL commits this one (the pipe bounds what is unread) */
	rc = rp__pipe_commit(&s->pipe, e);
	if (rc)
		return rc;
	s->sent_at = s->boundary;
	s->in_pg_tx = false;
	s->pending_rows = 0;
	s->pending_tx = 0;
	s->zero_dates_committed = s->st.zero_dates;
	s->reported_caught_up = false;
	s->reported_ms = clock_ms();
	return 0;
}

/* Whether a change of table at (file, end) is already in a sync_tables copy. */
bool rp__in_sync_copy(const struct rp_sink *s, const char *table, const char *file,
		      uint64_t end)
{
	for (size_t i = 0; i < s->nsynced; i++) {
		const struct rp__synced *y = &s->synced[i];
		if (y->table != table)
			continue;
		return bl_pos_cmp(file, end, y->at.file, y->at.pos) <= 0;
	}
	return false;
}

static int apply_rows(struct rp_sink *s, const struct bl_event *ev, const char *file,
		      struct err *e)
{
	const struct bl_table *t = ev->rows.table;
	const char *schema = rp__pg_schema(s, t->schema);
	if (!schema)
		return 0;	/* not a replicated schema */
	if (!rp_table_included(&s->o, t->schema, t->name) ||
	    rp_event_skipped(&s->o, ev->rows.op, t->schema, t->name) ||
	    rp__is_disabled(s, t->schema, t->name))
		return 0;
	const char *table = rp__intern(s, t->schema, t->name);
	if (s->nsynced && rp__in_sync_copy(s, table, file, ev->end_pos))
		return 0;
	int rc = rp__begin(s, e);
	if (rc)
		return rc;
	s->pipe.cur_table = table;
	uint64_t rows = s->st.rows;
	rc = rp__rows_apply(&s->rows, &s->pipe, ev, schema, e);
	s->pending_rows += s->st.rows - rows;
	return rc;
}

static int boundary(struct rp_sink *s, const char *file, uint64_t end, struct err *e)
{
	s->in_src_tx = false;
	s->st.transactions++;
	/* show_status counts source transactions that changed rows */
	if (s->st.rows != s->rows_at_boundary) {
		s->pending_tx++;
		s->rows_at_boundary = s->st.rows;
	}
	s->last_ts = s->cur_ts;
	bl_pos_set(&s->boundary, file, end);
	if (s->in_pg_tx && s->pending_rows >= (uint64_t)s->o.max_rows)
		return commit(s, e);
	return 0;
}

static int table_map(struct rp_sink *s, const struct bl_event *ev, const char *file,
		     struct err *e)
{
	const struct bl_table *t = ev->table_map.table;
	const char *schema = rp__pg_schema(s, t->schema);
	if (!schema || !rp_table_included(&s->o, t->schema, t->name) ||
	    rp__is_disabled(s, t->schema, t->name))
		return 0;
	/* rows a new copy already holds are skipped (apply_rows): their
	 * table map has the structure of before the copy, not PostgreSQL's */
	if (s->nsynced &&
	    rp__in_sync_copy(s, rp__intern(s, t->schema, t->name), file, ev->end_pos))
		return 0;
	return rp__guard_table_map(s, ev, schema, file, e);
}

static int dispatch(struct rp_sink *s, const struct bl_event *ev, const char *file,
		    struct err *e)
{
	/* skip what the stored position says is applied */
	if (s->stored.file[0] &&
	    bl_pos_cmp(file, ev->end_pos, s->stored.file, s->stored.pos) <= 0) {
		s->st.skipped++;
		return 0;
	}
	if (ev->h.type == BL_TABLE_MAP_EVENT)
		return table_map(s, ev, file, e);
	if (bl_event_is_rows(ev->h.type) && ev->rows.table) {
		int rc = apply_rows(s, ev, file, e);
		if (rc)
			return rc;
		/* a rows event outside a transaction commits by itself */
		if (!s->in_src_tx && (ev->rows.flags & 1))
			return boundary(s, file, ev->end_pos, e);
		return 0;
	}
	switch (bl_event_tx_mark(ev)) {
	case BL_TX_BEGIN:
		s->in_src_tx = true;
		return 0;
	case BL_TX_COMMIT:
		/* XID, XA PREPARE, or COMMIT of non-transactional engines */
		return boundary(s, file, ev->end_pos, e);
	case BL_TX_STATEMENT: {
		/* a statement of its own (DDL commits implicitly): applied
		 * and committed with the position after it */
		int rc = rp__guard_ddl(s, ev, file, e);
		if (!rc)
			rc = boundary(s, file, ev->end_pos, e);
		if (!rc && s->copies.n) {
			/* tables to copy again: the statement, the tables taken
			 * out and the position after it committed and confirmed
			 * first, so that the stream goes on after it */
			rc = commit(s, e);
			if (!rc)
				rc = rp__handle(s, rp__pipe_drain(&s->pipe, e), e);
			if (!rc)
				rc = s->copies.n ? RP_COPY : 0;
		}
		return rc;
	}
	case BL_TX_NONE:
		break;
	}
	/* a GTID of a standalone statement: whatever came before is over */
	if (ev->h.type == BL_MARIA_GTID_EVENT)
		s->in_src_tx = false;
	return 0;
}

int rp_sink_event(struct rp_sink *s, const struct bl_event *ev, const char *file,
		  struct err *e)
{
	/* what show_status reports as received */
	if (ev->end_pos && !ev->in_payload) {
		if (strcmp(s->received.file, file))
			bl_pos_set(&s->received, file, 0);
		s->received.pos = ev->end_pos;
	}
	if (ev->h.timestamp)
		s->recv_ts = ev->h.timestamp;
	if (ev->h.type == BL_FORMAT_DESCRIPTION_EVENT)
		s->mariadb = ev->fde.is_mariadb;
	s->cur_ts = ev->h.timestamp;
	s->pipe.cur_pos = ev->pos;
	bool rows = bl_event_is_rows(ev->h.type) && ev->rows.table;
	if (rows && s->capture_table && ev->pos == s->capture.pos &&
	    !strcmp(file, s->capture.file) &&
	    rp__intern(s, ev->rows.table->schema, ev->rows.table->name) == s->capture_table) {
		int rc = rp__capture(s, ev, file, e);
		if (rc)
			return rc;
	}
	/* the row counters' difference is this event's, for its table */
	uint64_t ins = s->st.inserts, upd = s->st.updates, del = s->st.deletes;
	int rc = dispatch(s, ev, file, e);
	if (!rc && rows &&
	    (s->st.inserts != ins || s->st.updates != upd || s->st.deletes != del))
		rp__count_rows(s, ev->rows.table, s->st.inserts - ins, s->st.updates - upd,
			       s->st.deletes - del);
	return rp__handle(s, rc, e);
}

int rp_sink_commit_idle(struct rp_sink *s, struct err *e)
{
	if (s->in_src_tx || !s->boundary.file[0])
		return 0;
	if (!s->in_pg_tx) {
		/* statements without rows (DDL, other schemas) moved the
		 * position: store it, so that it tells where the source is */
		if (s->boundary.pos == s->sent_at.pos &&
		    !strcmp(s->boundary.file, s->sent_at.file))
			return 0;
		int rc = rp__begin(s, e);
		if (rc)
			return rc;
	}
	return rp__handle(s, commit(s, e), e);
}

bool rp_sink_commit_ready(const struct rp_sink *s)
{
	if (s->in_src_tx || !s->boundary.file[0])
		return false;
	return s->in_pg_tx || s->boundary.pos != s->sent_at.pos ||
	       strcmp(s->boundary.file, s->sent_at.file);
}

int rp_sink_await_commit(struct rp_sink *s, struct err *e)
{
	/* the segments up to the last COMMIT's; the statements sent after
	 * it run meanwhile (libpq sends what it holds while it waits) */
	int rc = 0;
	while (!rc && s->sent_read < s->nsent && s->pipe.inflight > 0)
		rc = rp__pipe_read_one(&s->pipe, e);
	return rp__handle(s, rc, e);
}

int rp_sink_caught_up(struct rp_sink *s, struct err *e)
{
	int rc = rp_sink_commit_idle(s, e);
	/* what is committed is known before the position moves up */
	if (!rc)
		rc = rp__handle(s, rp__pipe_drain(&s->pipe, e), e);
	if (rc || s->in_pg_tx || s->in_src_tx || !s->received.file[0])
		return rc;
	int64_t now = clock_ms();
	bool moved = strcmp(s->reported.file, s->received.file) ||
		     s->reported.pos != s->received.pos;
	if (s->reported_caught_up && !moved && !s->counts.counted &&
	    now - s->reported_ms < REPORT_EVERY_MS)
		return 0;
	/*
	 * Everything received is applied or not replicated: the applied
	 * position moves up to the received one (events of other tables,
	 * a new binlog file's first events), so that both are equal.
	 */
	if (bl_pos_cmp(s->stored.file, s->stored.pos, s->received.file, s->received.pos) < 0) {
		s->stored = s->received;
		s->boundary = s->received;
		s->sent_at = s->received;
	}
	rc = rp__catalog_caught_up(s, e);
	if (!rc)
		rc = rp__pipe_drain(&s->pipe, e);
	if (rc)
		return rc;
	/* counts of statements outside transactions, committed by now */
	rp__totals_confirm_all(s);
	if (s->last_ts)
		s->applied_epoch = s->last_ts;
	s->reported_caught_up = true;
	s->reported = s->received;
	s->reported_ms = now;
	return 0;
}

void rp_sink_rollback(struct rp_sink *s)
{
	rp__pipe_discard(&s->pipe);
	rp__pipe_reset(&s->pipe, s->in_pg_tx || s->sent_read < s->nsent);
	s->in_pg_tx = false;
	s->in_src_tx = false;
	s->pending_rows = 0;
	s->nsent = s->sent_read = 0;
	rp__forget_uncommitted(s);
	rp__drop_counts(s);
}

int rp_sink_finish(struct rp_sink *s, struct err *e)
{
	if (!s->in_pg_tx) {
		/* counts of statements outside transactions, committed by
		 * themselves before they were counted */
		int rc = rp__catalog_send_counts(s, e);
		rc = rp__handle(s, rc ? rc : rp__pipe_drain(&s->pipe, e), e);
		if (!rc)
			rp__totals_confirm_all(s);
		return rc;
	}
	if (s->in_src_tx || !s->boundary.file[0]) {
		/* an unfinished source transaction is not applied: what
		 * it sent is read, its errors do not matter, but a refusal
		 * in a transaction committed before it does */
		int rc = rp__pipe_drain(&s->pipe, e);
		if (rc)
			rc = rp__handle(s, rc, e);
		if (rc != RP_RESTART) {
			err_clear(e);
			rc = 0;
		}
		return rc;
	}
	int rc = commit(s, e);
	rc = rp__handle(s, rc ? rc : rp__pipe_drain(&s->pipe, e), e);
	if (!rc)
		rp__totals_confirm_all(s);
	return rc;
}

int rp_sink_start_at(struct rp_sink *s, const char *file, uint64_t pos, struct err *e)
{
	if (s->stored.file[0] || s->in_pg_tx)
		return 0;
	bl_pos_set(&s->boundary, file, pos);
	int rc = rp__begin(s, e);
	if (!rc)
		rc = commit(s, e);
	return rc ? rc : rp__pipe_drain(&s->pipe, e);
}

const char *rp_sink_copies(struct rp_sink *s)
{
	buf_reset(&s->copies_list);
	for (size_t off = 0; off < s->copies.n;) {
		const char *k = (const char *)s->copies.p + off;
		if (s->copies_list.n)
			buf_putc(&s->copies_list, ',');
		buf_puts(&s->copies_list, k);
		off += strlen(k) + 1;
	}
	buf_reset(&s->copies);
	return buf_cstr(&s->copies_list);
}

void rp_sink_status(struct rp_sink *s, struct rp_source_status *out,
		    double *received_at, double *applied_at, bool *caught_up)
{
	out->applied_file = s->stored.file;
	out->applied_pos = s->stored.pos;
	bool recv = s->received.file[0] != 0;
	out->received_file = recv ? s->received.file : s->stored.file;
	out->received_pos = recv ? s->received.pos : s->stored.pos;
	out->rows = s->rows_total;
	out->transactions = s->tx_total;
	out->tables = s->totals;
	out->ntables = s->ntotals;
	size_t nd = 0;
	for (size_t off = 0; off < s->disabled_committed; off++)
		nd += s->disabled.p[off] == 0;
	out->ndisabled = nd;
	out->disabled = NULL;
	*received_at = s->recv_ts ? (double)s->recv_ts : s->recv_epoch;
	*applied_at = s->applied_epoch;
	*caught_up = s->reported_caught_up && !strcmp(s->reported.file, s->received.file) &&
		     s->reported.pos == s->received.pos;
}

bool rp_sink_probe(struct rp_sink *s)
{
	return rp__pipe_probe(&s->pipe);
}

const char *rp_sink_sqlstate(const struct rp_sink *s)
{
	return s ? s->pipe.fail.state : "";
}

bool rp_sink_connection_lost(const struct rp_sink *s)
{
	return rp__pipe_lost(&s->pipe);
}

void rp_sink_close(struct rp_sink *s)
{
	if (!s)
		return;
	rp__pipe_release(&s->pipe);
	rp__rows_release(&s->rows);
	rp__guard_release(&s->guard);
	rp__counts_release(&s->counts);
	rp__totals_release(s);
	buf_release(&s->disabled);
	buf_release(&s->copies);
	buf_release(&s->copies_list);
	buf_release(&s->ddl_stmt);
	free(s->synced);
	free(s->sent);
	while (s->names) {
		struct rp__name *n = s->names->next;
		free(s->names);
		s->names = n;
	}
	free(s->source);
	free(s);
}
