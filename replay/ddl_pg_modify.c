/*
 * MODIFY and CHANGE COLUMN (docs/ddl.md): the new definition against
 * PostgreSQL's column.  A rename, a NULL change, a default, a widening
 * (varchar(20) to varchar(40), int to bigint, an ENUM with labels
 * appended) is done in place; a conversion whose MySQL result may differ
 * from PostgreSQL's cast (text to numbers, narrowing, rounding, labels
 * changed, clamping outside strict mode) leaves the table to a copy,
 * unless the table holds no row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replay/ddl_pg_alter.h"

enum cls {
	C_INT,
	C_DEC,
	C_FLT,
	C_DBL,
	C_STR,
	C_BYTES,
	C_DATE,
	C_TS,
	C_TSZ,
	C_IVL,
	C_ENUM,
	C_GEOM,
	C_OTHER
};

struct pgt {
	enum cls cls;
	unsigned a, b;	    /* numeric(a,b), varchar(a), timestamp(a); text: a 0 */
	long double lo, hi; /* C_INT: the range of values */
};

static void args(const char *t, unsigned *a, unsigned *b)
{
	const char *p = strchr(t, '(');
	*a = *b = 0;
	if (!p)
		return;
	*a = (unsigned)strtoul(p + 1, NULL, 10);
	const char *q = strchr(p, ',');
	if (q)
		*b = (unsigned)strtoul(q + 1, NULL, 10);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static struct pgt classify(const char *t, bool is_enum)
{
	struct pgt x = {C_OTHER, 0, 0, 0, 0};
	args(t, &x.a, &x.b);
	if (is_enum)
		x.cls = C_ENUM;
	else if (!strcmp(t, "smallint"))
		x = (struct pgt){C_INT, 0, 0, -32768.0L, 32767.0L};
	else if (!strcmp(t, "integer"))
		x = (struct pgt){C_INT, 0, 0, -2147483648.0L, 2147483647.0L};
	else if (!strcmp(t, "bigint"))
		x = (struct pgt){C_INT, 0, 0, -9223372036854775808.0L,
				 9223372036854775807.0L};
	else if (starts(t, "numeric(") && x.b == 0 && x.a <= 20)
		x = (struct pgt){C_INT, x.a, 0, 0, 0};
	else if (starts(t, "numeric"))
		x.cls = C_DEC;
	else if (!strcmp(t, "real"))
		x.cls = C_FLT;
	else if (!strcmp(t, "double precision"))
		x.cls = C_DBL;
	else if (starts(t, "character varying") || !strcmp(t, "text"))
		x.cls = C_STR;
	else if (!strcmp(t, "bytea"))
		x.cls = C_BYTES;
	else if (!strcmp(t, "date"))
		x.cls = C_DATE;
	else if (starts(t, "timestamp"))
		x.cls = strstr(t, "with time zone") && !strstr(t, "without") ? C_TSZ
									     : C_TS;
	else if (starts(t, "interval"))
		x.cls = C_IVL;
	else if (starts(t, "geometry"))
		x.cls = C_GEOM;	/* PostGIS */
	if (x.cls == C_INT && x.hi == 0) {
		/* numeric(p,0): BIGINT UNSIGNED and DECIMAL(p,0) */
		long double m = 1;
		for (unsigned i = 0; i < x.a; i++)
			m *= 10;
		x.lo = -(m - 1);
		x.hi = m - 1;
	}
	if (x.cls == C_TS || x.cls == C_TSZ || x.cls == C_IVL)
		x.a = strchr(t, '(') ? x.a : 6;
	return x;
}

/* The range of MySQL's integer type of c. */
static void mysql_range(const struct rp__ddl_type *ty, long double *lo,
			long double *hi)
{
	static const struct {
		const char *dt;
		int bits;
	} m[] = {{"tinyint", 8}, {"smallint", 16}, {"mediumint", 24},
		 {"int", 32},	 {"integer", 32},  {"bigint", 64}};
	int bits = 0;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcasecmp(ty->data_type, m[i].dt))
			bits = m[i].bits;
	long double p = 1;
	for (int i = 0; i < bits; i++)
		p *= 2;
	*lo = ty->is_unsigned ? 0 : -p / 2;
	*hi = ty->is_unsigned ? p - 1 : p / 2 - 1;
	if (!bits) {
		/* DECIMAL(p,0) */
		unsigned a, b;
		args(ty->column_type ? ty->column_type : "", &a, &b);
		long double q = 1;
		for (unsigned i = 0; i < (a ? a : 10); i++)
			q *= 10;
		*lo = ty->is_unsigned ? 0 : -(q - 1);
		*hi = q - 1;
	}
}

struct conv {
	const char *using; /* USING expression; NULL: no type change */
	const char *why;   /* a copy, and why */
};

static const char *enum_why(const struct rp__pg_column *o,
			    const struct rp__ddl_column *c)
{
	size_t n = o->nlabels;
	/* the '' init_replica appends is not one of MySQL's labels */
	if (n && !o->labels[n - 1][0])
		n--;
	if (c->type.nlabels < n)
		return "ENUM values removed";
	for (size_t i = 0; i < n; i++)
		if (strcmp(o->labels[i], c->type.labels[i]))
			return "ENUM values changed, not only appended";
	return NULL;
}

static bool unicode(const char *cs)
{
	return !cs || !strncasecmp(cs, "utf8mb4", 7) ||
	       !strncasecmp(cs, "utf16", 5) || !strncasecmp(cs, "utf32", 5) ||
	       !strcasecmp(cs, "gb18030");
}

/* A conversion of one class into another, or why it goes to a copy. */
static const char *convert(const struct rp__al *al, const struct pgt *o,
			   const struct pgt *n, const struct rp__ddl_column *c)
{
	bool strict = al->d->env->strict;
	const char *dt = c->type.data_type;
	if (o->cls == C_INT && n->cls == C_INT) {
		long double lo, hi;
		mysql_range(&c->type, &lo, &hi);
		/* outside strict mode MySQL clamped what does not fit */
		return strict || (o->lo >= lo && o->hi <= hi)
			       ? NULL
			       : "integer values clamped outside strict mode";
	}
	if (o->cls == C_INT &&
	    (n->cls == C_DEC || n->cls == C_DBL || n->cls == C_FLT))
		return strict || n->cls != C_DEC
			       ? NULL
			       : "values may not fit outside strict mode";
	if (o->cls == C_DEC && n->cls == C_DEC)
		return n->b >= o->b && n->a - n->b >= o->a - o->b
			       ? NULL
			       : "DECIMAL precision reduced";
	if ((o->cls == C_FLT || o->cls == C_DEC) && n->cls == C_DBL)
		return NULL;
	if (o->cls == C_STR && n->cls == C_STR) {
		if (!strict && !unicode(c->type.charset))
			return "character set conversion outside strict mode";
		if (o->a == 0 && n->a)
			return "text into a shorter type";
		return !n->a || n->a >= o->a ? NULL : "string length reduced";
	}
	if (o->cls == C_ENUM && n->cls == C_STR)
		return NULL;
	if ((o->cls == C_INT || o->cls == C_DEC || o->cls == C_DATE) &&
	    n->cls == C_STR)
		return strict || !n->a ? NULL
				       : "values may be cut outside strict mode";
	if (o->cls == C_DATE && n->cls == C_TS)
		return NULL;
	if (o->cls == n->cls &&
	    (o->cls == C_TS || o->cls == C_TSZ || o->cls == C_IVL))
		return n->a >= o->a ? NULL : "fractional seconds reduced";
	if (o->cls == C_BYTES && n->cls == C_BYTES && strcasecmp(dt, "binary"))
		return NULL;
	/* PostGIS checks the kind and SRID of every value, as MySQL did */
	if (o->cls == C_GEOM && n->cls == C_GEOM)
		return NULL;
	return "the conversion MySQL did may differ from PostgreSQL's cast";
}

/* A type as format_type() spells it: type_override may use aliases. */
static void norm_type(const char *t, char *out, size_t n)
{
	static const struct {
		const char *alias, *name;
	} m[] = {
		{"bool", "boolean"},
		{"int", "integer"},
		{"int4", "integer"},
		{"int2", "smallint"},
		{"int8", "bigint"},
		{"float8", "double precision"},
		{"float4", "real"},
		{"varchar", "character varying"},
		{"timestamptz", "timestamp with time zone"},
		{"decimal", "numeric"},
	};
	char low[128];
	size_t k = 0;
	for (; t[k] && k + 1 < sizeof(low); k++)
		low[k] = (char)(t[k] >= 'A' && t[k] <= 'Z' ? t[k] + 32 : t[k]);
	low[k] = 0;
	size_t word = strcspn(low, "(");
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].alias) == word && !strncmp(low, m[i].alias, word)) {
			snprintf(out, n, "%s%s", m[i].name, low + word);
			return;
		}
	snprintf(out, n, "%s", low);
}

static bool same_type(const char *a, const char *b)
{
	char x[160], y[160];
	norm_type(a, x, sizeof(x));
	norm_type(b, y, sizeof(y));
	return !strcmp(x, y);
}

static struct conv conversion(struct rp__al *al, const struct rp__pg_column *o,
			      const struct rp__dp_coldef *cd)
{
	struct rp__dp *d = al->d;
	struct conv v = {NULL, NULL};
	const struct rp__ddl_column *c = cd->c;
	struct pgt ot = classify(o->type, o->is_enum),
		   nt = classify(cd->type, cd->is_enum);
	char q[300];
	struct buf b;
	buf_init(&b, 0);
	rp_quote_ident(&b, c->name);
	snprintf(q, sizeof(q), "%s", buf_cstr(&b));
	buf_release(&b);
	bool same = same_type(o->type, cd->type) ||
		    (ot.cls == nt.cls && ot.cls == C_INT && ot.lo == nt.lo &&
		     ot.hi == nt.hi);
	if (ot.cls == C_ENUM && nt.cls == C_ENUM) {
		v.why = enum_why(o, c);
		/* a new type of the labels: values added to a type cannot be
		 * used in the transaction that adds them */
		v.using = rp__dp_printf(d, "%s::text::%s", q, cd->type);
	} else if (!strcasecmp(c->type.data_type, "char") && ot.cls == C_STR) {
		/* CHAR drops trailing spaces: MySQL reads them so */
		v.why = nt.a && (!ot.a || nt.a < ot.a) ? "string length reduced"
						       : NULL;
		v.using = rp__dp_printf(d, "rtrim(%s, ' ')::%s", q, cd->type);
	} else if (same && ot.cls != C_INT) {
		return v;
	} else {
		v.why = convert(al, &ot, &nt, c);
		if (!same)
			v.using = rp__dp_printf(d, "%s::%s%s", q,
						ot.cls == C_ENUM || v.why ? "text::"
									  : "",
						cd->type);
	}
	if (v.why && rp__al_empty(al))
		v.why = NULL;
	return v;
}

/* ---- the statements ---- */

static void col_sql(struct rp__al *al, const char *col, const char *what,
		    const char *arg)
{
	struct buf *b = rp__al_sql(al);
	buf_putl(b, "ALTER COLUMN ");
	rp_quote_ident(b, col);
	buf_putc(b, ' ');
	buf_puts(b, what);
	if (arg)
		buf_puts(b, arg);
	rp__dp_emit(al->d);
}

static void type_sql(struct rp__dp *d, const char *what, const char *type,
		     const char *rest)
{
	struct buf *b = rp__dp_sql(d);
	buf_puts(b, what);
	buf_puts(b, type);
	if (rest)
		buf_puts(b, rest);
	rp__dp_emit(d);
}

/* The column's type changes (USING using); a new enum type replaces the
 * old one, which goes when it is the table's own. */
static void change_type(struct rp__al *al, const struct rp__pg_column *o,
			const struct rp__dp_coldef *cd, const char *using)
{
	struct rp__dp *d = al->d;
	const char *old = o->is_enum && rp__dp_enum_owned(d, al->t, o) ? o->type
								       : NULL;
	if (o->def)
		col_sql(al, o->name, "DROP DEFAULT", NULL);
	if (cd->is_enum) {
		if (old && !strcmp(rp__dp_type_ident(d, old),
				   rp__dp_type_ident(d, cd->type))) {
			/* the new type takes the name */
			const char *tmp = rp__dp_printf(d, "%.50s_old",
							rp__dp_type_ident(d, old));
			struct buf qb;
			buf_init(&qb, 0);
			rp_quote_ident(&qb, tmp);
			type_sql(d, "ALTER TYPE ", old,
				 rp__dp_printf(d, " RENAME TO %s", buf_cstr(&qb)));
			buf_reset(&qb);
			rp__dp_qname(&qb, al->t->pg_schema, tmp);
			old = rp__dp_strdup(d, buf_cstr(&qb));
			buf_release(&qb);
		}
		size_t n;
		const char *const *labels = rp__dp_enum_labels(d, cd->c, &n);
		type_sql(d, "DROP TYPE IF EXISTS ", cd->type, NULL);
		rp__dp_enum_sql(rp__dp_sql(d), cd->type, n, labels);
		rp__dp_emit(d);
	}
	col_sql(al, o->name, "TYPE ",
		rp__dp_printf(d, "%s USING %s", cd->type, using));
	if (old)
		type_sql(d, "DROP TYPE IF EXISTS ", old, NULL);
}

static bool in_primary_key(const struct rp__dp_table *t, const char *col)
{
	for (size_t i = 0; i < t->nidx; i++)
		for (size_t k = 0; t->idx[i].primary && k < t->idx[i].ncols; k++)
			if (t->idx[i].cols[k] && !strcmp(t->idx[i].cols[k], col))
				return true;
	return false;
}

static bool moves(const struct rp__dp_table *t, size_t i,
		  const struct rp__ddl_column *c)
{
	if (c->first)
		return i != 0;
	long j = c->after ? rp__dp_col_find(t, c->after) : -1;
	return j >= 0 && (size_t)j != i && (size_t)j + 1 != i;
}

/* NULL to NOT NULL outside strict mode: MySQL gave NULLs the implicit
 * value (*fill), or why that cannot be done here. */
static const char *nulls(struct rp__al *al, const struct rp__pg_column *o,
			 const struct rp__dp_coldef *cd, const char **fill)
{
	*fill = NULL;
	if (!cd->c->not_null || o->not_null || al->d->env->strict || rp__al_empty(al))
		return NULL;
	*fill = rp__dp_implicit_default(al->d, cd);
	return *fill ? NULL
		     : rp__dp_printf(al->d,
				     "column %s: NULLs became MySQL's implicit "
				     "value outside strict mode",
				     cd->c->name);
}

static bool same_labels(const struct rp__pg_column *o, struct rp__dp *d,
			const struct rp__dp_coldef *cd)
{
	size_t n;
	const char *const *v = rp__dp_enum_labels(d, cd->c, &n);
	if (!o->is_enum || !cd->is_enum || n != o->nlabels)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], o->labels[i]))
			return false;
	return !strcmp(rp__dp_type_ident(d, o->type), rp__dp_type_ident(d, cd->type));
}

static void apply(struct rp__al *al, size_t i, const struct rp__dp_coldef *cd,
		  const char *fill)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	struct rp__pg_column o = t->cols[i];
	struct conv v = conversion(al, &o, cd);
	if (same_labels(&o, d, cd))
		v.using = v.why = NULL;
	if (v.why) {
		rp__al_copy(al, rp__dp_printf(d, "column %s: %s", o.name, v.why));
		return;
	}
	if (v.using) {
		change_type(al, &o, cd, v.using);
		o.def = NULL;
	}
	if (fill) {
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "UPDATE ");
		rp__dp_qname(b, t->pg_schema, t->name);
		buf_putl(b, " SET ");
		rp_quote_ident(b, o.name);
		buf_printf(b, " = %s WHERE ", fill);
		rp_quote_ident(b, o.name);
		buf_putl(b, " IS NULL");
		rp__dp_emit(d);
	}
	bool not_null = cd->c->not_null || in_primary_key(t, o.name);
	if (not_null != o.not_null)
		col_sql(al, o.name, not_null ? "SET NOT NULL" : "DROP NOT NULL",
			NULL);
	if (cd->def)
		col_sql(al, o.name, "SET DEFAULT ", cd->def);
	else if (o.def)
		col_sql(al, o.name, "DROP DEFAULT", NULL);
	rp__dp_col_set(d, &t->cols[i], cd, o.name);
	t->cols[i].not_null = not_null;
	al->changed = true;
}

void rp__al_modify(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	const struct rp__ddl_column *col = &c->col;
	const char *old = c->op == RP__AL_CHANGE_COLUMN && c->name ? c->name
								   : col->name;
	long i = rp__al_col_find(al, old);
	if (i < 0) {
		if (!c->if_exists)
			rp__al_copy(al, rp__dp_printf(d, "no column %s in PostgreSQL",
						      old));
		return;
	}
	if (c->op == RP__AL_CHANGE_COLUMN)
		rp__dp_part(d, "CHANGE COLUMN %s %s", old, col->name);
	else
		rp__dp_part(d, "MODIFY COLUMN %s", old);
	struct rp__dp_coldef cd;
	if (!rp__al_coldef(al, col, &cd))
		return;
	if (d->env->column_order_exact && moves(t, (size_t)i, col)) {
		rp__al_copy(al,
			    rp__dp_printf(d, "column order: %s moves", col->name));
		return;
	}
	const char *fill;
	const char *why = nulls(al, &t->cols[i], &cd, &fill);
	if (why) {
		rp__al_copy(al, why);
		return;
	}
	rp__al_rename_column(al, (size_t)i, col->name);
	apply(al, (size_t)i, &cd, fill);
}
