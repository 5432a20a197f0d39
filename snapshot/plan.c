/*
 * Planning: the jobs of each phase.  A copy job per table, large tables
 * whose key starts with an integer column split into ranges of it (from the key's MIN
 * and MAX) so that the workers share them; then a job per primary key
 * and index.  The ranges are computed by a pure function (unit tested);
 * running the jobs is pool.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "snapshot/internal.h"

/* Tables of more rows than this (TABLE_ROWS) are split. */
#define CHUNK_ROWS 250000

void sn__add_job(struct sn *s, const struct sn_job *j)
{
	if (s->njobs == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->jobs = xreallocarray(s->jobs, (size_t)s->cap, sizeof(*s->jobs));
	}
	s->jobs[s->njobs++] = *j;
}

void sn__clear_jobs(struct sn *s)
{
	free(s->jobs);
	s->jobs = NULL;
	s->njobs = 0;
	s->cap = 0;
}

int sn__plan_ranges(long long lo, long long hi, uint64_t est_rows, int workers,
		    long long *ranges, int max)
{
	if (est_rows <= CHUNK_ROWS || workers <= 1 || hi <= lo)
		return 0;
	uint64_t nchunks = est_rows / CHUNK_ROWS + 1;
	if (nchunks > (uint64_t)workers * 8)
		nchunks = (uint64_t)workers * 8;
	if (nchunks <= 1)
		return 0;
	long double span = (long double)hi - (long double)lo + 1;
	long long step = (long long)(span / nchunks) + 1;
	long long a = lo;
	for (int n = 0; n < max; n++) {
		/* hi - a, exact in unsigned arithmetic (a <= hi) */
		bool last = (unsigned long long)hi - (unsigned long long)a <
			    (unsigned long long)step;
		ranges[2 * n] = a;
		ranges[2 * n + 1] = last ? hi : a + step;
		if (last)
			return n + 1;
		a += step;	/* <= hi: no overflow */
	}
	return 0;	/* no room for every range: not split */
}

static bool int_type(const char *dt)
{
	return !strcasecmp(dt, "tinyint") || !strcasecmp(dt, "smallint") ||
	       !strcasecmp(dt, "mediumint") || !strcasecmp(dt, "int") ||
	       !strcasecmp(dt, "bigint");
}

const struct rp_column_def *sn__range_key(const struct sn_table *t)
{
	const struct rp_table_def *d = &t->def;
	/* the first column of the key: a composite key's too (its ranges
	 * split the rows as well, and the key's index serves them) */
	if (!d->key || d->key->ncols < 1)
		return NULL;
	for (int i = 0; i < d->ncols; i++) {
		const struct rp_column_def *c = &d->cols[i];
		if (strcmp(c->name, d->key->cols[0]))
			continue;
		/* BIGINT UNSIGNED goes beyond a long long */
		bool uns = strstr(c->column_type, "unsigned") != NULL;
		if (!int_type(c->data_type) || (uns && !strcasecmp(c->data_type, "bigint")) ||
		    c->nullable)
			return NULL;
		return c;
	}
	return NULL;
}

/* The key's MIN and MAX on the source: 1 and the values, 0 when the
 * table is empty, -1 (reported) on error. */
static int key_span(struct sn *s, struct mp_conn *c, const struct sn_table *t,
		    const struct rp_column_def *kc, long long *lo, long long *hi)
{
	struct buf q;
	buf_init(&q, 0);
	buf_putl(&q, "SELECT MIN(");
	sn__myident(&q, kc->name);
	buf_putl(&q, "), MAX(");
	sn__myident(&q, kc->name);
	buf_putl(&q, ") FROM ");
	sn__myident(&q, t->def.schema);
	buf_putc(&q, '.');
	sn__myident(&q, t->def.name);
	struct mp_result r;
	int rc = mp_query(c, buf_cstr(&q), &r);
	buf_release(&q);
	if (rc) {
		sn__report(s, SN_ERROR, "`%s`.`%s`: %s", t->def.schema, t->def.name, c->err.msg);
		return -1;
	}
	struct mp_row row;
	int got = 0;
	if (mp_result_next(c, &r, &row) == 1 && row.n == 2 && !row.is_null[0] &&
	    !row.is_null[1]) {
		char a[32], b[32];
		snprintf(a, sizeof(a), "%.*s", (int)row.values[0].n, (const char *)row.values[0].p);
		snprintf(b, sizeof(b), "%.*s", (int)row.values[1].n, (const char *)row.values[1].p);
		*lo = strtoll(a, NULL, 10);
		*hi = strtoll(b, NULL, 10);
		got = 1;
	}
	mp_result_release(c, &r);
	return got;
}

int sn__plan_copy(struct sn *s, struct mp_conn *c, bool transactional)
{
	sn__clear_jobs(s);
	int max = s->workers * 8 + 1;
	long long *ranges = xcalloc((size_t)max * 2, sizeof(*ranges));
	int rc = 0;
	for (int i = 0; i < s->ntables; i++)
		s->tables[i].copies_left = 0;
	for (int i = 0; i < s->ntables && !rc; i++) {
		struct sn_table *t = &s->tables[i];
		if (t->transactional != transactional)
			continue;
		struct sn_job j = {t, false, 0, 0, false, NULL};
		const struct rp_column_def *kc = sn__range_key(t);
		int n = 0;
		if (kc && t->est_rows > CHUNK_ROWS && s->workers > 1) {
			long long lo = 0, hi = -1;
			int got = key_span(s, c, t, kc, &lo, &hi);
			if (got < 0)
				rc = -1;
			else if (got)
				n = sn__plan_ranges(lo, hi, t->est_rows, s->workers, ranges, max);
			if (n)
				sn__report(s, SN_DEBUG, "`%s`.`%s`: copied in %d ranges of %s",
					   t->def.schema, t->def.name, n, kc->name);
		}
		for (int k = 0; k < n; k++) {
			j.ranged = true;
			j.lo = ranges[2 * k];
			j.hi = ranges[2 * k + 1];
			j.last = k == n - 1;
			sn__add_job(s, &j);
			t->copies_left++;
		}
		if (!n && !rc) {
			sn__add_job(s, &j);
			t->copies_left++;
		}
	}
	free(ranges);
	return rc;
}

void sn__queue_indexes(struct sn *s, struct sn_table *t)
{
	if (s->o->keep_existing || t->indexed)
		return;
	t->indexed = true;
	for (int k = 0; k < t->def.nidx && !sn__refused(t); k++) {
		struct buf b;
		buf_init(&b, 0);
		rp_load_index_sql(&b, &t->def, &t->def.idx[k]);
		struct sn_job j = {t, false, 0, 0, false, arena_strndup(&s->mem, buf_cstr(&b), b.n)};
		sn__add_job(s, &j);
		buf_release(&b);
	}
}

void sn__plan_indexes(struct sn *s)
{
	sn__clear_jobs(s);
	for (int i = 0; i < s->ntables; i++)
		sn__queue_indexes(s, &s->tables[i]);
}
