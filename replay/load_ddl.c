/*
 * The PostgreSQL statements of a snapshot load, built from a description
 * of the source's tables (struct rp_table_def): schemas, ENUM types,
 * tables without indexes, keys and indexes after the load, column
 * defaults, foreign keys (detach_replica's builder), the swap of the
 * loading schema.  Pure functions
 * appending to a buffer, so that they are tested without a server; they
 * run nothing (replay/load.c does) and touch no sch_chameleon table
 * (replay/catalog_init.c does).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/hash.h"
#include "replay/internal.h"
#include "replay/replay.h"

char *rp_load_schema_name(struct arena *a, const char *pg_schema)
{
	size_t n = strlen(pg_schema) + 8;
	char *s = arena_alloc(a, n);
	snprintf(s, n, "_%s_tmp", pg_schema);
	return s;
}

void rp_load_table_name(struct buf *b, const struct rp_table_def *t, bool loading)
{
	rp_quote_ident(b, loading ? t->load_schema : t->pg_schema);
	buf_putc(b, '.');
	rp_quote_ident(b, t->name);
}

/* One quoted label of an ENUM's COLUMN_TYPE at p (on its opening quote),
 * appended as a PostgreSQL literal; returns what follows it. */
static const char *enum_label(struct buf *b, const char *p)
{
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
	return p;
}

void rp_load_enum_labels(struct buf *b, const char *column_type)
{
	const char *p = strchr(column_type, '(');
	if (!p)
		return;
	p++;
	bool first = true, empty = false;
	while (*p == '\'') {
		empty |= p[1] == '\'' && p[2] != '\'';
		if (!first)
			buf_putl(b, ", ");
		first = false;
		p = enum_label(b, p);
	}
	if (!empty)
		buf_puts(b, first ? "''" : ", ''");
}

void rp_load_fit_name(char out[RP_PG_NAME_MAX], const char *prefix, const char *a,
		      const char *b)
{
	struct buf full;
	buf_init(&full, 0);
	buf_puts(&full, prefix);
	buf_puts(&full, a);
	buf_putc(&full, '_');
	buf_puts(&full, b);
	if (full.n < RP_PG_NAME_MAX) {
		memcpy(out, buf_cstr(&full), full.n + 1);
	} else {
		/* what PostgreSQL would keep of it is not unique: the cut name,
		 * on a character's boundary, and a hash of the whole */
		size_t n = RP_PG_NAME_MAX - 1 - 9;
		const char *s = buf_cstr(&full);
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		snprintf(out, RP_PG_NAME_MAX, "%.*s_%08x", (int)n, s,
			 (unsigned)(hash_bytes(s, full.n) & 0xffffffffu));
	}
	buf_release(&full);
}

void rp_load_enum_name(struct buf *b, const char *schema, const char *table,
		       const char *column)
{
	rp_quote_ident(b, schema);
	buf_putc(b, '.');
	char name[RP_PG_NAME_MAX];
	rp_load_fit_name(name, "enum_", table, column);
	rp_quote_ident(b, name);
}

void rp_load_enum_type_name(struct buf *b, const struct rp_table_def *t,
			    const struct rp_column_def *c, bool loading)
{
	rp_load_enum_name(b, loading ? t->load_schema : t->pg_schema, t->name, c->name);
}

void rp_load_schema_sql(struct buf *b, const char *pg_schema, const char *load_schema)
{
	if (!strcmp(pg_schema, load_schema)) {
		buf_putl(b, "CREATE SCHEMA IF NOT EXISTS ");
		rp_quote_ident(b, pg_schema);
		buf_putl(b, ";\n");
		return;
	}
	buf_putl(b, "DROP SCHEMA IF EXISTS ");
	rp_quote_ident(b, load_schema);
	buf_putl(b, " CASCADE;\nCREATE SCHEMA ");
	rp_quote_ident(b, load_schema);
	buf_putl(b, ";\n");
}

static void comments_sql(struct buf *b, const struct rp_table_def *t)
{
	if (t->comment) {
		buf_putl(b, "COMMENT ON TABLE ");
		rp_load_table_name(b, t, true);
		buf_putl(b, " IS ");
		rp_quote_literal(b, t->comment);
		buf_putl(b, ";\n");
	}
	for (int i = 0; i < t->ncols; i++) {
		const struct rp_column_def *c = &t->cols[i];
		if (!c->comment)
			continue;
		buf_putl(b, "COMMENT ON COLUMN ");
		rp_load_table_name(b, t, true);
		buf_putc(b, '.');
		rp_quote_ident(b, c->name);
		buf_putl(b, " IS ");
		rp_quote_literal(b, c->comment);
		buf_putl(b, ";\n");
	}
}

void rp_load_create_sql(struct buf *b, const struct rp_table_def *t)
{
	for (int i = 0; i < t->ncols; i++) {
		const struct rp_column_def *c = &t->cols[i];
		if (!c->pg.is_enum)
			continue;
		buf_putl(b, "CREATE TYPE ");
		rp_load_enum_type_name(b, t, c, true);
		buf_putl(b, " AS ENUM (");
		rp_load_enum_labels(b, c->column_type);
		buf_putl(b, ");\n");
	}
	buf_putl(b, "CREATE TABLE ");
	rp_load_table_name(b, t, true);
	buf_putl(b, " (");
	for (int i = 0; i < t->ncols; i++) {
		const struct rp_column_def *c = &t->cols[i];
		if (i)
			buf_putl(b, ", ");
		rp_quote_ident(b, c->name);
		buf_putc(b, ' ');
		if (c->pg.is_enum)
			rp_load_enum_type_name(b, t, c, true);
		else
			buf_puts(b, c->pg.name);
		if (!c->nullable)
			buf_putl(b, " NOT NULL");
	}
	buf_putc(b, ')');
	if (t->fillfactor)
		buf_printf(b, " WITH (fillfactor = %d)", t->fillfactor);
	buf_putl(b, ";\n");
	comments_sql(b, t);
}

void rp_load_drop_sql(struct buf *b, const struct rp_table_def *t)
{
	buf_putl(b, "DROP TABLE IF EXISTS ");
	rp_load_table_name(b, t, false);
	buf_putl(b, " CASCADE;\n");
	for (int k = 0; k < t->ncols; k++) {
		if (!t->cols[k].pg.is_enum)
			continue;
		buf_putl(b, "DROP TYPE IF EXISTS ");
		rp_load_enum_type_name(b, t, &t->cols[k], false);
		buf_putl(b, ";\n");
	}
}

void rp_load_truncate_sql(struct buf *b, const struct rp_table_def *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, i ? ", " : "TRUNCATE ");
		rp_load_table_name(b, t[i], false);
	}
	if (n)
		buf_putl(b, ";\n");
}

void rp_load_index_name(char out[RP_INDEX_NAME_MAX], const char *table, const char *index)
{
	rp_load_fit_name(out, "idx_", table, index);
}

/* A SPATIAL index of PostGIS geometry columns: GiST, as PostGIS indexes
 * geometry.  (Without PostGIS it stays a B-tree of the bytea.) */
static bool spatial_gist(const struct rp_table_def *t, const struct rp_index_def *x)
{
	if (!x->spatial || !x->ncols)
		return false;
	for (int c = 0; c < x->ncols; c++) {
		int k = 0;
		while (k < t->ncols && strcmp(t->cols[k].name, x->cols[c]))
			k++;
		if (k == t->ncols || t->cols[k].cv.kind != RP_CV_GEOMETRY)
			return false;
	}
	return true;
}

void rp_load_index_sql(struct buf *b, const struct rp_table_def *t,
		       const struct rp_index_def *x)
{
	if (x->primary) {
		buf_putl(b, "ALTER TABLE ");
		rp_load_table_name(b, t, true);
		buf_putl(b, " ADD PRIMARY KEY (");
	} else {
		buf_puts(b, x->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
		char nm[RP_INDEX_NAME_MAX];
		rp_load_index_name(nm, t->name, x->name);
		rp_quote_ident(b, nm);
		buf_putl(b, " ON ");
		rp_load_table_name(b, t, true);
		buf_puts(b, spatial_gist(t, x) ? " USING gist (" : " (");
	}
	for (int c = 0; c < x->ncols; c++) {
		if (c)
			buf_putl(b, ", ");
		rp_quote_ident(b, x->cols[c]);
	}
	buf_putc(b, ')');
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

/* A MariaDB string default ('...', quotes doubled, backslash escapes) as
 * a PostgreSQL literal; false for an expression. */
static bool mariadb_string(struct buf *b, const char *d)
{
	size_t n = strlen(d);
	if (n < 2 || d[0] != '\'' || d[n - 1] != '\'')
		return false;
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

bool rp_load_default_sql(struct buf *b, const struct rp_column_def *c, bool mariadb)
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
	    c->cv.kind == RP_CV_GEOMETRY ||
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
	if (mariadb)
		return mariadb_string(b, d);
	rp_quote_literal(b, d);
	return true;
}

void rp_load_set_default_sql(struct buf *b, const struct rp_table_def *t,
			     const struct rp_column_def *c, const char *expr)
{
	buf_putl(b, "ALTER TABLE ");
	rp_load_table_name(b, t, true);
	buf_putl(b, " ALTER COLUMN ");
	rp_quote_ident(b, c->name);
	buf_putl(b, " SET DEFAULT ");
	buf_puts(b, expr);
}

void rp_load_fkey_sql(struct buf *b, const char *schema, const char *ref_schema,
		      const struct rp_fkey *k)
{
	rp__fkey_add_sql(b, schema, ref_schema, k);
}

void rp_fk_drop_sql(struct buf *b, const char *schema, const char *table, const char *name)
{
	buf_putl(b, "ALTER TABLE IF EXISTS ");
	rp_quote_ident(b, schema);
	buf_putc(b, '.');
	rp_quote_ident(b, table);
	buf_putl(b, " DROP CONSTRAINT IF EXISTS ");
	rp_quote_ident(b, name);
}

void rp_load_swap_sql(struct buf *b, const char *pg_schema, const char *load_schema)
{
	buf_putl(b, "DROP SCHEMA IF EXISTS ");
	rp_quote_ident(b, pg_schema);
	buf_putl(b, " CASCADE;\nALTER SCHEMA ");
	rp_quote_ident(b, load_schema);
	buf_putl(b, " RENAME TO ");
	rp_quote_ident(b, pg_schema);
	buf_putl(b, ";\n");
}

void rp_load_grant_sql(struct buf *b, const char *pg_schema, const char *role)
{
	buf_putl(b, "GRANT USAGE ON SCHEMA ");
	rp_quote_ident(b, pg_schema);
	buf_putl(b, " TO ");
	rp_quote_ident(b, role);
	buf_putl(b, ";\nGRANT SELECT ON ALL TABLES IN SCHEMA ");
	rp_quote_ident(b, pg_schema);
	buf_putl(b, " TO ");
	rp_quote_ident(b, role);
	buf_putl(b, ";\n");
}
