/*
 * The libpq pipeline of the apply path (replay/internal.h, "the pipe"):
 * statements sent ahead of their results, sync points, results read and
 * matched with their tags, prepared statements cached by (table, shape),
 * and COPY, which libpq runs outside pipeline mode.  The only code of the
 * apply path that calls libpq.  It does not know transactions or
 * positions: the sink decides when to commit and learns through on_commit
 * that a COMMIT succeeded.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/hash.h"
#include "base/xalloc.h"
#include "replay/internal.h"

/* ---- libpq's wire --------------------------------------------------------- */

struct pgw {
	PGconn *pg;
	PGresult *cur;		/* the result last returned */
	const char **v;		/* its values (RP_RES_ROWS) */
	size_t vcap;
};

static bool pg_send(void *c, const char *sql, int n, const char *const *v)
{
	struct pgw *w = c;
	return PQsendQueryParams(w->pg, sql, n, NULL, v, NULL, NULL, 0) == 1;
}

static bool pg_prepare(void *c, const char *name, const char *sql, int n)
{
	struct pgw *w = c;
	return PQsendPrepare(w->pg, name, sql, n, NULL) == 1;
}

static bool pg_send_prepared(void *c, const char *name, int n, const char *const *v)
{
	struct pgw *w = c;
	return PQsendQueryPrepared(w->pg, name, n, v, NULL, NULL, 0) == 1;
}

static bool pg_sync(void *c)
{
	struct pgw *w = c;
	return PQpipelineSync(w->pg) == 1;
}

/* w->cur as a struct rp__res. */
static void pg_res(struct pgw *w, struct rp__res *r)
{
	memset(r, 0, sizeof(*r));
	if (!w->cur) {
		r->kind = RP_RES_NONE;
		return;
	}
	switch (PQresultStatus(w->cur)) {
	case PGRES_PIPELINE_SYNC:
		r->kind = RP_RES_SYNC;
		return;
	case PGRES_PIPELINE_ABORTED:
		r->kind = RP_RES_ABORTED;
		return;
	case PGRES_COPY_IN:
		r->kind = RP_RES_COPY_IN;
		return;
	case PGRES_FATAL_ERROR:
	case PGRES_BAD_RESPONSE:
		r->kind = RP_RES_ERROR;
		r->msg = PQresultErrorMessage(w->cur);
		r->sqlstate = PQresultErrorField(w->cur, PG_DIAG_SQLSTATE);
		return;
	case PGRES_TUPLES_OK:
		break;
	default:
		r->kind = RP_RES_OK;
		return;
	}
	r->kind = RP_RES_ROWS;
	r->nrows = PQntuples(w->cur);
	r->ncols = PQnfields(w->cur);
	size_t n = (size_t)r->nrows * (size_t)r->ncols;
	if (n > w->vcap) {
		w->vcap = n;
		w->v = xreallocarray(w->v, n, sizeof(*w->v));
	}
	for (int i = 0; i < r->nrows; i++)
		for (int j = 0; j < r->ncols; j++)
			w->v[(size_t)i * (size_t)r->ncols + (size_t)j] =
				PQgetisnull(w->cur, i, j) ? NULL : PQgetvalue(w->cur, i, j);
	r->v = w->v;
}

static void pg_result(void *c, struct rp__res *r)
{
	struct pgw *w = c;
	PQclear(w->cur);
	w->cur = PQgetResult(w->pg);
	pg_res(w, r);
}

static bool pg_copy_begin(void *c, const char *sql, struct rp__res *r)
{
	struct pgw *w = c;
	PQclear(w->cur);
	w->cur = NULL;
	memset(r, 0, sizeof(*r));
	if (PQexitPipelineMode(w->pg) != 1)
		return false;
	w->cur = PQexec(w->pg, sql);
	pg_res(w, r);
	if (r->kind == RP_RES_COPY_IN)
		return true;
	if (r->kind != RP_RES_ERROR) {
		r->kind = RP_RES_ERROR;
		r->msg = PQresultErrorMessage(w->cur);
		r->sqlstate = PQresultErrorField(w->cur, PG_DIAG_SQLSTATE);
	}
	return PQenterPipelineMode(w->pg) == 1;
}

static bool pg_copy_data(void *c, const void *p, size_t n)
{
	struct pgw *w = c;
	return PQputCopyData(w->pg, p, (int)n) == 1;
}

static bool pg_copy_end(void *c, struct rp__res *r)
{
	struct pgw *w = c;
	PQclear(w->cur);
	w->cur = NULL;
	memset(r, 0, sizeof(*r));
	r->kind = RP_RES_OK;
	bool ok = PQputCopyEnd(w->pg, NULL) == 1;
	for (;;) {
		PGresult *res = PQgetResult(w->pg);
		if (!res)
			break;
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_COPY_IN) {
			/* the end could not be sent: nothing more will come */
			PQclear(res);
			ok = false;
			break;
		}
		if (st != PGRES_COMMAND_OK && r->kind == RP_RES_OK) {
			w->cur = res;	/* kept for its message */
			r->kind = RP_RES_ERROR;
			r->msg = PQresultErrorMessage(res);
			r->sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			continue;
		}
		PQclear(res);
	}
	return PQenterPipelineMode(w->pg) == 1 && ok;
}

static bool pg_lost(void *c)
{
	struct pgw *w = c;
	return PQstatus(w->pg) == CONNECTION_BAD;
}

static const char *pg_message(void *c)
{
	struct pgw *w = c;
	return PQerrorMessage(w->pg);
}

static void pg_close(void *c)
{
	struct pgw *w = c;
	PQclear(w->cur);
	PQfinish(w->pg);
	free(w->v);
	free(w);
}

static const struct rp__wire pg_wire = {
	pg_send, pg_prepare, pg_send_prepared, pg_sync, pg_result, pg_copy_begin,
	pg_copy_data, pg_copy_end, pg_lost, pg_message, pg_close,
};

static void (*notice_hook)(const char *msg);

void rp_set_notice_hook(void (*fn)(const char *msg))
{
	notice_hook = fn;
}

static void on_notice(void *arg, const char *msg)
{
	(void)arg;
	char line[1024];
	snprintf(line, sizeof(line), "%s", msg);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	if (notice_hook)
		notice_hook(line);
}

void rp__pg_notices(PGconn *conn)
{
	if (notice_hook && conn)
		PQsetNoticeProcessor(conn, on_notice, NULL);
}

int rp__pg_connect(const char *conninfo, PGconn **out, struct err *e)
{
	PGconn *pg = PQconnectdb(conninfo);
	rp__pg_notices(pg);
	int rc = 0;
	if (PQstatus(pg) != CONNECTION_OK) {
		/* libpq's message never holds the password */
		rc = err_set(e, ERR_PG, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
		goto out;
	}
	PGresult *r = PQexec(pg, "SET client_encoding = 'UTF8'; SET timezone = 'UTC'; "
			     "SET client_min_messages = warning");
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	PQclear(r);
out:
	if (rc) {
		PQfinish(pg);
		pg = NULL;
	}
	*out = pg;
	return rc;
}

void rp__pg_close(PGconn *conn)
{
	PQfinish(conn);
}

int rp__pipe_init_pg(struct rp__pipe *p, PGconn *conn, struct err *e)
{
	struct pgw *w = xcalloc(1, sizeof(*w));
	w->pg = conn;
	rp__pipe_init(p, &pg_wire, w);
	if (PQenterPipelineMode(conn) != 1)
		return err_set(e, ERR_PG, "cannot enter pipeline mode: %s",
			       PQerrorMessage(conn));
	return 0;
}

/* ---- the pipeline --------------------------------------------------------- */

void rp__pipe_init(struct rp__pipe *p, const struct rp__wire *w, void *c)
{
	memset(p, 0, sizeof(*p));
	p->w = w;
	p->c = c;
	buf_init(&p->copy_sql, 0);
	buf_init(&p->copy, 0);
}

void rp__pipe_release(struct rp__pipe *p)
{
	if (p->w)
		p->w->close(p->c);
	p->w = NULL;
	rp__pipe_forget_statements(p);
	free(p->tags);
	p->tags = NULL;
	buf_release(&p->copy_sql);
	buf_release(&p->copy);
}

static int pg_err(struct rp__pipe *p, struct err *e, const char *what)
{
	return err_set(e, ERR_PG, "%s: %s", what, p->w->message(p->c));
}

static void push_tag(struct rp__pipe *p, const char *sql, bool commit)
{
	if (p->ntags == p->tags_cap) {
		p->tags_cap = p->tags_cap ? p->tags_cap * 2 : 1024;
		p->tags = xreallocarray(p->tags, p->tags_cap, sizeof(*p->tags));
	}
	struct rp__tag *t = &p->tags[p->ntags++];
	t->table = p->cur_table;
	t->sql = sql;
	t->pos = p->cur_pos;
	t->commit = commit;
}

static void record_failure(struct rp__pipe *p, const char *table, const char *sql,
			   uint64_t pos, const char *msg, const char *sqlstate)
{
	p->failed = true;
	if (!p->fail.state[0] && sqlstate)
		snprintf(p->fail.state, sizeof(p->fail.state), "%s", sqlstate);
	/* a read-only target (a standby after a failover) refuses every
	 * write, a server short of resources (class 53: disk full, out of
	 * memory) any: not the table's fault, it stays in replication */
	if (p->fail.table || !table || strstr(msg, "read-only transaction") ||
	    (sqlstate && !strncmp(sqlstate, "53", 2)))
		return;
	p->fail.table = table;
	p->fail.sql = sql;
	p->fail.pos = pos;
	snprintf(p->fail.msg, sizeof(p->fail.msg), "%s", msg);
}

/* One result of a segment against its tag. */
static int segment_result(struct rp__pipe *p, const struct rp__res *r, int rc,
			  struct err *e)
{
	const struct rp__tag *tg = p->tag_read < p->ntags ? &p->tags[p->tag_read++] : NULL;
	if (r->kind == RP_RES_ERROR) {
		if (!rc) {
			rc = err_set(e, ERR_PG, "%s", r->msg);
			record_failure(p, tg ? tg->table : NULL, tg ? tg->sql : NULL,
				       tg ? tg->pos : 0, r->msg, r->sqlstate);
		}
		p->failed = true;
	} else if (r->kind == RP_RES_ABORTED) {
		if (!rc)
			rc = err_set(e, ERR_PG, "pipeline aborted");
		p->failed = true;
	} else if (tg && tg->commit && !p->failed && p->on_commit) {
		/* after a failure nothing is confirmed: a COMMIT of an aborted
		 * transaction succeeds as ROLLBACK */
		p->on_commit(p->arg);
	}
	return rc;
}

/* Read results until one sync point has been consumed. */
static int read_segment(struct rp__pipe *p, struct err *e)
{
	int rc = 0;
	int nulls = 0;
	for (;;) {
		struct rp__res r;
		p->w->result(p->c, &r);
		if (r.kind == RP_RES_NONE) {
			/* end of one statement's results; two in a row: nothing
			 * more is queued, the sync point will never come (the
			 * connection is gone, and libpq may not know it yet) */
			if (p->w->lost(p->c) || ++nulls >= 2) {
				p->inflight = 1;
				p->broken = true;
				if (!rc)
					rc = pg_err(p, e, "lost the PostgreSQL connection");
				break;
			}
			continue;
		}
		nulls = 0;
		if (r.kind == RP_RES_SYNC)
			break;
		rc = segment_result(p, &r, rc, e);
	}
	p->inflight--;
	/* drop the tags already read: all of them when nothing is in flight
	 * (but not those of statements sent after the last sync point: they
	 * may be read by rp__pipe_read_one before their sync), or the first
	 * half when segments stay in flight through a long transaction, so
	 * that memory stays flat */
	if (p->tag_read == p->ntags) {
		p->ntags = p->tag_read = 0;
	} else if (p->inflight == 0 ||
		   (p->tag_read >= 4096 && p->tag_read * 2 >= p->ntags)) {
		memmove(p->tags, p->tags + p->tag_read,
			(p->ntags - p->tag_read) * sizeof(*p->tags));
		p->ntags -= p->tag_read;
		p->tag_read = 0;
	}
	return rc;
}

int rp__pipe_sync(struct rp__pipe *p, struct err *e)
{
	/* a sync point belongs to the pipeline: an open COPY ends first */
	int rc = rp__pipe_copy_end(p, e);
	if (rc)
		return rc;
	if (!p->w->sync(p->c))
		return pg_err(p, e, "pipeline sync failed");
	p->inflight++;
	p->since_sync = 0;
	while (p->inflight > RP_MAX_INFLIGHT - 1) {
		rc = read_segment(p, e);
		if (rc)
			return rc;
	}
	return 0;
}

int rp__pipe_drain(struct rp__pipe *p, struct err *e)
{
	int rc = rp__pipe_copy_end(p, e);
	if (!rc && p->since_sync)
		rc = rp__pipe_sync(p, e);
	while (!rc && p->inflight > 0)
		rc = read_segment(p, e);
	return rc;
}

int rp__pipe_read_one(struct rp__pipe *p, struct err *e)
{
	return p->inflight > 0 ? read_segment(p, e) : 0;
}

/* After a statement: a sync point every RP_SYNC_EVERY. */
static int sent(struct rp__pipe *p, struct err *e)
{
	if (++p->since_sync >= RP_SYNC_EVERY)
		return rp__pipe_sync(p, e);
	return 0;
}

static int send_tagged(struct rp__pipe *p, const char *sql, int n,
		       const char *const *vals, const char *tag, struct err *e)
{
	int rc = rp__pipe_copy_end(p, e);
	if (rc)
		return rc;
	if (!p->w->send(p->c, sql, n, vals))
		return pg_err(p, e, "cannot send a statement");
	push_tag(p, tag, false);
	return sent(p, e);
}

int rp__pipe_send(struct rp__pipe *p, const char *sql, int n,
		  const char *const *vals, struct err *e)
{
	return send_tagged(p, sql, n, vals, NULL, e);
}

int rp__pipe_send_as(struct rp__pipe *p, const char *sql, const char *stmt, struct err *e)
{
	return send_tagged(p, sql, 0, NULL, stmt, e);
}

int rp__pipe_commit(struct rp__pipe *p, struct err *e)
{
	int rc = rp__pipe_copy_end(p, e);
	if (rc)
		return rc;
	/*
	 * Never a COMMIT first in its segment while earlier ones are unread:
	 * if one of them failed, its transaction is aborted and only COMMIT
	 * or ROLLBACK would run in it; such a COMMIT ends it (as a rollback)
	 * and the transactions sent after would commit, though the sink
	 * feeds them again from the last confirmed commit.  Any statement
	 * before it fails in the aborted transaction and the rest of the
	 * segment, COMMIT included, is skipped.
	 */
	if (p->since_sync == 0 && p->inflight > 0) {
		if (!p->w->send(p->c, "SELECT 1", 0, NULL))
			return pg_err(p, e, "cannot send a statement");
		push_tag(p, NULL, false);
		p->since_sync++;
	}
	if (!p->w->send(p->c, "COMMIT", 0, NULL))
		return pg_err(p, e, "cannot send a statement");
	push_tag(p, NULL, true);
	p->since_sync++;
	return rp__pipe_sync(p, e);
}

static uint64_t stmt_hash(const void *table, const void *key, size_t n)
{
	return hash_add(hash_add_u64(HASH_INIT, (uint64_t)(uintptr_t)table), key, n);
}

struct rp__stmt *rp__pipe_stmt_find(struct rp__pipe *p, const void *table,
				    const void *key, size_t n)
{
	uint64_t h = stmt_hash(table, key, n);
	struct rp__stmt *st = p->buckets[h % RP_STMT_BUCKETS];
	while (st && (st->hash != h || st->table != table || st->nkey != n ||
		      memcmp(st->key, key, n)))
		st = st->next;
	return st;
}

int rp__pipe_stmt_prepare(struct rp__pipe *p, const void *table, const void *key,
			  size_t nkey, const char *sql, int n, struct rp__stmt **out,
			  struct err *e)
{
	*out = NULL;
	int rc = rp__pipe_copy_end(p, e);
	if (rc)
		return rc;
	size_t len = strlen(sql);
	struct rp__stmt *st = xmalloc(sizeof(*st) + nkey + len + 1);
	st->hash = stmt_hash(table, key, nkey);
	st->table = table;
	st->nkey = nkey;
	memcpy(st->key, key, nkey);
	/* the text is kept after the key: a refusal names it */
	memcpy(st->key + nkey, sql, len + 1);
	snprintf(st->name, sizeof(st->name), "chm_%u", p->nstmts++);
	if (!p->w->prepare(p->c, st->name, sql, n)) {
		free(st);
		return pg_err(p, e, "cannot prepare a statement");
	}
	push_tag(p, (const char *)st->key + nkey, false);
	struct rp__stmt **slot = &p->buckets[st->hash % RP_STMT_BUCKETS];
	st->next = *slot;
	*slot = st;
	*out = st;
	return sent(p, e);
}

int rp__pipe_send_stmt(struct rp__pipe *p, const struct rp__stmt *st, int n,
		       const char *const *vals, struct err *e)
{
	int rc = rp__pipe_copy_end(p, e);
	if (rc)
		return rc;
	if (!p->w->send_prepared(p->c, st->name, n, vals))
		return pg_err(p, e, "cannot send a statement");
	push_tag(p, (const char *)st->key + st->nkey, false);
	return sent(p, e);
}

void rp__pipe_forget_statements(struct rp__pipe *p)
{
	for (int i = 0; i < RP_STMT_BUCKETS; i++) {
		struct rp__stmt *st = p->buckets[i];
		while (st) {
			struct rp__stmt *n = st->next;
			free(st);
			st = n;
		}
		p->buckets[i] = NULL;
	}
}

const char *rp__rows_get(const struct rp__rows_result *r, int row, int col)
{
	return r->v[(size_t)row * (size_t)r->ncols + (size_t)col];
}

void rp__rows_result_release(struct rp__rows_result *r)
{
	size_t n = (size_t)r->nrows * (size_t)r->ncols;
	for (size_t i = 0; r->v && i < n; i++)
		free(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void keep_rows(struct rp__rows_result *out, const struct rp__res *r)
{
	size_t n = (size_t)r->nrows * (size_t)r->ncols;
	out->nrows = r->nrows;
	out->ncols = r->ncols;
	out->v = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out->v[i] = r->v[i] ? xstrdup(r->v[i]) : NULL;
}

int rp__pipe_query(struct rp__pipe *p, const char *sql, int n,
		   const char *const *vals, struct rp__rows_result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	int rc = rp__pipe_copy_end(p, e);
	if (!rc)
		rc = rp__pipe_drain(p, e);
	if (rc)
		return rc;
	if (!p->w->send(p->c, sql, n, vals) || !p->w->sync(p->c))
		return pg_err(p, e, "cannot send a catalog query");
	bool got = false;
	for (;;) {
		struct rp__res r;
		p->w->result(p->c, &r);
		if (r.kind == RP_RES_NONE) {
			if (p->w->lost(p->c)) {
				if (!rc)
					rc = pg_err(p, e, "lost the PostgreSQL connection");
				break;
			}
			continue;
		}
		if (r.kind == RP_RES_SYNC)
			break;
		if (r.kind == RP_RES_ROWS && !got && !rc) {
			keep_rows(out, &r);
			got = true;
		} else if (r.kind == RP_RES_ERROR && !rc) {
			rc = err_set(e, ERR_PG, "%s", r.msg);
		} else if (r.kind == RP_RES_ABORTED && !rc) {
			rc = err_set(e, ERR_PG, "pipeline aborted");
		}
	}
	if (rc)
		rp__rows_result_release(out);
	return rc;
}

/* ---- COPY ----------------------------------------------------------------
 * libpq does not allow COPY in pipeline mode: the pipeline is drained and
 * left for the COPY, and entered again after it.  An open COPY ends before
 * any other statement is sent, so changes keep their order.
 */

/* Record a refused COPY like a refused statement.  Its rows may come from
 * several events: no position names one. */
static int copy_failed(struct rp__pipe *p, const struct rp__res *r, struct err *e)
{
	int rc = err_set(e, ERR_PG, "%s", r->msg);
	record_failure(p, p->copy_table, buf_cstr(&p->copy_sql), 0, r->msg, r->sqlstate);
	return rc;
}

bool rp__pipe_copying(const struct rp__pipe *p, const char *copy_sql)
{
	return p->copying && p->copy_table == p->cur_table &&
	       p->copy_sql.n == strlen(copy_sql) &&
	       !memcmp(p->copy_sql.p, copy_sql, p->copy_sql.n);
}

int rp__pipe_copy_begin(struct rp__pipe *p, const char *copy_sql, bool binary,
			struct err *e)
{
	int rc = rp__pipe_copy_end(p, e);
	if (rc)
		return rc;
	buf_reset(&p->copy_sql);
	buf_puts(&p->copy_sql, copy_sql);
	/* everything sent so far completes before the pipeline is left */
	if (p->since_sync) {
		if (!p->w->sync(p->c))
			return pg_err(p, e, "pipeline sync failed");
		p->inflight++;
		p->since_sync = 0;
	}
	while (p->inflight > 0) {
		rc = read_segment(p, e);
		if (rc)
			return rc;
	}
	p->copy_table = p->cur_table;
	struct rp__res r;
	if (!p->w->copy_begin(p->c, copy_sql, &r)) {
		if (r.kind == RP_RES_ERROR)
			(void)copy_failed(p, &r, e);
		return pg_err(p, e, "cannot run COPY in pipeline mode");
	}
	if (r.kind != RP_RES_COPY_IN)
		return copy_failed(p, &r, e);
	p->copying = true;
	p->copy_binary = binary;
	if (binary)
		rp_bin_header(&p->copy);
	return 0;
}

int rp__pipe_copy_flush(struct rp__pipe *p, struct err *e)
{
	if (p->copy.n < RP_COPY_CHUNK)
		return 0;
	if (!p->w->copy_data(p->c, p->copy.p, p->copy.n))
		return pg_err(p, e, "cannot send COPY data");
	buf_reset(&p->copy);
	return 0;
}

int rp__pipe_copy_end(struct rp__pipe *p, struct err *e)
{
	if (!p->copying)
		return 0;
	p->copying = false;
	if (p->copy_binary)
		rp_bin_trailer(&p->copy);
	p->copy_binary = false;
	int rc = 0;
	if (p->copy.n && !p->w->copy_data(p->c, p->copy.p, p->copy.n))
		rc = pg_err(p, e, "cannot send COPY data");
	buf_reset(&p->copy);
	struct rp__res r;
	bool ok = p->w->copy_end(p->c, &r);
	if (r.kind == RP_RES_ERROR && !rc)
		rc = copy_failed(p, &r, e);
	if (!ok && !rc)
		rc = pg_err(p, e, "cannot end COPY");
	return rc;
}

void rp__pipe_discard(struct rp__pipe *p)
{
	struct err ignore = {0};
	if (rp__pipe_copy_end(p, &ignore))
		ignore.code = 0;	/* part of the failure being reset */
	if (p->since_sync && p->w->sync(p->c)) {
		p->inflight++;
		p->since_sync = 0;
	}
	while (p->inflight > 0)
		(void)read_segment(p, &ignore);
}

void rp__pipe_reset(struct rp__pipe *p, bool rollback)
{
	struct err ignore = {0};
	rp__pipe_discard(p);
	if (rollback && !p->broken && p->w->send(p->c, "ROLLBACK", 0, NULL) &&
	    p->w->sync(p->c)) {
		p->inflight++;
		while (p->inflight > 0)
			(void)read_segment(p, &ignore);
	}
	p->since_sync = 0;
	p->ntags = p->tag_read = 0;
	p->failed = false;
	p->fail.table = p->fail.sql = NULL;
	p->fail.pos = 0;
	p->fail.msg[0] = 0;
	p->fail.state[0] = 0;
}

bool rp__pipe_probe(struct rp__pipe *p)
{
	if (p->broken)
		return false;
	if (p->w != &pg_wire || p->copying)
		return true;
	/* what the server sent on its own: a shutdown's FATAL, then EOF */
	struct pgw *w = p->c;
	struct pollfd pfd = {PQsocket(w->pg), POLLIN, 0};
	if (pfd.fd < 0 || (poll(&pfd, 1, 0) > 0 &&
			   (!PQconsumeInput(w->pg) || PQstatus(w->pg) == CONNECTION_BAD)))
		p->broken = true;
	return !p->broken;
}

bool rp__pipe_lost(const struct rp__pipe *p)
{
	return p->broken || p->w->lost(p->c);
}
