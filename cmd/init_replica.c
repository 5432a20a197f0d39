/*
 * chameleon init_replica: the initial copy of a source into PostgreSQL.
 *
 *   1. pre-flight on the source (binlog settings, privileges);
 *   2. structure from information_schema, created without indexes in a
 *      loading schema "_<schema>_tmp" (or the existing tables truncated,
 *      keep_existing_schema);
 *   3. a consistent snapshot: FLUSH TABLES WITH READ LOCK on a
 *      coordinator connection, one START TRANSACTION WITH CONSISTENT
 *      SNAPSHOT per copy worker, the binlog position read, then
 *      non-transactional tables copied while the lock is still held
 *      and the lock released before the transactional tables are copied;
 *   4. rows streamed from the source (text protocol, never a whole table
 *      in memory) into COPY ... FROM STDIN over copy_workers connection
 *      pairs, large tables split into primary-key ranges;
 *   5. primary keys and indexes built after the load, in parallel;
 *   6. one PostgreSQL transaction swaps the loaded schema in and stores
 *      the snapshot position: replication starts exactly there.
 *
 * A killed or failed init leaves the destination schema untouched (the
 * loading schema is dropped by the next run) and the source in status
 * 'error' or 'initialising', which start_replica refuses.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/daemon.h"
#include "cmd/source.h"
#include "replay/internal.h"	/* rp_catalog_upgrade, rp_pg_exec on its PGconn */
#include "replay/replay.h"

/* ---- structure ----------------------------------------------------------- */

struct icol {
	const char *name, *data_type, *column_type, *def, *comment, *extra;
	unsigned long char_len;
	bool nullable, has_def;
	struct rp_pg_type pg;
	struct rp_copy_col cv;
	bool as_double;		/* FLOAT read as `col`+0e0: every digit */
};

struct iindex {
	const char *name;
	bool unique, primary;
	int ncols;
	const char *cols[64];
};

struct itable {
	const char *schema, *name, *pg_schema, *engine, *comment;
	bool transactional;
	uint64_t est_rows;
	int ncols;
	struct icol *cols;
	int nidx;
	struct iindex *idx;
	const struct iindex *key;	/* replica key: primary, first usable unique */
	const char *key_kind;
	int fillfactor;
	/* copy progress (atomics) */
	uint64_t rows;
	int chunks, chunks_done;
	bool failed;
};

struct job {
	struct itable *t;
	bool ranged;
	long long lo, hi;	/* [lo, hi) or [lo, hi] for the last chunk */
	bool last;
	const char *sql;	/* an index/DDL job: the statement */
};

enum mode {
	M_INIT,		/* init_replica */
	M_SYNC,		/* sync_tables, refresh_schema: chosen tables, in place */
	M_SCHEMA,	/* copy_schema: structure only */
};

struct init {
	enum mode mode;
	const char **only;	/* M_SYNC: "schema.table" names */
	size_t nonly;
	const char *only_schema;	/* M_SYNC: every table of this schema */
	const struct cfg_source *src;
	const struct config *cfg;
	char *conninfo;
	struct arena mem;
	struct itable *tables;
	int ntables;
	int workers;
	struct rp_convert_opts conv;
	struct rp_opts filters;	/* limit_tables, skip_tables */
	bool keep_existing;
	/* job queue (one phase at a time) */
	pthread_mutex_t mu;
	struct job *jobs;
	int njobs, next_job;
	bool failed;
	char fail_msg[1024];
	/* totals */
	uint64_t rows, bytes, zero_dates, est_total;
	PGconn *progress_pg;	/* M_INIT: the catalog connection, for show_status */
	/* worker connections */
	struct mp_conn **my;
	PGconn **pg;
	bool is_mariadb;
};

static const char *loading_schema(struct init *in, const char *pg_schema)
{
	if (in->keep_existing || in->mode == M_SYNC)
		return pg_schema;
	size_t n = strlen(pg_schema) + 8;
	char *s = arena_alloc(&in->mem, n);
	snprintf(s, n, "_%s_tmp", pg_schema);
	return s;
}

static void myident(struct buf *b, const char *id)
{
	buf_putc(b, '`');
	for (; *id; id++) {
		if (*id == '`')
			buf_putc(b, '`');
		buf_putc(b, *id);
	}
	buf_putc(b, '`');
}

static void fail(struct init *in, const char *fmt, ...) PRINTF(2, 3);
static void fail(struct init *in, const char *fmt, ...)
{
	pthread_mutex_lock(&in->mu);
	if (!in->failed) {
		in->failed = true;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(in->fail_msg, sizeof(in->fail_msg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&in->mu);
}

/* Rows of a query on the source, each field copied into the arena;
 * cb(row, nfields, ctx).  NULL fields are NULL pointers. */
static int my_rows(struct mp_conn *c, struct arena *a, const char *sql,
		   void (*cb)(char **f, uint32_t n, void *ctx), void *ctx)
{
	struct mp_result r;
	if (mp_query(c, sql, &r)) {
		fprintf(stderr, "chameleon: source query failed: %s\n  %s\n", c->err.msg, sql);
		return -1;
	}
	struct mp_row row;
	int rc;
	char *f[32];
	while ((rc = mp_result_next(c, &r, &row)) == 1) {
		uint32_t n = row.n < 32 ? row.n : 32;
		for (uint32_t i = 0; i < n; i++)
			f[i] = row.is_null[i] ? NULL
					      : arena_strndup(a, (const char *)row.values[i].p,
							      row.values[i].n);
		cb(f, n, ctx);
	}
	mp_result_release(c, &r);
	if (rc < 0) {
		fprintf(stderr, "chameleon: source query failed: %s\n", c->err.msg);
		return -1;
	}
	return 0;
}

/* ---- reading the structure ----------------------------------------------- */

struct tlist {
	struct init *in;
	struct itable *v;
	int n, cap;
};

static void on_table(char **f, uint32_t n, void *ctx)
{
	struct tlist *l = ctx;
	if (n < 5 || !f[0] || !f[1])
		return;
	if (!rp_table_included(&l->in->filters, f[0], f[1]))
		return;
	if (l->in->mode == M_SYNC) {
		bool want = l->in->only_schema && !strcmp(l->in->only_schema, f[0]);
		size_t sl = strlen(f[0]);
		for (size_t i = 0; i < l->in->nonly && !want; i++)
			want = !strncmp(l->in->only[i], f[0], sl) && l->in->only[i][sl] == '.' &&
			       !strcmp(l->in->only[i] + sl + 1, f[1]);
		if (!want)
			return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, (size_t)l->cap, sizeof(*l->v));
	}
	struct itable *t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
	t->schema = f[0];
	t->name = f[1];
	t->engine = f[2] ? f[2] : "";
	t->est_rows = f[3] ? strtoull(f[3], NULL, 10) : 0;
	t->comment = f[4] && f[4][0] ? f[4] : NULL;
	t->transactional = !strcasecmp(t->engine, "InnoDB") ||
			   !strcasecmp(t->engine, "XtraDB") ||
			   !strcasecmp(t->engine, "TokuDB") ||
			   !strcasecmp(t->engine, "RocksDB") ||
			   !strcasecmp(t->engine, "ndbcluster");
}

static struct itable *find_table(struct init *in, const char *schema, const char *name)
{
	for (int i = 0; i < in->ntables; i++)
		if (!strcmp(in->tables[i].schema, schema) && !strcmp(in->tables[i].name, name))
			return &in->tables[i];
	return NULL;
}

struct colls {
	int n;
	const char *name[2048];
	uint16_t id[2048];
};

static void on_coll(char **f, uint32_t n, void *ctx)
{
	struct colls *c = ctx;
	if (n >= 2 && f[0] && f[1] && c->n < 2048) {
		c->name[c->n] = f[0];
		c->id[c->n++] = (uint16_t)atoi(f[1]);
	}
}

struct colctx {
	struct init *in;
	struct colls *colls;
	int bad;
};

/* The override of pg_chameleon's type_override for this column, or NULL. */
static const char *type_override(const struct config *cfg, const struct itable *t,
				 const char *column_type)
{
	for (size_t i = 0; i < cfg->n_type_overrides; i++) {
		const struct cfg_type_override *o = &cfg->type_overrides[i];
		if (strcasecmp(o->mysql_type, column_type))
			continue;
		for (size_t k = 0; k < o->tables.n; k++) {
			const char *x = o->tables.v[k];
			size_t sl = strlen(t->schema);
			if (!strcmp(x, "*") ||
			    (!strncmp(x, t->schema, sl) && x[sl] == '.' &&
			     !strcmp(x + sl + 1, t->name)))
				return o->override_to;
		}
	}
	return NULL;
}

static void on_column(char **f, uint32_t n, void *ctx)
{
	struct colctx *cc = ctx;
	struct init *in = cc->in;
	if (n < 11 || !f[0] || !f[1] || !f[2])
		return;
	struct itable *t = find_table(in, f[0], f[1]);
	if (!t)
		return;
	t->cols = xreallocarray(t->cols, (size_t)t->ncols + 1, sizeof(*t->cols));
	struct icol *c = &t->cols[t->ncols++];
	memset(c, 0, sizeof(*c));
	c->name = f[2];
	c->data_type = f[3] ? f[3] : "";
	c->column_type = f[4] ? f[4] : "";
	c->char_len = f[5] ? strtoul(f[5], NULL, 10) : 0;
	c->nullable = f[6] && !strcmp(f[6], "YES");
	c->has_def = f[7] != NULL;
	c->def = f[7];
	const char *coll = f[8];
	c->comment = f[9] && f[9][0] ? f[9] : NULL;
	c->extra = f[10] ? f[10] : "";
	if (rp_type_of_mysql(c->data_type, c->column_type, c->char_len, &c->pg)) {
		fprintf(stderr, "chameleon: `%s`.`%s` column %s: type %s cannot be mapped\n",
			t->schema, t->name, c->name, c->column_type);
		cc->bad++;
		return;
	}
	const char *ov = type_override(in->cfg, t, c->column_type);
	if (ov) {
		snprintf(c->pg.name, sizeof(c->pg.name), "%s", ov);
		c->pg.is_enum = false;
	}
	const char *dt = c->data_type;
	struct rp_copy_col *cv = &c->cv;
	cv->kind = RP_CV_ASIS;
	if (!strcasecmp(dt, "date") || !strcasecmp(dt, "datetime")) {
		cv->kind = RP_CV_DATE;
	} else if (!strcasecmp(dt, "timestamp")) {
		cv->kind = RP_CV_TIMESTAMP;
	} else if (!strcasecmp(dt, "float")) {
		c->as_double = true;
	} else if (!strcasecmp(dt, "bit")) {
		cv->kind = RP_CV_BIT;
		unsigned bits = 1;
		sscanf(c->column_type, "bit(%u)", &bits);
		cv->bits = bits;
	} else if (!strcasecmp(dt, "vector")) {
		cv->kind = RP_CV_VECTOR;
	} else if (!strcmp(c->pg.name, "bytea")) {
		cv->kind = RP_CV_BYTES;
	} else if (coll) {
		cv->kind = RP_CV_TEXT;
		for (int i = 0; i < cc->colls->n; i++)
			if (!strcmp(cc->colls->name[i], coll)) {
				cv->col.collation = cc->colls->id[i];
				cv->col.has_charset = true;
			}
		if (!cv->col.has_charset) {
			fprintf(stderr, "chameleon: `%s`.`%s` column %s: unknown collation %s\n",
				t->schema, t->name, c->name, coll);
			cc->bad++;
		} else if (!bl_collation_charset(cv->col.collation)) {
			fprintf(stderr, "chameleon: `%s`.`%s` column %s: collation %s (%u) "
					"is not supported\n",
				t->schema, t->name, c->name, coll, cv->col.collation);
			cc->bad++;
		}
	}
	/* ENUM: an enum type of the labels, as pg_chameleon */
}

static void on_index(char **f, uint32_t n, void *ctx)
{
	struct init *in = ctx;
	if (n < 5 || !f[0] || !f[1] || !f[2] || !f[4])
		return;
	struct itable *t = find_table(in, f[0], f[1]);
	if (!t)
		return;
	struct iindex *x = NULL;
	for (int i = 0; i < t->nidx; i++)
		if (!strcmp(t->idx[i].name, f[2]))
			x = &t->idx[i];
	if (!x) {
		t->idx = xreallocarray(t->idx, (size_t)t->nidx + 1, sizeof(*t->idx));
		x = &t->idx[t->nidx++];
		memset(x, 0, sizeof(*x));
		x->name = f[2];
		x->primary = !strcmp(f[2], "PRIMARY");
		x->unique = f[3] && !strcmp(f[3], "0");
	}
	if (x->ncols < 64)
		x->cols[x->ncols++] = f[4];
}

static const struct icol *col_of(const struct itable *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

static int read_structure(struct init *in, struct mp_conn *c)
{
	struct buf q;
	buf_init(&q, 0);
	struct buf schemas;
	buf_init(&schemas, 0);
	for (size_t i = 0; i < in->src->n_mappings; i++) {
		if (i)
			buf_putc(&schemas, ',');
		mp_quote(&schemas, in->src->mappings[i].mysql_schema);
	}
	if (!in->src->n_mappings) {
		fprintf(stderr, "chameleon: source '%s' has no schema_mappings\n", in->src->name);
		return -1;
	}
	struct tlist tl = {in, NULL, 0, 0};
	buf_printf(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_ROWS, TABLE_COMMENT "
		       "FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
		       "AND TABLE_SCHEMA IN (%s) ORDER BY TABLE_SCHEMA, TABLE_NAME",
		   buf_cstr(&schemas));
	int rc = my_rows(c, &in->mem, buf_cstr(&q), on_table, &tl);
	in->tables = tl.v;
	in->ntables = tl.n;
	struct colls *colls = xcalloc(1, sizeof(*colls));
	if (!rc)
		rc = my_rows(c, &in->mem, "SELECT COLLATION_NAME, ID FROM "
					  "information_schema.COLLATIONS", on_coll, colls);
	struct colctx cc = {in, colls, 0};
	buf_reset(&q);
	buf_printf(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, "
		       "CHARACTER_MAXIMUM_LENGTH, IS_NULLABLE, COLUMN_DEFAULT, COLLATION_NAME, "
		       "COLUMN_COMMENT, EXTRA FROM information_schema.COLUMNS "
		       "WHERE TABLE_SCHEMA IN (%s) ORDER BY TABLE_SCHEMA, TABLE_NAME, "
		       "ORDINAL_POSITION", buf_cstr(&schemas));
	if (!rc)
		rc = my_rows(c, &in->mem, buf_cstr(&q), on_column, &cc);
	buf_reset(&q);
	buf_printf(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME "
		       "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (%s) "
		       "ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME = 'PRIMARY' DESC, "
		       "INDEX_NAME, SEQ_IN_INDEX", buf_cstr(&schemas));
	if (!rc)
		rc = my_rows(c, &in->mem, buf_cstr(&q), on_index, in);
	free(colls);
	buf_release(&q);
	buf_release(&schemas);
	if (rc)
		return rc;
	if (cc.bad)
		return -1;
	for (int i = 0; i < in->ntables; i++) {
		struct itable *t = &in->tables[i];
		for (size_t k = 0; k < in->src->n_mappings; k++)
			if (!strcmp(in->src->mappings[k].mysql_schema, t->schema))
				t->pg_schema = in->src->mappings[k].pg_schema;
		/* the replica key: primary key, else the first unique index
		 * of NOT NULL columns, else every column */
		t->key_kind = "all";
		for (int k = 0; k < t->nidx && !t->key; k++) {
			const struct iindex *x = &t->idx[k];
			bool ok = x->primary || x->unique;
			for (int j = 0; ok && j < x->ncols; j++) {
				const struct icol *col = col_of(t, x->cols[j]);
				ok = col && (x->primary || !col->nullable);
			}
			if (ok) {
				t->key = x;
				t->key_kind = x->primary ? "primary" : "unique";
			}
		}
		for (size_t k = 0; k < in->cfg->n_fillfactors; k++) {
			const struct cfg_fillfactor *ff = &in->cfg->fillfactors[k];
			size_t sl = strlen(t->schema);
			for (size_t j = 0; j < ff->tables.n; j++)
				if (!strncmp(ff->tables.v[j], t->schema, sl) &&
				    ff->tables.v[j][sl] == '.' &&
				    !strcmp(ff->tables.v[j] + sl + 1, t->name))
					t->fillfactor = ff->fillfactor;
		}
		in->est_total += t->est_rows;
	}
	return 0;
}

/* ---- DDL ------------------------------------------------------------------ */

static void table_name(struct buf *b, struct init *in, const struct itable *t, bool loading)
{
	rp_quote_ident(b, loading ? loading_schema(in, t->pg_schema) : t->pg_schema);
	buf_putc(b, '.');
	rp_quote_ident(b, t->name);
}

/*
 * Labels of "enum('a','it''s')" as a PostgreSQL list "'a', 'it''s'", and
 * '' at the end: MySQL stores '' (index 0) for an invalid value outside
 * strict mode, so it belongs to every ENUM's domain.
 */
static void enum_labels(struct buf *b, const char *ct)
{
	const char *p = strchr(ct, '(');
	if (!p)
		return;
	p++;
	bool first = true, empty = false;
	while (*p == '\'') {
		empty |= p[1] == '\'' && p[2] != '\'';
		if (!first)
			buf_putl(b, ", ");
		first = false;
		buf_putc(b, '\'');
		p++;
		for (; *p; p++) {
			if (*p == '\'' && p[1] == '\'') {
				buf_putl(b, "''");
				p++;
			} else if (*p == '\'') {
				break;
			} else if (*p == '\\' && p[1]) {
				/* MySQL shows backslashes doubled */
				p++;
				if (*p == '\'')
					buf_putc(b, '\'');
				buf_putc(b, *p);
			} else {
				buf_putc(b, *p);
			}
		}
		buf_putc(b, '\'');
		if (*p == '\'')
			p++;
		if (*p == ',')
			p++;
	}
	if (!empty)
		buf_puts(b, first ? "''" : ", ''");
}

static void enum_type_name(struct buf *b, struct init *in, const struct itable *t,
			   const struct icol *c, bool loading)
{
	rp_quote_ident(b, loading ? loading_schema(in, t->pg_schema) : t->pg_schema);
	buf_putc(b, '.');
	char name[200];
	snprintf(name, sizeof(name), "enum_%s_%s", t->name, c->name);
	rp_quote_ident(b, name);
}

static void create_sql(struct buf *b, struct init *in, const struct itable *t)
{
	for (int i = 0; i < t->ncols; i++) {
		const struct icol *c = &t->cols[i];
		if (!c->pg.is_enum)
			continue;
		buf_putl(b, "CREATE TYPE ");
		enum_type_name(b, in, t, c, true);
		buf_putl(b, " AS ENUM (");
		enum_labels(b, c->column_type);
		buf_putl(b, ");\n");
	}
	buf_putl(b, "CREATE TABLE ");
	table_name(b, in, t, true);
	buf_putl(b, " (");
	for (int i = 0; i < t->ncols; i++) {
		const struct icol *c = &t->cols[i];
		if (i)
			buf_putl(b, ", ");
		rp_quote_ident(b, c->name);
		buf_putc(b, ' ');
		if (c->pg.is_enum)
			enum_type_name(b, in, t, c, true);
		else
			buf_puts(b, c->pg.name);
		if (!c->nullable)
			buf_putl(b, " NOT NULL");
	}
	buf_putc(b, ')');
	if (t->fillfactor)
		buf_printf(b, " WITH (fillfactor = %d)", t->fillfactor);
	buf_putl(b, ";\n");
	if (t->comment) {
		buf_putl(b, "COMMENT ON TABLE ");
		table_name(b, in, t, true);
		buf_putl(b, " IS ");
		rp_quote_literal(b, t->comment);
		buf_putl(b, ";\n");
	}
	for (int i = 0; i < t->ncols; i++) {
		const struct icol *c = &t->cols[i];
		if (!c->comment)
			continue;
		buf_putl(b, "COMMENT ON COLUMN ");
		table_name(b, in, t, true);
		buf_putc(b, '.');
		rp_quote_ident(b, c->name);
		buf_putl(b, " IS ");
		rp_quote_literal(b, c->comment);
		buf_putl(b, ";\n");
	}
}

static bool numeric_literal(const char *s)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!*p)
		return false;
	bool dot = false, digit = false;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if (*p == '.' && !dot)
			dot = true;
		else
			return false;
	}
	return digit;
}

/*
 * A column default as PostgreSQL SQL, or false when it has no safe
 * translation (it is then left out, with a warning).  MariaDB shows
 * string defaults quoted and expressions bare; MySQL shows literals bare.
 */
static bool default_sql(struct buf *b, const struct icol *c, bool mariadb)
{
	const char *d = c->def;
	if (!d || !strcasecmp(d, "NULL"))
		return false;
	if (!strncasecmp(d, "current_timestamp", 17)) {
		if (strcasecmp(c->data_type, "datetime") && strcasecmp(c->data_type, "timestamp"))
			return false;
		buf_putl(b, "CURRENT_TIMESTAMP");
		return true;
	}
	if (!strcasecmp(c->data_type, "bit") || c->cv.kind == RP_CV_BYTES ||
	    strstr(c->extra, "DEFAULT_GENERATED"))
		return false;
	if (c->cv.kind == RP_CV_DATE && (!strncmp(d, "0000", 4) || strstr(d, "-00")))
		return false;
	if (numeric_literal(d)) {
		if (c->pg.is_enum || c->cv.kind == RP_CV_TEXT)
			rp_quote_literal(b, d);
		else
			buf_puts(b, d);
		return true;
	}
	if (mariadb) {
		size_t n = strlen(d);
		if (n < 2 || d[0] != '\'' || d[n - 1] != '\'')
			return false;	/* an expression */
		/* MariaDB quotes like SQL ('' for '), with backslash escapes */
		buf_putc(b, '\'');
		for (size_t i = 1; i + 1 < n; i++) {
			if (d[i] == '\\' && i + 2 < n) {
				i++;
				buf_putc(b, d[i] == 'n' ? '\n' : d[i] == 't' ? '\t' : d[i]);
				if (d[i] == '\'')
					buf_putc(b, '\'');
			} else {
				buf_putc(b, d[i]);
			}
		}
		buf_putc(b, '\'');
		return true;
	}
	rp_quote_literal(b, d);
	return true;
}

/* ---- the copy -------------------------------------------------------------- */

static void select_sql(struct buf *b, const struct job *j)
{
	const struct itable *t = j->t;
	buf_putl(b, "SELECT ");
	for (int i = 0; i < t->ncols; i++) {
		if (i)
			buf_putl(b, ", ");
		myident(b, t->cols[i].name);
		if (t->cols[i].as_double)
			buf_putl(b, " + 0e0");
	}
	buf_putl(b, " FROM ");
	myident(b, t->schema);
	buf_putc(b, '.');
	myident(b, t->name);
	if (j->ranged) {
		const char *k = t->key->cols[0];
		buf_putl(b, " WHERE ");
		myident(b, k);
		buf_printf(b, " >= %lld AND ", j->lo);
		myident(b, k);
		buf_printf(b, j->last ? " <= %lld" : " < %lld", j->hi);
	}
}

/* Copy one job over worker w's connections. */
static int copy_job(struct init *in, int w, const struct job *j)
{
	struct itable *t = j->t;
	struct mp_conn *my = in->my[w];
	PGconn *pg = in->pg[w];
	struct buf q, line, tmp;
	buf_init(&q, 0);
	buf_init(&line, 0);
	buf_init(&tmp, 0);
	buf_putl(&q, "COPY ");
	table_name(&q, in, t, true);
	buf_putl(&q, " FROM STDIN");
	PGresult *r = PQexec(pg, buf_cstr(&q));
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		fail(in, "`%s`.`%s`: %s", t->schema, t->name, PQresultErrorMessage(r));
		PQclear(r);
		rc = -1;
		goto out;
	}
	PQclear(r);
	buf_reset(&q);
	select_sql(&q, j);
	struct mp_result res;
	if (mp_query(my, buf_cstr(&q), &res)) {
		fail(in, "`%s`.`%s`: reading from the source: %s", t->schema, t->name,
		     my->err.msg);
		PQputCopyEnd(pg, "source read failed");
		PQclear(PQgetResult(pg));
		rc = -1;
		goto out;
	}
	struct mp_row row;
	uint64_t nrows = 0, zd = 0;
	struct err e = {0};
	const char *abort_msg = NULL;
	char msg[512];
	int mrc;
	while ((mrc = mp_result_next(my, &res, &row)) == 1) {
		if (row.n != (uint32_t)t->ncols) {
			snprintf(msg, sizeof(msg), "the source returned %u columns, expected %d",
				 row.n, t->ncols);
			abort_msg = msg;
			break;
		}
		for (int i = 0; i < t->ncols; i++) {
			if (i)
				buf_putc(&line, '\t');
			int vr = rp_copy_field(&line, &tmp, &t->cols[i].cv, row.values[i].p,
					       row.values[i].n, row.is_null[i], &in->conv, &e);
			if (vr < 0) {
				snprintf(msg, sizeof(msg), "row %llu, column %s: %s",
					 (unsigned long long)nrows + 1, t->cols[i].name, e.msg);
				abort_msg = msg;
				break;
			}
			if (vr == RP_ZERO_DATE_REPLACED)
				zd++;
		}
		if (abort_msg)
			break;
		buf_putc(&line, '\n');
		nrows++;
		if (line.n >= 256 * 1024) {
			if (PQputCopyData(pg, (const char *)line.p, (int)line.n) != 1) {
				abort_msg = "PostgreSQL connection lost";
				break;
			}
			__atomic_add_fetch(&in->bytes, line.n, __ATOMIC_RELAXED);
			buf_reset(&line);
			__atomic_add_fetch(&t->rows, nrows, __ATOMIC_RELAXED);
			__atomic_add_fetch(&in->rows, nrows, __ATOMIC_RELAXED);
			nrows = 0;
		}
		if (in->failed || daemon_stop_requested) {
			abort_msg = in->failed ? "another copy failed" : "interrupted";
			break;
		}
	}
	if (mrc < 0 && !abort_msg) {
		snprintf(msg, sizeof(msg), "reading from the source: %s", my->err.msg);
		abort_msg = msg;
	}
	if (abort_msg) {
		mp_result_release(my, &res);
		PQputCopyEnd(pg, abort_msg);
		PQclear(PQgetResult(pg));
		fail(in, "`%s`.`%s`: %s", t->schema, t->name, abort_msg);
		rc = -1;
		goto out;
	}
	mp_result_release(my, &res);
	if ((line.n && PQputCopyData(pg, (const char *)line.p, (int)line.n) != 1) ||
	    PQputCopyEnd(pg, NULL) != 1) {
		fail(in, "`%s`.`%s`: %s", t->schema, t->name, PQerrorMessage(pg));
		rc = -1;
		goto out;
	}
	r = PQgetResult(pg);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		/* the message names the line of the COPY: the row */
		fail(in, "`%s`.`%s`: PostgreSQL refused a row: %s", t->schema, t->name,
		     PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	while ((r = PQgetResult(pg)))
		PQclear(r);
	__atomic_add_fetch(&in->bytes, line.n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&t->rows, nrows, __ATOMIC_RELAXED);
	__atomic_add_fetch(&in->rows, nrows, __ATOMIC_RELAXED);
	__atomic_add_fetch(&in->zero_dates, zd, __ATOMIC_RELAXED);
	__atomic_add_fetch(&t->chunks_done, 1, __ATOMIC_RELAXED);
out:
	buf_release(&q);
	buf_release(&line);
	buf_release(&tmp);
	return rc;
}

static int run_ddl_job(struct init *in, int w, const struct job *j)
{
	char err[1024];
	if (rp_pg_exec(in->pg[w], j->sql, err, sizeof(err))) {
		if (j->t && !strncmp(j->sql, "CREATE INDEX", 12)) {
			/* a plain index is not data: warn and go on */
			log_warn("init", "`%s`.`%s`: index not created: %s", j->t->schema,
				 j->t->name, err);
			return 0;
		}
		fail(in, "%s: %s", j->sql, err);
		return -1;
	}
	return 0;
}

struct worker_arg {
	struct init *in;
	int w;
};

static void *worker(void *arg)
{
	struct worker_arg *a = arg;
	struct init *in = a->in;
	for (;;) {
		pthread_mutex_lock(&in->mu);
		int k = in->failed || in->next_job >= in->njobs ? -1 : in->next_job++;
		pthread_mutex_unlock(&in->mu);
		if (k < 0)
			break;
		const struct job *j = &in->jobs[k];
		if (j->sql ? run_ddl_job(in, a->w, j) : copy_job(in, a->w, j))
			break;
	}
	bl_charset_thread_done();
	return NULL;
}

static void fmt_count(char *out, size_t n, uint64_t v)
{
	if (v >= 10000000)
		snprintf(out, n, "%.1fM", (double)v / 1e6);
	else if (v >= 10000)
		snprintf(out, n, "%.1fk", (double)v / 1e3);
	else
		snprintf(out, n, "%llu", (unsigned long long)v);
}

/* Run the queued jobs on the workers, showing progress. */
static int run_jobs(struct init *in, const char *what, double t0)
{
	in->next_job = 0;
	int nw = in->workers;
	pthread_t *th = xcalloc((size_t)nw, sizeof(*th));
	struct worker_arg *args = xcalloc((size_t)nw, sizeof(*args));
	for (int i = 0; i < nw; i++) {
		args[i].in = in;
		args[i].w = i;
		if (pthread_create(&th[i], NULL, worker, &args[i])) {
			fail(in, "cannot start a thread: %s", strerror(errno));
			nw = i;
			break;
		}
	}
	bool tty = isatty(2);
	double last_log = clock_s(), last_store = 0;
	uint64_t last_rows = __atomic_load_n(&in->rows, __ATOMIC_RELAXED);
	double last_t = last_log;
	for (;;) {
		pthread_mutex_lock(&in->mu);
		bool done = in->failed || in->next_job >= in->njobs;
		pthread_mutex_unlock(&in->mu);
		if (done)
			break;
		usleep(200 * 1000);
		double now = clock_s();
		if (now - last_log < (tty ? 1.0 : 10.0) || !what)
			continue;
		uint64_t rows = __atomic_load_n(&in->rows, __ATOMIC_RELAXED);
		double rate = (double)(rows - last_rows) / (now - last_t);
		char a[32], b[32];
		fmt_count(a, sizeof(a), rows);
		fmt_count(b, sizeof(b), in->est_total > rows ? in->est_total : rows);
		double eta = rate > 0 && in->est_total > rows
				     ? (double)(in->est_total - rows) / rate : 0;
		if (in->progress_pg && now - last_store >= 5) {
			char line[256];
			snprintf(line, sizeof(line), "%s: %s of ~%s rows, %.0f rows/s, ETA %.0f s "
				 "(at %.0f s)", what, a, b, rate, eta, now - t0);
			const char *v[2] = {in->src->name, line};
			PQclear(PQexecParams(in->progress_pg,
				"UPDATE sch_chameleon.t_sources SET init_progress = $2 "
				"WHERE source_name = $1", 2, NULL, v, NULL, NULL, 0));
			last_store = now;
		}
		if (tty)
			fprintf(stderr, "\r%s: %s of ~%s rows, %.0f rows/s, %.0f s elapsed, "
					"ETA %.0f s   ", what, a, b, rate, now - t0, eta);
		else
			log_info("init", "%s: %s of ~%s rows, %.0f rows/s, ETA %.0f s", what, a,
				 b, rate, eta);
		last_log = now;
		last_rows = rows;
		last_t = now;
	}
	for (int i = 0; i < nw; i++)
		pthread_join(th[i], NULL);
	if (tty && what)
		fputc('\n', stderr);
	free(th);
	free(args);
	return in->failed ? -1 : 0;
}

static void add_job(struct init *in, const struct job *j, int *cap)
{
	if (in->njobs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		in->jobs = xreallocarray(in->jobs, (size_t)*cap, sizeof(*in->jobs));
	}
	in->jobs[in->njobs++] = *j;
}

static bool int_type(const char *dt)
{
	return !strcasecmp(dt, "tinyint") || !strcasecmp(dt, "smallint") ||
	       !strcasecmp(dt, "mediumint") || !strcasecmp(dt, "int") ||
	       !strcasecmp(dt, "bigint");
}

#define CHUNK_ROWS 250000

/* Copy jobs of the tables (transactional or not), split by key ranges. */
static int plan_copy(struct init *in, struct mp_conn *c, bool transactional)
{
	free(in->jobs);
	in->jobs = NULL;
	in->njobs = 0;
	int cap = 0;
	for (int i = 0; i < in->ntables; i++) {
		struct itable *t = &in->tables[i];
		if (t->transactional != transactional)
			continue;
		struct job j = {t, false, 0, 0, false, NULL};
		const struct icol *kc = t->key && t->key->ncols == 1
						? col_of(t, t->key->cols[0]) : NULL;
		bool uns = kc && strstr(kc->column_type, "unsigned");
		if (kc && int_type(kc->data_type) && !(uns && !strcasecmp(kc->data_type, "bigint")) &&
		    t->est_rows > CHUNK_ROWS && in->workers > 1) {
			struct buf q;
			buf_init(&q, 0);
			buf_putl(&q, "SELECT MIN(");
			myident(&q, kc->name);
			buf_putl(&q, "), MAX(");
			myident(&q, kc->name);
			buf_putl(&q, ") FROM ");
			myident(&q, t->schema);
			buf_putc(&q, '.');
			myident(&q, t->name);
			struct mp_result r;
			struct mp_row row;
			long long lo = 0, hi = -1;
			bool got = false;
			if (mp_query(c, buf_cstr(&q), &r) == 0) {
				if (mp_result_next(c, &r, &row) == 1 && row.n == 2 &&
				    !row.is_null[0] && !row.is_null[1]) {
					char a[32], b[32];
					snprintf(a, sizeof(a), "%.*s", (int)row.values[0].n,
						 (const char *)row.values[0].p);
					snprintf(b, sizeof(b), "%.*s", (int)row.values[1].n,
						 (const char *)row.values[1].p);
					lo = strtoll(a, NULL, 10);
					hi = strtoll(b, NULL, 10);
					got = true;
				}
				mp_result_release(c, &r);
			} else {
				buf_release(&q);
				fprintf(stderr, "chameleon: `%s`.`%s`: %s\n", t->schema, t->name,
					c->err.msg);
				return -1;
			}
			buf_release(&q);
			uint64_t nchunks = t->est_rows / CHUNK_ROWS + 1;
			if (nchunks > (uint64_t)in->workers * 8)
				nchunks = (uint64_t)in->workers * 8;
			if (got && hi > lo && nchunks > 1) {
				long double span = (long double)hi - (long double)lo + 1;
				long long step = (long long)(span / nchunks) + 1;
				for (long long a = lo; a <= hi; a += step) {
					j.ranged = true;
					j.lo = a;
					j.last = hi - a < step;
					j.hi = j.last ? hi : a + step;
					add_job(in, &j, &cap);
					t->chunks++;
					if (j.last)
						break;
				}
				continue;
			}
		}
		t->chunks = 1;
		add_job(in, &j, &cap);
	}
	return 0;
}

/* ---- the command ----------------------------------------------------------- */

/*
 * Foreign keys whose ON DELETE / ON UPDATE action changes other rows
 * (CASCADE, SET NULL, SET DEFAULT): InnoDB performs those changes inside
 * the storage engine and does not write them to the binary log, so the
 * replica must perform them itself.  Created between replicated tables
 * after the load (NOT VALID: rows the source let in without a parent,
 * e.g. with foreign_key_checks=0, do not stop the copy); the other
 * foreign keys are created by detach_replica.  Existing ones are kept.
 */
struct fkrow {
	char *f[9];	/* schema, table, name, column, ref schema, ref table,
			   ref column, update rule, delete rule */
};

static void on_fk(char **f, uint32_t n, void *ctx)
{
	struct buf *rows = ctx;
	if (n < 9)
		return;
	struct fkrow r;
	for (int i = 0; i < 9; i++)
		r.f[i] = f[i];
	buf_put(rows, &r, sizeof(r));
}

static bool cascading(const char *rule)
{
	return rule && (!strcasecmp(rule, "CASCADE") || !strcasecmp(rule, "SET NULL") ||
			!strcasecmp(rule, "SET DEFAULT"));
}

static const char *mapped_pg_schema(const struct init *in, const char *mysql_schema)
{
	for (size_t k = 0; k < in->src->n_mappings; k++)
		if (!strcmp(in->src->mappings[k].mysql_schema, mysql_schema))
			return in->src->mappings[k].pg_schema;
	return NULL;
}

static int cascade_fks(struct init *in, struct mp_conn *c, PGconn *pg, bool drop)
{
	struct buf schemas, q, rows;
	buf_init(&schemas, 0);
	buf_init(&q, 0);
	buf_init(&rows, 0);
	for (size_t i = 0; i < in->src->n_mappings; i++) {
		if (i)
			buf_putc(&schemas, ',');
		mp_quote(&schemas, in->src->mappings[i].mysql_schema);
	}
	cmd_fk_query(&q, buf_cstr(&schemas));
	int rc = my_rows(c, &in->mem, buf_cstr(&q), on_fk, &rows);
	struct fkrow *v = (struct fkrow *)rows.p;
	size_t n = rc ? 0 : rows.n / sizeof(*v);
	int made = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !strcmp(v[j].f[0], v[i].f[0]) && !strcmp(v[j].f[1], v[i].f[1]) &&
		       !strcmp(v[j].f[2], v[i].f[2]))
			j++;
		char **f = v[i].f;
		const char *ps = mapped_pg_schema(in, f[0]);
		const char *rs = f[4] ? mapped_pg_schema(in, f[4]) : NULL;
		bool involved = find_table(in, f[0], f[1]) || (f[4] && find_table(in, f[4], f[5]));
		if (!(cascading(f[7]) || cascading(f[8])) || !involved) {
			i = j;
			continue;
		}
		if (!ps || !rs || !rp_table_included(&in->filters, f[0], f[1]) ||
		    !rp_table_included(&in->filters, f[4], f[5])) {
			log_warn("init", "foreign key %s of `%s`.`%s` (ON DELETE %s ON UPDATE %s) "
					 "refers to a table that is not replicated: the rows its "
					 "actions change on the source are not in the binlog",
				 f[2], f[0], f[1], f[8], f[7]);
			i = j;
			continue;
		}
		buf_reset(&q);
		if (drop) {
			/* keep_existing_schema: the tables are reloaded in
			 * parallel, the keys are added again after */
			buf_putl(&q, "ALTER TABLE IF EXISTS ");
			rp_quote_ident(&q, ps);
			buf_putc(&q, '.');
			rp_quote_ident(&q, f[1]);
			buf_putl(&q, " DROP CONSTRAINT IF EXISTS ");
			rp_quote_ident(&q, f[2]);
			char err[1024];
			if (rp_pg_exec(pg, buf_cstr(&q), err, sizeof(err))) {
				fprintf(stderr, "chameleon: %s\n", err);
				rc = -1;
				break;
			}
			i = j;
			continue;
		}
		const char *cols[64], *refcols[64];
		size_t nc = 0;
		for (size_t k = i; k < j && nc < 64; k++, nc++) {
			cols[nc] = v[k].f[3];
			refcols[nc] = v[k].f[6];
		}
		struct buf qt, qr;
		buf_init(&qt, 0);
		buf_init(&qr, 0);
		rp_quote_ident(&qt, loading_schema(in, ps));
		buf_putc(&qt, '.');
		rp_quote_ident(&qt, f[1]);
		rp_quote_ident(&qr, loading_schema(in, rs));
		buf_putc(&qr, '.');
		rp_quote_ident(&qr, f[5]);
		cmd_fk_add_sql(&q, buf_cstr(&qt), f[2], cols, buf_cstr(&qr), refcols, nc, f[7], f[8]);
		buf_release(&qt);
		buf_release(&qr);
		char err[1024];
		if (rp_pg_exec(pg, buf_cstr(&q), err, sizeof(err)))
			log_warn("init", "foreign key %s of `%s`.`%s` not created: %s", f[2], f[0],
				 f[1], err);
		else
			made++;
		i = j;
	}
	if (made && !drop)
		log_info("init", "%d foreign keys with cascading actions created (InnoDB does "
				 "not log the rows they change)", made);
	buf_release(&schemas);
	buf_release(&q);
	buf_release(&rows);
	return rc;
}

/* The catalog row of a copied table (sync_file: the sync_tables snapshot). */
static void table_row_sql(struct buf *b, struct init *in, const struct itable *t,
			  const char *sync_file, const char *sync_pos)
{
	buf_putl(b, "INSERT INTO sch_chameleon.t_tables (source_name, schema_name, "
		    "table_name, pg_schema, key_columns, key_kind, rows_copied, copied_at, "
		    "sync_file, sync_position) VALUES (");
	rp_quote_literal(b, in->src->name);
	buf_putl(b, ", ");
	rp_quote_literal(b, t->schema);
	buf_putl(b, ", ");
	rp_quote_literal(b, t->name);
	buf_putl(b, ", ");
	rp_quote_literal(b, t->pg_schema);
	buf_putl(b, ", ARRAY[");
	for (int k = 0; k < (t->key ? t->key->ncols : t->ncols); k++) {
		if (k)
			buf_putc(b, ',');
		rp_quote_literal(b, t->key ? t->key->cols[k] : t->cols[k].name);
	}
	buf_printf(b, "]::text[], '%s', %llu, now(), ", t->key_kind,
		   (unsigned long long)t->rows);
	if (sync_file) {
		rp_quote_literal(b, sync_file);
		buf_printf(b, ", %llu", strtoull(sync_pos, NULL, 10));
	} else {
		buf_putl(b, "NULL, NULL");
	}
	buf_putl(b, ") ON CONFLICT (source_name, schema_name, table_name) DO UPDATE SET "
		    "pg_schema = excluded.pg_schema, key_columns = excluded.key_columns, "
		    "key_kind = excluded.key_kind, rows_copied = excluded.rows_copied, "
		    "copied_at = excluded.copied_at, sync_file = excluded.sync_file, "
		    "sync_position = excluded.sync_position;\n");
}

static void usage(FILE *f, enum mode m)
{
	if (m == M_SYNC) {
		fprintf(f,
			"usage: chameleon sync_tables --config C --source S --tables LIST|disabled\n"
			"       chameleon refresh_schema --config C --source S --schema SCHEMA\n"
			"                 [--workers N] [--zero-dates null|error|infinity] [--debug]\n"
			"\n"
			"Copy again the listed tables (schema.table, comma separated; 'disabled':\n"
			"the tables taken out of replication), or every table of a source schema,\n"
			"from a new consistent snapshot: each table is recreated from the source's\n"
			"current structure, loaded, indexed and put back into replication; the\n"
			"replica skips their changes up to the snapshot, which the copy holds.\n"
			"The tables are out of replication while they are copied (a failed or\n"
			"killed run leaves them so: run it again).  Stop the replica first.\n");
		return;
	}
	if (m == M_SCHEMA) {
		fprintf(f,
			"usage: chameleon copy_schema --config C --source S [--debug]\n"
			"\n"
			"Create the source's tables, keys and indexes in PostgreSQL without\n"
			"data (the destination schemas are replaced, as init_replica does) and\n"
			"without touching the replica's position.\n");
		return;
	}
	fprintf(f,
		"usage: chameleon init_replica --config C --source S [--workers N]\n"
		"                              [--zero-dates null|error|infinity] [--debug]\n"
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
		"are copied.  Progress goes to stderr.  Stop the replica first.\n");
}

static int set_status(PGconn *pg, const char *source, const char *status, const char *error)
{
	const char *v[3] = {source, status, error};
	PGresult *r = PQexecParams(pg,
		"UPDATE sch_chameleon.t_sources SET status = $2, error = $3, status_at = now(), "
		"init_progress = CASE WHEN $2 = 'initialising' THEN 'starting' "
		"ELSE init_progress END, "
		"init_started_at = CASE WHEN $2 = 'initialising' THEN now() "
		"ELSE init_started_at END WHERE source_name = $1",
		3, NULL, v, NULL, NULL, 0);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc)
		fprintf(stderr, "chameleon: %s", PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

static PGconn *pg_open(const char *conninfo)
{
	PGconn *pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "chameleon: cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	PGresult *r = PQexec(pg, "SET client_encoding = 'UTF8'; SET timezone = 'UTC'; "
				 "SET client_min_messages = warning");
	PQclear(r);
	return pg;
}

/* Pre-flight: binlog settings the replication after the copy needs. */
static int preflight(struct mp_conn *c)
{
	struct mp_check chk[32];
	int n = mp_check_source(c, chk, 32);
	int bad = 0;
	for (int i = 0; i < n; i++) {
		/* replication after the copy reads column names, keys and
		 * ENUM/SET labels from the table maps */
		if (!strcmp(chk[i].name, "binlog_row_metadata") &&
		    (chk[i].warning || strstr(chk[i].detail, "not available"))) {
			fprintf(stderr, "chameleon: source check binlog_row_metadata failed: %s; "
					"fix: SET GLOBAL binlog_row_metadata = 'FULL' (MySQL 8.0.1+, "
					"MariaDB 10.5+): replication needs the column names in the "
					"binlog\n", chk[i].detail);
			bad++;
			continue;
		}
		if (chk[i].ok || chk[i].warning)
			continue;
		fprintf(stderr, "chameleon: source check %s failed: %s%s%s\n", chk[i].name,
			chk[i].detail, chk[i].fix[0] ? "; fix: " : "", chk[i].fix);
		bad++;
	}
	if (n < 0) {
		fprintf(stderr, "chameleon: cannot check the source: %s\n", c->err.msg);
		return -1;
	}
	return bad ? -1 : 0;
}

static int session_setup(struct mp_conn *c, const struct cfg_source *s)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SET SESSION time_zone = '+00:00', character_set_results = NULL, "
		 "net_read_timeout = %d, net_write_timeout = %d, sql_mode = ''",
		 s->net_read_timeout, s->net_read_timeout);
	if (mp_exec(c, sql)) {
		fprintf(stderr, "chameleon: source session setup: %s\n", c->err.msg);
		return -1;
	}
	return 0;
}

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

/* The tables sync_tables --tables disabled re-copies. */
static int disabled_tables(PGconn *pg, struct init *in)
{
	const char *v[1] = {in->src->name};
	PGresult *r = PQexecParams(pg,
		"SELECT schema_name || '.' || table_name FROM sch_chameleon.t_disabled_tables "
		"WHERE source_name = $1 ORDER BY 1", 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "chameleon: %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	int n = PQntuples(r);
	const char **l = arena_calloc(&in->mem, n ? (size_t)n : 1, sizeof(*l));
	for (int i = 0; i < n; i++)
		l[i] = arena_strndup(&in->mem, PQgetvalue(r, i, 0), strlen(PQgetvalue(r, i, 0)));
	in->only = l;
	in->nonly = (size_t)n;
	PQclear(r);
	return 0;
}

static int run(int argc, char **argv, enum mode mode)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"source", required_argument, NULL, 's'},
		{"tables", required_argument, NULL, 't'},
		{"schema", required_argument, NULL, 'S'},
		{"workers", required_argument, NULL, 'w'},
		{"zero-dates", required_argument, NULL, 'z'},
		{"debug", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = "default", *source = NULL, *tables = NULL, *schema = NULL;
	int workers = 0;
	struct init in;
	memset(&in, 0, sizeof(in));
	in.mode = mode;
	const char *cmdname = argv[0];
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 's': source = optarg; break;
		case 't': tables = optarg; break;
		case 'S': schema = optarg; break;
		case 'w':
			workers = atoi(optarg);
			if (workers < 1 || workers > 64) {
				fprintf(stderr, "%s: --workers 1 to 64\n", cmdname);
				return 2;
			}
			break;
		case 'z':
			if (!strcmp(optarg, "null"))
				in.conv.zero_dates = RP_ZERO_DATE_NULL;
			else if (!strcmp(optarg, "error"))
				in.conv.zero_dates = RP_ZERO_DATE_ERROR;
			else if (!strcmp(optarg, "infinity"))
				in.conv.zero_dates = RP_ZERO_DATE_INFINITY;
			else {
				fprintf(stderr, "%s: --zero-dates null, error or infinity\n", cmdname);
				return 2;
			}
			break;
		case 'd': log_set_level(LOG_DEBUG); break;
		case 'h': usage(stdout, mode); return 0;
		default: usage(stderr, mode); return 2;
		}
	}
	bool is_refresh = !strcmp(cmdname, "refresh_schema");
	if (optind < argc || (mode != M_SYNC && (tables || schema)) ||
	    (mode == M_SYNC && !is_refresh && (!tables || schema)) ||
	    (is_refresh && (!schema || tables))) {
		if (mode == M_SYNC)
			fprintf(stderr, "%s: %s\n", cmdname,
				is_refresh ? "--schema SCHEMA is required" :
					     "--tables schema.table,...|disabled is required");
		usage(stderr, mode);
		return 2;
	}
	struct config cfg;
	if (cmd_config_open(config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, source);
	if (!src) {
		config_release(&cfg);
		return 1;
	}
	{
		char pname[300];
		cmd_pid_name(pname, sizeof(pname), config, src->name);
		pid_t owner = pidfile_owner(cfg.pid_dir, pname);
		if (owner) {
			fprintf(stderr, "chameleon: the replica of '%s' is running (pid %ld): "
					"stop_replica first\n", src->name, (long)owner);
			config_release(&cfg);
			return 1;
		}
	}
	daemon_signals_install();
	in.src = src;
	in.cfg = &cfg;
	in.keep_existing = mode == M_INIT && src->keep_existing_schema;
	cmd_source_filters(src, &in.filters);
	if (!workers)
		workers = src->copy_workers;
	if (!workers) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		workers = nc > 0 ? (int)(nc > 16 ? 16 : nc) : 2;
	}
	in.workers = workers;
	arena_init(&in.mem, 64 * 1024);
	pthread_mutex_init(&in.mu, NULL);
	in.conninfo = config_pg_conninfo(&cfg);
	int status = 1;
	double t0 = clock_s();
	char err[1024];
	struct buf sql;
	buf_init(&sql, 0);
	struct mp_conn *coord = xcalloc(1, sizeof(*coord));
	mp_conn_init(coord);
	PGconn *pg = NULL;
	bool locked = false, status_set = false;
	char file[256] = "", pos[32] = "", gtid[4096] = "";
	if (tables && strcmp(tables, "disabled"))
		in.nonly = split_list(&in.mem, tables, &in.only);
	if (schema) {
		in.only_schema = schema;
		for (size_t i = 0; i < src->n_mappings; i++)
			if (!strcmp(src->mappings[i].pg_schema, schema))
				in.only_schema = src->mappings[i].mysql_schema;
	}
	in.my = xcalloc((size_t)workers, sizeof(*in.my));
	in.pg = xcalloc((size_t)workers, sizeof(*in.pg));

	if (cmd_source_connect(src, coord, src->net_read_timeout * 1000))
		goto out;
	in.is_mariadb = coord->is_mariadb;
	if ((mode != M_SCHEMA && preflight(coord)) || session_setup(coord, src))
		goto out;
	pg = pg_open(in.conninfo);
	if (!pg)
		goto out;
	struct err e = {0};
	if (rp_catalog_upgrade(pg, NULL, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	{
		const char *v[1] = {src->name};
		PGresult *r = PQexecParams(pg,
			"INSERT INTO sch_chameleon.t_sources (source_name) VALUES ($1) "
			"ON CONFLICT DO NOTHING", 1, NULL, v, NULL, NULL, 0);
		PQclear(r);
	}
	if (mode == M_SYNC && tables && !strcmp(tables, "disabled") && disabled_tables(pg, &in))
		goto out;
	if (mode == M_INIT) {
		if (set_status(pg, src->name, "initialising", NULL))
			goto out;
		status_set = true;
		in.progress_pg = pg;
	}
	log_info("init", "source '%s': reading the structure of %zu schema(s)", src->name,
		 src->n_mappings);
	if (read_structure(&in, coord))
		goto out;
	if (mode == M_SYNC && in.nonly > (size_t)in.ntables) {
		for (size_t i = 0; i < in.nonly; i++) {
			const char *dot = strchr(in.only[i], '.');
			bool found = false;
			for (int k = 0; dot && k < in.ntables && !found; k++)
				found = strlen(in.tables[k].schema) == (size_t)(dot - in.only[i]) &&
					!strncmp(in.tables[k].schema, in.only[i],
						 (size_t)(dot - in.only[i])) &&
					!strcmp(in.tables[k].name, dot + 1);
			if (!found)
				fprintf(stderr, "chameleon: table %s: not found in the source's "
						"replicated schemas (schema.table, as in the source)\n",
					in.only[i]);
		}
		goto out;
	}
	if (in.ntables == 0) {
		if (mode == M_SYNC && tables && !strcmp(tables, "disabled")) {
			printf("no table is out of replication: nothing to do\n");
			status = 0;
		} else {
			fprintf(stderr, "chameleon: no table to copy%s\n",
				mode == M_SYNC ? " (check the names: schema.table, in the "
						 "source's schema_mappings and filters)" :
						 " in the source's schemas");
		}
		goto out;
	}
	if (mode == M_SYNC) {
		/* out of replication while copied: a failed run leaves them so */
		buf_putl(&sql, "BEGIN;\n");
		for (int i = 0; i < in.ntables; i++) {
			buf_putl(&sql, "INSERT INTO sch_chameleon.t_disabled_tables (source_name, "
				       "schema_name, table_name) VALUES (");
			rp_quote_literal(&sql, src->name);
			buf_putl(&sql, ", ");
			rp_quote_literal(&sql, in.tables[i].schema);
			buf_putl(&sql, ", ");
			rp_quote_literal(&sql, in.tables[i].name);
			buf_putl(&sql, ") ON CONFLICT DO NOTHING;\n");
		}
		buf_putl(&sql, "COMMIT;");
		if (rp_pg_exec(pg, buf_cstr(&sql), err, sizeof(err))) {
			fprintf(stderr, "chameleon: %s\n", err);
			goto out;
		}
		buf_reset(&sql);
	}
	log_info("init", "%d tables, about %llu rows; %d copy workers", in.ntables,
		 (unsigned long long)in.est_total, workers);

	for (int i = 0; i < in.ntables && in.keep_existing; i++) {
		struct buf q;
		buf_init(&q, 0);
		table_name(&q, &in, &in.tables[i], false);
		const char *v[1] = {buf_cstr(&q)};
		PGresult *r = PQexecParams(pg, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, v,
					   NULL, NULL, 0);
		bool exists = PQresultStatus(r) == PGRES_TUPLES_OK &&
			      !strcmp(PQgetvalue(r, 0, 0), "t");
		PQclear(r);
		if (!exists)
			fprintf(stderr, "chameleon: keep_existing_schema: the table %s does not "
					"exist in PostgreSQL (create it, or set "
					"keep_existing_schema: No)\n", buf_cstr(&q));
		buf_release(&q);
		if (!exists)
			goto out;
	}
	if (in.keep_existing && cascade_fks(&in, coord, pg, true))
		goto out;
	/* the loading schemas, or the existing tables emptied */
	buf_putl(&sql, "BEGIN;\n");
	for (size_t i = 0; i < src->n_mappings; i++) {
		const char *ps = src->mappings[i].pg_schema;
		if (in.keep_existing || mode == M_SYNC) {
			buf_putl(&sql, "CREATE SCHEMA IF NOT EXISTS ");
			rp_quote_ident(&sql, ps);
			buf_putl(&sql, ";\n");
			continue;
		}
		buf_putl(&sql, "DROP SCHEMA IF EXISTS ");
		rp_quote_ident(&sql, loading_schema(&in, ps));
		buf_putl(&sql, " CASCADE;\nCREATE SCHEMA ");
		rp_quote_ident(&sql, loading_schema(&in, ps));
		buf_putl(&sql, ";\n");
	}
	for (int i = 0; i < in.ntables; i++) {
		struct itable *t = &in.tables[i];
		if (in.keep_existing) {
			/* one TRUNCATE for all: tables referencing each other
			 * (the cascading foreign keys) are emptied together */
			buf_puts(&sql, i ? ", " : "TRUNCATE ");
			table_name(&sql, &in, t, false);
			if (i == in.ntables - 1)
				buf_putl(&sql, ";\n");
			continue;
		}
		if (mode == M_SYNC) {
			/* recreated from the source's current structure */
			buf_putl(&sql, "DROP TABLE IF EXISTS ");
			table_name(&sql, &in, t, false);
			buf_putl(&sql, " CASCADE;\n");
			for (int k = 0; k < t->ncols; k++) {
				if (!t->cols[k].pg.is_enum)
					continue;
				buf_putl(&sql, "DROP TYPE IF EXISTS ");
				enum_type_name(&sql, &in, t, &t->cols[k], false);
				buf_putl(&sql, ";\n");
			}
		}
		create_sql(&sql, &in, t);
	}
	buf_putl(&sql, "COMMIT;");
	if (rp_pg_exec(pg, buf_cstr(&sql), err, sizeof(err))) {
		fprintf(stderr, "chameleon: creating the tables: %s\n", err);
		PQclear(PQexec(pg, "ROLLBACK"));
		goto out;
	}

	if (mode == M_SCHEMA)
		goto indexes;
	/* connections, then the synchronized snapshots */
	for (int i = 0; i < workers; i++) {
		in.my[i] = xcalloc(1, sizeof(*in.my[i]));
		mp_conn_init(in.my[i]);
		if (cmd_source_connect(src, in.my[i], src->net_read_timeout * 1000) ||
		    session_setup(in.my[i], src))
			goto out;
		in.pg[i] = pg_open(in.conninfo);
		if (!in.pg[i])
			goto out;
	}
	snprintf(err, sizeof(err), "SET SESSION lock_wait_timeout = %ld",
		 lock_seconds(src->lock_timeout));
	bool lockfree = false;
	if (mp_exec(coord, err) || mp_exec(coord, "FLUSH TABLES WITH READ LOCK")) {
		/* without RELOAD (managed servers): MariaDB tells the binlog
		 * position of one consistent snapshot without any lock */
		bool denied = strstr(coord->err.msg, "denied") || strstr(coord->err.msg, "RELOAD");
		if (!coord->is_mariadb || !denied) {
			fprintf(stderr, "chameleon: FLUSH TABLES WITH READ LOCK failed: %s (the "
					"source user needs the RELOAD privilege)\n", coord->err.msg);
			goto out;
		}
		log_warn("init", "FLUSH TABLES WITH READ LOCK refused (%s): one lock-free "
				 "snapshot instead (MariaDB binlog_snapshot_file/position), copied "
				 "by one worker; grant RELOAD for parallel copy workers",
			 coord->err.msg);
		err_clear(&coord->err);
		lockfree = true;
		in.workers = 1;
	} else {
		locked = true;
	}
	for (int i = 0; i < in.workers; i++) {
		if (mp_exec(in.my[i], "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ") ||
		    mp_exec(in.my[i], "START TRANSACTION WITH CONSISTENT SNAPSHOT")) {
			fprintf(stderr, "chameleon: cannot open a snapshot: %s\n", in.my[i]->err.msg);
			goto out;
		}
	}
	if (lockfree) {
		/* the position of this session's snapshot */
		struct mp_result r;
		struct mp_row row;
		if (mp_query(in.my[0], "SHOW STATUS LIKE 'binlog_snapshot_%'", &r)) {
			fprintf(stderr, "chameleon: reading the snapshot position: %s\n",
				in.my[0]->err.msg);
			goto out;
		}
		while (mp_result_next(in.my[0], &r, &row) == 1) {
			if (row.n < 2)
				continue;
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)row.values[0].n,
				 (const char *)row.values[0].p);
			if (!strcasecmp(name, "binlog_snapshot_file"))
				snprintf(file, sizeof(file), "%.*s", (int)row.values[1].n,
					 (const char *)row.values[1].p);
			else if (!strcasecmp(name, "binlog_snapshot_position"))
				snprintf(pos, sizeof(pos), "%.*s", (int)row.values[1].n,
					 (const char *)row.values[1].p);
		}
		mp_result_release(in.my[0], &r);
		if (!file[0] || !pos[0]) {
			fprintf(stderr, "chameleon: the server did not give the snapshot's binlog "
					"position (binlog_snapshot_file): grant RELOAD\n");
			goto out;
		}
		char q[512];
		struct buf fq;
		buf_init(&fq, 0);
		mp_quote(&fq, file);
		snprintf(q, sizeof(q), "SELECT BINLOG_GTID_POS(%s, %s)", buf_cstr(&fq), pos);
		buf_release(&fq);
		bool found;
		if (mp_query_value(coord, q, gtid, sizeof(gtid), &found))
			gtid[0] = 0;
		for (int i = 0; i < in.ntables; i++)
			if (!in.tables[i].transactional)
				log_warn("init", "`%s`.`%s` (%s) has no snapshot: without the read "
						 "lock its copy may hold changes made after the "
						 "position (they are applied again by replication)",
					 in.tables[i].schema, in.tables[i].name, in.tables[i].engine);
	} else {
		struct mp_result r;
		struct mp_row row;
		bool v84 = !coord->is_mariadb && strncmp(coord->server_version, "8.0", 3) &&
			   strncmp(coord->server_version, "5.", 2);
		if (mp_query(coord, v84 ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS", &r)) {
			fprintf(stderr, "chameleon: reading the binlog position: %s\n",
				coord->err.msg);
			goto out;
		}
		if (mp_result_next(coord, &r, &row) == 1 && row.n >= 2) {
			snprintf(file, sizeof(file), "%.*s", (int)row.values[0].n,
				 (const char *)row.values[0].p);
			snprintf(pos, sizeof(pos), "%.*s", (int)row.values[1].n,
				 (const char *)row.values[1].p);
			if (!coord->is_mariadb && row.n >= 5 && !row.is_null[4])
				snprintf(gtid, sizeof(gtid), "%.*s", (int)row.values[4].n,
					 (const char *)row.values[4].p);
		}
		mp_result_release(coord, &r);
		if (!file[0]) {
			fprintf(stderr, "chameleon: the source has no binary log (log_bin is off)\n");
			goto out;
		}
		bool found;
		if (coord->is_mariadb &&
		    mp_query_value(coord, "SELECT @@gtid_binlog_pos", gtid, sizeof(gtid), &found))
			gtid[0] = 0;
	}
	log_info("init", "snapshot at %s:%s%s%s", file, pos, gtid[0] ? ", GTID " : "", gtid);
	/* non-transactional tables are consistent only under the lock */
	if (plan_copy(&in, coord, false))
		goto out;
	if (in.njobs) {
		log_info("init", "copying %d non-transactional table(s)%s", in.njobs,
			 locked ? " under the read lock" : "");
		if (run_jobs(&in, locked ? "copy (locked)" : "copy", t0)) {
			fprintf(stderr, "chameleon: %s\n", in.fail_msg);
			goto out;
		}
	}
	if (locked) {
		if (mp_exec(coord, "UNLOCK TABLES")) {
			fprintf(stderr, "chameleon: UNLOCK TABLES: %s\n", coord->err.msg);
			goto out;
		}
		locked = false;
		log_info("init", "source unlocked after %.1f s", clock_s() - t0);
	}
	if (plan_copy(&in, in.my[0], true))
		goto out;
	if (run_jobs(&in, "copy", t0)) {
		fprintf(stderr, "chameleon: %s\n", in.fail_msg);
		goto out;
	}
	for (int i = 0; i < workers; i++)
		if (mp_exec(in.my[i], "COMMIT"))
			log_debug("init", "snapshot commit: %s", in.my[i]->err.msg);
	double t_copy = clock_s();
	log_info("init", "copied %llu rows in %.1f s (%.0f rows/s)",
		 (unsigned long long)in.rows, t_copy - t0, (double)in.rows / (t_copy - t0));

indexes:
	in.workers = workers;	/* indexes: every PostgreSQL connection */
	for (int i = 0; i < workers; i++)
		if (!in.pg[i] && !(in.pg[i] = pg_open(in.conninfo)))
			goto out;
	/* keys and indexes, in parallel; defaults */
	free(in.jobs);
	in.jobs = NULL;
	in.njobs = 0;
	int cap = 0;
	for (int i = 0; i < in.ntables && !in.keep_existing; i++) {
		struct itable *t = &in.tables[i];
		for (int k = 0; k < t->nidx; k++) {
			const struct iindex *x = &t->idx[k];
			struct buf b;
			buf_init(&b, 0);
			if (x->primary) {
				buf_putl(&b, "ALTER TABLE ");
				table_name(&b, &in, t, true);
				buf_putl(&b, " ADD PRIMARY KEY (");
			} else {
				buf_puts(&b, x->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
				char nm[128];
				snprintf(nm, sizeof(nm), "idx_%.28s_%.28s", t->name, x->name);
				rp_quote_ident(&b, nm);
				buf_putl(&b, " ON ");
				table_name(&b, &in, t, true);
				buf_putl(&b, " (");
			}
			for (int c = 0; c < x->ncols; c++) {
				if (c)
					buf_putl(&b, ", ");
				rp_quote_ident(&b, x->cols[c]);
			}
			buf_putc(&b, ')');
			struct job j = {t, false, 0, 0, false,
					arena_strndup(&in.mem, buf_cstr(&b), b.n)};
			add_job(&in, &j, &cap);
			buf_release(&b);
		}
	}
	if (in.njobs) {
		log_info("init", "building %d keys and indexes", in.njobs);
		if (run_jobs(&in, NULL, t0)) {
			fprintf(stderr, "chameleon: %s\n", in.fail_msg);
			goto out;
		}
	}

	if (mode != M_SCHEMA && cascade_fks(&in, coord, pg, false))
		goto out;
	/* the swap and the position, in one transaction */
	buf_reset(&sql);
	buf_putl(&sql, "BEGIN;\n");
	for (int i = 0; i < in.ntables && !in.keep_existing; i++) {
		struct itable *t = &in.tables[i];
		for (int k = 0; k < t->ncols; k++) {
			struct buf d;
			buf_init(&d, 0);
			if (default_sql(&d, &t->cols[k], in.is_mariadb)) {
				/* checked one by one: a default PostgreSQL refuses
				 * is left out, with a warning */
				struct buf one;
				buf_init(&one, 0);
				buf_putl(&one, "ALTER TABLE ");
				table_name(&one, &in, t, true);
				buf_putl(&one, " ALTER COLUMN ");
				rp_quote_ident(&one, t->cols[k].name);
				buf_putl(&one, " SET DEFAULT ");
				buf_put(&one, d.p, d.n);
				if (rp_pg_exec(pg, buf_cstr(&one), err, sizeof(err)))
					log_warn("init", "`%s`.`%s` column %s: default %s not kept: %s",
						 t->schema, t->name, t->cols[k].name, t->cols[k].def, err);
				buf_release(&one);
			}
			buf_release(&d);
		}
	}
	bool swap = (mode == M_INIT && !in.keep_existing) || mode == M_SCHEMA;
	for (size_t i = 0; i < src->n_mappings && swap; i++) {
		const char *ps = src->mappings[i].pg_schema;
		buf_putl(&sql, "DROP SCHEMA IF EXISTS ");
		rp_quote_ident(&sql, ps);
		buf_putl(&sql, " CASCADE;\nALTER SCHEMA ");
		rp_quote_ident(&sql, loading_schema(&in, ps));
		buf_putl(&sql, " RENAME TO ");
		rp_quote_ident(&sql, ps);
		buf_putl(&sql, ";\n");
	}
	for (size_t i = 0; i < src->grant_select_to.n; i++) {
		for (size_t k = 0; k < src->n_mappings; k++) {
			buf_putl(&sql, "GRANT USAGE ON SCHEMA ");
			rp_quote_ident(&sql, src->mappings[k].pg_schema);
			buf_putl(&sql, " TO ");
			rp_quote_ident(&sql, src->grant_select_to.v[i]);
			buf_putl(&sql, ";\nGRANT SELECT ON ALL TABLES IN SCHEMA ");
			rp_quote_ident(&sql, src->mappings[k].pg_schema);
			buf_putl(&sql, " TO ");
			rp_quote_ident(&sql, src->grant_select_to.v[i]);
			buf_putl(&sql, ";\n");
		}
	}
	if (mode == M_INIT) {
		buf_putl(&sql, "DELETE FROM sch_chameleon.t_disabled_tables WHERE source_name = ");
		rp_quote_literal(&sql, src->name);
		buf_putl(&sql, ";\nDELETE FROM sch_chameleon.t_tables WHERE source_name = ");
		rp_quote_literal(&sql, src->name);
		buf_putl(&sql, ";\n");
	}
	for (int i = 0; i < in.ntables && mode != M_SCHEMA; i++) {
		struct itable *t = &in.tables[i];
		if (mode == M_SYNC) {
			buf_putl(&sql, "DELETE FROM sch_chameleon.t_disabled_tables WHERE "
				       "source_name = ");
			rp_quote_literal(&sql, src->name);
			buf_putl(&sql, " AND schema_name = ");
			rp_quote_literal(&sql, t->schema);
			buf_putl(&sql, " AND table_name = ");
			rp_quote_literal(&sql, t->name);
			buf_putl(&sql, ";\n");
		}
		table_row_sql(&sql, &in, t, mode == M_SYNC ? file : NULL, pos);
	}
	if (mode != M_INIT)
		goto commit;
	buf_printf(&sql, "UPDATE sch_chameleon.t_sources SET init_progress = 'done: %llu rows "
		   "copied in %.1f s', status = 'initialised', error = NULL, "
		   "status_at = now(), init_finished_at = now(), binlog_file = ",
		   (unsigned long long)in.rows, clock_s() - t0);
	rp_quote_literal(&sql, file);
	buf_printf(&sql, ", binlog_position = %llu, gtid = ", strtoull(pos, NULL, 10));
	if (gtid[0])
		rp_quote_literal(&sql, gtid);
	else
		buf_putl(&sql, "NULL");
	buf_putl(&sql, " WHERE source_name = ");
	rp_quote_literal(&sql, src->name);
	buf_putl(&sql, ";\n");
commit:
	buf_putl(&sql, "COMMIT;");
	if (rp_pg_exec(pg, buf_cstr(&sql), err, sizeof(err))) {
		fprintf(stderr, "chameleon: %s: %s\n",
			swap ? "swapping the loaded schema in" : "recording the copy", err);
		PQclear(PQexec(pg, "ROLLBACK"));
		goto out;
	}
	double t_end = clock_s();
	if (mode == M_SCHEMA)
		fprintf(stderr, "%s: %d tables created (no data)\n", cmdname, in.ntables);
	else
		fprintf(stderr, "%s: %d tables, %llu rows copied in %.1f s (%.0f rows/s, "
				"%d workers); %llu zero dates stored per the policy; %s "
				"%s:%s\n",
			cmdname, in.ntables, (unsigned long long)in.rows, t_end - t0,
			(double)in.rows / (t_end - t0 > 0 ? t_end - t0 : 1), workers,
			(unsigned long long)in.zero_dates,
			mode == M_SYNC ? "their changes are replicated after"
				       : "replication starts at", file, pos);
	status = 0;
out:
	if (locked)
		if (mp_exec(coord, "UNLOCK TABLES"))
			log_debug("init", "unlock: %s", coord->err.msg);
	if (status && pg && status_set) {
		char msg[1100];
		snprintf(msg, sizeof(msg), "init_replica failed: %s",
			 in.fail_msg[0] ? in.fail_msg : "see the log");
		(void)set_status(pg, src->name, "error", msg);
	}
	for (int i = 0; i < workers; i++) {
		if (in.my[i]) {
			mp_close(in.my[i]);
			free(in.my[i]);
		}
		if (in.pg[i])
			PQfinish(in.pg[i]);
	}
	free(in.my);
	free(in.pg);
	if (pg)
		PQfinish(pg);
	mp_close(coord);
	free(coord);
	for (int i = 0; i < in.ntables; i++) {
		free(in.tables[i].cols);
		free(in.tables[i].idx);
	}
	free(in.tables);
	free(in.jobs);
	buf_release(&sql);
	free(in.conninfo);
	arena_release(&in.mem);
	pthread_mutex_destroy(&in.mu);
	config_release(&cfg);
	return status;
}

int cmd_init_replica(int argc, char **argv)
{
	return run(argc, argv, M_INIT);
}

int cmd_sync_tables(int argc, char **argv)
{
	return run(argc, argv, M_SYNC);
}

int cmd_copy_schema(int argc, char **argv)
{
	return run(argc, argv, M_SCHEMA);
}
