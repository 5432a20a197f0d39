/*
 * Keys and indexes of the DDL planner (docs/ddl.md): named as
 * init_replica names them ("idx_<table>_<mysql name>", the primary key
 * PostgreSQL's "<table>_pkey"), MySQL's names for unnamed keys, and the
 * indexes PostgreSQL has no use for (FULLTEXT, SPATIAL, functional key
 * parts) left out with a note.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "replay/ddl_pg_alter.h"

const char *rp__dp_mysql_index_name(struct rp__dp *d, const struct rp__dp_table *t,
				    const struct rp__pg_index *x)
{
	if (x->primary)
		return "PRIMARY";
	/* the name after the prefix, when it gives the index's name back (a
	 * name cut with a hash does not); before names were fitted whole,
	 * each part was cut to 28 bytes */
	char pre[RP_INDEX_NAME_MAX], back[RP_INDEX_NAME_MAX];
	snprintf(pre, sizeof(pre), "idx_%s_", t->name);
	size_t n = strlen(pre);
	if (!strncmp(x->name, pre, n) && x->name[n]) {
		rp_load_index_name(back, t->name, x->name + n);
		if (!strcmp(back, x->name))
			return rp__dp_strdup(d, x->name + n);
	}
	snprintf(pre, sizeof(pre), "idx_%.28s_", t->name);
	n = strlen(pre);
	if (!strncmp(x->name, pre, n) && x->name[n]) {
		snprintf(back, sizeof(back), "idx_%.28s_%.28s", t->name, x->name + n);
		if (!strcmp(back, x->name))
			return rp__dp_strdup(d, x->name + n);
	}
	return x->name;
}

long rp__dp_idx_find(struct rp__dp *d, const struct rp__dp_table *t, const char *name)
{
	char pg[RP_INDEX_NAME_MAX];
	rp_load_index_name(pg, t->name, name);
	for (size_t i = 0; i < t->nidx; i++)
		if (!strcasecmp(name, "PRIMARY")
			    ? t->idx[i].primary
			    : !strcasecmp(rp__dp_mysql_index_name(d, t, &t->idx[i]),
					  name) ||
				      !strcmp(t->idx[i].name, pg))
			return (long)i;
	return -1;
}

/* MySQL's name for an unnamed key: its first column's, made unique with
 * _2, _3... (sql_table.cc, make_unique_key_name). */
static const char *unnamed(struct rp__dp *d, const struct rp__dp_table *t,
			   const char *col)
{
	const char *name = col;
	for (int k = 2; k < 100; k++) {
		if (strcasecmp(name, "PRIMARY") && rp__dp_idx_find(d, t, name) < 0)
			return name;
		name = rp__dp_printf(d, "%s_%d", col, k);
	}
	return name;
}

static void cols_sql(struct buf *b, const struct rp__ddl_index *x)
{
	buf_putl(b, " (");
	for (size_t i = 0; i < x->ncols; i++) {
		if (i)
			buf_putl(b, ", ");
		rp_quote_ident(b, x->cols[i].name);
	}
	buf_putc(b, ')');
}

static void track(struct rp__dp *d, struct rp__dp_table *t,
		  const struct rp__ddl_index *x, const char *pg_name)
{
	struct rp__pg_index *ix = rp__dp_idx_add(d, t);
	ix->name = rp__dp_strdup(d, pg_name);
	ix->primary = x->primary;
	ix->unique = x->primary || x->unique;
	ix->constraint = x->primary ? ix->name : NULL;
	const char **cols = arena_calloc(d->a, x->ncols + 1, sizeof(*cols));
	for (size_t i = 0; i < x->ncols; i++) {
		cols[i] = rp__dp_strdup(d, x->cols[i].name);
		long c = x->primary ? rp__dp_col_find(t, cols[i]) : -1;
		if (c >= 0)
			t->cols[c].not_null = true;
	}
	ix->ncols = x->ncols;
	ix->cols = cols;
}

static const char *left_out(const struct rp__ddl_index *x)
{
	if (x->fulltext)
		return "FULLTEXT";
	if (x->spatial)
		return "SPATIAL";
	if (x->vector)
		return "VECTOR";
	/* the period is no column: PostgreSQL 18's WITHOUT OVERLAPS wants a
	 * range column */
	if (x->without_overlaps)
		return "WITHOUT OVERLAPS";
	for (size_t i = 0; i < x->ncols; i++)
		if (!x->cols[i].name)
			return "functional";
	return x->ncols ? NULL : "empty";
}

/* x with its columns named as t names them: MySQL's column names are
 * case-insensitive (KEY (COLA) on ColA), PostgreSQL's are not. */
static const struct rp__ddl_index *resolved(struct rp__dp *d,
					    const struct rp__dp_table *t,
					    const struct rp__ddl_index *x,
					    struct rp__ddl_index *tmp)
{
	*tmp = *x;
	struct rp__ddl_index_col *cols = arena_calloc(d->a, x->ncols + 1,
						      sizeof(*cols));
	for (size_t i = 0; i < x->ncols; i++) {
		cols[i] = x->cols[i];
		long c = rp__dp_col_find(t, x->cols[i].name);
		if (c >= 0)
			cols[i].name = t->cols[c].name;
	}
	tmp->cols = cols;
	return tmp;
}

/* A SPATIAL index of PostGIS geometry columns: GiST, as PostGIS indexes
 * geometry (without PostGIS it is left out). */
static bool spatial_gist(const struct rp__dp_table *t, const struct rp__ddl_index *x)
{
	if (!x->spatial || !x->ncols)
		return false;
	for (size_t i = 0; i < x->ncols; i++) {
		long c = x->cols[i].name ? rp__dp_col_find(t, x->cols[i].name) : -1;
		if (c < 0 || strncmp(t->cols[c].type, "geometry", 8))
			return false;
	}
	return true;
}

void rp__dp_key_sql(struct rp__dp *d, struct rp__dp_table *t,
		    const struct rp__ddl_index *x)
{
	bool gist = spatial_gist(t, x);
	const char *lo = gist ? NULL : left_out(x);
	if (lo) {
		rp__dp_fx(d, RP__FX_NOTE, t->schema, t->name,
			  rp__dp_printf(d,
					"%s index %s left out: PostgreSQL has no use for it",
					lo, x->name ? x->name : "(unnamed)"));
		return;
	}
	struct rp__ddl_index rx;
	x = resolved(d, t, x, &rx);
	struct buf *b = rp__dp_sql(d);
	if (x->primary) {
		buf_putl(b, "ALTER TABLE ");
		rp__dp_qname(b, t->pg_schema, t->name);
		buf_putl(b, " ADD PRIMARY KEY");
		cols_sql(b, x);
		rp__dp_emit(d);
		track(d, t, x, rp__dp_printf(d, "%s_pkey", t->name));
		return;
	}
	const char *name = x->name ? x->name : unnamed(d, t, x->cols[0].name);
	char pg[RP_INDEX_NAME_MAX];
	rp_load_index_name(pg, t->name, name);
	buf_puts(b, x->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	rp_quote_ident(b, pg);
	buf_putl(b, " ON ");
	rp__dp_qname(b, t->pg_schema, t->name);
	if (gist)
		buf_putl(b, " USING gist");
	cols_sql(b, x);
	rp__dp_emit(d);
	track(d, t, x, pg);
}

void rp__dp_drop_index_sql(struct rp__dp *d, struct rp__dp_table *t, size_t i)
{
	const struct rp__pg_index *x = &t->idx[i];
	struct buf *b = rp__dp_sql(d);
	if (x->constraint) {
		buf_putl(b, "ALTER TABLE ");
		rp__dp_qname(b, t->pg_schema, t->name);
		buf_putl(b, " DROP CONSTRAINT ");
		rp_quote_ident(b, x->constraint);
	} else {
		buf_putl(b, "DROP INDEX ");
		rp__dp_qname(b, t->pg_schema, x->name);
	}
	rp__dp_emit(d);
	rp__dp_idx_remove(t, i);
}

/* ---- ALTER TABLE: ADD/DROP INDEX, DROP PRIMARY KEY, RENAME INDEX ---- */

static void rename_index(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	long i = rp__dp_idx_find(d, t, c->name);
	rp__dp_part(d, "RENAME INDEX %s TO %s", c->name, c->new_name);
	if (i < 0 || t->idx[i].primary)
		return;
	struct rp__pg_index *x = &t->idx[i];
	char pg[RP_INDEX_NAME_MAX];
	rp_load_index_name(pg, t->name, c->new_name);
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "ALTER INDEX ");
	rp__dp_qname(b, t->pg_schema, x->name);
	buf_putl(b, " RENAME TO ");
	rp_quote_ident(b, pg);
	rp__dp_emit(d);
	x->name = rp__dp_strdup(d, pg);
	if (x->constraint)
		x->constraint = x->name;
	al->changed = true;
}

static void drop_index(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	const char *name = c->op == RP__AL_DROP_PRIMARY_KEY ? "PRIMARY" : c->name;
	long i = rp__dp_idx_find(d, al->t, name);
	if (c->op == RP__AL_DROP_PRIMARY_KEY)
		rp__dp_part(d, "DROP PRIMARY KEY");
	else
		rp__dp_part(d, "DROP INDEX %s", name);
	if (i < 0)
		return;
	rp__dp_drop_index_sql(d, al->t, (size_t)i);
	al->changed = true;
}

void rp__al_key(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	const struct rp__ddl_index *x = &c->idx;
	switch (c->op) {
	case RP__AL_ADD_INDEX:
		if (x->primary && rp__dp_idx_find(d, al->t, "PRIMARY") >= 0) {
			rp__al_copy(al,
				    "ADD PRIMARY KEY: PostgreSQL's table has one");
			return;
		}
		if ((c->if_not_exists || x->if_not_exists) && x->name &&
		    rp__dp_idx_find(d, al->t, x->name) >= 0)
			return;
		rp__dp_part(d, "ADD %s%s%s",
			    x->primary	? "PRIMARY KEY"
			    : x->unique ? "UNIQUE"
					: "INDEX",
			    x->name ? " " : "", x->name ? x->name : "");
		if (x->primary || x->unique)
			rp__al_ignore_key(al, x->primary ? "PRIMARY KEY" : "UNIQUE");
		rp__dp_key_sql(d, al->t, x);
		al->changed = true;
		return;
	case RP__AL_DROP_INDEX:
	case RP__AL_DROP_PRIMARY_KEY:
		drop_index(al, c);
		return;
	case RP__AL_RENAME_INDEX:
		rename_index(al, c);
		return;
	default:
		return;
	}
}

/* ---- the index of a foreign key ---- */

bool rp__dp_fk_index(struct rp__dp *d, struct rp__dp_table *t,
		     const struct rp__ddl_fkey *fk)
{
	if (!fk->ncols)
		return false;
	/* MySQL makes one when no index starts with the key's columns */
	for (size_t i = 0; i < t->nidx; i++) {
		const struct rp__pg_index *x = &t->idx[i];
		size_t k = 0;
		while (k < fk->ncols && k < x->ncols && x->cols[k] &&
		       !strcasecmp(x->cols[k], fk->cols[k]))
			k++;
		if (k == fk->ncols)
			return false;
	}
	struct rp__ddl_index_col *ic = arena_calloc(d->a, fk->ncols, sizeof(*ic));
	for (size_t k = 0; k < fk->ncols; k++)
		ic[k].name = fk->cols[k];
	struct rp__ddl_index x = {.name = fk->name, .ncols = fk->ncols, .cols = ic};
	rp__dp_key_sql(d, t, &x);
	return true;
}
