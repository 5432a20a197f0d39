/*
 * RENAME TABLE and ALTER TABLE ... RENAME (docs/ddl.md): several pairs in
 * order (the swap of online schema-change tools, RENAME TABLE t TO
 * _t_old, _t_new TO t), across mapped schemas (SET SCHEMA); a table
 * renamed out of replication is dropped, one renamed into it is copied.
 * The table's enum types and indexes follow the new name, so that they
 * stay what init_replica would name them.
 */
#include <stdio.h>
#include <string.h>

#include "replay/ddl_pg_int.h"

static void rename_enum(struct rp__dp *d, struct rp__dp_table *t,
			struct rp__pg_column *c, const char *name,
			const char *pg_schema)
{
	if (!rp__dp_enum_owned(d, t, c))
		return;
	char to[RP_PG_NAME_MAX];
	rp_load_fit_name(to, "enum_", name, c->name);
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "ALTER TYPE ");
	buf_puts(b, c->type);
	buf_putl(b, " RENAME TO ");
	rp_quote_ident(b, to);
	rp__dp_emit(d);
	if (strcmp(pg_schema, t->pg_schema)) {
		b = rp__dp_sql(d);
		buf_putl(b, "ALTER TYPE ");
		rp__dp_qname(b, t->pg_schema, to);
		buf_putl(b, " SET SCHEMA ");
		rp_quote_ident(b, pg_schema);
		rp__dp_emit(d);
	}
	struct buf nb;
	buf_init(&nb, 0);
	rp__dp_qname(&nb, pg_schema, to);
	c->type = rp__dp_strdup(d, buf_cstr(&nb));
	buf_release(&nb);
}

/* Indexes and the primary key named after the old name take the new one
 * (already in the new schema: SET SCHEMA moves them). */
static void rename_index(struct rp__dp *d, struct rp__dp_table *t,
			 struct rp__pg_index *x, const char *name,
			 const char *pg_schema)
{
	const char *to;
	if (x->primary) {
		if (!x->constraint ||
		    strcmp(x->constraint, rp__dp_printf(d, "%s_pkey", t->name)))
			return;
		to = rp__dp_printf(d, "%s_pkey", name);
		if (strlen(to) > 63)
			return;
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "ALTER TABLE ");
		rp__dp_qname(b, pg_schema, name);
		buf_putl(b, " RENAME CONSTRAINT ");
		rp_quote_ident(b, x->constraint);
		buf_putl(b, " TO ");
		rp_quote_ident(b, to);
		rp__dp_emit(d);
		x->name = x->constraint = to;
		return;
	}
	const char *mysql = rp__dp_mysql_index_name(d, t, x);
	if (mysql == x->name)
		return;
	char pg[RP_INDEX_NAME_MAX];
	rp_load_index_name(pg, name, mysql);
	struct buf *b = rp__dp_sql(d);
	buf_putl(b, "ALTER INDEX ");
	rp__dp_qname(b, pg_schema, x->name);
	buf_putl(b, " RENAME TO ");
	rp_quote_ident(b, pg);
	rp__dp_emit(d);
	x->name = rp__dp_strdup(d, pg);
	if (x->constraint)
		x->constraint = x->name;
}

void rp__dp_rename_sql(struct rp__dp *d, struct rp__dp_table *t, const char *schema,
		       const char *name, const char *pg_schema)
{
	struct buf *b;
	if (strcmp(pg_schema, t->pg_schema)) {
		b = rp__dp_sql(d);
		buf_putl(b, "ALTER TABLE ");
		rp__dp_qname(b, t->pg_schema, t->name);
		buf_putl(b, " SET SCHEMA ");
		rp_quote_ident(b, pg_schema);
		rp__dp_emit(d);
	}
	if (strcmp(name, t->name)) {
		b = rp__dp_sql(d);
		buf_putl(b, "ALTER TABLE ");
		rp__dp_qname(b, pg_schema, t->name);
		buf_putl(b, " RENAME TO ");
		rp_quote_ident(b, name);
		rp__dp_emit(d);
	}
	for (size_t i = 0; i < t->ncols; i++)
		rename_enum(d, t, &t->cols[i], name, pg_schema);
	for (size_t i = 0; i < t->nidx && strcmp(name, t->name); i++)
		rename_index(d, t, &t->idx[i], name, pg_schema);
	rp__dp_table_move(d, t, schema, name, pg_schema);
}

static void say_pair(struct rp__dp *d, const char *fs, const char *f, const char *ts,
		     const char *tt)
{
	buf_puts(&d->sum, d->sum.n ? ", " : "RENAME TABLE ");
	rp__dp_src_name(&d->sum, fs, f);
	buf_putl(&d->sum, " TO ");
	rp__dp_src_name(&d->sum, ts, tt);
}

int rp__dp_rename_one(struct rp__dp *d, const char *fs, const char *f,
		      const char *ts, const char *tt)
{
	bool from = rp__dp_replicated(d, fs, f), to = rp__dp_replicated(d, ts, tt);
	if (!from && !to)
		return 0;
	struct rp__dp_table *t = NULL, *target = NULL;
	if (from && rp__dp_table(d, fs, f, &t))
		return -1;
	if (to && rp__dp_table(d, ts, tt, &target))
		return -1;
	if (!from) {
		/* the rows were never replicated: a snapshot brings them */
		rp__dp_fx(d, RP__FX_COPY, ts, tt,
			  rp__dp_printf(d, "renamed into replication from %s.%s", fs,
					f));
		rp__dp_table_clear(target);
		return 0;
	}
	if (!to || !t->exists) {
		if (t->exists)
			rp__dp_drop_sql(d, t);
		rp__dp_fx(d, RP__FX_DROPPED, fs, f, NULL);
		if (to)
			rp__dp_fx(d, RP__FX_COPY, ts, tt,
				  "table missing in PostgreSQL");
		return 0;
	}
	/* MySQL refused a rename onto a table: PostgreSQL's is stale */
	if (target->exists)
		rp__dp_drop_sql(d, target);
	rp__dp_rename_sql(d, t, ts, tt, rp__dp_pg_schema(d, ts));
	rp__dp_fx_rename(d, fs, f, ts, tt);
	return 0;
}

int rp__dp_rename(struct rp__dp *d)
{
	const struct rp__ddl_stmt *st = d->st;
	for (size_t i = 0; i < st->npairs; i++) {
		const struct rp__ddl_pair *p = &st->pairs[i];
		const char *fs = rp__dp_schema(d, &p->from),
			   *ts = rp__dp_schema(d, &p->to);
		size_t before = d->out->nfx + d->out->nsql;
		if (rp__dp_rename_one(d, fs, p->from.name, ts, p->to.name))
			return -1;
		if (d->out->nfx + d->out->nsql != before)
			say_pair(d, fs, p->from.name, ts, p->to.name);
	}
	return 0;
}
