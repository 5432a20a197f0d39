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
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/daemon.h"
#include "cmd/loop.h"
#include "cmd/source.h"

#define PG_RETRIES 60		/* PostgreSQL reconnections before giving up */
#define IDLE_COMMIT_MS 20	/* at most one idle commit per this many ms */

struct replica {
	struct stream *s;
	const struct config *cfg;
	const struct cfg_source *src;
	struct rp_opts ro;	/* mappings owned (cmd_source_rp_opts) */
	char *conninfo;		/* owned */
	struct rp_sink *sink;	/* NULL while PostgreSQL is away */
	bool running;		/* status 'running' recorded */
	int64_t last_commit;	/* ms */
	struct err e;
};

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
		fprintf(stderr, "chameleon: %s\n", e.msg);
		return -1;
	}
	rp_catalog_close(cat);
	if (st.found && !strcmp(st.status, "error")) {
		fprintf(stderr, "chameleon: source '%s' stopped on an error (%.*s); "
				"run enable_replica once it is fixed\n", source,
			(int)strcspn(st.error, "\n"), st.error);
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
	/* copies that DDL asked for and a stop or a crash left unmade */
	if (copy_tables(r)) {
		stream_fail(r->s, "%s", r->e.msg);
		return -1;
	}
	set_status(r->conninfo, r->ro.source, "running", NULL);
	r->running = true;
	r->last_commit = clock_ms();
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

/*
 * PostgreSQL went away (restart, failover): what it committed is
 * consistent; connect again and stream again from there.
 */
static int reconnect_pg(struct replica *r)
{
	log_warn("replica", "PostgreSQL connection lost (%s); reconnecting", r->e.msg);
	rp_sink_close(r->sink);
	r->sink = NULL;
	for (int k = 1; k <= PG_RETRIES; k++) {
		if (!stream_backoff(k))
			return STREAM_END;
		err_clear(&r->e);
		if (!rp_sink_open(&r->sink, &r->ro, &r->e)) {
			log_info("replica", "PostgreSQL connection back");
			return STREAM_RESTART;
		}
		log_warn("replica", "PostgreSQL: %s (attempt %d of %d)", r->e.msg, k,
			 PG_RETRIES);
	}
	stream_fail(r->s, "replica: PostgreSQL unreachable: %s", r->e.msg);
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
	for (int k = 1; k <= COPY_TRIES; k++) {
		log_info("replica", "copying again from a new snapshot: %s", tables);
		int st = cmd_copy_again(r->cfg, r->src, tables);
		if (!st) {
			log_info("replica", "%s copied again; replication goes on", tables);
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
	err_clear(&r->e);
	if (rp_sink_open(&r->sink, &r->ro, &r->e))
		return -1;
	/* what the copy made is known now: not asked for twice */
	(void)rp_sink_copies(r->sink);
	return 0;
}

static int copy_again(struct replica *r)
{
	return copy_tables(r) ? reconnect_pg(r) : STREAM_RESTART;
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
		return STREAM_RESTART;
	}
	if (rp_sink_connection_lost(r->sink))
		return reconnect_pg(r);
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
 * Commit what is complete as soon as the source has nothing more for us
 * (low lag when writes are light; batches when they are heavy), at most
 * every IDLE_COMMIT_MS; a heartbeat means the source has nothing more to
 * send: the replica is caught up (show_status's lag 0).
 */
static int replica_after(void *ctx, const struct stream_event *se)
{
	struct replica *r = ctx;
	int rc = 0;
	if (se->heartbeat) {
		rc = rp_sink_caught_up(r->sink, &r->e);
		r->last_commit = clock_ms();
	} else if (clock_ms() - r->last_commit >= IDLE_COMMIT_MS && !stream_pending(r->s)) {
		rc = rp_sink_commit_idle(r->sink, &r->e);
		r->last_commit = clock_ms();
	}
	return outcome(r, rc);
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
	if (rc == RP_RESTART)
		log_warn("replica", "%s", r->e.msg);
	if (rc < 0) {
		stream_fail(r->s, "replica: %s", r->e.msg);
		return 1;
	}
	const struct rp_stats *st = rp_sink_stats(r->sink);
	const char *pf;
	uint64_t pp;
	rp_sink_position(r->sink, &pf, &pp);
	log_info("replica", "stopped at %s:%llu after %llu row changes", pf,
		 (unsigned long long)pp, (unsigned long long)st->rows);
	return status;
}

/* The replica's run, in the foreground: the stream into PostgreSQL. */
static int replicate(const char *config, const char *source, bool create_tables,
		     bool stop_at_end)
{
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(config, source, &cfg);
	if (!src)
		return 1;
	struct replica r;
	memset(&r, 0, sizeof(r));
	r.conninfo = config_pg_conninfo(&cfg);
	if (check_status(r.conninfo, src->name)) {
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
			     replica_restart_from, replica_finish};
	struct stream s;
	memset(&s, 0, sizeof(s));
	s.src = src;
	s.k = &k;
	s.start_pos = 4;
	s.stop_at_end = stop_at_end;
	r.s = &s;
	int status = stream_run(&s);
	rp_sink_close(r.sink);
	if (r.running)
		set_status(r.conninfo, src->name, status ? "error" : "stopped",
			   status ? (s.error[0] ? s.error : "see the replica's log") : NULL);
	cmd_source_rp_opts_release(&r.ro);
	free(r.conninfo);
	config_release(&cfg);
	return status;
}

struct replica_args {
	bool create_tables, stop_at_end;
};

static int replica_opt(void *ctx, int id, const char *arg)
{
	struct replica_args *ra = ctx;
	(void)arg;
	switch (id) {
	case 't': ra->create_tables = true; break;
	case 'e': ra->stop_at_end = true; break;
	default: return -1;
	}
	return 0;
}

static void replica_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon start_replica --config C --source S [--debug]\n"
		"                               [--create-tables] [--stop-at-end]\n"
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
		"SIGTERM/SIGINT (or stop_replica) stop it after committing.\n"
		"The source's status in the catalog is 'running' meanwhile, then\n"
		"'stopped', or 'error' with the message: a source in error is\n"
		"refused until enable_replica (show_status shows it).\n");
}

void cmd_pid_name(char *out, size_t n, const char *config, const char *source)
{
	const char *b = strrchr(config, '/');
	snprintf(out, n, "%s_%s", b ? b + 1 : config, source ? source : "default");
}

/*
 * Into the background unless in the foreground: the pid file follows the
 * new pid and the log goes to log_dir.  Returns 0 or -1 (said).
 */
static int go_background(const struct config *cfg, const char *source, const char *name,
			 struct pidfile *pf)
{
	struct err e = {0};
	printf("starting the replica of '%s' in the background; log in %s\n", source,
	       cfg->log_dir);
	fflush(stdout);
	if (daemon_detach(&e) || pidfile_update(pf, &e) ||
	    daemon_log_open(cfg->log_dir, name, cfg->log_days_keep, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		return -1;
	}
	return 0;
}

int cmd_start_replica(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"create-tables", false, 't'},
		{"stop-at-end", false, 'e'},
		{NULL, false, 0},
	};
	struct replica_args ra = {false, false};
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, opts, replica_opt, &ra, replica_usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	if (a.first < argc) {
		fprintf(stderr, "chameleon start_replica: unexpected argument '%s'\n",
			argv[a.first]);
		return 2;
	}
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(a.config, a.source, &cfg);
	if (!src)
		return 1;
	char *source = xstrdup(src->name);	/* outlives cfg */
	bool foreground = a.debug || !strcmp(cfg.log_dest, "stdout");
	char name[300];
	cmd_pid_name(name, sizeof(name), a.config, source);
	struct pidfile pf;
	struct err e = {0};
	int rc = 1;
	if (pidfile_acquire(&pf, cfg.pid_dir, name, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	if (!foreground && go_background(&cfg, source, name, &pf)) {
		pidfile_release(&pf);
		goto out;
	}
	/* the run reads the configuration again: its warnings go to the log */
	config_release(&cfg);
	rc = replicate(a.config, source, ra.create_tables, ra.stop_at_end);
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
