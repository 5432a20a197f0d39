/*
 * The worker pool: s->workers threads take the jobs of the current phase
 * in order from a queue under one mutex, each on its own pair of
 * connections (source, PostgreSQL); the first failure stops the others.
 * The calling thread waits, reporting progress and storing it in the
 * catalog for show_status.  What a job does is pump.c's.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "snapshot/internal.h"

void sn__report(struct sn *s, enum sn_level l, const char *fmt, ...)
{
	if (!s->o->report)
		return;
	/* whole, however long (a statement, PostgreSQL's detail) */
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *msg = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	msg[0] = 0;
	if (n > 0)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->o->report(s->o->arg, l, msg);
	free(msg);
}

void sn__fail(struct sn *s, const char *fmt, ...)
{
	pthread_mutex_lock(&s->mu);
	if (!s->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->fail_msg, sizeof(s->fail_msg), fmt, ap);
		va_end(ap);
		/* after the message: a thread that sees the flag may read it
		 * once the pool is joined */
		__atomic_store_n(&s->failed, true, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&s->done);	/* waiting workers stop */
	}
	pthread_mutex_unlock(&s->mu);
}

bool sn__failed(struct sn *s)
{
	return __atomic_load_n(&s->failed, __ATOMIC_ACQUIRE);
}

void sn__refuse(struct sn *s, struct sn_table *t, const char *statement,
		const char *row, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *why = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	why[0] = 0;
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(why, (size_t)n + 1, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->mu);
	bool first = !t->refused;
	if (first) {
		t->why = why;
		t->statement = statement ? xstrdup(statement) : NULL;
		t->row = row ? xstrdup(row) : NULL;
		__atomic_store_n(&t->refused, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->mu);
	if (first)
		sn__report(s, SN_WARN, "`%s`.`%s` set aside, the copy goes on without it: %s",
			   t->def.schema, t->def.name, why);
	else
		free(why);
}

bool sn__refused(struct sn_table *t)
{
	return __atomic_load_n(&t->refused, __ATOMIC_ACQUIRE);
}

struct worker_arg {
	struct sn *s;
	int w;
};

static void *worker(void *arg)
{
	struct worker_arg *a = arg;
	struct sn *s = a->s;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		/* a job being run may queue more (index_early): wait for it */
		while (!s->failed && s->next_job >= s->njobs && s->running)
			pthread_cond_wait(&s->done, &s->mu);
		int k = s->failed || s->next_job >= s->njobs ? -1 : s->next_job++;
		struct sn_job j;
		if (k >= 0) {
			j = s->jobs[k];	/* a copy: the queue may grow (realloc) */
			s->running++;
		}
		pthread_mutex_unlock(&s->mu);
		if (k < 0)
			break;
		int rc = j.sql ? sn__ddl_job(s, a->w, &j) : sn__copy_job(s, a->w, &j);
		pthread_mutex_lock(&s->mu);
		s->running--;
		if (!j.sql && --j.t->copies_left == 0 && s->index_early && !rc)
			sn__queue_indexes(s, j.t);
		pthread_cond_broadcast(&s->done);
		pthread_mutex_unlock(&s->mu);
		if (rc)
			break;
	}
	bl_charset_thread_done();
	return NULL;
}

/* Whether every job is taken (or one failed). */
static bool all_taken(struct sn *s)
{
	pthread_mutex_lock(&s->mu);
	bool done = s->failed || (s->next_job >= s->njobs && !s->running);
	pthread_mutex_unlock(&s->mu);
	return done;
}

struct watch {
	double last_report, last_store, last_t;
	uint64_t last_rows;
};

/* One progress report, and at most every 5 s the catalog's copy of it. */
static void progress(struct sn *s, const char *what, struct watch *w, double now)
{
	struct sn_progress p = {.what = what};
	p.rows = __atomic_load_n(&s->rows, __ATOMIC_RELAXED);
	p.rate = (double)(p.rows - w->last_rows) / (now - w->last_t);
	p.total = s->est_total > p.rows ? s->est_total : p.rows;
	p.eta = p.rate > 0 && s->est_total > p.rows ? (double)(s->est_total - p.rows) / p.rate
						     : 0;
	p.elapsed = now - s->t0;
	if (s->status_set && now - w->last_store >= 5) {
		char a[32], b[32], line[256];
		sn_count_text(a, sizeof(a), p.rows);
		sn_count_text(b, sizeof(b), p.total);
		snprintf(line, sizeof(line), "%s: %s of ~%s rows, %.0f rows/s, ETA %.0f s "
			 "(at %.0f s)", what, a, b, p.rate, p.eta, p.elapsed);
		struct err e = {0};
		if (rp_load_set_progress(s->pg, s->o->source, line, &e))
			sn__report(s, SN_DEBUG, "storing the progress: %s", e.msg);
		w->last_store = now;
	}
	if (s->o->progress)
		s->o->progress(s->o->arg, &p);
	w->last_report = now;
	w->last_rows = p.rows;
	w->last_t = now;
}

int sn__run_jobs(struct sn *s, const char *what)
{
	s->next_job = 0;
	int nw = s->workers;
	pthread_t *th = xcalloc((size_t)nw, sizeof(*th));
	struct worker_arg *args = xcalloc((size_t)nw, sizeof(*args));
	for (int i = 0; i < nw; i++) {
		args[i].s = s;
		args[i].w = i;
		int err = pthread_create(&th[i], NULL, worker, &args[i]);
		if (err) {
			sn__fail(s, "cannot start a thread: %s", strerror(err));
			nw = i;
			break;
		}
	}
	struct watch w = {clock_s(), 0, 0, __atomic_load_n(&s->rows, __ATOMIC_RELAXED)};
	w.last_t = w.last_report;
	while (!all_taken(s)) {
		usleep(200 * 1000);
		double now = clock_s();
		if (what && now - w.last_report >= s->o->progress_every)
			progress(s, what, &w, now);
	}
	for (int i = 0; i < nw; i++)
		pthread_join(th[i], NULL);
	if (what && s->o->progress) {
		struct sn_progress p = {.what = what, .done = true};
		s->o->progress(s->o->arg, &p);
	}
	free(th);
	free(args);
	return s->failed ? -1 : 0;
}

void sn_count_text(char *out, size_t n, uint64_t v)
{
	if (v >= 10000000)
		snprintf(out, n, "%.1fM", (double)v / 1e6);
	else if (v >= 10000)
		snprintf(out, n, "%.1fk", (double)v / 1e3);
	else
		snprintf(out, n, "%llu", (unsigned long long)v);
}
