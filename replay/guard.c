/*
 * What the sink does with table maps of replicated tables
 * (docs/replication.md, "The structure check"): tables created from their
 * first table map (create_tables), and the structure check (a table map
 * against PostgreSQL's table, once per table id and map signature, so
 * rows cost nothing).  DDL itself is ddl_apply.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/xalloc.h"
#include "replay/internal.h"

void rp__guard_init(struct rp__guard *g)
{
	memset(g, 0, sizeof(*g));
	buf_init(&g->created, 0);
}

void rp__guard_forget(struct rp__guard *g)
{
	for (size_t i = 0; i < RP_SHAPE_SLOTS; i++) {
		free(g->checked[i].names);
		free(g->checked[i].geom);
		free(g->checked[i].bin);
	}
	memset(g->checked, 0, sizeof(g->checked));
}

void rp__guard_release(struct rp__guard *g)
{
	rp__guard_forget(g);
	buf_release(&g->created);
}

/*
 * A table map without column names (binlog_row_metadata=MINIMAL) takes
 * PostgreSQL's, by position: the table was created in the source's
 * column order (init_replica, CREATE TABLE, --create-tables), and the
 * structure check still compares every column's type.  The names live in
 * the table map's own arena, as the decoder's would.
 */
static void name_columns(const struct bl_table *ct, const char *names)
{
	struct bl_table *t = (struct bl_table *)ct;
	for (uint32_t i = 0; i < t->ncols; i++) {
		size_t n = strlen(names);
		t->cols[i].name = arena_strndup(&t->mem, names, n);
		names += n + 1;
	}
	t->has_names = true;
}

static int create_table(struct rp_sink *s, const struct bl_table *t, const char *schema,
			struct err *e)
{
	struct rp__guard *g = &s->guard;
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, t->name);
	if (rp__set_has(&g->created, key))
		return 0;	/* done earlier in this run */
	buf_put(&g->created, key, strlen(key) + 1);
	s->pipe.cur_table = rp__intern(s, t->schema, t->name);
	if (!t->has_names)
		return err_set(e, ERR_UNSUPPORTED,
			       "cannot create `%s`.`%s`: its table map has no column "
			       "names (binlog_row_metadata=FULL)",
			       t->schema, t->name);
	struct buf *q = &s->rows.sql;
	buf_reset(q);
	buf_putl(q, "CREATE SCHEMA IF NOT EXISTS ");
	rp_quote_ident(q, schema);
	/* DDL goes through the pipeline too: it is part of the transaction */
	int rc = rp__begin(s, e);
	if (!rc)
		rc = rp__pipe_send(&s->pipe, buf_cstr(q), 0, NULL, e);
	if (rc)
		return rc;
	bool postgis = false;
	for (uint32_t i = 0; !rc && i < t->ncols; i++)
		if (t->cols[i].type == BL_TYPE_GEOMETRY) {
			rc = rp__postgis(s, &postgis, e);
			break;
		}
	if (rc)
		return rc;
	buf_reset(q);
	rc = rp__sql_create_table(q, schema, t, postgis, e);
	return rc ? rc : rp__pipe_send(&s->pipe, buf_cstr(q), 0, NULL, e);
}

/* The columns of a PostgreSQL table in order; no rows when it is missing. */
static const char columns_sql[] =
	"SELECT a.attname, t.typname, t.typcategory, t.typtype, "
	"t.typnamespace = 'pg_catalog'::regnamespace "
	"FROM pg_catalog.pg_attribute a "
	"JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	"WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'f') "
	"AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* What identifies a table map's structure: types, metadata and names. */
static uint64_t table_sig(const struct bl_table *t)
{
	uint64_t h = HASH_INIT;
#define MIX(x) (h = hash_add_u64(h, (uint64_t)(x)))
	MIX(t->ncols);
	for (uint32_t i = 0; i < t->ncols; i++) {
		const struct bl_column *c = &t->cols[i];
		MIX(c->type);
		MIX(c->meta);
		MIX(c->collation);
		MIX(c->has_charset | c->is_unsigned << 1);
		for (const char *p = t->has_names && c->name ? c->name : ""; *p; p++)
			MIX((uint8_t)*p);
		MIX(0xff);
	}
#undef MIX
	return h;
}

/*
 * Whether PostgreSQL's column type is of the class of a MySQL column
 * (docs/types.md): numbers to numeric types (or boolean, pg_chameleon's
 * usual type_override of TINYINT(1)), dates and times to date/time
 * types, text to text types (or enum, uuid, json and other user types,
 * which parse text), bytes to bytea only.  cat is pg_type.typcategory,
 * typtype 'e' an enum.
 */
static bool type_fits(const struct bl_column *c, const char *typname, char cat,
		      char typtype)
{
	bool text = cat == 'S';
	bool bytea = !strcmp(typname, "bytea");
	bool json = !strcmp(typname, "jsonb") || !strcmp(typname, "json");
	switch (c->type) {
	case BL_TYPE_TINY:
	case BL_TYPE_SHORT:
	case BL_TYPE_INT24:
	case BL_TYPE_LONG:
	case BL_TYPE_LONGLONG:
	case BL_TYPE_DECIMAL:
	case BL_TYPE_NEWDECIMAL:
	case BL_TYPE_FLOAT:
	case BL_TYPE_DOUBLE:
	case BL_TYPE_YEAR:
		return cat == 'N' || cat == 'B';	/* B: type_override to boolean */
	case BL_TYPE_DATE:
	case BL_TYPE_NEWDATE:
	case BL_TYPE_DATETIME:
	case BL_TYPE_DATETIME2:
	case BL_TYPE_TIMESTAMP:
	case BL_TYPE_TIMESTAMP2:
		return cat == 'D';
	case BL_TYPE_TIME:
	case BL_TYPE_TIME2:
		return cat == 'T' || cat == 'D';
	case BL_TYPE_BIT:
		return cat == 'V' || cat == 'B';
	case BL_TYPE_JSON:
		return json;
	case BL_TYPE_ENUM:
	case BL_TYPE_SET:
		return text || typtype == 'e';
	case BL_TYPE_VECTOR:
		return cat == 'A';
	case BL_TYPE_GEOMETRY:
		return bytea || !strcmp(typname, "geometry");	/* PostGIS */
	case BL_TYPE_BLOB:
	case BL_TYPE_TINY_BLOB:
	case BL_TYPE_MEDIUM_BLOB:
	case BL_TYPE_LONG_BLOB:
		if (!c->has_charset || c->collation == BL_COLLATION_BINARY)
			return bytea;	/* written as bytea */
		return text || (cat == 'U' && !bytea) || typtype == 'e';
	case BL_TYPE_VARCHAR:
	case BL_TYPE_VAR_STRING:
	case BL_TYPE_STRING:
		if (c->has_charset && c->collation == BL_COLLATION_BINARY)
			return bytea;
		/* text; U: uuid, citext, jsonb by type_override */
		return text || (cat == 'U' && !bytea) || typtype == 'e';
	default:
		return true;
	}
}

/* Why the row images of t do not fit PostgreSQL's columns r (why[0] = 0: they do). */
static void misfit(const struct bl_table *t, const char *schema,
		   const struct rp__rows_result *r, char *why, size_t n)
{
	char tmp[32];
	int npg = r->nrows;
	why[0] = 0;
	if (npg == 0) {
		snprintf(why, n, "PostgreSQL has no table %s.%s", schema, t->name);
		return;
	}
	if ((uint32_t)npg != t->ncols) {
		snprintf(why, n,
			 "the row images have %u columns, PostgreSQL's table %s.%s has %d: "
			 "the source table's structure differs",
			 t->ncols, schema, t->name, npg);
		return;
	}
	for (uint32_t i = 0; i < t->ncols; i++) {
		const char *name = rp__column_name(t, i, tmp, sizeof(tmp));
		int j = 0;
		while (j < npg && strcmp(rp__rows_get(r, j, 0), name))
			j++;
		if (j == npg) {
			snprintf(why, n,
				 "column %s of the row images is not in PostgreSQL's table "
				 "%s.%s", name, schema, t->name);
			return;
		}
		const char *typname = rp__rows_get(r, j, 1);
		if (!type_fits(&t->cols[i], typname, rp__rows_get(r, j, 2)[0],
			       rp__rows_get(r, j, 3)[0])) {
			snprintf(why, n,
				 "column %s is %s in the row images but %s in PostgreSQL's "
				 "table %s.%s: its type differs",
				 name, bl_col_type_name(t->cols[i].type), typname, schema,
				 t->name);
			return;
		}
	}
}

/*
 * Which GEOMETRY columns of t are PostGIS geometry in PostgreSQL's table
 * r (their values are written as EWKB, bytea's as bytes): the columns
 * marked, and the flags for the next maps of the table, or NULL.
 */
static bool *mark_geometry(const struct bl_table *ct, const struct rp__rows_result *r)
{
	struct bl_table *t = (struct bl_table *)ct;
	bool *geom = NULL;
	char tmp[32];
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].type != BL_TYPE_GEOMETRY)
			continue;
		const char *name = rp__column_name(t, i, tmp, sizeof(tmp));
		for (int j = 0; j < r->nrows; j++)
			if (!strcmp(rp__rows_get(r, j, 0), name) &&
			    !strcmp(rp__rows_get(r, j, 1), "geometry")) {
				if (!geom)
					geom = xcalloc(t->ncols, sizeof(*geom));
				geom[i] = t->cols[i].pg_geometry = true;
			}
	}
	return geom;
}

/* Per column of t: the binary COPY form of PostgreSQL's type (enum rp_bin);
 * only pg_catalog's types (a user's type may take a built-in name). */
static uint8_t *binary_types(const struct bl_table *t, const struct rp__rows_result *r)
{
	uint8_t *bin = xcalloc(t->ncols + 1, 1);
	char tmp[32];
	for (uint32_t i = 0; i < t->ncols; i++) {
		const char *name = rp__column_name(t, i, tmp, sizeof(tmp));
		for (int j = 0; j < r->nrows; j++)
			if (r->ncols > 4 && !strcmp(rp__rows_get(r, j, 0), name) &&
			    !strcmp(rp__rows_get(r, j, 4), "t"))
				bin[i] = (uint8_t)rp_bin_type(rp__rows_get(r, j, 1));
	}
	return bin;
}

static void apply_geometry(const struct bl_table *ct, const bool *geom)
{
	struct bl_table *t = (struct bl_table *)ct;
	for (uint32_t i = 0; geom && i < t->ncols; i++)
		t->cols[i].pg_geometry = geom[i];
}

/* TABLE_MAP of a replicated table: do its row images fit PostgreSQL's table? */
static int check_structure(struct rp_sink *s, const struct bl_table *t,
			   const char *schema, const struct bl_event *ev,
			   const char *file, struct err *e)
{
	uint64_t sig = table_sig(t);
	struct rp__checked *c = &s->guard.checked[t->table_id % RP_SHAPE_SLOTS];
	if (c->valid && c->table_id == t->table_id && c->sig == sig) {
		if (!t->has_names && c->names)
			name_columns(t, c->names);
		apply_geometry(t, c->geom);
		return 0;
	}
	/* the first geometry column met: the log says once whether PostGIS
	 * is there (which type a column has is PostgreSQL's table's) */
	for (uint32_t i = 0; !s->postgis && i < t->ncols; i++)
		if (t->cols[i].type == BL_TYPE_GEOMETRY) {
			bool yes;
			int rc = rp__postgis(s, &yes, e);
			if (rc)
				return rc;
		}
	const char *v[2] = {schema, t->name};
	struct rp__rows_result r;
	int rc = rp__pipe_query(&s->pipe, columns_sql, 2, v, &r, e);
	if (rc)
		return rc;
	char *names = NULL;
	if (!t->has_names && (uint32_t)r.nrows == t->ncols && t->ncols) {
		struct buf b;
		buf_init(&b, 0);
		for (int i = 0; i < r.nrows; i++) {
			const char *n = rp__rows_get(&r, i, 0);
			buf_put(&b, n, strlen(n) + 1);
		}
		names = xmalloc(b.n);
		memcpy(names, b.p, b.n);
		buf_release(&b);
		name_columns(t, names);
	}
	char why[600];
	misfit(t, schema, &r, why, sizeof(why));
	bool *geom = why[0] ? NULL : mark_geometry(t, &r);
	uint8_t *bin = why[0] ? NULL : binary_types(t, &r);
	rp__rows_result_release(&r);
	free(c->names);
	free(c->geom);
	free(c->bin);
	c->names = NULL;
	c->geom = NULL;
	c->bin = NULL;
	c->valid = false;
	if (!why[0]) {
		c->table_id = t->table_id;
		c->sig = sig;
		c->valid = true;
		c->names = names;
		c->geom = geom;
		c->bin = bin;
		return 0;
	}
	free(names);
	struct bl_pos at;
	bl_pos_set(&at, file, ev->pos);
	return rp__disable_in_tx(s, t->schema, t->name, why, NULL, &at, e);
}

int rp__guard_table_map(struct rp_sink *s, const struct bl_event *ev, const char *schema,
			const char *file, struct err *e)
{
	const struct bl_table *t = ev->table_map.table;
	if (s->o.create_tables) {
		int rc = create_table(s, t, schema, e);
		if (rc)
			return rc;
	}
	return check_structure(s, t, schema, ev, file, e);
}
