/*
 * The row pump: one copy job reads its table (or key range) from the
 * source with a SELECT, one row at a time (never a table in memory):
 * through the binary protocol (a prepared statement; the values turned
 * into the text protocol's text by bintext.c), or with a text query when
 * copy_protocol is text or the binary protocol cannot read a column.  It
 * converts each field to COPY text format (replay's
 * rp_copy_field, the conversion replication uses) and sends 256 KiB
 * chunks into replay's COPY FROM STDIN.  Also the statement jobs (keys,
 * indexes).  Runs on the pool's threads; it plans nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
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

/* Why a pump stopped. */
enum stop {
	STOP_FAIL,	/* the copy fails: connection lost, interrupted... */
	STOP_VALUE,	/* a value the policies refuse: the table is set aside */
	STOP_REFUSED,	/* PostgreSQL refused a row: the table is set aside */
	STOP_ASIDE,	/* another job set the table aside */
};

/* What one pump moved, added to the totals as chunks go out. */
struct pump {
	struct sn *s;
	struct sn_table *t;
	struct rp_load *pg;
	struct buf line, tmp;	/* COPY data not sent yet; scratch */
	struct buf bin;		/* binary rows: their values as text */
	struct bytes *tvals;	/* binary rows: the text row's views */
	size_t *toff;
	uint64_t nrows;		/* rows in line (not counted yet) */
	uint64_t lines;		/* rows of this COPY so far */
	uint64_t zero_dates;
	enum stop why;
	struct buf row;		/* STOP_VALUE: the row as JSON */
	char msg[1024];
};

static void count(struct pump *p)
{
	__atomic_add_fetch(&p->t->rows, p->nrows, __ATOMIC_RELAXED);
	__atomic_add_fetch(&p->s->rows, p->nrows, __ATOMIC_RELAXED);
	p->nrows = 0;
}

/* A JSON string of a source value: UTF-8 as it is, other bytes as
 * \u00XX (the text of a column in another charset, or binary). */
static void json_string(struct buf *b, struct buf *tmp, const uint8_t *p, size_t n)
{
	buf_reset(tmp);
	bool utf8 = bl_text_to_utf8(tmp, 45, p, n) == 0;
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
			buf_printf(b, "\\u%04x", c);
		} else {
			buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
}

/* A source row as a JSON object, column name -> text value or null. */
static void row_json(struct buf *b, struct buf *tmp, const struct rp_table_def *t,
		     const struct mp_row *row)
{
	buf_putc(b, '{');
	for (int i = 0; i < t->ncols && (uint32_t)i < row->n; i++) {
		if (i)
			buf_putl(b, ", ");
		json_string(b, tmp, (const uint8_t *)t->cols[i].name, strlen(t->cols[i].name));
		buf_putl(b, ": ");
		if (row->is_null[i])
			buf_putl(b, "null");
		else
			json_string(b, tmp, row->values[i].p, row->values[i].n);
	}
	buf_putc(b, '}');
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
			snprintf(p->msg, sizeof(p->msg), "row %llu, column %s: %s",
				 (unsigned long long)p->lines + 1, t->cols[i].name, e.msg);
			p->why = STOP_VALUE;
			row_json(&p->row, &p->tmp, t, row);
			return p->msg;
		}
		if (vr == RP_ZERO_DATE_REPLACED)
			p->zero_dates++;
	}
	buf_putc(&p->line, '\n');
	p->nrows++;
	p->lines++;
	return NULL;
}

/* A failed COPY: set aside when PostgreSQL refused a row, else NULL. */
static const char *refused(struct pump *p, const struct err *e)
{
	size_t k = strlen(RP_LOAD_REFUSED);
	if (strncmp(e->msg, RP_LOAD_REFUSED, k) || !rp_load_connected(p->pg))
		return NULL;
	snprintf(p->msg, sizeof(p->msg), "%s", e->msg + k);
	p->why = STOP_REFUSED;
	return p->msg;
}

/* Every row of the result into the COPY; NULL or why it stopped. */
static const char *pump(struct pump *p, struct mp_conn *my, struct mp_result *res)
{
	const struct sn_opts *o = p->s->o;
	struct mp_row row;
	int mrc;
	p->why = STOP_FAIL;
	if (res->binary) {
		p->tvals = xcalloc(res->ncols, sizeof(*p->tvals));
		p->toff = xcalloc(res->ncols, sizeof(*p->toff));
	}
	while ((mrc = mp_result_next(my, res, &row)) == 1) {
		if (res->binary) {
			struct err e = {0};
			if (sn__text_row(&p->bin, p->toff, res, &row, p->tvals, &e)) {
				snprintf(p->msg, sizeof(p->msg), "row %llu: %s",
					 (unsigned long long)p->lines + 1, e.msg);
				return p->msg;
			}
			row.values = p->tvals;
		}
		const char *stop = pump_row(p, &row);
		if (stop)
			return stop;
		if (p->line.n >= CHUNK_BYTES) {
			struct err e = {0};
			if (rp_load_copy_data(p->pg, p->line.p, p->line.n, &e))
				return refused(p, &e) ? p->msg : "PostgreSQL connection lost";
			count(p);
			buf_reset(&p->line);
		}
		if (sn__failed(p->s))
			return "another copy failed";
		if (sn__refused(p->t)) {
			p->why = STOP_ASIDE;
			return "the table is set aside";
		}
		if (o->stop && *o->stop)
			return "interrupted";
	}
	if (mrc < 0) {
		snprintf(p->msg, sizeof(p->msg), "reading from the source: %s", my->err.msg);
		return p->msg;
	}
	return NULL;
}

/* The line PostgreSQL's CONTEXT names ("COPY t, line 3, column d"), 0 if none. */
static uint64_t refused_line(const char *msg)
{
	const char *c = strstr(msg, "COPY ");
	const char *l = c ? strstr(c, ", line ") : NULL;
	return l ? strtoull(l + 7, NULL, 10) : 0;
}

/* Row number 'line' of the job's SELECT, read again in the same snapshot,
 * as JSON into b; false when it cannot be read. */
static bool read_row(struct pump *p, struct mp_conn *my, const struct sn_job *j,
		     uint64_t line, struct buf *b)
{
	if (!line)
		return false;
	struct buf q;
	buf_init(&q, 0);
	sn__select_sql(&q, j);
	struct mp_result res;
	bool got = false;
	if (!mp_query(my, buf_cstr(&q), &res)) {
		struct mp_row row;
		uint64_t k = 0;
		while (!got && mp_result_next(my, &res, &row) == 1)
			if (++k == line) {
				row_json(b, &p->tmp, &j->t->def, &row);
				got = true;
			}
		mp_result_release(my, &res);
	}
	buf_release(&q);
	return got;
}

/* The COPY statement of a table, for the error log. */
static void copy_statement(struct buf *b, const struct rp_table_def *t)
{
	buf_putl(b, "COPY ");
	rp_load_table_name(b, t, false);
	buf_putl(b, " FROM STDIN");
}

/* Set the job's table aside after STOP_VALUE or STOP_REFUSED. */
static void set_aside(struct pump *p, struct mp_conn *my, const struct sn_job *j)
{
	struct buf stmt, row;
	buf_init(&stmt, 0);
	buf_init(&row, 0);
	copy_statement(&stmt, &j->t->def);
	const char *r = NULL;
	if (p->why == STOP_VALUE)
		r = buf_cstr(&p->row);
	else if (read_row(p, my, j, refused_line(p->msg), &row))
		r = buf_cstr(&row);
	sn__refuse(p->s, j->t, buf_cstr(&stmt), r, "%s", p->msg);
	buf_release(&stmt);
	buf_release(&row);
}

/* The COPY committed, its remaining rows counted; -1 (failed) if not. */
static int finish(struct pump *p, struct mp_conn *my, const struct sn_job *j)
{
	const struct rp_table_def *t = &p->t->def;
	struct err e = {0};
	if ((p->line.n && rp_load_copy_data(p->pg, p->line.p, p->line.n, &e)) ||
	    rp_load_copy_end(p->pg, &e)) {
		if (refused(p, &e)) {
			set_aside(p, my, j);
			return 0;
		}
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
	if (sn__refused(j->t))
		return 0;	/* another range of it was refused */
	if (rp_load_copy_start(p.pg, t, &e)) {
		sn__fail(s, "`%s`.`%s`: %s", t->schema, t->name, e.msg);
		return -1;
	}
	buf_init(&p.line, 0);
	buf_init(&p.tmp, 0);
	buf_init(&p.row, 0);
	buf_init(&p.bin, 0);
	struct buf q;
	buf_init(&q, 0);
	sn__select_sql(&q, j);
	struct mp_result res;
	int rc = 0;
	int brc = s->o->text_protocol ? -ERR_UNSUPPORTED : mp_stmt_query(my, buf_cstr(&q), &res);
	if (brc == -ERR_UNSUPPORTED || brc == -ERR_SERVER) {
		/* the text protocol, as asked or for what the binary one cannot do */
		if (!s->o->text_protocol)
			sn__report(s, SN_DEBUG, "`%s`.`%s`: read with the text protocol: %s",
				   t->schema, t->name, my->err.msg);
		brc = mp_query(my, buf_cstr(&q), &res);
	}
	if (brc) {
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
		if (p.why == STOP_VALUE || p.why == STOP_REFUSED) {
			set_aside(&p, my, j);
		} else if (p.why == STOP_FAIL) {
			sn__fail(s, "`%s`.`%s`: %s", t->schema, t->name, stop);
			rc = -1;
		}
		goto out;
	}
	rc = finish(&p, my, j);
out:
	buf_release(&q);
	buf_release(&p.line);
	buf_release(&p.tmp);
	buf_release(&p.row);
	buf_release(&p.bin);
	free(p.tvals);
	free(p.toff);
	return rc;
}

int sn__ddl_job(struct sn *s, int w, const struct sn_job *j)
{
	struct err e = {0};
	if (!rp_load_exec(s->wpg[w], j->sql, &e))
		return 0;
	/* a PostgreSQL short of disk or memory is nobody's table's fault:
	 * the copy fails, saying so */
	bool table = j->t && strncmp(e.msg, RP_LOAD_RESOURCES, strlen(RP_LOAD_RESOURCES));
	if (table && rp_load_connected(s->wpg[w]) && strncmp(j->sql, "CREATE INDEX", 12)) {
		/* its rows do not fit its key in PostgreSQL: set aside */
		sn__refuse(s, j->t, j->sql, NULL, "%s", e.msg);
		return 0;
	}
	if (table && !strncmp(j->sql, "CREATE INDEX", 12)) {
		/* a plain index is not data: warn and go on */
		sn__report(s, SN_WARN, "`%s`.`%s`: index not created: %s", j->t->def.schema,
			   j->t->def.name, e.msg);
		return 0;
	}
	sn__fail(s, "%s: %s", j->sql, e.msg);
	return -1;
}
