/*
 * DDL of the source applied in PostgreSQL (docs/ddl.md).  A QUERY event
 * that is a statement of its own is classified and parsed (ddl_parse.c);
 * a statement that concerns no replicated table is passed over (debug
 * log); otherwise it is planned (ddl_pg.c) against PostgreSQL's tables as
 * the open transaction sees them, the plan's statements go into that
 * transaction, its effects into sch_chameleon (catalog_ddl.c), and the
 * sink commits it with the position after the statement.  A statement
 * PostgreSQL refuses takes its table out of replication like a refused
 * row (quarantine.c); a table whose rows PostgreSQL cannot bring to what
 * the source did is taken out and queued to be copied again
 * (rp_sink_copies).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"
#include "replay/ddl_int.h"
#include "replay/ddl_pg.h"
#include "replay/internal.h"

#define MODE_ANSI_QUOTES 4	/* sql_mode bits */
#define MODE_STRICT_TRANS_TABLES (1u << 21)
#define MODE_STRICT_ALL_TABLES (1u << 22)
#define STMT_MAX (64 * 1024)	/* bytes of a statement kept in the catalog */

/*
 * A statement as catalog text: its bytes are in the client's charset and
 * may hold anything, PostgreSQL text takes valid UTF-8 without NUL; other
 * bytes become '?'.  At most max bytes are kept.
 */
void rp__clean_text(struct buf *out, const uint8_t *p, size_t n, size_t max)
{
	size_t i = 0;
	while (i < n && out->n < max) {
		size_t len = p[i] ? utf8_seq(p + i, n - i) : 0;
		if (len > 0) {
			buf_put(out, p + i, len);
			i += len;
		} else {
			buf_putc(out, '?');
			i++;
		}
	}
	if (i < n)
		buf_putl(out, "...");
}

struct ddl_ctx {
	struct rp_sink *s;
	const struct bl_event *ev;
	struct bl_pos at;	/* the event's */
	struct arena mem;	/* the parse, the lookups, the plan */
	struct buf stmt;	/* the statement as catalog text */
};

static const char columns_sql[] =
	"SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
	"a.attnotnull, t.typtype = 'e', pg_catalog.pg_get_expr(d.adbin, d.adrelid) "
	"FROM pg_catalog.pg_attribute a "
	"JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	"LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
	"WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') "
	"AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* One row per key column of every index, in order. */
static const char indexes_sql[] =
	"SELECT ic.relname, con.conname, i.indisprimary, i.indisunique, a.attname "
	"FROM pg_catalog.pg_index i "
	"JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
	"JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS x(num, ord) "
	"LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = x.num "
	"LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid "
	"AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u') "
	"WHERE n.nspname = $1 AND c.relname = $2 AND x.ord <= i.indnkeyatts "
	"ORDER BY ic.relname, x.ord";

static const char *dup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

static bool yes(const char *v)
{
	return v && v[0] == 't';
}

static int read_indexes(struct ddl_ctx *c, const char *const v[2], struct rp__pg_table *t,
			struct err *e)
{
	struct rp__rows_result r;
	int rc = rp__pipe_query(&c->s->pipe, indexes_sql, 2, v, &r, e);
	if (rc)
		return rc;
	struct rp__pg_index *ix = arena_calloc(&c->mem, (size_t)r.nrows + 1, sizeof(*ix));
	const char **cols = arena_calloc(&c->mem, (size_t)r.nrows + 1, sizeof(*cols));
	size_t n = 0;
	for (int i = 0; i < r.nrows; i++) {
		const char *name = rp__rows_get(&r, i, 0);
		if (!n || strcmp(ix[n - 1].name, name)) {
			struct rp__pg_index *x = &ix[n++];
			x->name = dup(&c->mem, name);
			x->constraint = dup(&c->mem, rp__rows_get(&r, i, 1));
			x->primary = yes(rp__rows_get(&r, i, 2));
			x->unique = yes(rp__rows_get(&r, i, 3));
			x->cols = cols + i;
		}
		cols[i] = dup(&c->mem, rp__rows_get(&r, i, 4));
		ix[n - 1].ncols++;
	}
	rp__rows_result_release(&r);
	t->idx = ix;
	t->nidx = n;
	return 0;
}

/* One row per label of every enum column, in order. */
static const char labels_sql[] =
	"SELECT a.attname, e.enumlabel FROM pg_catalog.pg_attribute a "
	"JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_catalog.pg_enum e ON e.enumtypid = a.atttypid "
	"WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped "
	"ORDER BY a.attnum, e.enumsortorder";

static int read_labels(struct ddl_ctx *c, const char *const v[2], struct rp__pg_column *cols,
		       size_t ncols, struct err *e)
{
	struct rp__rows_result r;
	int rc = rp__pipe_query(&c->s->pipe, labels_sql, 2, v, &r, e);
	if (rc)
		return rc;
	const char **labels = arena_calloc(&c->mem, (size_t)r.nrows + 1, sizeof(*labels));
	for (int i = 0; i < r.nrows; i++) {
		const char *name = rp__rows_get(&r, i, 0);
		labels[i] = dup(&c->mem, rp__rows_get(&r, i, 1));
		for (size_t k = 0; k < ncols; k++) {
			if (strcmp(cols[k].name, name))
				continue;
			if (!cols[k].nlabels)
				cols[k].labels = labels + i;
			cols[k].nlabels++;
		}
	}
	rp__rows_result_release(&r);
	return 0;
}

/* Whether PostgreSQL's table holds no row (ALTER's effect on rows). */
static int read_empty(struct ddl_ctx *c, const char *schema, const char *table,
		      struct rp__pg_table *t, struct err *e)
{
	struct buf q;
	buf_init(&q, 0);
	buf_putl(&q, "SELECT NOT EXISTS (SELECT 1 FROM ");
	rp_quote_ident(&q, schema);
	buf_putc(&q, '.');
	rp_quote_ident(&q, table);
	buf_putc(&q, ')');
	struct rp__rows_result r;
	int rc = rp__pipe_query(&c->s->pipe, buf_cstr(&q), 0, NULL, &r, e);
	buf_release(&q);
	if (rc)
		return rc;
	t->empty = r.nrows == 1 && yes(rp__rows_get(&r, 0, 0));
	rp__rows_result_release(&r);
	return 0;
}

/* env->lookup: PostgreSQL's table as the open transaction sees it. */
static int lookup(void *arg, const char *pg_schema, const char *table,
		  const struct rp__pg_table **out, struct err *e)
{
	struct ddl_ctx *c = arg;
	*out = NULL;
	const char *v[2] = {pg_schema, table};
	struct rp__rows_result r;
	if (rp__pipe_query(&c->s->pipe, columns_sql, 2, v, &r, e))
		return -1;
	if (!r.nrows) {
		rp__rows_result_release(&r);
		return 0;
	}
	struct rp__pg_table *t = arena_calloc(&c->mem, 1, sizeof(*t));
	struct rp__pg_column *cols = arena_calloc(&c->mem, (size_t)r.nrows, sizeof(*cols));
	for (int i = 0; i < r.nrows; i++) {
		cols[i].name = dup(&c->mem, rp__rows_get(&r, i, 0));
		cols[i].type = dup(&c->mem, rp__rows_get(&r, i, 1));
		cols[i].not_null = yes(rp__rows_get(&r, i, 2));
		cols[i].is_enum = yes(rp__rows_get(&r, i, 3));
		cols[i].def = dup(&c->mem, rp__rows_get(&r, i, 4));
	}
	t->schema = dup(&c->mem, pg_schema);
	t->name = dup(&c->mem, table);
	t->cols = cols;
	t->ncols = (size_t)r.nrows;
	rp__rows_result_release(&r);
	if (read_indexes(c, v, t, e) || read_labels(c, v, cols, t->ncols, e) ||
	    read_empty(c, pg_schema, table, t, e))
		return -1;
	*out = t;
	return 0;
}

/* env->tables: the tables of a PostgreSQL schema (DROP DATABASE). */
static int tables(void *arg, const char *pg_schema, const char *const **names, size_t *n,
		  struct err *e)
{
	struct ddl_ctx *c = arg;
	const char *v[1] = {pg_schema};
	struct rp__rows_result r;
	*names = NULL;
	*n = 0;
	if (rp__pipe_query(&c->s->pipe,
			   "SELECT c.relname FROM pg_catalog.pg_class c "
			   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
			   "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
			   1, v, &r, e))
		return -1;
	const char **out = arena_calloc(&c->mem, (size_t)r.nrows + 1, sizeof(*out));
	for (int i = 0; i < r.nrows; i++)
		out[i] = dup(&c->mem, rp__rows_get(&r, i, 0));
	*names = out;
	*n = (size_t)r.nrows;
	rp__rows_result_release(&r);
	return 0;
}

/* env->disabled: out of replication, or copied again since the statement
 * (the copy has what it did: applying it again would do it twice). */
static bool disabled(void *arg, const char *schema, const char *table)
{
	struct ddl_ctx *c = arg;
	struct rp_sink *s = c->s;
	if (rp__is_disabled(s, schema, table))
		return true;
	return s->nsynced && rp__in_sync_copy(s, rp__intern(s, schema, table), c->at.file,
					      c->ev->end_pos);
}

static const char *type_override(void *arg, const char *schema, const char *table,
				 const char *column_type)
{
	const struct rp_opts *o = &((struct ddl_ctx *)arg)->s->o;
	for (size_t i = 0; i < o->n_type_overrides; i++) {
		const struct rp_type_override *x = &o->type_overrides[i];
		if (!strcasecmp(x->mysql_type, column_type) &&
		    rp_names_has_table(&x->tables, schema, table, true))
			return x->pg_type;
	}
	return NULL;
}

/* A failed question leaves bytea; the failure itself ends the
 * transaction, and the statement is retried from its position. */
static bool postgis(void *arg)
{
	struct rp_sink *s = ((struct ddl_ctx *)arg)->s;
	bool yes = false;
	struct err e = {0};
	if (rp__postgis(s, &yes, &e))
		rp__say(s, true, "cannot tell whether PostGIS is installed: %s", e.msg);
	return yes;
}

static int fillfactor(void *arg, const char *schema, const char *table)
{
	const struct rp_opts *o = &((struct ddl_ctx *)arg)->s->o;
	for (size_t i = 0; i < o->n_fillfactors; i++)
		if (rp_names_has_table(&o->fillfactors[i].tables, schema, table, false))
			return o->fillfactors[i].fillfactor;
	return 0;
}

static const char *stmt_text(struct ddl_ctx *c)
{
	if (!c->stmt.n) {
		struct bytes q = c->ev->query.query;
		rp__clean_text(&c->stmt, q.p, q.n, STMT_MAX);
	}
	return buf_cstr(&c->stmt);
}

/* A table to copy again, once (rp_sink_copies). */
static void queue_copy(struct rp_sink *s, const char *schema, const char *table)
{
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, table);
	if (!rp__set_has(&s->copies, key))
		buf_put(&s->copies, key, strlen(key) + 1);
}

/* sync_tables' skip position of a table no longer stands: the name is
 * another table's now, or the table moved to another name. */
static void move_synced(struct rp_sink *s, const char *from, const char *to)
{
	for (size_t i = 0; i < s->nsynced; i++)
		if (s->synced[i].table == from)
			s->synced[i].table = to;
}

static int effect(struct ddl_ctx *c, const struct rp__ddl_fx *f, struct err *e)
{
	struct rp_sink *s = c->s;
	const char *key = rp__intern(s, f->schema, f->table);
	switch (f->kind) {
	case RP__FX_CREATED:
		move_synced(s, key, NULL);
		return rp__catalog_ddl_table(s, f->schema, f->table, true, e);
	case RP__FX_ALTERED:
		return rp__catalog_ddl_table(s, f->schema, f->table, false, e);
	case RP__FX_DROPPED:
		move_synced(s, key, NULL);
		return rp__catalog_ddl_drop(s, f->schema, f->table, e);
	case RP__FX_RENAMED: {
		const char *to = rp__intern(s, f->to_schema, f->to_table);
		move_synced(s, to, NULL);
		move_synced(s, key, to);
		return rp__catalog_ddl_rename(s, f->schema, f->table, f->to_schema,
					      f->to_table, e);
	}
	case RP__FX_TRUNCATED:
		return 0;
	case RP__FX_COPY: {
		char msg[700];
		snprintf(msg, sizeof(msg), "copied again from a new snapshot: %s",
			 f->why ? f->why : "PostgreSQL cannot reproduce the statement");
		queue_copy(s, f->schema, f->table);
		int rc = rp__disable_in_tx(s, f->schema, f->table, msg, stmt_text(c), &c->at, e);
		return rc ? rc : rp__catalog_copy_again(s, f->schema, f->table, e);
	}
	case RP__FX_DISABLE:
		return rp__disable_in_tx(s, f->schema, f->table,
					 f->why ? f->why : "DDL not understood", stmt_text(c),
					 &c->at, e);
	case RP__FX_NOTE:
		rp__say(s, false, "%s.%s: %s (%s:%llu)", f->schema, f->table,
			f->why ? f->why : "", c->at.file, (unsigned long long)c->at.pos);
		return 0;
	}
	return 0;
}

static int create_schema(struct rp_sink *s, const char *pg, struct err *e)
{
	struct buf *q = &s->rows.sql;
	buf_reset(q);
	buf_putl(q, "CREATE SCHEMA IF NOT EXISTS ");
	rp_quote_ident(q, pg);
	return rp__pipe_send(&s->pipe, buf_cstr(q), 0, NULL, e);
}

static int run_plan(struct ddl_ctx *c, const struct rp__ddl_plan *p, struct err *e)
{
	struct rp_sink *s = c->s;
	int rc = rp__begin(s, e);
	/* the counts of the open transaction go under the names they had */
	if (!rc)
		rc = rp__catalog_send_counts(s, e);
	if (rc)
		return rc;
	const char *keep = s->pipe.cur_table;
	/* a refusal takes the statement's (first) table out */
	s->pipe.cur_table = p->nfx ? rp__intern(s, p->fx[0].schema, p->fx[0].table) : NULL;
	/* a table created in a mapped schema PostgreSQL does not have yet
	 * (replay_binlog from the start of a source's history) */
	for (size_t i = 0; i < p->nfx && !rc; i++) {
		const struct rp__ddl_fx *f = &p->fx[i];
		const char *pg = f->kind == RP__FX_CREATED   ? rp__pg_schema(s, f->schema)
				 : f->kind == RP__FX_RENAMED ? rp__pg_schema(s, f->to_schema)
							     : NULL;
		if (pg)
			rc = create_schema(s, pg, e);
	}
	/* the source's statement is what t_error_log shows of a refusal;
	 * it stays until the results are read, just below */
	buf_reset(&s->ddl_stmt);
	buf_puts(&s->ddl_stmt, stmt_text(c));
	for (size_t i = 0; i < p->nsql && !rc; i++)
		rc = rp__pipe_send_as(&s->pipe, p->sql[i], buf_cstr(&s->ddl_stmt), e);
	/* DDL is rare: its results are read at once, so that a refusal
	 * names the statement and the next DDL can reuse ddl_stmt */
	if (!rc && p->nsql)
		rc = rp__pipe_drain(&s->pipe, e);
	s->pipe.cur_table = keep;
	if (!rc && p->nsql) {
		/* prepared statements know the old column types */
		rc = rp__pipe_send(&s->pipe, "DEALLOCATE ALL", 0, NULL, e);
		rp__pipe_forget_statements(&s->pipe);
	}
	for (size_t i = 0; i < p->nfx && !rc; i++)
		rc = effect(c, &p->fx[i], e);
	if (!rc && p->summary) {
		rp__say(s, false, "DDL applied: %s (%s:%llu)", p->summary, c->at.file,
			(unsigned long long)c->at.pos);
		rc = rp__catalog_ddl_applied(s, p->summary, stmt_text(c), &c->at, e);
	}
	/* the structure may have changed: every table map is checked again */
	rp__guard_forget(&s->guard);
	return rc;
}

static void debug(struct rp_sink *s, const char *fmt, ...) PRINTF(2, 3);
static void debug(struct rp_sink *s, const char *fmt, ...)
{
	if (!s->o.debug)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o.debug(s->o.log_arg, msg);
}

int rp__guard_ddl(struct rp_sink *s, const struct bl_event *ev, const char *file,
		  struct err *e)
{
	struct ddl_ctx c = {.s = s, .ev = ev};
	bl_pos_set(&c.at, file, ev->pos);
	arena_init(&c.mem, 4096);
	buf_init(&c.stmt, 0);
	char dflt[300];
	snprintf(dflt, sizeof(dflt), "%.*s", (int)ev->query.schema.n,
		 (const char *)ev->query.schema.p);
	bool ansi = ev->query.has_sql_mode && (ev->query.sql_mode & MODE_ANSI_QUOTES);
	/* without sql_mode the server's default, strict since MySQL 5.7 and
	 * MariaDB 10.2.4 */
	bool strict = !ev->query.has_sql_mode ||
		      (ev->query.sql_mode & (MODE_STRICT_TRANS_TABLES | MODE_STRICT_ALL_TABLES));
	struct bytes q = ev->query.query;
	struct rp__ddl_stmt st;
	struct err pe = {0};
	int rc = 0;
	if (rp__ddl_parse((const char *)q.p, q.n, ansi, &c.mem, &st, &pe)) {
		/* too big or too deep to read: named, passed over */
		rp__say(s, true, "statement at %s:%llu not read: %s", file,
			(unsigned long long)ev->pos, pe.msg);
		goto out;
	}
	if (st.kind == RP__DS_OTHER) {
		debug(s, "%s:%llu: %s passed over", file, (unsigned long long)ev->pos,
		      st.what[0] ? st.what : "empty statement");
		goto out;
	}
	char tz[64] = "";
	if (ev->query.has_time_zone)
		snprintf(tz, sizeof(tz), "%.*s", (int)ev->query.time_zone.n,
			 (const char *)ev->query.time_zone.p);
	struct rp__ddl_env env = {
		.o = &s->o, .default_db = dflt, .ansi_quotes = ansi, .mariadb = s->mariadb,
		.column_order_exact = s->o.column_order_exact, .strict = strict,
		.when = ev->h.timestamp,
		.time_zone = tz[0] ? tz : NULL, .disabled = disabled, .lookup = lookup, .tables = tables,
		.type_override = type_override, .postgis = postgis, .fillfactor = fillfactor, .arg = &c,
	};
	struct rp__ddl_plan plan;
	memset(&plan, 0, sizeof(plan));
	rc = rp__ddl_pg_plan(&st, &env, &c.mem, &plan, e);
	if (!rc && (plan.nsql || plan.nfx || plan.summary))
		rc = run_plan(&c, &plan, e);
	else if (!rc)
		debug(s, "%s:%llu: %s concerns no replicated table", file,
		      (unsigned long long)ev->pos, st.what);
out:
	buf_release(&c.stmt);
	arena_release(&c.mem);
	return rc;
}
