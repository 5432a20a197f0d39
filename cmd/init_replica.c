/*
 * chameleon init_replica, sync_tables, refresh_schema, copy_schema: the
 * command lines of the initial copy.  Options, the configuration turned
 * into snapshot options, the refusal to run beside a running replica,
 * the messages (stderr and the log), the progress display and the exit
 * status.  The copy itself (structure, snapshot, workers, the load and
 * the swap) is snapshot/'s and replay/'s: docs/init_replica.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/daemon.h"
#include "cmd/notify.h"
#include "cmd/source.h"
#include "snapshot/snapshot.h"

static void usage_sync(FILE *f)
{
	fprintf(f,
		"usage: chameleon sync_tables --config C --source S --tables LIST|disabled\n"
		"       chameleon refresh_schema --config C --source S --schema SCHEMA\n"
		"                 [--workers N] [--zero-dates infinity|null|error]\n"
		"                 [--text-nul replace|strip|error] [--debug]\n"
		"\n"
		"Copy again the listed tables (schema.table, comma separated; 'disabled':\n"
		"the tables taken out of replication), or every table of a source schema,\n"
		"from a new consistent snapshot: each table is recreated from the source's\n"
		"current structure, loaded, indexed and put back into replication; the\n"
		"replica skips their changes up to the snapshot, which the copy holds.\n"
		"The tables are out of replication while they are copied (a failed or\n"
		"killed run leaves them so: run it again).  Stop the replica first.\n"
		"A table PostgreSQL refuses a row of stays out (show_errors says why).\n"
		"In the background unless --debug or log_dest: stdout, as init_replica.\n"
		"Exit status (in the foreground): 0 done, 3 done but tables were set\n"
		"aside, 1 failed.\n");
}

static void usage_schema(FILE *f)
{
	fprintf(f,
		"usage: chameleon copy_schema --config C --source S [--debug]\n"
		"\n"
		"Create the source's tables, keys and indexes in PostgreSQL without\n"
		"data (the destination schemas are replaced, as init_replica does) and\n"
		"without touching the replica's position.  In the background unless\n"
		"--debug or log_dest: stdout, as init_replica.\n");
}

static void usage_init(FILE *f)
{
	fprintf(f,
		"usage: chameleon init_replica --config C --source S [--workers N]\n"
		"                              [--zero-dates infinity|null|error]\n"
		"                              [--text-nul replace|strip|error] [--debug]\n"
		"\n"
		"Copy the source's schemas (schema_mappings, filtered by limit_tables and\n"
		"skip_tables) into PostgreSQL from one consistent snapshot, and store the\n"
		"snapshot's binlog position so that start_replica continues exactly there.\n"
		"Tables are created without indexes in a loading schema \"_<schema>_tmp\",\n"
		"filled with COPY over N parallel connections (copy_workers, default the\n"
		"core count), indexed, then swapped in with the position in one\n"
		"transaction (keep_existing_schema: the existing tables are truncated and\n"
		"reloaded in place).  The source is locked (FLUSH TABLES WITH READ LOCK)\n"
		"only while the snapshots open and while non-transactional (MyISAM) tables\n"
		"are copied.  Stop the replica first.\n"
		"A table PostgreSQL refuses a row of (a NUL byte under text_nul: error,\n"
		"a value out of range, a type_override that does not fit) is set aside:\n"
		"created empty and out of replication, the statement, row and reason in\n"
		"show_errors; the others are copied and replicate.  After fixing the\n"
		"cause, sync_tables --tables disabled copies it.  Zero and invalid\n"
		"dates follow zero_dates (default infinity), NUL bytes text_nul\n"
		"(default replace): docs/types.md; the options override the source's.\n"
		"\n"
		"As pg_chameleon, it runs in the background (pid file in pid_dir, the\n"
		"log and its progress lines in log_dir, progress in show_status) unless\n"
		"--debug or log_dest: stdout keep it in the foreground, with a progress\n"
		"line on a terminal.  Its end, success or error, is in show_status\n"
		"(tables set aside: in its error column and among the disabled tables).\n"
		"Exit status in the foreground: 0 done, 3 done but tables were set\n"
		"aside (their names are printed last), 1 failed, 2 bad usage.\n");
}

enum { OPT_TABLES = 1000, OPT_SCHEMA, OPT_WORKERS };

/* What the command line says. */
struct args {
	const char *cmd;
	const char *tables, *schema;
	long workers;		/* 0: copy_workers, else the core count */
	int zero_dates, text_nul;	/* -1: the source's zero_dates, text_nul */
};

static int on_opt(void *ctx, int id, const char *arg)
{
	struct args *a = ctx;
	switch (id) {
	case OPT_TABLES:
		a->tables = arg;
		return 0;
	case OPT_SCHEMA:
		a->schema = arg;
		return 0;
	case OPT_WORKERS:
		return cmd_opt_long(a->cmd, "workers", arg, 1, 64, &a->workers);
	case 0x746e:	/* CMD_OPT_TEXT_NUL */
		return cmd_opt_text_nul(a->cmd, arg, &a->text_nul);
	default:	/* CMD_OPT_ZERO_DATES */
		return cmd_opt_zero_dates(a->cmd, arg, &a->zero_dates);
	}
}

/* The options, and which of them this command needs; 0 or the exit status. */
static int parse(struct cmd_args *ca, struct args *a, int argc, char **argv,
		 enum sn_mode mode)
{
	static const struct cmd_opt opts[] = {
		{"tables", true, OPT_TABLES},
		{"schema", true, OPT_SCHEMA},
		{"workers", true, OPT_WORKERS},
		CMD_OPT_ZERO_DATES,
		CMD_OPT_TEXT_NUL,
		{NULL, false, 0},
	};
	void (*usage)(FILE *f) = mode == SN_SYNC ? usage_sync
				 : mode == SN_SCHEMA ? usage_schema : usage_init;
	memset(a, 0, sizeof(*a));
	a->cmd = argv[0];
	a->zero_dates = a->text_nul = -1;
	int rc = cmd_args_parse(ca, argc, argv, opts, on_opt, a, usage);
	if (rc)
		return rc;
	bool is_refresh = !strcmp(a->cmd, "refresh_schema");
	if (ca->first < argc || (mode != SN_SYNC && (a->tables || a->schema)) ||
	    (mode == SN_SYNC && !is_refresh && (!a->tables || a->schema)) ||
	    (is_refresh && (!a->schema || a->tables))) {
		if (mode == SN_SYNC)
			fprintf(stderr, "%s: %s\n", a->cmd,
				is_refresh ? "--schema SCHEMA is required" :
					     "--tables schema.table,...|disabled is required");
		usage(stderr);
		return CMD_USAGE;
	}
	return 0;
}

/* lock_timeout ("120", "120s", "2m", "1h") in seconds; 120 by default. */
static long lock_seconds(const char *s)
{
	if (!s)
		return 120;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end == 'm')
		v *= 60;
	else if (*end == 'h')
		v *= 3600;
	return v > 0 ? v : 120;
}

/* "a.t1,a.t2" split in the arena. */
static size_t split_list(struct arena *a, const char *s, const char ***out)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	const char **v = arena_calloc(a, n, sizeof(*v));
	size_t k = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len)
			v[k++] = arena_strndup(a, s, len);
		s += len + (e ? 1 : 0);
	}
	*out = v;
	return k;
}

static struct rp_names names(const struct cfg_list *l)
{
	struct rp_names r = {l->n, l->v};
	return r;
}

/* The command's state beside the snapshot options. */
struct ui {
	const struct cfg_source *src;
	bool tty;
	struct rp_opts filters;
	struct arena mem;
	char error[1024];	/* the last error reported (notifications) */
};

static int connect_source(void *arg, struct mp_conn *c)
{
	struct ui *u = arg;
	return cmd_source_connect(u->src, c, u->src->net_read_timeout * 1000);
}

static void report(void *arg, enum sn_level l, const char *msg)
{
	struct ui *u = arg;
	switch (l) {
	case SN_ERROR:
		snprintf(u->error, sizeof(u->error), "%s", msg);
		fprintf(stderr, "chameleon: %s\n", msg);
		break;
	case SN_WARN:
		log_warn("init", "%s", msg);
		break;
	case SN_INFO:
		log_info("init", "%s", msg);
		break;
	case SN_DEBUG:
		log_debug("init", "%s", msg);
		break;
	}
}

/* A line updated in place on a terminal, a log line otherwise. */
static void progress(void *arg, const struct sn_progress *p)
{
	struct ui *u = arg;
	if (p->done) {
		if (u->tty)
			fputc('\n', stderr);
		return;
	}
	char a[32], b[32];
	sn_count_text(a, sizeof(a), p->rows);
	sn_count_text(b, sizeof(b), p->total);
	if (u->tty)
		fprintf(stderr, "\r%s: %s of ~%s rows, %.0f rows/s, %.0f s elapsed, "
				"ETA %.0f s   ", p->what, a, b, p->rate, p->elapsed, p->eta);
	else
		log_info("init", "%s: %s of ~%s rows, %.0f rows/s, ETA %.0f s", p->what, a, b,
			 p->rate, p->eta);
}

/* The configuration's part of the snapshot options. */
static void from_config(struct sn_opts *o, struct ui *u, const struct config *cfg)
{
	const struct cfg_source *src = u->src;
	struct rp_mapping *m = arena_calloc(&u->mem, src->n_mappings + 1, sizeof(*m));
	for (size_t i = 0; i < src->n_mappings; i++) {
		m[i].mysql_schema = src->mappings[i].mysql_schema;
		m[i].pg_schema = src->mappings[i].pg_schema;
	}
	o->mappings = m;
	o->n_mappings = src->n_mappings;
	cmd_source_filters(src, &u->filters);
	o->filters = &u->filters;
	struct sn_type_override *t = arena_calloc(&u->mem, cfg->n_type_overrides + 1, sizeof(*t));
	for (size_t i = 0; i < cfg->n_type_overrides; i++) {
		t[i].mysql_type = cfg->type_overrides[i].mysql_type;
		t[i].pg_type = cfg->type_overrides[i].override_to;
		t[i].tables = names(&cfg->type_overrides[i].tables);
	}
	o->overrides = t;
	o->n_overrides = cfg->n_type_overrides;
	struct sn_fillfactor *f = arena_calloc(&u->mem, cfg->n_fillfactors + 1, sizeof(*f));
	for (size_t i = 0; i < cfg->n_fillfactors; i++) {
		f[i].fillfactor = cfg->fillfactors[i].fillfactor;
		f[i].tables = names(&cfg->fillfactors[i].tables);
	}
	o->fillfactors = f;
	o->n_fillfactors = cfg->n_fillfactors;
	o->grant_select_to = names(&src->grant_select_to);
	o->lock_timeout = lock_seconds(src->lock_timeout);
	o->net_timeout = src->net_read_timeout;
}

/* Which tables sync_tables / refresh_schema copy. */
static void chosen_tables(struct sn_opts *o, struct ui *u, const struct args *a)
{
	if (a->tables && !strcmp(a->tables, "disabled")) {
		o->only_disabled = true;
	} else if (a->tables) {
		const char **v;
		o->n_only = split_list(&u->mem, a->tables, &v);
		o->only = v;
	}
	if (a->schema) {
		/* a destination schema names its source schema */
		o->only_schema = a->schema;
		for (size_t i = 0; i < u->src->n_mappings; i++)
			if (!strcmp(u->src->mappings[i].pg_schema, a->schema))
				o->only_schema = u->src->mappings[i].mysql_schema;
	}
}

static void summary(const char *cmd, enum sn_mode mode, const struct sn_result *r,
		    double secs, int workers)
{
	if (mode == SN_SCHEMA) {
		fprintf(stderr, "%s: %d tables created (no data)\n", cmd, r->ntables);
		return;
	}
	fprintf(stderr, "%s: %d tables, %llu rows copied in %.1f s (%.0f rows/s, "
			"%d workers); %llu zero dates stored per the policy; %s "
			"%s:%llu\n",
		cmd, r->ntables, (unsigned long long)r->rows, secs,
		(double)r->rows / (secs > 0 ? secs : 1), workers,
		(unsigned long long)r->zero_dates,
		mode == SN_SYNC ? "their changes are replicated after" : "replication starts at",
		r->at.file, (unsigned long long)r->at.pos);
}

/* Whether the source's replica runs (it has to be stopped first). */
static bool replica_running(const struct config *cfg, const char *config,
			    const struct cfg_source *src)
{
	char pname[300];
	cmd_pid_name(pname, sizeof(pname), config, src->name);
	pid_t owner = pidfile_owner(cfg->pid_dir, pname);
	if (owner)
		fprintf(stderr, "chameleon: the replica of '%s' is running (pid %ld): "
				"stop_replica first\n", src->name, (long)owner);
	return owner != 0;
}

/* init_replica failed on something else than the copy: the source's
 * status says it (show_status), as sn_run records its own failures. */
static void record_failure(const char *conninfo, const char *source, const char *why)
{
	struct rp_catalog *cat = NULL;
	struct err e = {0};
	char msg[1100];
	snprintf(msg, sizeof(msg), "init_replica failed: %s", why);
	if (rp_catalog_open(&cat, conninfo, &e) ||
	    rp_catalog_source_set_status(cat, source, "error", msg, &e))
		fprintf(stderr, "chameleon: cannot record the status 'error': %s\n", e.msg);
	rp_catalog_close(cat);
}

/* The snapshot of a command (a) for source src, once the options are read. */
static int snapshot(const struct config *cfg, const struct cfg_source *src,
		    enum sn_mode mode, const struct args *a, bool tty)
{
	struct ui u = {.src = src, .tty = tty};
	arena_init(&u.mem, 4096);
	int workers = a->workers ? (int)a->workers : src->copy_workers;
	if (!workers) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		workers = nc > 0 ? (int)(nc > 16 ? 16 : nc) : 2;
	}
	char *conninfo = config_pg_conninfo(cfg);
	struct sn_opts o = {
		.mode = mode, .source = src->name,
		.keep_existing = mode == SN_INIT && src->keep_existing_schema,
		.workers = workers,
		.text_protocol = !strcmp(src->copy_protocol, "text"),
		.conninfo = conninfo, .progress_every = tty ? 1.0 : 10.0,
		.stop = &daemon_stop_requested, .connect = connect_source, .report = report,
		.progress = progress, .arg = &u,
	};
	from_config(&o, &u, cfg);
	cmd_source_conv(src, &o.conv);
	if (a->zero_dates >= 0)
		o.conv.zero_dates = (enum rp_zero_date)a->zero_dates;
	if (a->text_nul >= 0)
		o.conv.text_nul = (enum rp_text_nul)a->text_nul;
	chosen_tables(&o, &u, a);
	double t0 = clock_s();
	struct sn_result *r = xcalloc(1, sizeof(*r));
	int status = sn_run(&o, r) ? 1 : 0;
	char again[64], why[sizeof(u.error)];
	snprintf(again, sizeof(again), "%s again", a->cmd);
	if (status && daemon_log_failure(why, sizeof(why), again)) {
		/* the copy stopped because the log cannot be written: that is
		 * the failure to notify, and init_replica's to record */
		snprintf(u.error, sizeof(u.error), "%s", why);
		status = 1;
		if (mode == SN_INIT)
			record_failure(conninfo, src->name, why);
	}
	if (!status && r->nothing)
		printf("no table is out of replication: nothing to do\n");
	else if (!status)
		summary(a->cmd, mode, r, clock_s() - t0, workers);
	if (mode != SN_SCHEMA && !r->nothing)
		notify_copy_end(cfg, src, a->cmd, a->schema, !status, u.error, r->at.file,
				r->at.pos);
	if (!status && r->nrefused) {
		fprintf(stderr, "%s: %d table(s) set aside, out of replication, because "
				"PostgreSQL refused a row of theirs (show_errors --source %s "
				"says which and why; fix the cause, then sync_tables "
				"--tables disabled): %s\n",
			a->cmd, r->nrefused, src->name, r->refused);
		log_warn("init", "%d table(s) set aside: %s", r->nrefused, r->refused);
		status = CMD_PARTIAL;
	}
	free(r);
	free(conninfo);
	arena_release(&u.mem);
	return status;
}

static int run(int argc, char **argv, enum sn_mode mode)
{
	struct cmd_args ca;
	struct args a;
	int rc = parse(&ca, &a, argc, argv, mode);
	if (rc)
		return rc == CMD_HELP ? 0 : rc;
	daemon_log_guard();
	struct config cfg;
	if (cmd_config_open(ca.config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, ca.source);
	if (!src || replica_running(&cfg, ca.config, src)) {
		config_release(&cfg);
		return 1;
	}
	/* the pid file of the source's replica, as pg_chameleon shares it:
	 * start_replica waits for the copy, stop_replica stops it */
	char pname[300];
	cmd_pid_name(pname, sizeof(pname), ca.config, src->name);
	struct pidfile pf;
	struct err e = {0};
	if (pidfile_acquire(&pf, cfg.pid_dir, pname, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		config_release(&cfg);
		return 1;
	}
	bool foreground = ca.debug || !strcmp(cfg.log_dest, "stdout");
	char again[64];
	snprintf(again, sizeof(again), "%s again", a.cmd);
	if (!foreground) {
		/* the log first: one that cannot be written fails here, with
		 * the exit status the caller sees */
		if (!cfg.log_dir)
			fprintf(stderr, "chameleon: log_dir is not set and HOME is not in "
					"the environment: set log_dir, or run in the "
					"foreground (--debug)\n");
		if (!cfg.log_dir ||
		    daemon_log_start(cfg.log_dir, pname, cfg.log_days_keep, again)) {
			pidfile_release(&pf);
			config_release(&cfg);
			return 1;
		}
		printf("%s of '%s' runs in the background: log in %s/%s.log, "
		       "progress in show_status --source %s\n",
		       a.cmd, src->name, cfg.log_dir, pname, src->name);
		fflush(stdout);
		if (daemon_detach(&e) || pidfile_update(&pf, &e)) {
			fprintf(stderr, "chameleon: %s\n", e.msg);
			daemon_say(e.msg);
			pidfile_release(&pf);
			config_release(&cfg);
			return 1;
		}
	}
	daemon_signals_install();
	int status = snapshot(&cfg, src, mode, &a, foreground && isatty(2));
	char why[1400];
	if (daemon_log_failure(why, sizeof(why),
			       status == 1 ? again
					   : "start_replica: the copy itself completed")) {
		/* the copy stopped for it (nothing of it is kept), or ended
		 * before it noticed: either way the log has lost lines */
		fprintf(stderr, "chameleon: %s\n", why);
		daemon_say(why);
		status = 1;
	}
	pidfile_release(&pf);
	daemon_log_close();
	config_release(&cfg);
	return status;
}

int cmd_copy_again(const struct config *cfg, const struct cfg_source *src,
		   const char *tables)
{
	struct args a = {.cmd = "sync_tables", .tables = tables, .zero_dates = -1,
			 .text_nul = -1};
	return snapshot(cfg, src, SN_SYNC, &a, false);
}

int cmd_init_replica(int argc, char **argv)
{
	return run(argc, argv, SN_INIT);
}

int cmd_sync_tables(int argc, char **argv)
{
	return run(argc, argv, SN_SYNC);
}

int cmd_copy_schema(int argc, char **argv)
{
	return run(argc, argv, SN_SCHEMA);
}
