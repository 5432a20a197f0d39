/*
 * The row pump: one copy job reads its table (or key range) from the
 * source with a text-protocol SELECT, one row at a time (never a table in
 * memory), converts each field to COPY text format (replay's
 * rp_copy_field, the conversion replication uses) and sends 256 KiB
 * chunks into replay's COPY FROM STDIN.  Also the statement jobs (keys,
 * indexes).  Runs on the pool's threads; it plans nothing.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "snapshot/internal.h"

/* COPY data is sent in chunks of this many bytes (whole rows). */
#define CHUNK_BYTES (256 * 1024)

void sn__select_sql(struct buf *b, const struct sn_job *j)
{
	const struct rp_table_def *t = &j->t->def;
	buf_putl(b, "SELECT ");
	for (int i = 0; i < t->ncols; i++) {
		if (i)
			buf_putl(b, ", ");
		sn__myident(b, t->cols[i].name);
		/* FLOAT read as a double: every digit of the stored value */
		if (!strcasecmp(t->cols[i].data_type, "float"))
			buf_putl(b, " + 0e0");
	}
	buf_putl(b, " FROM ");
	sn__myident(b, t->schema);
	buf_putc(b, '.');
	sn__myident(b, t->name);
	if (j->ranged) {
		const char *k = t->key->cols[0];
		buf_putl(b, " WHERE ");
		sn__myident(b, k);
		buf_printf(b, " >= %lld AND ", j->lo);
		sn__myident(b, k);
		buf_printf(b, j->last ? " <= %lld" : " < %lld", j->hi);
	}
}

/* What one pump moved, added to the totals as chunks go out. */
struct pump {
	struct sn *s;
	struct sn_table *t;
	struct rp_load *pg;
	struct buf line, tmp;	/* COPY data not sent yet; scratch */
	uint64_t nrows;		/* rows in line (not counted yet) */
	uint64_t zero_dates;
	char msg[512];
};

static void count(struct pump *p)
{
	__atomic_add_fetch(&p->t->rows, p->nrows, __ATOMIC_RELAXED);
	__atomic_add_fetch(&p->s->rows, p->nrows, __ATOMIC_RELAXED);
	p->nrows = 0;
}

/* One source row appended to p->line; NULL or why the copy stops. */
static const char *pump_row(struct pump *p, const struct mp_row *row)
{
	const struct rp_table_def *t = &p->t->def;
	if (row->n != (uint32_t)t->ncols) {
		snprintf(p->msg, sizeof(p->msg), "the source returned %u columns, expected %d",
			 row->n, t->ncols);
		return p->msg;
	}
	struct err e = {0};
	for (int i = 0; i < t->ncols; i++) {
		if (i)
			buf_putc(&p->line, '\t');
		int vr = rp_copy_field(&p->line, &p->tmp, &t->cols[i].cv, row->values[i].p,
				       row->values[i].n, row->is_null[i], &p->s->o->conv, &e);
		if (vr < 0) {
			/* counted from the last chunk sent, as always */
			snprintf(p->msg, sizeof(p->msg), "row %llu, column %s: %s",
				 (unsigned long long)p->nrows + 1, t->cols[i].name, e.msg);
			return p->msg;
		}
		if (vr == RP_ZERO_DATE_REPLACED)
			p->zero_dates++;
	}
	buf_putc(&p->line, '\n');
	p->nrows++;
	return NULL;
}

/* Every row of the result into the COPY; NULL or why it stopped. */
static const char *pump(struct pump *p, struct mp_conn *my, struct mp_result *res)
{
	const struct sn_opts *o = p->s->o;
	struct mp_row row;
	int mrc;
	while ((mrc = mp_result_next(my, res, &row)) == 1) {
		const char *stop = pump_row(p, &row);
		if (stop)
			return stop;
		if (p->line.n >= CHUNK_BYTES) {
			struct err e = {0};
			if (rp_load_copy_data(p->pg, p->line.p, p->line.n, &e))
				return "PostgreSQL connection lost";
			count(p);
			buf_reset(&p->line);
		}
		if (sn__failed(p->s))
			return "another copy failed";
		if (o->stop && *o->stop)
			return "interrupted";
	}
	if (mrc < 0) {
		snprintf(p->msg, sizeof(p->msg), "reading from the source: %s", my->err.msg);
		return p->msg;
	}
	return NULL;
}

/* The COPY committed, its remaining rows counted; -1 (failed) if not. */
static int finish(struct pump *p)
{
	const struct rp_table_def *t = &p->t->def;
	struct err e = {0};
	if ((p->line.n && rp_load_copy_data(p->pg, p->line.p, p->line.n, &e)) ||
	    rp_load_copy_end(p->pg, &e)) {
		sn__fail(p->s, "`%s`.`%s`: %s", t->schema, t->name, e.msg);
		return -1;
	}
	count(p);
	__atomic_add_fetch(&p->s->zero_dates, p->zero_dates, __ATOMIC_RELAXED);
	return 0;
}

int sn__copy_job(struct sn *s, int w, const struct sn_job *j)
{
	struct pump p = {.s = s, .t = j->t, .pg = s->wpg[w]};
	const struct rp_table_def *t = &j->t->def;
	struct mp_conn *my = s->my[w];
	struct err e = {0};
	if (rp_load_copy_start(p.pg, t, &e)) {
		sn__fail(s, "`%s`.`%s`: %s", t->schema, t->name, e.msg);
		return -1;
	}
	buf_init(&p.line, 0);
	buf_init(&p.tmp, 0);
	struct buf q;
	buf_init(&q, 0);
	sn__select_sql(&q, j);
	struct mp_result res;
	int rc = 0;
	if (mp_query(my, buf_cstr(&q), &res)) {
		sn__fail(s, "`%s`.`%s`: reading from the source: %s", t->schema, t->name,
			 my->err.msg);
		rp_load_copy_abort(p.pg, "source read failed");
		rc = -1;
		goto out;
	}
	const char *stop = pump(&p, my, &res);
	mp_result_release(my, &res);
	if (stop) {
		rp_load_copy_abort(p.pg, stop);
		sn__fail(s, "`%s`.`%s`: %s", t->schema, t->name, stop);
		rc = -1;
		goto out;
	}
	rc = finish(&p);
out:
	buf_release(&q);
	buf_release(&p.line);
	buf_release(&p.tmp);
	return rc;
}

int sn__ddl_job(struct sn *s, int w, const struct sn_job *j)
{
	struct err e = {0};
	if (!rp_load_exec(s->wpg[w], j->sql, &e))
		return 0;
	if (j->t && !strncmp(j->sql, "CREATE INDEX", 12)) {
		/* a plain index is not data: warn and go on */
		sn__report(s, SN_WARN, "`%s`.`%s`: index not created: %s", j->t->def.schema,
			   j->t->def.name, e.msg);
		return 0;
	}
	sn__fail(s, "%s: %s", j->sql, e.msg);
	return -1;
}
