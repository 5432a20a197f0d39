/*
 * The DDL planner (replay/ddl_pg.h, docs/ddl.md): a parsed statement into
 * PostgreSQL statements and per-table effects.  This file holds the plan
 * being built, the tables it tracks (PostgreSQL's, as its own earlier
 * statements leave them) and the dispatch by statement kind; the
 * statements themselves are in ddl_pg_table.c, ddl_pg_col.c,
 * ddl_pg_alter.c and ddl_pg_key.c.  It runs nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "replay/ddl_pg_int.h"

const char *rp__dp_schema(const struct rp__dp *d, const struct rp__ddl_name *n)
{
	return n->schema ? n->schema : d->env->default_db ? d->env->default_db : "";
}

const char *rp__dp_pg_schema(const struct rp__dp *d, const char *s)
{
	const struct rp_opts *o = d->env->o;
	for (size_t i = 0; i < o->n_mappings; i++)
		if (!strcmp(o->mappings[i].mysql_schema, s))
			return o->mappings[i].pg_schema;
	return NULL;
}

bool rp__dp_replicated(const struct rp__dp *d, const char *schema, const char *table)
{
	const struct rp__ddl_env *env = d->env;
	if (!schema[0] || !rp__dp_pg_schema(d, schema))
		return false;
	if (!rp_table_included(env->o, schema, table))
		return false;
	return !(env->disabled && env->disabled(env->arg, schema, table));
}

char *rp__dp_strdup(struct rp__dp *d, const char *s)
{
	return s ? arena_strndup(d->a, s, strlen(s)) : NULL;
}

char *rp__dp_printf(struct rp__dp *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = arena_alloc(d->a, (size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* ---- tracked tables ---- */

static void copy_table(struct rp__dp *d, struct rp__dp_table *t,
		       const struct rp__pg_table *pt)
{
	t->exists = true;
	t->empty = pt->empty;
	t->capcols = pt->ncols + 4;
	t->cols = arena_calloc(d->a, t->capcols, sizeof(*t->cols));
	if (pt->ncols)
		memcpy(t->cols, pt->cols, pt->ncols * sizeof(*t->cols));
	t->ncols = pt->ncols;
	t->capidx = pt->nidx + 4;
	t->idx = arena_calloc(d->a, t->capidx, sizeof(*t->idx));
	if (pt->nidx)
		memcpy(t->idx, pt->idx, pt->nidx * sizeof(*t->idx));
	t->nidx = pt->nidx;
}

static struct rp__dp_table *tracked(struct rp__dp *d, const char *pg_schema,
				    const char *name)
{
	for (struct rp__dp_table *t = d->tables; t; t = t->next)
		if (!strcmp(t->pg_schema, pg_schema) && !strcmp(t->name, name))
			return t;
	return NULL;
}

static struct rp__dp_table *track(struct rp__dp *d, const char *schema,
				  const char *name, const char *pg_schema)
{
	struct rp__dp_table *t = arena_calloc(d->a, 1, sizeof(*t));
	t->schema = rp__dp_strdup(d, schema);
	t->name = rp__dp_strdup(d, name);
	t->pg_schema = rp__dp_strdup(d, pg_schema);
	t->next = d->tables;
	d->tables = t;
	return t;
}

int rp__dp_table(struct rp__dp *d, const char *schema, const char *name,
		 struct rp__dp_table **out)
{
	const char *pg = rp__dp_pg_schema(d, schema);
	if (!pg) {
		/* not mapped: PostgreSQL has no table of it */
		*out = track(d, schema, name, "");
		return 0;
	}
	*out = tracked(d, pg, name);
	if (*out)
		return 0;
	const struct rp__pg_table *pt = NULL;
	if (d->env->lookup(d->env->arg, pg, name, &pt, d->e))
		return -1;
	*out = track(d, schema, name, pg);
	if (pt)
		copy_table(d, *out, pt);
	return 0;
}

void rp__dp_table_clear(struct rp__dp_table *t)
{
	t->exists = false;
	t->empty = false;
	t->ncols = 0;
	t->nidx = 0;
}

void rp__dp_table_move(struct rp__dp *d, struct rp__dp_table *t, const char *schema,
		       const char *name, const char *pg_schema)
{
	/* what was known of the new name goes (MySQL refuses a rename onto
	 * a table: PostgreSQL's was dropped before) */
	for (struct rp__dp_table **p = &d->tables; *p; p = &(*p)->next)
		if (*p != t && !strcmp((*p)->pg_schema, pg_schema) &&
		    !strcmp((*p)->name, name)) {
			*p = (*p)->next;
			break;
		}
	/* the old name has no table now */
	track(d, t->schema, t->name, t->pg_schema);
	t->schema = rp__dp_strdup(d, schema);
	t->name = rp__dp_strdup(d, name);
	t->pg_schema = rp__dp_strdup(d, pg_schema);
}

long rp__dp_col_find(const struct rp__dp_table *t, const char *name)
{
	/* MySQL's column names are case-insensitive, PostgreSQL keeps ours */
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return (long)i;
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcasecmp(t->cols[i].name, name))
			return (long)i;
	return -1;
}

struct rp__pg_column *rp__dp_col_add(struct rp__dp *d, struct rp__dp_table *t)
{
	if (t->ncols == t->capcols) {
		t->capcols = t->capcols * 2 + 4;
		struct rp__pg_column *v = arena_calloc(d->a, t->capcols, sizeof(*v));
		if (t->ncols)
			memcpy(v, t->cols, t->ncols * sizeof(*v));
		t->cols = v;
	}
	struct rp__pg_column *c = &t->cols[t->ncols++];
	memset(c, 0, sizeof(*c));
	return c;
}

void rp__dp_col_remove(struct rp__dp_table *t, size_t i)
{
	memmove(&t->cols[i], &t->cols[i + 1], (t->ncols - i - 1) * sizeof(*t->cols));
	t->ncols--;
}

struct rp__pg_index *rp__dp_idx_add(struct rp__dp *d, struct rp__dp_table *t)
{
	if (t->nidx == t->capidx) {
		t->capidx = t->capidx * 2 + 4;
		struct rp__pg_index *v = arena_calloc(d->a, t->capidx, sizeof(*v));
		if (t->nidx)
			memcpy(v, t->idx, t->nidx * sizeof(*v));
		t->idx = v;
	}
	struct rp__pg_index *x = &t->idx[t->nidx++];
	memset(x, 0, sizeof(*x));
	return x;
}

void rp__dp_idx_remove(struct rp__dp_table *t, size_t i)
{
	memmove(&t->idx[i], &t->idx[i + 1], (t->nidx - i - 1) * sizeof(*t->idx));
	t->nidx--;
}

/* ---- the plan's statements, effects and summary ---- */

struct buf *rp__dp_sql(struct rp__dp *d)
{
	buf_reset(&d->q);
	return &d->q;
}

void rp__dp_emit(struct rp__dp *d)
{
	struct rp__ddl_plan *p = d->out;
	if (p->nsql == d->capsql) {
		d->capsql = d->capsql * 2 + 8;
		const char **v = arena_calloc(d->a, d->capsql, sizeof(*v));
		if (p->nsql)
			memcpy(v, p->sql, p->nsql * sizeof(*v));
		p->sql = v;
	}
	p->sql[p->nsql++] = arena_strndup(d->a, buf_cstr(&d->q), d->q.n);
}

static struct rp__ddl_fx *fx_new(struct rp__dp *d)
{
	struct rp__ddl_plan *p = d->out;
	if (p->nfx == d->capfx) {
		d->capfx = d->capfx * 2 + 4;
		struct rp__ddl_fx *v = arena_calloc(d->a, d->capfx, sizeof(*v));
		if (p->nfx)
			memcpy(v, p->fx, p->nfx * sizeof(*v));
		p->fx = v;
	}
	struct rp__ddl_fx *f = &p->fx[p->nfx++];
	memset(f, 0, sizeof(*f));
	return f;
}

void rp__dp_fx(struct rp__dp *d, enum rp__ddl_fx_kind k, const char *schema,
	       const char *table, const char *why)
{
	struct rp__ddl_fx *f = fx_new(d);
	f->kind = k;
	f->schema = rp__dp_strdup(d, schema);
	f->table = rp__dp_strdup(d, table);
	f->why = why;
}

void rp__dp_fx_rename(struct rp__dp *d, const char *schema, const char *table,
		      const char *to_schema, const char *to_table)
{
	rp__dp_fx(d, RP__FX_RENAMED, schema, table, NULL);
	struct rp__ddl_fx *f = &d->out->fx[d->out->nfx - 1];
	f->to_schema = rp__dp_strdup(d, to_schema);
	f->to_table = rp__dp_strdup(d, to_table);
}

static void src_ident(struct buf *b, const char *s)
{
	buf_putc(b, '`');
	for (; *s; s++) {
		if (*s == '`')
			buf_putc(b, '`');
		buf_putc(b, *s);
	}
	buf_putc(b, '`');
}

void rp__dp_src_name(struct buf *b, const char *schema, const char *table)
{
	src_ident(b, schema);
	buf_putc(b, '.');
	src_ident(b, table);
}

void rp__dp_qname(struct buf *b, const char *pg_schema, const char *name)
{
	rp_quote_ident(b, pg_schema);
	buf_putc(b, '.');
	rp_quote_ident(b, name);
}

void rp__dp_head(struct rp__dp *d, const char *what, const char *schema,
		 const char *table)
{
	if (d->sum.n) {
		buf_putl(&d->sum, ", ");
	} else {
		buf_puts(&d->sum, what);
		buf_putc(&d->sum, ' ');
	}
	if (table)
		rp__dp_src_name(&d->sum, schema, table);
	else
		src_ident(&d->sum, schema);
}

void rp__dp_part(struct rp__dp *d, const char *fmt, ...)
{
	char part[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(part, sizeof(part), fmt, ap);
	va_end(ap);
	/* the first part follows ": ", the others ", " */
	buf_puts(&d->sum, d->parts ? ", " : ": ");
	buf_puts(&d->sum, part);
	d->parts = true;
}

/* s on one line, for the log: clauses are quoted as written, newlines
 * and tabs too; each run of white space is one space. */
static const char *one_line(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t k = 0;
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' ||
		    c == '\f') {
			space = true;
			continue;
		}
		if (space && k)
			out[k++] = ' ';
		space = false;
		out[k++] = c;
	}
	out[k] = 0;
	return out;
}

/* ---- the dispatch ---- */

static int unparsed(struct rp__dp *d)
{
	const struct rp__ddl_stmt *st = d->st;
	const char *schema = rp__dp_schema(d, &st->table);
	if (!st->table.name || !rp__dp_replicated(d, schema, st->table.name))
		return 0;
	rp__dp_head(d, rp__ddl_kind_name(st->kind_of_unparsed), schema,
		    st->table.name);
	rp__dp_part(d, "not understood");
	rp__dp_fx(d, RP__FX_DISABLE, schema, st->table.name,
		  rp__dp_printf(d, "%s not understood: %s (at byte %zu)",
				rp__ddl_kind_name(st->kind_of_unparsed),
				st->error ? st->error : "syntax", st->error_off));
	return 0;
}

static int dispatch(struct rp__dp *d)
{
	switch (d->st->kind) {
	case RP__DS_CREATE_TABLE:
		return rp__dp_create(d);
	case RP__DS_ALTER_TABLE:
		return rp__dp_alter(d);
	case RP__DS_RENAME_TABLE:
		return rp__dp_rename(d);
	case RP__DS_DROP_TABLE:
		return rp__dp_drop(d);
	case RP__DS_TRUNCATE:
		return rp__dp_truncate(d);
	case RP__DS_CREATE_INDEX:
		return rp__dp_create_index(d);
	case RP__DS_DROP_INDEX:
		return rp__dp_drop_index(d);
	case RP__DS_CREATE_DATABASE:
	case RP__DS_DROP_DATABASE:
		return rp__dp_database(d);
	case RP__DS_UNPARSED:
		return unparsed(d);
	case RP__DS_OTHER:
		break;
	}
	return 0;
}

int rp__ddl_pg_plan(const struct rp__ddl_stmt *st, const struct rp__ddl_env *env,
		    struct arena *a, struct rp__ddl_plan *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct rp__dp d = {.st = st, .env = env, .a = a, .e = e, .out = out};
	buf_init(&d.q, 0);
	buf_init(&d.sum, 0);
	int rc = st->temporary ? 0 : dispatch(&d);
	if (rc) {
		memset(out, 0, sizeof(*out));
		rc = -1;
	} else if (d.sum.n) {
		out->summary = one_line(a, buf_cstr(&d.sum), d.sum.n);
	}
	buf_release(&d.q);
	buf_release(&d.sum);
	return rc;
}
