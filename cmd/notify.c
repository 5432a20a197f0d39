/*
 * Notifications: the events of a run (cmd/notify.h) into a bounded queue,
 * and one background thread posting each to Rollbar's item API and to
 * the configured webhook (cmd/http.c, over mysqlproto's TLS).  The
 * callers never wait for the network: a full queue drops the event and
 * counts it.  The thread starts with the first event (so a fork into the
 * background before it is harmless) with every signal blocked but the
 * one that interrupts it at shutdown.  The payloads are documented in
 * docs/notifications.md; Rollbar's format: https://docs.rollbar.com/
 * (API, "Create an item").
 */
#include "cmd/notify.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "cmd/config.h"
#include "cmd/http.h"

#ifndef CHAMELEON_VERSION
#define CHAMELEON_VERSION "0.1.0"
#endif

#define QCAP 64 /* events waiting at most */
#define ROLLBAR_URL "https://api.rollbar.com/api/1/item/"
#define WAKE_SIGNAL SIGUSR2 /* interrupts the thread's waits at shutdown */

struct item {
	char event[32];
	enum notify_level level;
	char message[2048];
	char table[256];
	char position[320];
	char time[32]; /* ISO 8601 UTC */
	int64_t ts;    /* the same, Unix seconds */
};

struct dest {
	const char *name; /* "rollbar", "webhook" */
	bool on;
	bool rollbar; /* Rollbar's payload, else the webhook's */
	struct http_url url;
	enum notify_level min; /* least severe level sent */
	bool failing;	       /* in a streak of failures (logged once) */
	uint64_t streak;       /* failures in the streak */
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake; /* an event is queued, or closing */
	pthread_cond_t idle; /* the thread finished an event, or stopped */
	bool setup;
	char source[256];
	char rollbar_key[512], rollbar_env[256];
	char ca_file[4096];
	char host[256];
	int timeout_ms;
	struct dest rollbar, webhook;
	struct item *q; /* QCAP items */
	size_t head, n;
	bool started, closing, stopped, busy, done, drop_streak;
	pthread_t th;
	uint64_t sent, failed, dropped;
} N = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .idle = PTHREAD_COND_INITIALIZER};

static volatile int abort_flag; /* the thread gives up what it does */
static enum notify_level rollbar_min = NOTIFY_INFO;

static const struct {
	const char *name;
	enum notify_level l;
} levels[] = {
	{"critical", NOTIFY_CRITICAL},
	{"error", NOTIFY_ERROR},
	{"warning", NOTIFY_WARNING},
	{"info", NOTIFY_INFO},
};

int notify_level_parse(const char *s, enum notify_level *out)
{
	for (size_t i = 0; s && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcasecmp(s, levels[i].name)) {
			*out = levels[i].l;
			return 0;
		}
	return -1;
}

const char *notify_level_name(enum notify_level l)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (levels[i].l == l)
			return levels[i].name;
	return "info";
}

int notify_set_rollbar_level(const char *s)
{
	return notify_level_parse(s, &rollbar_min);
}

/* ---- payloads --------------------------------------------------------- */

void notify_json_string(struct buf *out, const char *s)
{
	if (!s) {
		buf_putl(out, "null");
		return;
	}
	buf_putc(out, '"');
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	while (n) {
		uint8_t c = *p;
		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				buf_putc(out, '\\');
				buf_putc(out, (char)c);
			} else if (c == '\n') {
				buf_putl(out, "\\n");
			} else if (c == '\r') {
				buf_putl(out, "\\r");
			} else if (c == '\t') {
				buf_putl(out, "\\t");
			} else if (c < 0x20 || c == 0x7f) {
				buf_printf(out, "\\u%04x", c);
			} else {
				buf_putc(out, (char)c);
			}
			p++, n--;
			continue;
		}
		size_t k = utf8_seq(p, n);
		if (k) {
			buf_put(out, p, k);
		} else {
			/* not UTF-8 (a server message in another charset): the
			 * replacement character keeps the JSON valid */
			buf_putl(out, "\\ufffd");
			k = 1;
		}
		p += k, n -= k;
	}
	buf_putc(out, '"');
}

/* "key": value-string, with a leading comma unless first */
static void field(struct buf *out, const char *key, const char *v, bool first)
{
	if (!first)
		buf_putc(out, ',');
	notify_json_string(out, key);
	buf_putc(out, ':');
	notify_json_string(out, v);
}

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

void notify__webhook_json(struct buf *out, const char *event, const char *source,
			  const char *level, const char *message, const char *table,
			  const char *position, const char *time)
{
	buf_putc(out, '{');
	field(out, "event", event, true);
	field(out, "source", source, false);
	field(out, "level", level, false);
	field(out, "message", message, false);
	field(out, "table", or_null(table), false);
	field(out, "position", or_null(position), false);
	field(out, "time", time, false);
	/* what Slack and Teams incoming webhooks display */
	struct buf text = BUF_INIT;
	buf_init(&text, 0);
	buf_printf(&text, "[chameleon] %s (%s): %s", source ? source : "", level,
		   message);
	field(out, "text", buf_cstr(&text), false);
	buf_release(&text);
	buf_putc(out, '}');
}

void notify__rollbar_json(struct buf *out, const char *token, const char *env,
			  const char *event, const char *source, const char *level,
			  const char *message, const char *table,
			  const char *position, int64_t timestamp, const char *host)
{
	buf_putc(out, '{');
	field(out, "access_token", token, true);
	buf_putl(out, ",\"data\":{");
	field(out, "environment", env, true);
	field(out, "level", level, false);
	buf_printf(out, ",\"timestamp\":%lld", (long long)timestamp);
	field(out, "platform", "linux", false);
	field(out, "language", "c", false);
	buf_putl(out, ",\"notifier\":{");
	field(out, "name", "chameleon", true);
	field(out, "version", CHAMELEON_VERSION, false);
	buf_putl(out, "},\"server\":{");
	field(out, "host", host, true);
	buf_putl(out, "},\"body\":{\"message\":{");
	field(out, "body", message, true);
	field(out, "event", event, false);
	field(out, "source", source, false);
	field(out, "table", or_null(table), false);
	field(out, "position", or_null(position), false);
	buf_putl(out, "}}}}");
}

bool notify__disabled_table(const char *msg, char *out, size_t n)
{
	static const char head[] = "table ";
	static const char tail[] = " taken out of replication: ";
	if (!msg || strncmp(msg, head, sizeof(head) - 1))
		return false;
	const char *t = msg + sizeof(head) - 1;
	const char *end = strstr(t, tail);
	if (!end || end == t)
		return false;
	snprintf(out, n, "%.*s", (int)(end - t), t);
	return true;
}

/* ---- the thread --------------------------------------------------------- */

static void on_wake(int sig)
{
	(void)sig;
}

/* Post one event to one destination; logs the first failure of a streak. */
static void deliver_to(struct dest *d, const struct item *it)
{
	struct buf body = BUF_INIT;
	buf_init(&body, 0);
	char header[600] = "";
	const char *lvl = notify_level_name(it->level);
	if (d->rollbar) {
		notify__rollbar_json(&body, N.rollbar_key, N.rollbar_env, it->event,
				     N.source, lvl, it->message, it->table,
				     it->position, it->ts, N.host);
		snprintf(header, sizeof(header), "X-Rollbar-Access-Token: %s",
			 N.rollbar_key);
	} else {
		notify__webhook_json(&body, it->event, N.source, lvl, it->message,
				     it->table, it->position, it->time);
	}
	struct http_post q = {
		.url = &d->url,
		.ca_file = N.ca_file[0] ? N.ca_file : NULL,
		.content_type = "application/json",
		.extra_header = header,
		.body = (const char *)body.p,
		.body_len = body.n,
		.timeout_ms = N.timeout_ms,
		.cancel = &abort_flag,
	};
	int status = 0;
	char detail[256];
	struct err e = {0};
	int rc = http_post(&q, &status, detail, sizeof(detail), &e);
	buf_release(&body);
	if (!rc && (status < 200 || status > 299)) {
		rc = -ERR_SERVER;
		err_set(&e, ERR_SERVER, "%s:%d answered HTTP %d%s%s", d->url.host,
			d->url.port, status, detail[0] ? ": " : "", detail);
	}
	pthread_mutex_lock(&N.mu);
	if (rc)
		N.failed++;
	else
		N.sent++;
	pthread_mutex_unlock(&N.mu);
	if (rc) {
		if (!d->failing)
			log_warn("notify",
				 "%s: '%s' not delivered: %s (said once until a "
				 "delivery succeeds; replication goes on)",
				 d->name, it->event, e.msg);
		d->failing = true;
		d->streak++;
		return;
	}
	if (d->failing)
		log_info("notify", "%s: delivered again, after %llu failed", d->name,
			 (unsigned long long)d->streak);
	else
		log_debug("notify", "%s: '%s' delivered (HTTP %d)", d->name,
			  it->event, status);
	d->failing = false;
	d->streak = 0;
}

static void *worker(void *arg)
{
	(void)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	pthread_mutex_lock(&N.mu);
	for (;;) {
		while (!N.n && !N.closing)
			pthread_cond_wait(&N.wake, &N.mu);
		if (!N.n || abort_flag)
			break;
		struct item *it = xmalloc(sizeof(*it));
		*it = N.q[N.head];
		N.head = (N.head + 1) % QCAP;
		N.n--;
		N.busy = true;
		N.drop_streak = false;
		pthread_mutex_unlock(&N.mu);
		struct dest *ds[2] = {&N.rollbar, &N.webhook};
		for (int i = 0; i < 2 && !abort_flag; i++)
			if (ds[i]->on && it->level <= ds[i]->min)
				deliver_to(ds[i], it);
		free(it);
		pthread_mutex_lock(&N.mu);
		N.busy = false;
		pthread_cond_broadcast(&N.idle);
	}
	N.stopped = true;
	pthread_cond_broadcast(&N.idle);
	pthread_mutex_unlock(&N.mu);
	return NULL;
}

static void at_exit(void)
{
	notify_shutdown(N.timeout_ms);
}

/* Under N.mu: start the thread once; false when it cannot run. */
static bool start_locked(void)
{
	if (N.started)
		return !N.stopped && !N.closing;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake; /* no SA_RESTART: a wait ends with EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(WAKE_SIGNAL, &sa, NULL);
	/* the thread inherits a full mask: SIGTERM and friends stay the
	 * main thread's (its waits end on them) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&N.th, NULL, worker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		log_warn("notify", "cannot start the notification thread: %s",
			 strerror(rc));
		N.closing = N.stopped = N.done = true;
		return false;
	}
	N.started = true;
	atexit(at_exit);
	return true;
}

/* ---- the events ----------------------------------------------------------- */

static bool url_dest(struct dest *d, const char *name, const char *url, bool rollbar,
		     enum notify_level min)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->rollbar = rollbar;
	d->min = min;
	struct err e = {0};
	if (http_url_parse(url, &d->url, &e)) {
		/* the URL may hold a secret (Slack's do): its reason only */
		log_warn("notify", "%s: %s: no %s notifications", name, e.msg, name);
		return false;
	}
	d->on = true;
	return true;
}

void notify_setup(const struct config *cfg, const struct cfg_source *src)
{
	pthread_mutex_lock(&N.mu);
	const char *name = src ? src->name : "";
	if (N.setup || N.started) {
		pthread_mutex_unlock(&N.mu);
		return;
	}
	N.setup = true;
	snprintf(N.source, sizeof(N.source), "%s", name);
	N.timeout_ms = (cfg->notify_timeout > 0 ? cfg->notify_timeout : 5) * 1000;
	snprintf(N.ca_file, sizeof(N.ca_file), "%s",
		 cfg->notify_ca_file ? cfg->notify_ca_file : "");
	if (gethostname(N.host, sizeof(N.host) - 1))
		snprintf(N.host, sizeof(N.host), "unknown");
	enum notify_level wmin = NOTIFY_INFO;
	if (cfg->notify_level)
		(void)notify_level_parse(cfg->notify_level, &wmin);
	const char *hook = src && src->notify_webhook ? src->notify_webhook
						      : cfg->notify_webhook;
	if (hook && *hook)
		url_dest(&N.webhook, "webhook", hook, false, wmin);
	if (cfg->rollbar_key && *cfg->rollbar_key && cfg->rollbar_env &&
	    *cfg->rollbar_env) {
		snprintf(N.rollbar_key, sizeof(N.rollbar_key), "%s",
			 cfg->rollbar_key);
		snprintf(N.rollbar_env, sizeof(N.rollbar_env), "%s",
			 cfg->rollbar_env);
		url_dest(&N.rollbar, "rollbar",
			 cfg->rollbar_url && *cfg->rollbar_url ? cfg->rollbar_url
							       : ROLLBAR_URL,
			 true, rollbar_min);
	}
	if (N.webhook.on || N.rollbar.on)
		N.q = xcalloc(QCAP, sizeof(*N.q));
	pthread_mutex_unlock(&N.mu);
}

void notify_send(const struct notify_event *ev)
{
	pthread_mutex_lock(&N.mu);
	bool wanted = (N.webhook.on && ev->level <= N.webhook.min) ||
		      (N.rollbar.on && ev->level <= N.rollbar.min);
	if (!N.setup || !wanted || !start_locked()) {
		pthread_mutex_unlock(&N.mu);
		return;
	}
	if (N.n == QCAP) {
		N.dropped++;
		bool say = !N.drop_streak;
		N.drop_streak = true;
		pthread_mutex_unlock(&N.mu);
		if (say)
			log_warn("notify",
				 "the notification queue is full (%d events): "
				 "'%s' dropped, and the next ones until it drains",
				 QCAP, ev->event);
		return;
	}
	struct item *it = &N.q[(N.head + N.n) % QCAP];
	memset(it, 0, sizeof(*it));
	snprintf(it->event, sizeof(it->event), "%s", ev->event);
	it->level = ev->level;
	snprintf(it->message, sizeof(it->message), "%s",
		 ev->message ? ev->message : "");
	snprintf(it->table, sizeof(it->table), "%s", ev->table ? ev->table : "");
	snprintf(it->position, sizeof(it->position), "%s",
		 ev->position ? ev->position : "");
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(it->time, sizeof(it->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	it->ts = (int64_t)now;
	N.n++;
	pthread_cond_signal(&N.wake);
	pthread_mutex_unlock(&N.mu);
}

static void add_ms(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

void notify_shutdown(int timeout_ms)
{
	pthread_mutex_lock(&N.mu);
	if (!N.started || N.done) {
		pthread_mutex_unlock(&N.mu);
		return;
	}
	N.done = true;
	N.closing = true;
	pthread_cond_broadcast(&N.wake);
	struct timespec until;
	add_ms(&until, timeout_ms > 0 ? timeout_ms : 5000);
	while (!N.stopped && (N.n || N.busy))
		if (pthread_cond_timedwait(&N.idle, &N.mu, &until) == ETIMEDOUT)
			break;
	size_t left = N.n + (N.busy ? 1 : 0);
	if (!N.stopped) {
		/* give up what is in flight: its waits end at once (those of a
		 * connect, within the timeout) */
		abort_flag = 1;
		pthread_kill(N.th, WAKE_SIGNAL);
		pthread_cond_broadcast(&N.wake);
	}
	pthread_mutex_unlock(&N.mu);
	struct timespec j;
	add_ms(&j, N.timeout_ms + 1000);
	if (pthread_timedjoin_np(N.th, NULL, &j))
		pthread_detach(N.th);
	if (left)
		log_warn("notify",
			 "%zu notifications not delivered before the end "
			 "(notify_timeout %d s)",
			 left, N.timeout_ms / 1000);
	if (N.dropped)
		log_warn("notify", "%llu notifications dropped: the queue was full",
			 (unsigned long long)N.dropped);
}

void notify__counts(uint64_t *sent, uint64_t *failed, uint64_t *dropped)
{
	pthread_mutex_lock(&N.mu);
	*sent = N.sent;
	*failed = N.failed;
	*dropped = N.dropped;
	pthread_mutex_unlock(&N.mu);
}

/* ---- the hooks ------------------------------------------------------------ */

void notify_replica_end(const char *source, int status, const char *error,
			const char *file, uint64_t pos)
{
	char msg[1024], at[320] = "";
	if (file && *file)
		snprintf(at, sizeof(at), "%s:%llu", file, (unsigned long long)pos);
	if (status)
		snprintf(msg, sizeof(msg),
			 "the replica of source %s stopped on an error: %s", source,
			 error && *error ? error : "see its log");
	else
		snprintf(msg, sizeof(msg), "the replica of source %s stopped%s%s",
			 source, at[0] ? " at " : "", at);
	struct notify_event ev = {status ? "error" : "replica_stop",
				  status ? NOTIFY_CRITICAL : NOTIFY_INFO, msg, NULL,
				  at};
	notify_send(&ev);
	notify_shutdown(N.timeout_ms);
}

void notify_table_disabled(const char *msg)
{
	char table[256];
	if (!notify__disabled_table(msg, table, sizeof(table)))
		return;
	char text[1200];
	snprintf(text, sizeof(text),
		 "source %s: %s; the table is no longer replicated "
		 "(sync_tables --tables disabled copies it again)",
		 N.source, msg);
	struct notify_event ev = {"table_disabled", NOTIFY_ERROR, text, table, NULL};
	notify_send(&ev);
}

void notify_copy_end(const struct config *cfg, const struct cfg_source *src,
		     const char *cmd, const char *schema, bool ok, const char *error,
		     const char *file, uint64_t pos)
{
	notify_setup(cfg, src);
	char what[400], msg[1024], at[320] = "";
	if (!strcmp(cmd, "refresh_schema"))
		snprintf(what, sizeof(what), "refresh schema %s for source %s",
			 schema ? schema : "", src->name);
	else if (!strcmp(cmd, "sync_tables"))
		snprintf(what, sizeof(what), "sync tables for source %s", src->name);
	else
		snprintf(what, sizeof(what), "init replica for source %s", src->name);
	if (ok && file && *file)
		snprintf(at, sizeof(at), "%s:%llu", file, (unsigned long long)pos);
	if (ok)
		snprintf(msg, sizeof(msg), "%s is complete%s%s%s", what,
			 at[0] ? " (snapshot at " : "", at, at[0] ? ")" : "");
	else
		snprintf(msg, sizeof(msg), "%s failed%s%s", what,
			 error && *error ? ": " : "", error ? error : "");
	struct notify_event ev = {cmd, ok ? NOTIFY_INFO : NOTIFY_CRITICAL, msg, NULL,
				  at};
	notify_send(&ev);
}
