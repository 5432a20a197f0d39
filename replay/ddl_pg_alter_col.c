/*
 * ALTER TABLE's column clauses (docs/ddl.md): ADD COLUMN with what MySQL
 * gave the existing rows (the default, the statement's time for
 * CURRENT_TIMESTAMP, the implicit value of a NOT NULL column), SET/DROP
 * DEFAULT, and MODIFY/CHANGE: a rename, a widening or a NULL change is
 * translated in place, a conversion whose MySQL result may differ from
 * PostgreSQL's cast leaves the table to a copy: ddl_pg_modify.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "replay/ddl_pg_alter.h"

/* Whether the column goes where PostgreSQL puts it: at the end. */
static bool at_end(const struct rp__dp_table *t, const struct rp__ddl_column *c)
{
	if (c->first)
		return t->ncols == 0;
	if (!c->after)
		return true;
	long i = rp__dp_col_find(t, c->after);
	return i < 0 || (size_t)i + 1 == t->ncols;
}

/* What the existing rows get in *fill (NULL: the column's default does
 * it), or why PostgreSQL cannot give them what MySQL did. */
static const char *existing_rows(struct rp__al *al, const struct rp__dp_coldef *cd,
				 const char **fill)
{
	struct rp__dp *d = al->d;
	const struct rp__ddl_column *c = cd->c;
	const char *why = NULL;
	*fill = NULL;
	if (c->generated)
		return rp__dp_printf(d,
				     "generated column %s: MySQL computed it for the "
				     "existing rows",
				     c->name);
	if (c->auto_increment)
		return rp__dp_printf(d,
				     "AUTO_INCREMENT column %s: MySQL numbered the existing "
				     "rows",
				     c->name);
	switch (c->def_kind) {
	case RP__DEF_EXPR:
		return rp__dp_printf(d,
				     "column %s: MySQL computed its default (%s) for the "
				     "existing rows",
				     c->name, c->def ? c->def : "");
	case RP__DEF_NOW:
		if (c->def_fsp > 0)
			return rp__dp_printf(d,
					     "column %s: the fractional seconds of the "
					     "statement's time are not in the binlog",
					     c->name);
		*fill = rp__dp_now_sql(d, cd, &why);
		if (why)
			return why;
		return *fill ? NULL
			     : rp__dp_printf(d,
					     "column %s: CURRENT_TIMESTAMP default "
					     "of a %s column",
					     c->name, cd->type);
	case RP__DEF_LITERAL:
		return cd->def_exact
			       ? NULL
			       : rp__dp_printf(d,
					       "column %s: default %s not translated",
					       c->name, c->def ? c->def : "");
	case RP__DEF_NONE:
	case RP__DEF_NULL:
		break;
	}
	if (d->env->mariadb && !c->not_null && c->def_kind == RP__DEF_NONE &&
	    !strcasecmp(c->type.data_type, "timestamp"))
		return rp__dp_printf(d,
				     "TIMESTAMP column %s without a default: its value "
				     "depends on explicit_defaults_for_timestamp",
				     c->name);
	if (!cd->not_null)
		return NULL;
	*fill = rp__dp_implicit_default(d, cd);
	return *fill ? NULL
		     : rp__dp_printf(d,
				     "NOT NULL column %s: MySQL's implicit value "
				     "for existing rows is not known here",
				     c->name);
}

static void enum_type(struct rp__dp *d, const struct rp__dp_coldef *cd)
{
	size_t n;
	const char *const *labels = rp__dp_enum_labels(d, cd->c, &n);
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "DROP TYPE IF EXISTS ");
	buf_puts(b, cd->type);
	rp__dp_emit(d);
	rp__dp_enum_sql(rp__dp_sql(d), cd->type, n, labels);
	rp__dp_emit(d);
}

static void column_keys(struct rp__al *al, const struct rp__ddl_column *c)
{
	struct rp__ddl_index_col ic = {.name = c->name};
	struct rp__ddl_index x = {.primary = c->primary,
				  .unique = c->unique,
				  .ncols = 1,
				  .cols = &ic};
	if (c->primary || c->unique) {
		rp__al_ignore_key(al, c->primary ? "PRIMARY KEY" : "UNIQUE");
		rp__dp_key_sql(al->d, al->t, &x);
	}
}

void rp__al_add_column(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	const struct rp__ddl_column *col = &c->col;
	if (rp__dp_col_find(t, col->name) >= 0) {
		if (!c->if_not_exists)
			rp__al_copy(al,
				    rp__dp_printf(d,
						  "ADD COLUMN %s: PostgreSQL has one",
						  col->name));
		return;
	}
	rp__dp_part(d, "ADD COLUMN %s", col->name);
	struct rp__dp_coldef cd;
	if (!rp__al_coldef(al, col, &cd))
		return;
	if (d->env->column_order_exact && !at_end(t, col)) {
		rp__al_copy(al,
			    rp__dp_printf(d,
					  "column order: %s is not added at the end",
					  col->name));
		return;
	}
	const char *fill = NULL;
	if (!rp__al_empty(al)) {
		const char *why = existing_rows(al, &cd, &fill);
		if (why) {
			rp__al_copy(al, why);
			return;
		}
	}
	if (cd.is_enum)
		enum_type(d, &cd);
	struct buf *b = rp__al_sql(al);
	buf_putl(b, "ADD COLUMN ");
	rp__dp_coldef_sql(b, &cd, !fill);
	if (fill) {
		buf_putl(b, " DEFAULT ");
		buf_puts(b, fill);
	}
	rp__dp_emit(d);
	if (fill) {
		/* the existing rows have their value: new rows get the column's */
		b = rp__al_sql(al);
		buf_putl(b, "ALTER COLUMN ");
		rp_quote_ident(b, col->name);
		if (cd.def) {
			buf_putl(b, " SET DEFAULT ");
			buf_puts(b, cd.def);
		} else {
			buf_putl(b, " DROP DEFAULT");
		}
		rp__dp_emit(d);
	}
	rp__dp_col_set(d, rp__dp_col_add(d, t), &cd, col->name);
	column_keys(al, col);
	al->changed = true;
}

/* ---- SET DEFAULT, DROP DEFAULT: new rows only ---- */

/* A MySQL data type of PostgreSQL's column, enough for its default. */
static const char *pg_data_type(const struct rp__pg_column *pc)
{
	static const struct {
		const char *prefix, *dt;
	} m[] = {
		{"smallint", "smallint"}, {"integer", "int"},
		{"bigint", "bigint"},	  {"numeric", "decimal"},
		{"real", "float"},	  {"double", "double"},
		{"date", "date"},	  {"timestamp", "datetime"},
		{"bytea", "blob"},	  {"bit", "bit"},
		{"interval", "time"},	  {"jsonb", "json"},
	};
	if (pc->is_enum)
		return "enum";
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strncmp(pc->type, m[i].prefix, strlen(m[i].prefix)))
			return strstr(pc->type, "with time zone") ? "timestamp"
								  : m[i].dt;
	return "varchar";
}

void rp__al_default(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	long i = rp__dp_col_find(t, c->name);
	if (i < 0) {
		rp__al_copy(al,
			    rp__dp_printf(d, "ALTER COLUMN %s: none in PostgreSQL",
					  c->name));
		return;
	}
	struct rp__pg_column *pc = &t->cols[i];
	const char *def = NULL;
	if (c->op == RP__AL_SET_DEFAULT) {
		/* the column as it is, with the new default */
		struct rp__ddl_column col = c->col;
		col.name = pc->name;
		if (!col.type.data_type) {
			col.type.data_type = pg_data_type(pc);
			col.type.column_type = "";
		}
		struct rp__dp_coldef cd;
		rp__dp_coldef(d, al->schema, t->name, t->pg_schema, &col, &cd);
		def = cd.def;
	}
	rp__dp_part(d, "ALTER COLUMN %s %s DEFAULT", pc->name, def ? "SET" : "DROP");
	struct buf *b = rp__al_sql(al);
	buf_putl(b, "ALTER COLUMN ");
	rp_quote_ident(b, pc->name);
	if (def) {
		buf_putl(b, " SET DEFAULT ");
		buf_puts(b, def);
	} else {
		buf_putl(b, " DROP DEFAULT");
	}
	rp__dp_emit(d);
	pc->def = def;
	al->changed = true;
}
