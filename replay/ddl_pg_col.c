/*
 * A column definition of CREATE TABLE or ALTER TABLE in PostgreSQL terms
 * (docs/ddl.md): the type through init_replica's map (rp_type_of_mysql)
 * and type_override, the enum type of an ENUM column, the default as
 * init_replica writes it (rp_load_default_sql), and what MySQL gave the
 * existing rows of a table when the column was added to it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "replay/ddl_pg_int.h"

static bool is_text_type(const char *dt)
{
	static const char *const v[] = {"char",	      "varchar",  "tinytext", "text",
					"mediumtext", "longtext", "enum",     "set"};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!strcasecmp(dt, v[i]))
			return true;
	return false;
}

/* The rp_column_def init_replica would have read for c, for
 * rp_load_default_sql: information_schema shows MySQL's literal defaults
 * bare, expression defaults as DEFAULT_GENERATED. */
static void as_column_def(const struct rp__ddl_column *c,
			  const struct rp_pg_type *pg, struct rp_column_def *out)
{
	memset(out, 0, sizeof(*out));
	out->name = c->name;
	out->data_type = c->type.data_type;
	out->column_type = c->type.column_type;
	out->nullable = !c->not_null;
	out->pg = *pg;
	out->extra = "";
	if (c->def_kind == RP__DEF_LITERAL && c->def && strlen(c->def) == c->def_len)
		out->def = c->def;
	else if (c->def_kind == RP__DEF_NOW)
		out->def = "current_timestamp";
	const char *dt = c->type.data_type;
	if (!strcasecmp(dt, "date") || !strcasecmp(dt, "datetime"))
		out->cv.kind = RP_CV_DATE;
	else if (!strcasecmp(dt, "timestamp"))
		out->cv.kind = RP_CV_TIMESTAMP;
	else if (rp_is_geometry_type(dt) && !strncmp(pg->name, "geometry", 8))
		out->cv.kind = RP_CV_GEOMETRY;
	else if (!strcmp(pg->name, "bytea"))
		out->cv.kind = RP_CV_BYTES;
	else if (is_text_type(dt))
		out->cv.kind = RP_CV_TEXT;
}

static void set_default(struct rp__dp *d, const struct rp__ddl_column *c,
			bool overridden, struct rp__dp_coldef *out,
			const struct rp_pg_type *pg)
{
	if (c->generated || c->auto_increment)
		return;
	struct rp_column_def cd;
	as_column_def(c, pg, &cd);
	struct buf b;
	buf_init(&b, 0);
	if (overridden && c->def_kind == RP__DEF_LITERAL && cd.def) {
		/* the overriding type reads the text (boolean takes '1') */
		rp_quote_literal(&b, cd.def);
		out->def = rp__dp_strdup(d, buf_cstr(&b));
	} else if (rp_load_default_sql(&b, &cd, false)) {
		out->def = rp__dp_strdup(d, buf_cstr(&b));
	}
	/* a TIMESTAMP literal is read in the session's time zone */
	out->def_exact = out->def && c->def_kind == RP__DEF_LITERAL &&
			 cd.cv.kind != RP_CV_TIMESTAMP;
	buf_release(&b);
}

void rp__dp_coldef(struct rp__dp *d, const char *schema, const char *table,
		   const char *pg_schema, const struct rp__ddl_column *c,
		   struct rp__dp_coldef *out)
{
	memset(out, 0, sizeof(*out));
	out->c = c;
	struct rp_pg_type pg;
	const struct rp__ddl_type *ty = &c->type;
	if (!ty->data_type ||
	    rp_type_of_mysql(ty->data_type, ty->column_type ? ty->column_type : "",
			     ty->char_length, &pg))
		return;
	out->mapped = true;
	const struct rp__ddl_env *env = d->env;
	if (rp_is_geometry_type(ty->data_type) && env->postgis && env->postgis(env->arg) &&
	    rp_geometry_type(ty->data_type, ty->has_srid && ty->srid, ty->srid, &pg))
		BUG("geometry type %s", ty->data_type);
	const char *ov = env->type_override && ty->column_type
				 ? env->type_override(env->arg, schema, table,
						      ty->column_type)
				 : NULL;
	if (ov) {
		snprintf(pg.name, sizeof(pg.name), "%s", ov);
		pg.is_enum = false;
	}
	if (pg.is_enum) {
		struct buf b;
		buf_init(&b, 0);
		rp_load_enum_name(&b, pg_schema, table, c->name);
		snprintf(out->type, sizeof(out->type), "%s", buf_cstr(&b));
		buf_release(&b);
		out->is_enum = true;
	} else {
		snprintf(out->type, sizeof(out->type), "%s", pg.name);
	}
	set_default(d, c, ov != NULL, out, &pg);
}

void rp__dp_coldef_sql(struct buf *b, const struct rp__dp_coldef *cd,
		       bool with_default)
{
	rp_quote_ident(b, cd->c->name);
	buf_putc(b, ' ');
	buf_puts(b, cd->type);
	if (cd->c->not_null)
		buf_putl(b, " NOT NULL");
	if (with_default && cd->def) {
		buf_putl(b, " DEFAULT ");
		buf_puts(b, cd->def);
	}
}

const char *const *rp__dp_enum_labels(struct rp__dp *d,
				      const struct rp__ddl_column *c, size_t *n)
{
	bool empty = false;
	for (size_t i = 0; i < c->type.nlabels; i++)
		empty |= !c->type.labels[i][0];
	const char **v = arena_calloc(d->a, c->type.nlabels + 1, sizeof(*v));
	for (size_t i = 0; i < c->type.nlabels; i++)
		v[i] = c->type.labels[i];
	*n = c->type.nlabels;
	/* MySQL stores '' for an invalid value outside strict mode */
	if (!empty)
		v[(*n)++] = "";
	return v;
}

void rp__dp_enum_sql(struct buf *b, const char *type, size_t n,
		     const char *const *labels)
{
	buf_putl(b, "CREATE TYPE ");
	buf_puts(b, type);
	buf_putl(b, " AS ENUM (");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putl(b, ", ");
		rp_quote_literal(b, labels[i]);
	}
	buf_putc(b, ')');
}

void rp__dp_col_set(struct rp__dp *d, struct rp__pg_column *col,
		    const struct rp__dp_coldef *cd, const char *name)
{
	col->name = rp__dp_strdup(d, name);
	col->type = rp__dp_strdup(d, cd->type);
	col->not_null = cd->c->not_null;
	col->is_enum = cd->is_enum;
	col->def = cd->def;
	col->nlabels = 0;
	col->labels = NULL;
	if (cd->is_enum)
		col->labels = rp__dp_enum_labels(d, cd->c, &col->nlabels);
}

/* ---- what existing rows got ---- */

const char *rp__dp_implicit_default(struct rp__dp *d, const struct rp__dp_coldef *cd)
{
	const struct rp__ddl_column *c = cd->c;
	const char *dt = c->type.data_type;
	static const char *const zero[] = {"tinyint", "smallint", "mediumint",
					   "int",     "integer",  "bigint",
					   "decimal", "numeric",  "float",
					   "double",  "real",	  "year"};
	bool overridden = !cd->is_enum && !strcasecmp(dt, "enum");
	if (overridden)
		return NULL;
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (!strcasecmp(dt, zero[i]))
			return strstr(cd->type, "bool") ? "false" : "0";
	if (!strcasecmp(dt, "enum")) {
		struct buf b;
		buf_init(&b, 0);
		rp_quote_literal(&b, c->type.nlabels ? c->type.labels[0] : "");
		const char *s = rp__dp_strdup(d, buf_cstr(&b));
		buf_release(&b);
		return s;
	}
	if (is_text_type(dt) || !strcmp(cd->type, "bytea"))
		return strcmp(cd->type, "bytea") && strcmp(cd->type, "text") &&
				       strncmp(cd->type, "character varying", 17)
			       ? NULL
			       : "''";
	if (!strcasecmp(dt, "time"))
		return "'00:00:00'";
	return NULL;
}

const char *rp__dp_now_sql(struct rp__dp *d, const struct rp__dp_coldef *cd,
			   const char **why)
{
	const struct rp__ddl_env *env = d->env;
	*why = NULL;
	time_t when = (time_t)env->when;
	struct tm tm;
	char ts[64];
	if (!gmtime_r(&when, &tm) ||
	    !strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm))
		return NULL;
	if (strstr(cd->type, "with time zone"))
		return rp__dp_printf(d, "'%s+00'", ts);
	if (!strstr(cd->type, "without time zone"))
		return NULL;
	/* DATETIME holds the session's wall clock: in its time zone when the
	 * event names one; the server's own zone (SYSTEM, or no zone in the
	 * event) is not in the binlog, and UTC would be a guess */
	const char *tz = env->time_zone;
	if (!tz || !tz[0] || !strcasecmp(tz, "SYSTEM")) {
		*why = rp__dp_printf(d,
				     "column %s: DATETIME DEFAULT CURRENT_TIMESTAMP in "
				     "the server's time zone, which the binlog does "
				     "not give",
				     cd->c->name);
		return NULL;
	}
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "(TIMESTAMPTZ '%s+00' AT TIME ZONE ", ts);
	/* an offset is an interval: a POSIX zone string would count it westward */
	if (tz[0] == '+' || tz[0] == '-')
		buf_putl(&b, "INTERVAL ");
	rp_quote_literal(&b, tz);
	buf_putc(&b, ')');
	const char *s = rp__dp_strdup(d, buf_cstr(&b));
	buf_release(&b);
	return s;
}
