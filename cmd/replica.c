/*
 * start_replica's stream consumer: decoded events into the replay sink
 * (PostgreSQL), commits when the source goes quiet, the catalog status of
 * the source, and the one PostgreSQL reconnection loop; then the replica
 * commands (start_replica, stop_replica, stop_all_replicas).  Where to
 * resume is what PostgreSQL committed: the sink's position.  Reading,
 * reconnecting to the source and restarting the dump are the loop's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/daemon.h"
#include "cmd/loop.h"
#include "cmd/metrics.h"
#include "cmd/notify.h"
#include "cmd/source.h"

#define PG_RETRIES 60		/* PostgreSQL reconnections before giving up */
#define RO_RETRIES 3		/* reconnections finding only read-only servers */
#define PUBLISH_MS 250		/* the metrics' numbers at most this old */

struct replica {
	struct stream *s;
	const struct config *cfg;
	const struct cfg_source *src;
	struct rp_opts ro;	/* mappings owned (cmd_source_rp_opts) */
	char *conninfo;		/* owned */
	struct rp_sink *sink;	/* NULL while PostgreSQL is away */
	bool running;		/* status 'running' recorded */
	int64_t last_publish;	/* ms */
	struct err e;
};

/*
 * What the sink has committed into the metrics (the numbers show_status
 * reads from the catalog) and into the fields of JSON log lines.
 */
static void publish(struct replica *r)
{
	r->last_publish = clock_ms();
	if (!r->sink)
		return;
	struct rp_source_status st;
	memset(&st, 0, sizeof(st));
	st.name = r->ro.source;
	double recv_at, applied_at;
	bool caught_up;
	rp_sink_status(r->sink, &st, &recv_at, &applied_at, &caught_up);
	metrics_publish(&st, recv_at, applied_at, caught_up);
	char pos[BL_FILE_MAX + 32];
	snprintf(pos, sizeof(pos), "%s:%llu", st.applied_file,
		 (unsigned long long)st.applied_pos);
	log_set_field("position", st.applied_file[0] ? pos : NULL);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	rp_status_lags(&st, (double)tv.tv_sec + tv.tv_usec / 1e6, recv_at, applied_at,
		       caught_up);
	if (st.has_read_lag)
		log_set_field_num("lag", st.read_lag);
	else
		log_set_field("lag", NULL);
}

/*
 * The source's status in the catalog: 'running' while start_replica runs,
 * 'stopped' after a clean stop, 'error' with the message otherwise (as
 * pg_chameleon; enable_replica clears it).  Failures are logged only:
 * the status is information, not part of the data path.
 */
static void set_status(const char *conninfo, const char *source, const char *status,
		       const char *error)
{
	struct rp_catalog *cat = NULL;
	struct err e = {0};
	if (rp_catalog_open(&cat, conninfo, &e) ||
	    rp_catalog_source_set_status(cat, source, status, error, &e))
		log_warn("replica", "cannot record the status '%s': %s", status, e.msg);
	rp_catalog_close(cat);
}

/* start_replica refuses a source in error, as pg_chameleon does. */
static int check_status(const char *conninfo, const char *source)
{
	struct rp_catalog *cat = NULL;
	struct err e = {0};
	struct rp_source_state st;
	if (rp_catalog_open(&cat, conninfo, &e) ||
	    rp_catalog_source_get(cat, source, &st, &e)) {
		rp_catalog_close(cat);
		cmd_error("%s", e.msg);
		return -1;
	}
	rp_catalog_close(cat);
	if (st.found && !strcmp(st.status, "error")) {
		cmd_error("source '%s' stopped on an error (%.*s); run enable_replica "
			  "once it is fixed", source, (int)strcspn(st.error, "\n"), st.error);
		return -1;
	}
	return 0;
}

static int copy_tables(struct replica *r);

/* Open the sink; where to start: the stored position, else the source's
 * current one, recorded at once. */
static int replica_start(void *ctx, struct mp_conn *c, struct bl_pos *at)
{
	struct replica *r = ctx;
	if (rp_sink_open(&r->sink, &r->ro, &r->e)) {
		stream_fail(r->s, "%s", r->e.msg);
		return -1;
	}
	metrics_connected(METRICS_TARGET, true);
	/* copies that DDL asked for and a stop or a crash left unmade */
	if (copy_tables(r)) {
		stream_fail(r->s, "%s", r->e.msg);
		return -1;
	}
	set_status(r->conninfo, r->ro.source, "running", NULL);
	r->running = true;
	publish(r);
	const char *pf;
	uint64_t pp;
	rp_sink_position(r->sink, &pf, &pp);
	if (pf[0]) {
		bl_pos_set(at, pf, pp);
		log_info("replica", "resuming at %s:%llu", at->file, (unsigned long long)pp);
		return 0;
	}
	struct mp_position sp;
	if (mp_source_position(c, &sp)) {
		stream_fail(r->s, "cannot read the source's binlog position: %s", c->err.msg);
		return -1;
	}
	bl_pos_set(at, sp.file, sp.pos);
	log_info("replica", "no position stored: starting at the source's current position "
			    "%s:%llu", at->file, (unsigned long long)at->pos);
	/* recorded now: a restart resumes here even if nothing was applied
	 * before it */
	if (rp_sink_start_at(r->sink, at->file, at->pos, &r->e)) {
		stream_fail(r->s, "%s", r->e.msg);
		return -1;
	}
	return 0;
}

/* PostgreSQL refused a write, or a connection, for being read-only: a
 * standby (after a failover), or default_transaction_read_only on. */
static bool read_only(const char *msg)
{
	return strstr(msg, "read-only transaction") || strstr(msg, "session is read-only") ||
	       strstr(msg, "hot standby");
}

/*
 * PostgreSQL went away (restart, failover) or turned read-only: what it
 * committed is consistent; connect again (libpq tries every host of
 * pg_conn, keeping the read-write one: target_session_attrs) and stream
 * again from there.  Logged once per incident; only read-only servers
 * for RO_RETRIES attempts is a failure of its own.
 */
static int reconnect_pg(struct replica *r)
{
	int64_t t0 = clock_ms();
	char first[256];
	snprintf(first, sizeof(first), "%s", r->e.msg);
	size_t fl = strlen(first);
	while (fl && (first[fl - 1] == '\n' || first[fl - 1] == ' '))
		first[--fl] = 0;
	log_warn("replica", "PostgreSQL connection lost (%s); reconnecting", first);
	rp_sink_close(r->sink);
	r->sink = NULL;
	int ro = read_only(first) ? 1 : 0;
	metrics_connected(METRICS_TARGET, false);
	for (int k = 1; k <= PG_RETRIES; k++) {
		if (!stream_backoff(k))
			return STREAM_END;
		err_clear(&r->e);
		if (!rp_sink_open(&r->sink, &r->ro, &r->e)) {
			log_info("replica", "PostgreSQL connection back after %d attempt%s, "
					    "%.1f s", k, k == 1 ? "" : "s",
				 (double)(clock_ms() - t0) / 1000);
			metrics_connected(METRICS_TARGET, true);
			metrics_reconnected(METRICS_TARGET);
			publish(r);
			return STREAM_RESTART;
		}
		log_debug("replica", "PostgreSQL reconnection %d: %s", k, r->e.msg);
		ro = read_only(r->e.msg) ? ro + 1 : 0;
		if (ro > RO_RETRIES) {
			stream_fail(r->s, "the PostgreSQL target is read-only (a standby after a "
					  "failover, or default_transaction_read_only on) and no "
					  "read-write server is among pg_conn's hosts (%s): point "
					  "pg_conn at the primary, or list every candidate "
					  "(host: \"a,b\"); chameleon connects with "
					  "target_session_attrs=read-write",
				    r->cfg->pg.host ? r->cfg->pg.host : "default");
			return STREAM_FAIL;
		}
	}
	stream_fail(r->s, "replica: PostgreSQL lost %lld s ago (%s) and unreachable after "
			  "%d attempts: %s", (long long)(clock_ms() - t0) / 1000, first,
		    PG_RETRIES, r->e.msg);
	return STREAM_FAIL;
}

#define COPY_TRIES 3

/*
 * DDL left tables PostgreSQL could not bring to the source's rows: they
 * are copied again now, from a new snapshot, as sync_tables does (the
 * stream waits), and a new sink reads their snapshot positions.  A copy
 * that fails (the table changed again while its structure was read) is
 * tried again; one that keeps failing leaves the tables out of
 * replication, visible in show_status, and is tried again when the
 * replica starts again.  Returns -1 when the new sink cannot open.
 */
static int copy_tables(struct replica *r)
{
	char *tables = xstrdup(rp_sink_copies(r->sink));
	if (!tables[0]) {
		free(tables);
		return 0;
	}
	rp_sink_close(r->sink);
	r->sink = NULL;
	metrics_busy(true);
	const char *const kv[] = {"table", tables, NULL};
	for (int k = 1; k <= COPY_TRIES; k++) {
		log_write_kv(LOG_INFO, "replica", kv, "copying again from a new snapshot: %s",
			     tables);
		int st = cmd_copy_again(r->cfg, r->src, tables);
		if (!st) {
			log_write_kv(LOG_INFO, "replica", kv, "%s copied again; replication goes on",
				     tables);
			break;
		}
		if (st == CMD_PARTIAL) {
			/* the tables PostgreSQL refused stay out, said in show_errors */
			log_warn("replica", "%s copied again, but some were set aside "
					    "(show_errors); replication goes on", tables);
			break;
		}
		if (k == COPY_TRIES || daemon_stop_requested)
			log_error("replica", "the copy of %s failed: the tables stay out "
					     "of replication; start_replica or sync_tables "
					     "--tables disabled tries again", tables);
		else
			log_warn("replica", "the copy of %s failed (attempt %d of %d); "
					    "trying again", tables, k, COPY_TRIES);
		if (daemon_stop_requested)
			break;
	}
	free(tables);
	metrics_busy(false);
	err_clear(&r->e);
	if (rp_sink_open(&r->sink, &r->ro, &r->e)) {
		metrics_connected(METRICS_TARGET, false);
		return -1;
	}
	/* what the copy made is known now: not asked for twice */
	(void)rp_sink_copies(r->sink);
	return 0;
}

static int copy_again(struct replica *r)
{
	return copy_tables(r) ? reconnect_pg(r) : STREAM_RESTART;
}

/*
 * PostgreSQL refused a change for lack of resources (SQLSTATE class 53):
 * not the row's fault, and retrying does not free a disk.  The open
 * transaction is rolled back (finish), what was committed stays: stop,
 * naming the cause and the fix (docs/operations.md).
 */
static int short_of_resources(struct replica *r)
{
	char st[8];
	snprintf(st, sizeof(st), "%s", rp_sink_sqlstate(r->sink));
	char msg[256];
	snprintf(msg, sizeof(msg), "%s", r->e.msg);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = 0;
	for (char *c = msg; *c; c++)
		if (*c == '\n')
			*c = ' ';
	const char *what, *fix;
	if (!strcmp(st, "53100")) {
		what = "is out of disk space";
		fix = "free space on the PostgreSQL server's disk (or on the tablespace "
		      "of the tables), or give it a bigger one";
	} else if (!strcmp(st, "53200")) {
		what = "is out of memory";
		fix = "give the PostgreSQL server more memory, or lower its work_mem and "
		      "shared_buffers";
	} else {
		what = "lacks a resource";
		fix = "raise the PostgreSQL server's limit the message names "
		      "(max_connections, max_locks_per_transaction...)";
	}
	/* the refused transaction is not committed by finish */
	rp_sink_rollback(r->sink);
	stream_fail(r->s, "PostgreSQL %s (SQLSTATE %s: %s): %s; then enable_replica and "
			  "start_replica: the changes after the last committed position "
			  "are applied then, none is lost", what, st, msg, fix);
	return STREAM_FAIL;
}

/* What the sink said, as the loop's STREAM_* value. */
static int outcome(struct replica *r, int rc)
{
	if (!rc)
		return 0;
	if (rc == RP_COPY)
		return copy_again(r);
	if (rc == RP_RESTART) {
		/* a table was taken out of replication: stream again from
		 * the committed position */
		log_warn("replica", "%s", r->e.msg);
		metrics_refused();
		notify_table_disabled(r->e.msg);
		return STREAM_RESTART;
	}
	if (rp_sink_connection_lost(r->sink) || read_only(r->e.msg))
		return reconnect_pg(r);
	if (!strncmp(rp_sink_sqlstate(r->sink), "53", 2))
		return short_of_resources(r);
	stream_fail(r->s, "replica: %s", r->e.msg);
	return STREAM_FAIL;
}

static int replica_event(void *ctx, const struct stream_event *se)
{
	struct replica *r = ctx;
	/* heartbeats and artificial events are not the source's changes */
	if (se->raw && (se->heartbeat || !se->start))
		return 0;
	return outcome(r, rp_sink_event(r->sink, se->ev, se->file, &r->e));
}

/*
 * Commit what is complete as soon as the source has nothing more for us:
 * the lag is the source's bytes' trip and one PostgreSQL commit.  At most
 * one COMMIT is unconfirmed: with one in flight, its answer is waited for
 * first, and what the source sent meanwhile joins the transaction, so that
 * under load the commits group (batches as large as the load makes them,
 * bounded by replay_max_rows) instead of queueing in PostgreSQL.  A
 * heartbeat means the source has nothing more to send: the replica is
 * caught up (show_status's lag 0).
 */
static int commit_when_idle(struct replica *r)
{
	if (stream_pending(r->s) || !rp_sink_commit_ready(r->sink))
		return 0;
	int rc = rp_sink_await_commit(r->sink, &r->e);
	if (rc || stream_pending(r->s))
		return rc;
	return rp_sink_commit_idle(r->sink, &r->e);
}

static int replica_after(void *ctx, const struct stream_event *se)
{
	struct replica *r = ctx;
	int rc = 0;
	if (se->heartbeat) {
		/* a PostgreSQL that went away is noticed now, not at the
		 * next commit */
		if (!rp_sink_probe(r->sink)) {
			err_set(&r->e, ERR_PG, "the server closed the connection");
			return reconnect_pg(r);
		}
		rc = rp_sink_caught_up(r->sink, &r->e);
	} else {
		rc = commit_when_idle(r);
	}
	rc = outcome(r, rc);
	if (!rc && (se->heartbeat || clock_ms() - r->last_publish >= PUBLISH_MS))
		publish(r);
	return rc;
}

/* The identity of the server behind the source's address. */
static int server_identity(struct mp_conn *c, struct rp_source_identity *id)
{
	memset(id, 0, sizeof(*id));
	if (mp_server_identity(c, &id->server_id, id->server_uuid,
			       sizeof(id->server_uuid)))
		return -1;
	id->known = true;
	return 0;
}

/*
 * Before every dump: the server answering at the source's address is the
 * one the stored position belongs to (recorded by init_replica with its
 * snapshot; by the first start here for a catalog initialised without).
 * Returns 0, 1 when a query failed (the stream is lost, c->err says why)
 * or STREAM_FAIL (said).
 */
static int replica_check(void *ctx, struct mp_conn *c, const struct bl_pos *at)
{
	struct replica *r = ctx;
	(void)at;
	struct rp_source_identity now, was;
	if (server_identity(c, &now))
		return 1;
	struct rp_catalog *cat = NULL;
	struct err e = {0};
	int rc = 0;
	if (rp_catalog_open(&cat, r->conninfo, &e) ||
	    rp_catalog_source_identity(cat, r->ro.source, &was, &e)) {
		/* PostgreSQL away: the sink finds out and reconnects; checked
		 * again then */
		log_warn("replica", "cannot read the source's identity: %s", e.msg);
		goto out;
	}
	if (!was.known) {
		if (rp_catalog_source_set_identity(cat, r->ro.source, &now, &e))
			log_warn("replica", "cannot record the source's identity: %s", e.msg);
		else
			log_info("replica", "source identity recorded: server_id %llu%s%s",
				 (unsigned long long)now.server_id,
				 now.server_uuid[0] ? ", server_uuid " : "", now.server_uuid);
		goto out;
	}
	if (was.server_id != now.server_id || strcmp(was.server_uuid, now.server_uuid)) {
		const struct cfg_db_conn *db = &r->src->db;
		stream_fail(r->s, "the source's history changed: %s:%d is now server_id %llu%s%s, "
				  "the stored position belongs to server_id %llu%s%s (another "
				  "server answers at this address): run init_replica again, or "
				  "point db_conn back at the original server", db->host, db->port,
			    (unsigned long long)now.server_id, now.server_uuid[0] ? " " : "",
			    now.server_uuid, (unsigned long long)was.server_id,
			    was.server_uuid[0] ? " " : "", was.server_uuid);
		rc = STREAM_FAIL;
	}
out:
	rp_catalog_close(cat);
	return rc;
}

/* Stream again from what PostgreSQL has committed. */
static int replica_restart_from(void *ctx, struct bl_pos *at)
{
	struct replica *r = ctx;
	if (!r->sink)
		return 0;
	rp_sink_rollback(r->sink);
	const char *pf;
	uint64_t pp;
	rp_sink_position(r->sink, &pf, &pp);
	bl_pos_set(at, pf, pp);
	return 0;
}

/* Commit what is complete, also after a failure of the stream. */
static int replica_finish(void *ctx, int status)
{
	struct replica *r = ctx;
	if (!r->sink)
		return status;
	int rc = rp_sink_finish(r->sink, &r->e);
	if (rc == RP_RESTART) {
		log_warn("replica", "%s", r->e.msg);
		notify_table_disabled(r->e.msg);
	}
	if (rc < 0) {
		/* the failure that stopped the stream is the one to say */
		if (status && r->s->error[0])
			log_warn("replica", "%s", r->e.msg);
		else
			stream_fail(r->s, "replica: %s", r->e.msg);
		return 1;
	}
	const struct rp_stats *st = rp_sink_stats(r->sink);
	const char *pf;
	uint64_t pp;
	publish(r);
	rp_sink_position(r->sink, &pf, &pp);
	log_info("replica", "stopped at %s:%llu after %llu row changes", pf,
		 (unsigned long long)pp, (unsigned long long)st->rows);
	return status;
}

/*
 * The replica writes: after a failover (pg_conn listing several hosts)
 * libpq must pick the read-write server.  Unless pg_conn says otherwise,
 * target_session_attrs=read-write is added to conninfo (which it takes).
 */
static char *with_read_write(const struct config *cfg, char *conninfo)
{
	for (size_t i = 0; i < cfg->pg.n_extra; i++)
		if (!strcmp(cfg->pg.extra_keys[i], "target_session_attrs"))
			return conninfo;
	size_t n = strlen(conninfo) + 40;
	char *out = xmalloc(n);
	snprintf(out, n, "%s target_session_attrs=read-write", conninfo);
	free(conninfo);
	return out;
}

/* PostgreSQL's notices and warnings (a shutdown's) as log lines. */
static void pg_notice(const char *msg)
{
	log_warn("postgresql", "%s", msg);
}

/* The replica's run, in the foreground: the stream into PostgreSQL,
 * with the metrics endpoint on listen (NULL: metrics_listen, if any). */
static int replicate(const char *config, const char *source, bool create_tables,
		     bool stop_at_end, const char *listen)
{
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(config, source, &cfg);
	if (!src)
		return 1;
	log_set_field("source", src->name);
	rp_set_notice_hook(pg_notice);
	struct replica r;
	memset(&r, 0, sizeof(r));
	if (!listen)
		listen = src->metrics_listen;
	struct err me = {0};
	if (listen && metrics_start(listen, src->name, &me)) {
		cmd_error("%s", me.msg);
		config_release(&cfg);
		return 1;
	}
	if (listen)
		log_info("metrics", "serving /metrics, /healthz and /readyz on %s", listen);
	r.conninfo = with_read_write(&cfg, config_pg_conninfo(&cfg));
	if (check_status(r.conninfo, src->name)) {
		metrics_stop();
		free(r.conninfo);
		config_release(&cfg);
		return 1;
	}
	cmd_source_rp_opts(src, r.conninfo, &r.ro);
	cmd_source_ddl_opts(&cfg, src, &r.ro);
	r.ro.create_tables = create_tables;
	r.cfg = &cfg;
	r.src = src;
	struct consumer k = {&r, replica_start, NULL, replica_event, replica_after,
			     replica_restart_from, replica_finish, replica_check};
	struct stream s;
	memset(&s, 0, sizeof(s));
	s.src = src;
	s.k = &k;
	s.start_pos = 4;
	s.stop_at_end = stop_at_end;
	s.need_rows = true;
	r.s = &s;
	notify_setup(&cfg, src);
	int status = stream_run(&s);
	/* the log could not be written: the stop it asked for committed
	 * what was complete; the run failed, said where it can be read */
	char why[sizeof(s.error)];
	bool log_broken = daemon_log_failure(why, sizeof(why), "enable_replica and "
					     "start_replica: it resumes at the last "
					     "committed position");
	if (log_broken && !status) {
		snprintf(s.error, sizeof(s.error), "%s", why);
		cmd_error("%s", s.error);
		status = 1;
	}
	if (log_broken)
		daemon_say(s.error);
	const char *pf = "";
	uint64_t pp = 0;
	if (r.sink)
		rp_sink_position(r.sink, &pf, &pp);
	char *stop_file = xstrdup(pf);
	rp_sink_close(r.sink);
	metrics_connected(METRICS_TARGET, false);
	if (r.running || log_broken)
		set_status(r.conninfo, src->name, status ? "error" : "stopped",
			   status ? (s.error[0] ? s.error : "see the replica's log") : NULL);
	metrics_stop();
	notify_replica_end(src->name, status, s.error, stop_file, pp);
	free(stop_file);
	cmd_source_rp_opts_release(&r.ro);
	free(r.conninfo);
	config_release(&cfg);
	return status;
}

struct replica_args {
	bool create_tables, stop_at_end;
	const char *listen;	/* --metrics-listen */
	const char *log_format;	/* --log-format */
};

static int replica_opt(void *ctx, int id, const char *arg)
{
	struct replica_args *ra = ctx;
	switch (id) {
	case 't': ra->create_tables = true; break;
	case 'e': ra->stop_at_end = true; break;
	case 'm': ra->listen = arg; break;
	case 'f':
		if (strcmp(arg, "text") && strcmp(arg, "json")) {
			fprintf(stderr, "chameleon start_replica: --log-format text or json, "
					"not '%s'\n", arg);
			return -1;
		}
		ra->log_format = arg;
		break;
	default: return -1;
	}
	return 0;
}

static void replica_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon start_replica --config C --source S [--debug]\n"
		"                               [--create-tables] [--stop-at-end]\n"
		"                               [--metrics-listen ADDR:PORT]\n"
		"                               [--log-format text|json]\n"
		"\n"
		"Follow the source's binlog and apply its row changes to PostgreSQL\n"
		"(pg_conn), committing at source transaction boundaries together with\n"
		"the position reached (sch_chameleon.t_sources), so that it resumes\n"
		"after any stop or crash with nothing lost or applied twice.  Without a\n"
		"stored position it starts at the source's current position.\n"
		"Schema changes of replicated tables follow (docs/ddl.md), each in\n"
		"the transaction of the position after it; a table whose rows\n"
		"PostgreSQL cannot bring to the source's is copied again from a new\n"
		"snapshot while the stream waits (ddl_column_order: append|exact).\n"
		"With log_dest: stdout or --debug it runs in the foreground; otherwise\n"
		"it detaches, with its pid file in pid_dir and its log in log_dir.\n"
		"SIGTERM/SIGINT (or stop_replica) stop it after committing: the open\n"
		"source transaction is rolled back, what is complete is committed with\n"
		"its position, and it exits 0.\n"
		"The source's status in the catalog is 'running' meanwhile, then\n"
		"'stopped', or 'error' with the message: a source in error is\n"
		"refused until enable_replica (show_status shows it).\n"
		"\n"
		"As a container's main process (sidecar): --debug keeps it in the\n"
		"foreground with its log on stderr; log_format: json (or --log-format\n"
		"json) writes one JSON object a line (time, level, component, message,\n"
		"source, position, lag); values of the configuration may be written\n"
		"${NAME} to come from the environment (passwords from secrets).\n"
		"--metrics-listen ADDR:PORT (or the source's metrics_listen) serves\n"
		"GET /metrics (Prometheus text format, docs/metrics.md), /healthz (200\n"
		"while the process loop turns) and /readyz (200 while both servers are\n"
		"connected and the stream applies, else 503); ADDR is numeric,\n"
		"localhost, or empty for every address.\n");
}

void cmd_pid_name(char *out, size_t n, const char *config, const char *source)
{
	const char *b = strrchr(config, '/');
	snprintf(out, n, "%s_%s", b ? b + 1 : config, source ? source : "default");
}

/*
 * Into the background unless in the foreground: the log goes to log_dir
 * (opened and written first, so that a log that cannot be written fails
 * here, with the exit status the caller sees) and the pid file follows
 * the new pid.  Returns 0 or -1 (said).
 */
static int go_background(const struct config *cfg, const char *source, const char *name,
			 struct pidfile *pf)
{
	struct err e = {0};
	if (!cfg->log_dir) {
		fprintf(stderr, "chameleon: log_dir is not set and HOME is not in the "
				"environment: set log_dir, or run in the foreground (--debug)\n");
		return -1;
	}
	if (daemon_log_start(cfg->log_dir, name, cfg->log_days_keep, "start_replica again"))
		return -1;
	printf("starting the replica of '%s' in the background; log in %s\n", source,
	       cfg->log_dir);
	fflush(stdout);
	if (daemon_detach(&e) || pidfile_update(pf, &e)) {
		cmd_error("%s", e.msg);
		daemon_say(e.msg);
		return -1;
	}
	return 0;
}

int cmd_start_replica(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"create-tables", false, 't'},
		{"stop-at-end", false, 'e'},
		{"metrics-listen", true, 'm'},
		{"log-format", true, 'f'},
		{NULL, false, 0},
	};
	struct replica_args ra = {false, false, NULL, NULL};
	/* a stop asked for while starting (an orchestrator's SIGTERM right
	 * after the start, stop_replica) ends the run cleanly too */
	daemon_signals_install();
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, opts, replica_opt, &ra, replica_usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	if (a.first < argc) {
		fprintf(stderr, "chameleon start_replica: unexpected argument '%s'\n",
			argv[a.first]);
		return 2;
	}
	cmd_log_format = ra.log_format;
	daemon_log_guard();
	if (a.source)
		log_set_field("source", a.source);
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(a.config, a.source, &cfg);
	if (!src)
		return 1;
	char *source = xstrdup(src->name);	/* outlives cfg */
	bool foreground = a.debug || !strcmp(cfg.log_dest, "stdout");
	const char *fmt = ra.log_format ? ra.log_format
		: src->log_format ? src->log_format : cfg.log_format;
	log_set_json(!strcmp(fmt, "json"));
	cmd_log_format = fmt;	/* the run opens the configuration again */
	char name[300];
	cmd_pid_name(name, sizeof(name), a.config, source);
	struct pidfile pf;
	struct err e = {0};
	int rc = 1;
	if (pidfile_acquire(&pf, cfg.pid_dir, name, &e)) {
		cmd_error("%s", e.msg);
		goto out;
	}
	/* from here a SIGTERM (stop_replica reads the pid file) is a clean
	 * stop, also before the stream starts: never a death that leaves
	 * the pid file behind */
	daemon_signals_install();
	if (!foreground && go_background(&cfg, source, name, &pf)) {
		pidfile_release(&pf);
		goto out;
	}
	/* the run reads the configuration again: its warnings go to the log */
	config_release(&cfg);
	rc = replicate(a.config, source, ra.create_tables, ra.stop_at_end, ra.listen);
	pidfile_release(&pf);
	daemon_log_close();
	free(source);
	return rc;
out:
	config_release(&cfg);
	free(source);
	return rc;
}

static void stop_usage(FILE *f)
{
	fprintf(f, "usage: chameleon stop_replica --config C --source S\n\n"
		   "Stop a running replica (SIGTERM: it commits what is complete\n"
		   "and exits) and wait for it, at most 60 seconds.\n");
}

/* SIGTERM to the replica of one source and wait: 0 stopped or not running. */
static int stop_one(const struct config *cfg, const char *config, const char *source)
{
	char name[300];
	cmd_pid_name(name, sizeof(name), config, source);
	pid_t pid = pidfile_owner(cfg->pid_dir, name);
	if (!pid) {
		printf("the replica of '%s' is not running\n", source);
		return 0;
	}
	if (kill(pid, SIGTERM) < 0) {
		if (errno == ESRCH) {
			printf("the replica of '%s' is not running\n", source);
			return 0;
		}
		fprintf(stderr, "chameleon: cannot signal the replica of '%s' (pid %ld): %s\n",
			source, (long)pid, strerror(errno));
		return 1;
	}
	for (int i = 0; i < 600 && pidfile_owner(cfg->pid_dir, name) == pid; i++)
		usleep(100000);
	int still = pidfile_owner(cfg->pid_dir, name) == pid;
	printf(still ? "the replica of '%s' (pid %ld) did not stop within 60 s\n"
		     : "the replica of '%s' (pid %ld) stopped\n", source, (long)pid);
	return still ? 1 : 0;
}

int cmd_stop_replica(int argc, char **argv)
{
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL, stop_usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(a.config, a.source, &cfg);
	if (!src)
		return 1;
	int rc = stop_one(&cfg, a.config, src->name);
	config_release(&cfg);
	return rc;
}

static void stop_all_usage(FILE *f)
{
	fprintf(f, "usage: chameleon stop_all_replicas --config C\n"
		   "\n"
		   "Stop the running replica of every source of the configuration\n"
		   "(SIGTERM: each commits what it has and exits), waiting at most 60\n"
		   "seconds for each.\n");
}

int cmd_stop_all_replicas(int argc, char **argv)
{
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL, stop_all_usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	struct config cfg;
	if (cmd_config_open(a.config, &cfg))
		return 1;
	int rc = 0;
	for (size_t i = 0; i < cfg.n_sources; i++)
		rc |= stop_one(&cfg, a.config, cfg.sources[i].name);
	config_release(&cfg);
	return rc;
}
