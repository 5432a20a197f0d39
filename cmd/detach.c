/*
 * chameleon detach_replica: the cut-over.  Waits until the replica has
 * applied everything the source had written when the command started,
 * stops it, turns the replicated tables into a standalone database
 * (sequences for AUTO_INCREMENT columns set past the maximum, foreign
 * keys from the source with their ON UPDATE/ON DELETE rules, added NOT
 * VALID then validated) and removes the source from the catalog.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/daemon.h"
#include "cmd/source.h"
#include "replay/internal.h"
#include "replay/replay.h"

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

static const char *pg_schema_of(const struct cfg_source *s, const char *mysql_schema)
{
	for (size_t i = 0; i < s->n_mappings; i++)
		if (!strcmp(s->mappings[i].mysql_schema, mysql_schema))
			return s->mappings[i].pg_schema;
	return NULL;
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
}

/* Whether schema.table is a replicated table of the source (t_tables; a
 * replica started without init_replica has none: every mapped table). */
static bool replicated(PGresult *tr, int ntr, bool any, const char *schema,
		       const char *table)
{
	if (!schema || !table)
		return false;
	if (!any)
		return true;
	size_t sl = strlen(schema);
	for (int i = 0; i < ntr; i++) {
		const char *x = PQgetvalue(tr, i, 0);
		if (!strncmp(x, schema, sl) && x[sl] == '.' && !strcmp(x + sl + 1, table))
			return true;
	}
	return false;
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

int cmd_detach_replica(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"yes", false, OPT_YES},
		{"force", false, OPT_FORCE},
		{"timeout", true, OPT_TIMEOUT},
		{NULL, false, 0},
	};
	struct detach_opts o = {.timeout = 300};
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, opts, on_opt, &o, usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	if (a.first < argc) {
		usage(stderr);
		return 2;
	}
	const char *config = a.config, *source = a.source;
	bool yes = o.yes, force = o.force;
	struct config cfg;
	if (cmd_config_open(config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, source);
	if (!src) {
		config_release(&cfg);
		return 1;
	}
	if (!yes && !confirm(src->name)) {
		config_release(&cfg);
		return 1;
	}
	int status = 1;
	char err[1024];
	char *conninfo = config_pg_conninfo(&cfg);
	struct mp_conn *my = xcalloc(1, sizeof(*my));
	mp_conn_init(my);
	PGconn *pg = NULL;
	struct buf sql;
	buf_init(&sql, 0);
	struct rows ai = {0}, fk = {0};
	char pname[300];
	cmd_pid_name(pname, sizeof(pname), config, src->name);

	if (cmd_source_connect(src, my, 60000))
		goto out;
	/* the source's position now: what the replica must have applied; a
	 * source without one (no binary log) has nothing to wait for */
	struct bl_pos sp = {"", 0};
	{
		struct mp_position p;
		int prc = mp_source_position(my, &p);
		if (prc == -ERR_CONFIG) {
			log_warn("detach", "%s: not waiting for the replica", my->err.msg);
		} else if (prc) {
			fprintf(stderr, "chameleon: source query failed: %s\n", my->err.msg);
			goto out;
		}
		bl_pos_set(&sp, p.file, p.pos);
	}
	const char *sfile = sp.file;
	unsigned long long spos = sp.pos;
	pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "chameleon: cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
		goto out;
	}
	struct err e = {0};
	if (rp_catalog_require(pg, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	/* wait for the replica to apply what the source has */
	pid_t pid = pidfile_owner(cfg.pid_dir, pname);
	int64_t deadline = clock_ms() + (int64_t)o.timeout * 1000;
	for (int waited = 0;; waited++) {
		const char *v[1] = {src->name};
		PGresult *r = PQexecParams(pg,
			"SELECT binlog_file, binlog_position FROM sch_chameleon.t_sources "
			"WHERE source_name = $1", 1, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
			fprintf(stderr, "chameleon: source '%s' is not in the catalog\n", src->name);
			PQclear(r);
			goto out;
		}
		char afile[256];
		snprintf(afile, sizeof(afile), "%s", PQgetvalue(r, 0, 0));
		unsigned long long apos = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
		PQclear(r);
		if (!sfile[0] || bl_pos_cmp(afile, apos, sfile, spos) >= 0) {
			log_info("detach", "replica caught up: applied %s:%llu, source at %s:%llu",
				 afile, apos, sfile, spos);
			break;
		}
		if (!pid) {
			if (force) {
				log_warn("detach", "the replica is behind (applied %s:%llu, source at "
						   "%s:%llu) and not running: detaching anyway (--force)",
					 afile, apos, sfile, spos);
				break;
			}
			fprintf(stderr, "chameleon: the replica is behind (applied %s:%llu, source at "
					"%s:%llu) and not running: start_replica, then detach_replica "
					"(or --force to lose the missing changes)\n",
				afile, apos, sfile, spos);
			goto out;
		}
		if (clock_ms() >= deadline) {
			fprintf(stderr, "chameleon: the replica did not catch up within %ld s "
					"(applied %s:%llu, source at %s:%llu)\n",
				o.timeout, afile, apos, sfile, spos);
			goto out;
		}
		if (waited % 20 == 0)
			log_info("detach", "waiting for the replica: applied %s:%llu, source at %s:%llu",
				 afile, apos, sfile, spos);
		usleep(500 * 1000);
		pid = pidfile_owner(cfg.pid_dir, pname);
	}
	if (pid) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 600 && pidfile_owner(cfg.pid_dir, pname) == pid; i++)
			usleep(100 * 1000);
		if (pidfile_owner(cfg.pid_dir, pname) == pid) {
			fprintf(stderr, "chameleon: the replica (pid %ld) did not stop\n", (long)pid);
			goto out;
		}
		log_info("detach", "replica (pid %ld) stopped", (long)pid);
	}

	/* what the source knows: AUTO_INCREMENT columns, foreign keys */
	struct buf schemas;
	buf_init(&schemas, 0);
	for (size_t i = 0; i < src->n_mappings; i++) {
		if (i)
			buf_putc(&schemas, ',');
		mp_quote(&schemas, src->mappings[i].mysql_schema);
	}
	buf_printf(&sql, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM "
		       "information_schema.COLUMNS WHERE TABLE_SCHEMA IN (%s) AND "
		       "EXTRA LIKE '%%auto_increment%%'", buf_cstr(&schemas));
	int qrc = my_rows(my, buf_cstr(&sql), &ai);
	buf_reset(&sql);
	cmd_fk_query(&sql, buf_cstr(&schemas));
	if (!qrc)
		qrc = my_rows(my, buf_cstr(&sql), &fk);
	buf_release(&schemas);
	if (qrc)
		goto out;

	/* replicated tables of the source: only those are touched */
	PGresult *tr;
	{
		const char *v[1] = {src->name};
		tr = PQexecParams(pg,
			"SELECT schema_name || '.' || table_name FROM sch_chameleon.t_tables "
			"WHERE source_name = $1 EXCEPT SELECT schema_name || '.' || table_name "
			"FROM sch_chameleon.t_disabled_tables WHERE source_name = $1",
			1, NULL, v, NULL, NULL, 0);
	}
	if (PQresultStatus(tr) != PGRES_TUPLES_OK) {
		fprintf(stderr, "chameleon: %s", PQresultErrorMessage(tr));
		PQclear(tr);
		goto out;
	}
	int ntr = PQntuples(tr);
	bool any_table = ntr > 0;
	int nseq = 0, nfk = 0, nvalid = 0;
	buf_reset(&sql);
	buf_putl(&sql, "BEGIN;\n");
	for (size_t i = 0; i < ai.n; i++) {
		const char *ms = ai.v[i][0], *t = ai.v[i][1], *c = ai.v[i][2];
		const char *ps = pg_schema_of(src, ms);
		if (!ps || !t || !c || !replicated(tr, ntr, any_table, ms, t))
			continue;
		char seqname[200];
		snprintf(seqname, sizeof(seqname), "%.60s_%.60s_seq", t, c);
		struct buf qt, qs;
		buf_init(&qt, 0);
		buf_init(&qs, 0);
		rp_quote_ident(&qt, ps);
		buf_putc(&qt, '.');
		rp_quote_ident(&qt, t);
		rp_quote_ident(&qs, ps);
		buf_putc(&qs, '.');
		rp_quote_ident(&qs, seqname);
		buf_printf(&sql, "CREATE SEQUENCE IF NOT EXISTS %s OWNED BY %s.", buf_cstr(&qs),
			   buf_cstr(&qt));
		rp_quote_ident(&sql, c);
		buf_printf(&sql, ";\nALTER TABLE %s ALTER COLUMN ", buf_cstr(&qt));
		rp_quote_ident(&sql, c);
		buf_putl(&sql, " SET DEFAULT nextval(");
		{
			struct buf lit;
			buf_init(&lit, 0);
			rp_quote_literal(&lit, buf_cstr(&qs));
			buf_put(&sql, lit.p, lit.n);
			buf_release(&lit);
		}
		buf_putl(&sql, "::regclass);\nSELECT setval(");
		{
			struct buf lit;
			buf_init(&lit, 0);
			rp_quote_literal(&lit, buf_cstr(&qs));
			buf_put(&sql, lit.p, lit.n);
			buf_release(&lit);
		}
		buf_putl(&sql, "::regclass, COALESCE((SELECT max(");
		rp_quote_ident(&sql, c);
		buf_printf(&sql, ") FROM %s), 0)::bigint + 1, false);\n", buf_cstr(&qt));
		buf_release(&qt);
		buf_release(&qs);
		nseq++;
	}
	/* foreign keys: one constraint per (table, name), columns in order */
	struct fkdef {
		char *table;	/* "ps"."t" */
		char *name;
	} *fks = xcalloc(fk.n ? fk.n : 1, sizeof(*fks));
	for (size_t i = 0; i < fk.n;) {
		size_t j = i;
		while (j < fk.n && !strcmp(fk.v[j][0], fk.v[i][0]) &&
		       !strcmp(fk.v[j][1], fk.v[i][1]) && !strcmp(fk.v[j][2], fk.v[i][2]))
			j++;
		char **f = fk.v[i];
		const char *ps = pg_schema_of(src, f[0]);
		const char *rs = f[4] ? pg_schema_of(src, f[4]) : NULL;
		if (!ps || !rs || !replicated(tr, ntr, any_table, f[0], f[1]) ||
		    !replicated(tr, ntr, any_table, f[4], f[5])) {
			log_warn("detach", "foreign key %s of `%s`.`%s` not created: it refers to "
					   "`%s`.`%s`, which is not replicated",
				 f[2], f[0], f[1], f[4] ? f[4] : "?", f[5] ? f[5] : "?");
			i = j;
			continue;
		}
		struct buf qt;
		buf_init(&qt, 0);
		rp_quote_ident(&qt, ps);
		buf_putc(&qt, '.');
		rp_quote_ident(&qt, f[1]);
		/* those with cascading actions exist since init_replica */
		const char *cols[64], *refcols[64];
		size_t nc = 0;
		for (size_t k = i; k < j && nc < 64; k++, nc++) {
			cols[nc] = fk.v[k][3];
			refcols[nc] = fk.v[k][6];
		}
		struct buf qr;
		buf_init(&qr, 0);
		rp_quote_ident(&qr, rs);
		buf_putc(&qr, '.');
		rp_quote_ident(&qr, f[5]);
		cmd_fk_add_sql(&sql, buf_cstr(&qt), f[2], cols, buf_cstr(&qr), refcols, nc,
			       f[7], f[8]);
		buf_release(&qr);
		fks[nfk].table = xstrdup(buf_cstr(&qt));
		fks[nfk].name = xstrdup(f[2]);
		nfk++;
		buf_release(&qt);
		i = j;
	}
	buf_putl(&sql, "DELETE FROM sch_chameleon.t_error_log WHERE source_name = ");
	rp_quote_literal(&sql, src->name);
	buf_putl(&sql, ";\nDELETE FROM sch_chameleon.t_sources WHERE source_name = ");
	rp_quote_literal(&sql, src->name);
	buf_putl(&sql, ";\nCOMMIT;");
	PQclear(tr);
	if (rp_pg_exec(pg, buf_cstr(&sql), err, sizeof(err))) {
		fprintf(stderr, "chameleon: detaching: %s\n", err);
		PQclear(PQexec(pg, "ROLLBACK"));
	} else {
		/* validation reads the tables: one by one, a failure is reported
		 * and the constraint stays NOT VALID (new rows are checked) */
		for (int i = 0; i < nfk; i++) {
			buf_reset(&sql);
			buf_printf(&sql, "ALTER TABLE %s VALIDATE CONSTRAINT ", fks[i].table);
			rp_quote_ident(&sql, fks[i].name);
			if (rp_pg_exec(pg, buf_cstr(&sql), err, sizeof(err)))
				log_warn("detach", "foreign key %s on %s left NOT VALID: %s",
					 fks[i].name, fks[i].table, err);
			else
				nvalid++;
		}
		printf("source '%s' detached: %d sequences set after the maximum, %d foreign "
		       "keys created (%d validated); the source is removed from the catalog\n",
		       src->name, nseq, nfk, nvalid);
		status = 0;
	}
	for (int i = 0; i < nfk; i++) {
		free(fks[i].table);
		free(fks[i].name);
	}
	free(fks);
out:
	rows_free(&ai);
	rows_free(&fk);
	buf_release(&sql);
	if (pg)
		PQfinish(pg);
	mp_close(my);
	free(my);
	free(conninfo);
	config_release(&cfg);
	return status;
}
