/*
 * Statements on whole tables (docs/ddl.md): CREATE TABLE (columns and
 * keys, LIKE, AS SELECT, IF NOT EXISTS), DROP TABLE, TRUNCATE, RENAME
 * TABLE (several pairs, across mapped schemas, into and out of them),
 * CREATE/DROP INDEX and CREATE/DROP DATABASE.  A renamed table keeps
 * init_replica's names: its enum types and indexes are renamed with it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "replay/ddl_pg_int.h"

const char *rp__dp_type_ident(struct rp__dp *d, const char *type)
{
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = type; *p && *p != '[';) {
		if (*p == '.') {
			buf_reset(&b);
			p++;
		} else if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				buf_putc(&b, *p);
			}
			if (*p)
				p++;
		} else {
			buf_putc(&b, *p++);
		}
	}
	const char *s = rp__dp_strdup(d, buf_cstr(&b));
	buf_release(&b);
	return s;
}

bool rp__dp_enum_owned(struct rp__dp *d, const struct rp__dp_table *t,
		       const struct rp__pg_column *c)
{
	if (!c->is_enum)
		return false;
	char want[RP_PG_NAME_MAX];
	rp_load_fit_name(want, "enum_", t->name, c->name);
	return !strcmp(rp__dp_type_ident(d, c->type), want);
}

void rp__dp_drop_enum_sql(struct rp__dp *d, const struct rp__dp_table *t,
			  const struct rp__pg_column *c)
{
	if (!rp__dp_enum_owned(d, t, c))
		return;
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "DROP TYPE IF EXISTS ");
	buf_puts(b, c->type);
	rp__dp_emit(d);
}

void rp__dp_drop_sql(struct rp__dp *d, struct rp__dp_table *t)
{
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "DROP TABLE IF EXISTS ");
	rp__dp_qname(b, t->pg_schema, t->name);
	buf_putl(b, " CASCADE");
	rp__dp_emit(d);
	for (size_t i = 0; i < t->ncols; i++)
		rp__dp_drop_enum_sql(d, t, &t->cols[i]);
	rp__dp_table_clear(t);
}

/* ---- CREATE TABLE ---- */

static void comments_sql(struct rp__dp *d, const struct rp__dp_table *t)
{
	const struct rp__ddl_stmt *st = d->st;
	if (st->comment && st->comment[0]) {
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "COMMENT ON TABLE ");
		rp__dp_qname(b, t->pg_schema, t->name);
		buf_putl(b, " IS ");
		rp_quote_literal(b, st->comment);
		rp__dp_emit(d);
	}
	for (size_t i = 0; i < st->ncols; i++) {
		const struct rp__ddl_column *c = &st->cols[i];
		if (!c->comment || !c->comment[0])
			continue;
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "COMMENT ON COLUMN ");
		rp__dp_qname(b, t->pg_schema, t->name);
		buf_putc(b, '.');
		rp_quote_ident(b, c->name);
		buf_putl(b, " IS ");
		rp_quote_literal(b, c->comment);
		rp__dp_emit(d);
	}
}

/* The keys of the columns (PRIMARY KEY, UNIQUE) then of the table. */
static void create_keys(struct rp__dp *d, struct rp__dp_table *t)
{
	const struct rp__ddl_stmt *st = d->st;
	for (size_t i = 0; i < st->ncols; i++) {
		const struct rp__ddl_column *c = &st->cols[i];
		struct rp__ddl_index_col ic = {.name = c->name};
		struct rp__ddl_index x = {.primary = c->primary,
					  .unique = c->unique,
					  .ncols = 1,
					  .cols = &ic};
		if (c->primary || c->unique)
			rp__dp_key_sql(d, t, &x);
	}
	for (size_t i = 0; i < st->nidx; i++)
		rp__dp_key_sql(d, t, &st->idx[i]);
	for (size_t i = 0; i < st->nfk; i++)
		rp__dp_fk_index(d, t, &st->fk[i]);
}

static int fillfactor(struct rp__dp *d, const struct rp__dp_table *t)
{
	const struct rp__ddl_env *env = d->env;
	return env->fillfactor ? env->fillfactor(env->arg, t->schema, t->name) : 0;
}

static void create_cols(struct rp__dp *d, struct rp__dp_table *t,
			const struct rp__dp_coldef *cds)
{
	const struct rp__ddl_stmt *st = d->st;
	for (size_t i = 0; i < st->ncols; i++) {
		if (!cds[i].is_enum)
			continue;
		size_t n;
		const char *const *labels = rp__dp_enum_labels(d, cds[i].c, &n);
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "DROP TYPE IF EXISTS ");
		buf_puts(b, cds[i].type);
		rp__dp_emit(d);
		rp__dp_enum_sql(rp__dp_sql(d), cds[i].type, n, labels);
		rp__dp_emit(d);
	}
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "CREATE TABLE ");
	rp__dp_qname(b, t->pg_schema, t->name);
	buf_putl(b, " (");
	for (size_t i = 0; i < st->ncols; i++) {
		if (i)
			buf_putl(b, ", ");
		rp__dp_coldef_sql(b, &cds[i], true);
		rp__dp_col_set(d, rp__dp_col_add(d, t), &cds[i], st->cols[i].name);
	}
	buf_putc(b, ')');
	int ff = fillfactor(d, t);
	if (ff)
		buf_printf(b, " WITH (fillfactor = %d)", ff);
	rp__dp_emit(d);
}

/*
 * The table the statement names, when it belongs to a replicated schema:
 * 1 with *schema and *out set, 0 when it is not replicated, -1 on error.
 */
static int stmt_table(struct rp__dp *d, const char **schema,
		      struct rp__dp_table **out)
{
	const struct rp__ddl_stmt *st = d->st;
	*schema = rp__dp_schema(d, &st->table);
	*out = NULL;
	if (!rp__dp_replicated(d, *schema, st->table.name))
		return 0;
	return rp__dp_table(d, *schema, st->table.name, out) ? -1 : 1;
}

static int create_like(struct rp__dp *d, struct rp__dp_table *t);

int rp__dp_create(struct rp__dp *d)
{
	const struct rp__ddl_stmt *st = d->st;
	const char *schema;
	struct rp__dp_table *t;
	int r = stmt_table(d, &schema, &t);
	if (r <= 0)
		return r;
	if (t->exists && st->if_not_exists && !st->or_replace)
		return 0;
	rp__dp_head(d, "CREATE TABLE", schema, t->name);
	if (st->as_select) {
		rp__dp_part(d, "copied");
		rp__dp_fx(d, RP__FX_COPY, schema, t->name,
			  "CREATE TABLE ... SELECT: its columns come from the query");
		return 0;
	}
	if (st->like.name)
		return create_like(d, t);
	struct rp__dp_coldef *cds = arena_calloc(d->a, st->ncols + 1, sizeof(*cds));
	for (size_t i = 0; i < st->ncols; i++) {
		rp__dp_coldef(d, schema, t->name, t->pg_schema, &st->cols[i],
			      &cds[i]);
		if (!cds[i].mapped) {
			rp__dp_fx(d, RP__FX_DISABLE, schema, t->name,
				  rp__dp_printf(d,
						"column %s: type %s has no PostgreSQL type",
						st->cols[i].name,
						st->cols[i].type.column_type));
			return 0;
		}
	}
	/* MySQL refused to create an existing table: PostgreSQL's is stale */
	if (t->exists)
		rp__dp_drop_sql(d, t);
	create_cols(d, t, cds);
	t->exists = true;
	t->empty = true;
	create_keys(d, t);
	comments_sql(d, t);
	rp__dp_fx(d, RP__FX_CREATED, schema, t->name, NULL);
	for (size_t i = 0; i < st->ncols; i++)
		if (st->cols[i].check)
			rp__dp_fx(d, RP__FX_NOTE, schema, t->name,
				  rp__dp_printf(d, "CHECK (%s) left out",
						st->cols[i].check));
	for (size_t i = 0; i < st->nchecks; i++)
		rp__dp_fx(d, RP__FX_NOTE, schema, t->name,
			  rp__dp_printf(d, "CHECK (%s) left out",
					st->checks[i].expr));
	if (st->nfk)
		rp__dp_fx(d, RP__FX_NOTE, schema, t->name,
			  "FOREIGN KEY not created while replicating (detach_replica adds them)");
	return 0;
}

/* ---- CREATE TABLE ... LIKE: the structure of PostgreSQL's table ---- */

/* pg_get_expr() of a default casts to the enum type: the new table's */
static const char *like_default(struct rp__dp *d, const char *def, const char *from,
				const char *to)
{
	if (!def)
		return NULL;
	const char *p = strstr(def, from);
	if (!p)
		return def;
	return rp__dp_printf(d, "%.*s%s%s", (int)(p - def), def, to,
			     p + strlen(from));
}

static void like_cols(struct rp__dp *d, struct rp__dp_table *t,
		      const struct rp__dp_table *src)
{
	for (size_t i = 0; i < src->ncols; i++) {
		struct rp__pg_column *c = rp__dp_col_add(d, t);
		*c = src->cols[i];
		if (!c->is_enum)
			continue;
		struct buf tb;
		buf_init(&tb, 0);
		rp_load_enum_name(&tb, t->pg_schema, t->name, c->name);
		c->type = rp__dp_strdup(d, buf_cstr(&tb));
		c->def = like_default(d, c->def, src->cols[i].type, c->type);
		buf_release(&tb);
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "DROP TYPE IF EXISTS ");
		buf_puts(b, c->type);
		rp__dp_emit(d);
		rp__dp_enum_sql(rp__dp_sql(d), c->type, c->nlabels, c->labels);
		rp__dp_emit(d);
	}
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "CREATE TABLE ");
	rp__dp_qname(b, t->pg_schema, t->name);
	buf_putl(b, " (");
	for (size_t i = 0; i < t->ncols; i++) {
		const struct rp__pg_column *c = &t->cols[i];
		if (i)
			buf_putl(b, ", ");
		rp_quote_ident(b, c->name);
		buf_putc(b, ' ');
		buf_puts(b, c->type);
		if (c->not_null)
			buf_putl(b, " NOT NULL");
		if (c->def) {
			buf_putl(b, " DEFAULT ");
			buf_puts(b, c->def);
		}
	}
	buf_putc(b, ')');
	int ff = fillfactor(d, t);
	if (ff)
		buf_printf(b, " WITH (fillfactor = %d)", ff);
	rp__dp_emit(d);
}

static void like_keys(struct rp__dp *d, struct rp__dp_table *t,
		      const struct rp__dp_table *src)
{
	for (size_t i = 0; i < src->nidx; i++) {
		const struct rp__pg_index *x = &src->idx[i];
		struct rp__ddl_index_col *ic = arena_calloc(d->a, x->ncols + 1,
							    sizeof(*ic));
		bool expr = false;
		for (size_t k = 0; k < x->ncols; k++) {
			ic[k].name = x->cols[k];
			expr |= !x->cols[k];
		}
		struct rp__ddl_index k =
			{.name = x->primary ? NULL
					    : rp__dp_mysql_index_name(d, src, x),
			 .primary = x->primary,
			 .unique = x->unique,
			 .ncols = x->ncols,
			 .cols = ic};
		if (!expr)
			rp__dp_key_sql(d, t, &k);
	}
}

static int create_like(struct rp__dp *d, struct rp__dp_table *t)
{
	const struct rp__ddl_stmt *st = d->st;
	const char *ls = rp__dp_schema(d, &st->like);
	struct rp__dp_table *src = NULL;
	if (rp__dp_pg_schema(d, ls) && rp__dp_table(d, ls, st->like.name, &src))
		return -1;
	if (!src || !src->exists) {
		rp__dp_part(d, "copied");
		rp__dp_fx(d, RP__FX_COPY, t->schema, t->name,
			  rp__dp_printf(d,
					"CREATE TABLE ... LIKE a table PostgreSQL does not have "
					"(%s.%s)",
					ls, st->like.name));
		return 0;
	}
	if (t->exists)
		rp__dp_drop_sql(d, t);
	like_cols(d, t, src);
	t->exists = true;
	t->empty = true;
	like_keys(d, t, src);
	rp__dp_fx(d, RP__FX_CREATED, t->schema, t->name, NULL);
	return 0;
}

/* ---- DROP TABLE, TRUNCATE ---- */

int rp__dp_drop(struct rp__dp *d)
{
	const struct rp__ddl_stmt *st = d->st;
	for (size_t i = 0; i < st->npairs; i++) {
		const struct rp__ddl_name *n = &st->pairs[i].from;
		const char *schema = rp__dp_schema(d, n);
		if (!rp__dp_replicated(d, schema, n->name))
			continue;
		struct rp__dp_table *t;
		if (rp__dp_table(d, schema, n->name, &t))
			return -1;
		rp__dp_head(d, "DROP TABLE", schema, n->name);
		if (t->exists)
			rp__dp_drop_sql(d, t);
		rp__dp_fx(d, RP__FX_DROPPED, schema, n->name, NULL);
	}
	return 0;
}

int rp__dp_truncate(struct rp__dp *d)
{
	const char *schema;
	struct rp__dp_table *t;
	int r = stmt_table(d, &schema, &t);
	if (r <= 0)
		return r;
	rp__dp_head(d, "TRUNCATE TABLE", schema, t->name);
	if (!t->exists) {
		rp__dp_fx(d, RP__FX_COPY, schema, t->name,
			  "table missing in PostgreSQL");
		return 0;
	}
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "TRUNCATE ");
	rp__dp_qname(b, t->pg_schema, t->name);
	rp__dp_emit(d);
	t->empty = true;
	rp__dp_fx(d, RP__FX_TRUNCATED, schema, t->name, NULL);
	return 0;
}

/* ---- CREATE INDEX, DROP INDEX ---- */

static int index_table(struct rp__dp *d, const char *what, struct rp__dp_table **out)
{
	const char *schema;
	struct rp__dp_table *t;
	*out = NULL;
	int r = stmt_table(d, &schema, &t);
	if (r <= 0)
		return r;
	rp__dp_head(d, what, schema, t->name);
	if (!t->exists) {
		rp__dp_fx(d, RP__FX_COPY, schema, t->name,
			  "table missing in PostgreSQL");
		return 0;
	}
	*out = t;
	return 0;
}

int rp__dp_create_index(struct rp__dp *d)
{
	struct rp__dp_table *t;
	if (index_table(d, "CREATE INDEX ON", &t))
		return -1;
	if (!t || !d->st->nidx)
		return 0;
	const struct rp__ddl_index *x = &d->st->idx[0];
	if (x->if_not_exists && x->name && rp__dp_idx_find(d, t, x->name) >= 0)
		return 0;
	rp__dp_part(d, "%s", x->name ? x->name : "(unnamed)");
	rp__dp_key_sql(d, t, x);
	rp__dp_fx(d, RP__FX_ALTERED, t->schema, t->name, NULL);
	return 0;
}

int rp__dp_drop_index(struct rp__dp *d)
{
	struct rp__dp_table *t;
	if (index_table(d, "DROP INDEX ON", &t))
		return -1;
	if (!t)
		return 0;
	const char *name = d->st->index_name ? d->st->index_name : "";
	long i = rp__dp_idx_find(d, t, name);
	if (i < 0) {
		rp__dp_part(d, "%s (none in PostgreSQL)", name);
		return 0;
	}
	rp__dp_part(d, "%s", name);
	rp__dp_drop_index_sql(d, t, (size_t)i);
	rp__dp_fx(d, RP__FX_ALTERED, t->schema, t->name, NULL);
	return 0;
}

/* ---- CREATE/DROP DATABASE ---- */

int rp__dp_database(struct rp__dp *d)
{
	const struct rp__ddl_stmt *st = d->st;
	const char *pg = st->database ? rp__dp_pg_schema(d, st->database) : NULL;
	if (!pg)
		return 0;
	if (st->kind == RP__DS_CREATE_DATABASE) {
		rp__dp_head(d, "CREATE DATABASE", st->database, NULL);
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "CREATE SCHEMA IF NOT EXISTS ");
		rp_quote_ident(b, pg);
		rp__dp_emit(d);
		return 0;
	}
	rp__dp_head(d, "DROP DATABASE", st->database, NULL);
	const struct rp__ddl_env *env = d->env;
	const char *const *names = NULL;
	size_t n = 0;
	if (env->tables && env->tables(env->arg, pg, &names, &n, d->e))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!rp__dp_replicated(d, st->database, names[i]))
			continue;
		struct rp__dp_table *t;
		if (rp__dp_table(d, st->database, names[i], &t))
			return -1;
		if (t->exists)
			rp__dp_drop_sql(d, t);
		rp__dp_fx(d, RP__FX_DROPPED, st->database, names[i], NULL);
	}
	return 0;
}
