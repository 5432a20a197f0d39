/*
 * chameleon detach_replica: the cut-over.  Waits until the replica has
 * applied everything the source had written when the command started,
 * stops it, turns the replicated tables into a standalone database
 * (sequences for AUTO_INCREMENT columns set past the maximum, foreign
 * keys from the source with their ON UPDATE/ON DELETE rules, added NOT
 * VALID then validated) and removes the source from the catalog.
 *
 * Here: the options, the confirmation, the source's side (its position,
 * AUTO_INCREMENT columns and foreign keys from information_schema),
 * stopping the replica, progress and exit codes.  The PostgreSQL side,
 * catalog included, is replay's (replay/detach.c).
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/daemon.h"
#include "cmd/source.h"
#include "replay/replay.h"
#include "snapshot/snapshot.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon detach_replica --config C --source S [--yes] [--timeout SECONDS]\n"
		"                                [--force]\n"
		"\n"
		"Cut-over: wait (at most --timeout seconds, default 300) until the running\n"
		"replica has applied every change the source had written when the command\n"
		"started, stop it, create a sequence for every AUTO_INCREMENT column (set\n"
		"after the column's maximum), create the source's foreign keys between\n"
		"replicated tables with their ON UPDATE/ON DELETE rules (NOT VALID, then\n"
		"VALIDATE), and remove the source from the catalog: PostgreSQL is then a\n"
		"standalone database.  Stop the writes on the source first.  Asks for\n"
		"confirmation unless --yes.  --force detaches a replica that is behind\n"
		"and not running (its missing changes are lost).\n");
}

enum { OPT_YES = 1, OPT_FORCE, OPT_TIMEOUT };

struct detach_opts {
	bool yes, force;
	long timeout;	/* seconds */
};

static int on_opt(void *ctx, int id, const char *arg)
{
	struct detach_opts *o = ctx;
	switch (id) {
	case OPT_YES:
		o->yes = true;
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_TIMEOUT:
		return cmd_opt_long("detach_replica", "timeout", arg, 0, INT_MAX, &o->timeout);
	default:
		return -1;
	}
}

/* Rows of a source query, fields NUL-terminated in one buffer per row. */
struct rows {
	size_t n;
	char ***v;	/* v[row][field] */
	uint32_t nf;
};

static int my_rows(struct mp_conn *c, const char *sql, struct rows *out)
{
	memset(out, 0, sizeof(*out));
	struct mp_result r;
	if (mp_query(c, sql, &r)) {
		fprintf(stderr, "chameleon: source query failed: %s\n", c->err.msg);
		return -1;
	}
	out->nf = r.ncols;
	struct mp_row row;
	int rc;
	size_t cap = 0;
	while ((rc = mp_result_next(c, &r, &row)) == 1) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xreallocarray(out->v, cap, sizeof(*out->v));
		}
		char **f = xcalloc(row.n ? row.n : 1, sizeof(*f));
		for (uint32_t i = 0; i < row.n; i++)
			f[i] = row.is_null[i] ? NULL : xstrndup((const char *)row.values[i].p,
								row.values[i].n);
		out->v[out->n++] = f;
	}
	mp_result_release(c, &r);
	if (rc < 0) {
		fprintf(stderr, "chameleon: source query failed: %s\n", c->err.msg);
		return -1;
	}
	return 0;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (uint32_t k = 0; k < r->nf; k++)
			free(r->v[i][k]);
		free(r->v[i]);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static bool confirm(const char *source)
{
	if (!isatty(0)) {
		fprintf(stderr, "chameleon: detach_replica removes source '%s' from the "
				"catalog; without a terminal to confirm, pass --yes\n", source);
		return false;
	}
	fprintf(stderr, "Detach source '%s': stop its replica and make PostgreSQL "
			"standalone? Type yes: ", source);
	char line[16] = "";
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return !strcmp(line, "yes\n");
}

/* What one detach holds. */
struct detach {
	struct detach_opts o;
	struct config cfg;
	const struct cfg_source *src;
	char pname[300];		/* the replica's pid file name */
	struct mp_conn *my;
	struct bl_pos source_at;	/* file "" when the source reports none */
	struct rp_catalog *cat;
	struct rp_mapping *maps;
	struct rows ai, fk;		/* AUTO_INCREMENT columns, foreign key columns */
};

/* The source's position now: what the replica must have applied.  A
 * source without one (no binary log) has nothing to wait for. */
static int read_source_position(struct detach *d)
{
	struct mp_position p;
	int rc = mp_source_position(d->my, &p);
	if (rc == -ERR_CONFIG) {
		log_warn("detach", "%s: not waiting for the replica", d->my->err.msg);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "chameleon: source query failed: %s\n", d->my->err.msg);
		return -1;
	}
	bl_pos_set(&d->source_at, p.file, p.pos);
	return 0;
}

/*
 * Wait until the applied position reaches the source's; *pid gets the
 * running replica's pid (0: none).  Prints why it gives up: -1.
 */
static int wait_caught_up(struct detach *d, pid_t *pid)
{
	const struct bl_pos *s = &d->source_at;
	int64_t deadline = clock_ms() + (int64_t)d->o.timeout * 1000;
	*pid = pidfile_owner(d->cfg.pid_dir, d->pname);
	for (int waited = 0;; waited++) {
		struct bl_pos a;
		struct err e = {0};
		if (rp_catalog_source_position(d->cat, d->src->name, &a, &e)) {
			fprintf(stderr, "chameleon: %s\n", e.msg);
			return -1;
		}
		unsigned long long apos = a.pos, spos = s->pos;
		if (!s->file[0] || bl_pos_cmp(a.file, a.pos, s->file, s->pos) >= 0) {
			log_info("detach", "replica caught up: applied %s:%llu, source at %s:%llu",
				 a.file, apos, s->file, spos);
			return 0;
		}
		if (!*pid && d->o.force) {
			log_warn("detach", "the replica is behind (applied %s:%llu, source at "
					   "%s:%llu) and not running: detaching anyway (--force)",
				 a.file, apos, s->file, spos);
			return 0;
		}
		if (!*pid) {
			fprintf(stderr, "chameleon: the replica is behind (applied %s:%llu, source "
					"at %s:%llu) and not running: start_replica, then "
					"detach_replica (or --force to lose the missing changes)\n",
				a.file, apos, s->file, spos);
			return -1;
		}
		if (clock_ms() >= deadline) {
			fprintf(stderr, "chameleon: the replica did not catch up within %ld s "
					"(applied %s:%llu, source at %s:%llu)\n",
				d->o.timeout, a.file, apos, s->file, spos);
			return -1;
		}
		if (waited % 20 == 0)
			log_info("detach", "waiting for the replica: applied %s:%llu, source "
					   "at %s:%llu", a.file, apos, s->file, spos);
		usleep(500 * 1000);
		*pid = pidfile_owner(d->cfg.pid_dir, d->pname);
	}
}

/* SIGTERM to the replica, then wait (60 s at most) for it to end. */
static int stop_replica(struct detach *d, pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 600 && pidfile_owner(d->cfg.pid_dir, d->pname) == pid; i++)
		usleep(100 * 1000);
	if (pidfile_owner(d->cfg.pid_dir, d->pname) == pid) {
		fprintf(stderr, "chameleon: the replica (pid %ld) did not stop\n", (long)pid);
		return -1;
	}
	log_info("detach", "replica (pid %ld) stopped", (long)pid);
	return 0;
}

/* What the source knows: AUTO_INCREMENT columns and foreign keys. */
static int read_source_structure(struct detach *d)
{
	struct buf schemas, sql;
	buf_init(&schemas, 0);
	buf_init(&sql, 0);
	for (size_t i = 0; i < d->src->n_mappings; i++) {
		if (i)
			buf_putc(&schemas, ',');
		mp_quote(&schemas, d->src->mappings[i].mysql_schema);
	}
	buf_printf(&sql, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM "
		       "information_schema.COLUMNS WHERE TABLE_SCHEMA IN (%s) AND "
		       "EXTRA LIKE '%%auto_increment%%'", buf_cstr(&schemas));
	int rc = my_rows(d->my, buf_cstr(&sql), &d->ai);
	buf_reset(&sql);
	sn_fk_query(&sql, buf_cstr(&schemas));
	if (!rc)
		rc = my_rows(d->my, buf_cstr(&sql), &d->fk);
	buf_release(&schemas);
	buf_release(&sql);
	return rc;
}

/*
 * The foreign keys of sn_fk_query's rows (one per column, in key order):
 * one entry per (schema, table, constraint), its column lists in cols.
 */
static size_t group_fkeys(const struct rows *fk, struct rp_fkey *out, const char **cols)
{
	size_t n = 0;
	for (size_t i = 0; i < fk->n;) {
		char **f = fk->v[i];
		size_t j = i;
		while (j < fk->n && !strcmp(fk->v[j][0], f[0]) &&
		       !strcmp(fk->v[j][1], f[1]) && !strcmp(fk->v[j][2], f[2]))
			j++;
		struct rp_fkey *k = &out[n++];
		*k = (struct rp_fkey){.schema = f[0], .table = f[1], .name = f[2],
				      .ref_schema = f[4], .ref_table = f[5],
				      .on_update = f[7], .on_delete = f[8]};
		const char **c = cols + 2 * i, **rc = c + (j - i);
		for (size_t x = i; x < j; x++) {
			c[x - i] = fk->v[x][3] ? fk->v[x][3] : "";
			rc[x - i] = fk->v[x][6] ? fk->v[x][6] : "";
		}
		k->cols = c;
		k->ref_cols = rc;
		k->n = j - i;
		i = j;
	}
	return n;
}

/*
 * The PostgreSQL side: sequences, foreign keys and the source's removal
 * in one transaction, then each key validated.  Prints the summary.
 */
static int make_standalone(struct detach *d)
{
	struct rp_autoinc *ai = xcalloc(d->ai.n + 1, sizeof(*ai));
	for (size_t i = 0; i < d->ai.n; i++)
		ai[i] = (struct rp_autoinc){d->ai.v[i][0], d->ai.v[i][1], d->ai.v[i][2]};
	struct rp_fkey *fks = xcalloc(d->fk.n + 1, sizeof(*fks));
	const char **cols = xcalloc(2 * d->fk.n + 1, sizeof(*cols));
	size_t nfk = group_fkeys(&d->fk, fks, cols);
	bool *added = xcalloc(nfk + 1, sizeof(*added));
	struct rp_detach *det = NULL;
	struct err e = {0};
	size_t nseq = 0, nadded = 0, nvalid = 0;
	int rc = rp_detach_begin(d->cat, d->src->name, d->maps, d->src->n_mappings, &det, &e);
	if (!rc)
		rc = rp_detach_sequences(det, ai, d->ai.n, &nseq, &e);
	if (!rc)
		rc = rp_detach_fkeys(det, fks, nfk, added, &e);
	if (!rc)
		rc = rp_detach_commit(det, &e);
	if (rc) {
		fprintf(stderr, "chameleon: detaching: %s\n", e.msg);
		goto out;
	}
	for (size_t i = 0; i < nfk; i++) {
		const struct rp_fkey *k = &fks[i];
		if (!added[i]) {
			log_warn("detach", "foreign key %s of `%s`.`%s` not created: it refers to "
					   "`%s`.`%s`, which is not replicated", k->name, k->schema,
				 k->table, k->ref_schema ? k->ref_schema : "?",
				 k->ref_table ? k->ref_table : "?");
			continue;
		}
		nadded++;
		/* a key rows break stays NOT VALID: new rows are checked */
		err_clear(&e);
		if (rp_detach_validate(det, k, &e))
			log_warn("detach", "foreign key %s of `%s`.`%s` left NOT VALID: %s",
				 k->name, k->schema, k->table, e.msg);
		else
			nvalid++;
	}
	printf("source '%s' detached: %zu sequences set after the maximum, %zu foreign "
	       "keys created (%zu validated); the source is removed from the catalog\n",
	       d->src->name, nseq, nadded, nvalid);
out:
	rp_detach_free(det);
	free(added);
	free(cols);
	free(fks);
	free(ai);
	return rc ? -1 : 0;
}

/* The steps in order; each prints its own error. */
static int detach_run(struct detach *d)
{
	if (cmd_source_connect(d->src, d->my, 60000) || read_source_position(d))
		return -1;
	char *conninfo = config_pg_conninfo(&d->cfg);
	struct err e = {0};
	int rc = rp_catalog_open(&d->cat, conninfo, &e);
	free(conninfo);
	if (!rc)
		rc = rp_catalog_check(d->cat, &e);
	if (rc) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		return -1;
	}
	pid_t pid;
	if (wait_caught_up(d, &pid) || (pid && stop_replica(d, pid)) ||
	    read_source_structure(d))
		return -1;
	d->maps = cmd_source_mappings(d->src);
	return make_standalone(d);
}

int cmd_detach_replica(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"yes", false, OPT_YES},
		{"force", false, OPT_FORCE},
		{"timeout", true, OPT_TIMEOUT},
		{NULL, false, 0},
	};
	struct detach d;
	memset(&d, 0, sizeof(d));
	d.o.timeout = 300;
	struct cmd_args a;
	int rc = cmd_args_parse(&a, argc, argv, opts, on_opt, &d.o, usage);
	if (rc)
		return rc == CMD_HELP ? 0 : rc;
	if (a.first < argc) {
		usage(stderr);
		return 2;
	}
	if (cmd_config_open(a.config, &d.cfg))
		return 1;
	int status = 1;
	d.src = cmd_source_find(&d.cfg, a.source);
	if (!d.src || (!d.o.yes && !confirm(d.src->name)))
		goto out;
	cmd_pid_name(d.pname, sizeof(d.pname), a.config, d.src->name);
	d.my = xcalloc(1, sizeof(*d.my));
	mp_conn_init(d.my);
	status = detach_run(&d) ? 1 : 0;
out:
	rows_free(&d.ai);
	rows_free(&d.fk);
	free(d.maps);
	rp_catalog_close(d.cat);
	if (d.my)
		mp_close(d.my);
	free(d.my);
	config_release(&d.cfg);
	return status;
}
