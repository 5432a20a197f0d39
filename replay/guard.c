/*
 * What the sink does with table maps and DDL of replicated tables
 * (docs/replication.md, "DDL on replicated tables"): tables created from
 * their first table map (create_tables), the structure check (a table map
 * against PostgreSQL's table, once per table id and map signature, so
 * rows cost nothing), and the DDL guard (statements reported, TRUNCATE
 * applied, dropped or renamed tables taken out).  DDL is not translated
 * here: that is ddl.c's parser and, later, its translation.
 */
#include <stdio.h>
#include <string.h>

#include "base/hash.h"
#include "base/utf8.h"
#include "replay/internal.h"

void rp__guard_init(struct rp__guard *g)
{
	memset(g, 0, sizeof(*g));
	buf_init(&g->created, 0);
}

void rp__guard_release(struct rp__guard *g)
{
	buf_release(&g->created);
}

void rp__guard_forget(struct rp__guard *g)
{
	memset(g->checked, 0, sizeof(g->checked));
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
	buf_reset(q);
	rc = rp__sql_create_table(q, schema, t, e);
	return rc ? rc : rp__pipe_send(&s->pipe, buf_cstr(q), 0, NULL, e);
}

/* The columns of a PostgreSQL table in order; no rows when it is missing. */
static const char columns_sql[] =
	"SELECT a.attname, t.typname, t.typcategory, t.typtype "
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
		return bytea;
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
			 "the source table's structure changed (DDL is not replicated)",
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
				 "%s.%s (DDL is not replicated)", name, schema, t->name);
			return;
		}
		const char *typname = rp__rows_get(r, j, 1);
		if (!type_fits(&t->cols[i], typname, rp__rows_get(r, j, 2)[0],
			       rp__rows_get(r, j, 3)[0])) {
			snprintf(why, n,
				 "column %s is %s in the row images but %s in PostgreSQL's "
				 "table %s.%s: its type changed (DDL is not replicated)",
				 name, bl_col_type_name(t->cols[i].type), typname, schema,
				 t->name);
			return;
		}
	}
}

/* TABLE_MAP of a replicated table: do its row images fit PostgreSQL's table? */
static int check_structure(struct rp_sink *s, const struct bl_table *t,
			   const char *schema, const struct bl_event *ev,
			   const char *file, struct err *e)
{
	uint64_t sig = table_sig(t);
	struct rp__checked *c = &s->guard.checked[t->table_id % RP_SHAPE_SLOTS];
	if (c->valid && c->table_id == t->table_id && c->sig == sig)
		return 0;
	const char *v[2] = {schema, t->name};
	struct rp__rows_result r;
	int rc = rp__pipe_query(&s->pipe, columns_sql, 2, v, &r, e);
	if (rc)
		return rc;
	char why[600];
	misfit(t, schema, &r, why, sizeof(why));
	rp__rows_result_release(&r);
	if (!why[0]) {
		c->table_id = t->table_id;
		c->sig = sig;
		c->valid = true;
		return 0;
	}
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

/* ---- the DDL guard -------------------------------------------------------
 * DDL is not replicated.  A statement touching a replicated table is
 * reported (t_error_log and the log); TRUNCATE is applied.  The structure
 * check above takes out a table whose row images no longer fit.
 */

/*
 * A statement as catalog text: its bytes are in the client's charset and
 * may hold anything, PostgreSQL text takes valid UTF-8 without NUL; other
 * bytes become '?'.  At most max bytes are kept.
 */
static void clean_text(struct buf *out, const uint8_t *p, size_t n, size_t max)
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
	const char *file;
	struct bl_pos at;	/* the event's */
	struct err *e;
	int rc;
	char dflt[300];		/* the event's default database */
	struct buf stmt;	/* the statement as catalog text, made when needed */
};

static const char *ddl_stmt(struct ddl_ctx *c)
{
	if (!c->stmt.n) {
		struct bytes q = c->ev->query.query;
		clean_text(&c->stmt, q.p, q.n, 64 * 1024);
	}
	return buf_cstr(&c->stmt);
}

/* TRUNCATE of a replicated table: the same in PostgreSQL, in the open
 * transaction (a refusal takes the table out of replication). */
static int ddl_truncate(struct ddl_ctx *c, const char *schema, const char *table,
			const char *pg)
{
	struct rp_sink *s = c->s;
	const char *v[2] = {pg, table};
	struct rp__rows_result r;
	int rc = rp__pipe_query(&s->pipe, columns_sql, 2, v, &r, c->e);
	if (rc)
		return rc;
	bool exists = r.nrows > 0;
	rp__rows_result_release(&r);
	if (!exists) {
		rp__say(s, false, "TRUNCATE of `%s`.`%s`: PostgreSQL has no table %s.%s",
			schema, table, pg, table);
		return 0;
	}
	rc = rp__begin(s, c->e);
	if (rc)
		return rc;
	struct buf *q = &s->rows.sql;
	buf_reset(q);
	buf_putl(q, "TRUNCATE ");
	rp__sql_table(q, pg, table);
	const char *keep = s->pipe.cur_table;
	s->pipe.cur_table = rp__intern(s, schema, table);
	rc = rp__pipe_send(&s->pipe, buf_cstr(q), 0, NULL, c->e);
	s->pipe.cur_table = keep;
	if (!rc)
		rp__say(s, false, "TRUNCATE of `%s`.`%s` applied to %s.%s (%s:%llu)", schema,
			table, pg, table, c->file, (unsigned long long)c->ev->pos);
	return rc;
}

static void ddl_table(void *arg, enum rp_ddl_kind kind, const char *schema,
		      const char *table)
{
	struct ddl_ctx *c = arg;
	struct rp_sink *s = c->s;
	if (c->rc)
		return;
	if (!schema) {
		if (!c->dflt[0])
			return;
		schema = c->dflt;
	}
	const char *pg = rp__pg_schema(s, schema);
	if (!pg || !rp_table_included(&s->o, schema, table) ||
	    rp__is_disabled(s, schema, table))
		return;
	/* the structure may change: every table map is checked again */
	rp__guard_forget(&s->guard);
	if (kind == RP_DDL_TRUNCATE) {
		c->rc = ddl_truncate(c, schema, table, pg);
		return;
	}
	if (kind == RP_DDL_CREATE_TABLE && s->o.create_tables) {
		rp__say(s, false, "CREATE TABLE of `%s`.`%s`: created from its first table "
			"map when PostgreSQL has no such table", schema, table);
		return;
	}
	char msg[700];
	snprintf(msg, sizeof(msg), "DDL not replicated: %s of `%s`.`%s`", rp_ddl_name(kind),
		 schema, table);
	rp__say(s, true, "%s (%s:%llu): %s", msg, c->file, (unsigned long long)c->ev->pos,
		ddl_stmt(c));
	if (kind == RP_DDL_DROP_TABLE || kind == RP_DDL_RENAME_TABLE) {
		/* PostgreSQL's table no longer stands for a source table: a
		 * table of that name created later needs a new copy */
		c->rc = rp__disable_in_tx(s, schema, table, msg, ddl_stmt(c), &c->at, c->e);
		return;
	}
	c->rc = rp__catalog_log(s, schema, table, msg, ddl_stmt(c), &c->at, c->e);
}

#define MODE_ANSI_QUOTES 4	/* sql_mode bit */

int rp__guard_ddl(struct rp_sink *s, const struct bl_event *ev, const char *file,
		  struct err *e)
{
	struct ddl_ctx c;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.ev = ev;
	c.file = file;
	bl_pos_set(&c.at, file, ev->pos);
	c.e = e;
	snprintf(c.dflt, sizeof(c.dflt), "%.*s", (int)ev->query.schema.n,
		 (const char *)ev->query.schema.p);
	buf_init(&c.stmt, 0);
	struct bytes q = ev->query.query;
	bool ansi = ev->query.has_sql_mode && (ev->query.sql_mode & MODE_ANSI_QUOTES);
	(void)rp_ddl_parse((const char *)q.p, q.n, ansi, ddl_table, &c);
	buf_release(&c.stmt);
	return c.rc;
}
