/*
 * The metrics and health endpoint (metrics.h, docs/metrics.md).  The
 * server is one thread polling a non-blocking listening socket and at
 * most MAX_CLIENTS non-blocking clients, each with a small request limit
 * and a deadline; when every slot is taken, a new client takes the slot
 * of the one that has waited longest for its request.  So a slow or
 * hostile client holds a slot for two seconds at most, cannot keep a
 * probe out, and never touches the replica's thread, which only takes
 * the state's lock to copy numbers in.  HTTP/1.0 only: one request per
 * connection, closed after the response.
 */
#include "cmd/metrics.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/rd.h"

#define MAX_CLIENTS 16
#define CLIENT_TIMEOUT_MS 2000 /* from accept to the last byte sent */
#define POLL_MS 200	       /* how soon a stop is seen */
#define ALIVE_MS 60000	       /* /healthz: the loop turned this recently */
#define FRESH_MS 30000	       /* a caught-up report no older than this */

/* ---- the state the replica reports into ---------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool have;		    /* st was published */
	struct rp_source_status st; /* a copy; strings and tables in mem */
	struct arena mem;
	bool mem_init;
	double received_at, applied_at;
	bool caught_up;
	int64_t published_ms;
	bool up[2], streaming, busy;
	uint64_t reconnects[2], refused;
	char source[128];
} S;
static atomic_llong alive_ms;
static atomic_ullong bytes_received;

void metrics_alive(void)
{
	atomic_store(&alive_ms, (long long)clock_ms());
}

void metrics_received(uint64_t n)
{
	atomic_fetch_add(&bytes_received, (unsigned long long)n);
}

void metrics_busy(bool on)
{
	pthread_mutex_lock(&mu);
	S.busy = on;
	pthread_mutex_unlock(&mu);
	metrics_alive();
}

void metrics_connected(enum metrics_side side, bool up)
{
	pthread_mutex_lock(&mu);
	S.up[side] = up;
	if (!up)
		S.streaming = false;
	pthread_mutex_unlock(&mu);
}

void metrics_reconnected(enum metrics_side side)
{
	pthread_mutex_lock(&mu);
	S.reconnects[side]++;
	pthread_mutex_unlock(&mu);
}

void metrics_streaming(bool on)
{
	pthread_mutex_lock(&mu);
	S.streaming = on;
	pthread_mutex_unlock(&mu);
}

void metrics_refused(void)
{
	pthread_mutex_lock(&mu);
	S.refused++;
	pthread_mutex_unlock(&mu);
}

static const char *dup_or_null(const char *s)
{
	return s ? arena_strndup(&S.mem, s, strlen(s)) : NULL;
}

void metrics_publish(const struct rp_source_status *st, double received_at,
		     double applied_at, bool caught_up)
{
	pthread_mutex_lock(&mu);
	if (!S.mem_init) {
		arena_init(&S.mem, 4096);
		S.mem_init = true;
	}
	arena_reset(&S.mem);
	S.st = *st;
	S.st.name = dup_or_null(st->name);
	S.st.applied_file = dup_or_null(st->applied_file);
	S.st.received_file = dup_or_null(st->received_file);
	S.st.disabled = NULL;
	S.st.tables = arena_calloc(&S.mem, st->ntables + 1, sizeof(*S.st.tables));
	for (size_t i = 0; i < st->ntables; i++) {
		S.st.tables[i] = st->tables[i];
		S.st.tables[i].schema = dup_or_null(st->tables[i].schema);
		S.st.tables[i].table = dup_or_null(st->tables[i].table);
		S.st.tables[i].pg_schema = dup_or_null(st->tables[i].pg_schema);
	}
	S.received_at = received_at;
	S.applied_at = applied_at;
	S.caught_up = caught_up;
	S.published_ms = clock_ms();
	S.have = true;
	pthread_mutex_unlock(&mu);
}

/* ---- the Prometheus text format -------------------------------------------- */

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_putc(b, '\\');
		if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

static void num(struct buf *b, bool has, double v)
{
	if (has)
		buf_printf(b, " %.3f\n", v);
	else
		buf_puts(b, " NaN\n");
}

static void counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
	head(b, name, "counter", help);
	buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(struct buf *b, const char *name, const char *help, uint64_t v)
{
	head(b, name, "gauge", help);
	buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

void metrics_render(struct buf *b, const struct rp_source_status *st,
		    const struct metrics_proc *p)
{
	head(b, "chameleon_info", "gauge", "The source this replica follows.");
	buf_puts(b, "chameleon_info{source=");
	label(b, p->source);
	buf_puts(b, "} 1\n");
	head(b, "chameleon_replica_lag_seconds", "gauge",
	     "Age of the last source commit applied, 0 when everything received is "
	     "applied (show_status replay lag); NaN when unknown.");
	buf_puts(b, "chameleon_replica_lag_seconds");
	num(b, st->has_replay_lag, st->replay_lag);
	head(b, "chameleon_read_lag_seconds", "gauge",
	     "Age of the last event received, 0 when caught up (show_status read "
	     "lag); NaN when unknown.");
	buf_puts(b, "chameleon_read_lag_seconds");
	num(b, st->has_read_lag, st->read_lag);
	gauge(b, "chameleon_caught_up",
	      "1 when the source has nothing more to send and everything is applied.",
	      st->caught_up);
	head(b, "chameleon_rows_applied_total", "counter",
	     "Row changes committed in PostgreSQL since the source was added, by "
	     "source table and operation.");
	static const char *const ops[] = {"insert", "update", "delete"};
	for (size_t i = 0; i < st->ntables; i++) {
		const struct rp_table_counts *t = &st->tables[i];
		const uint64_t v[3] = {t->inserts, t->updates, t->deletes};
		for (int k = 0; k < 3; k++) {
			buf_puts(b, "chameleon_rows_applied_total{schema=");
			label(b, t->schema);
			buf_puts(b, ",table=");
			label(b, t->table);
			buf_printf(b, ",op=\"%s\"} %llu\n", ops[k],
				   (unsigned long long)v[k]);
		}
	}
	counter(b, "chameleon_transactions_applied_total",
		"Source transactions with row changes committed in PostgreSQL since the "
		"source was added.",
		st->transactions);
	counter(b, "chameleon_bytes_received_total",
		"Bytes of binlog events received from the source by this process.",
		p->bytes_received);
	gauge(b, "chameleon_source_connected",
	      "1 while connected to the MySQL/MariaDB source.", p->source_connected);
	gauge(b, "chameleon_target_connected", "1 while connected to PostgreSQL.",
	      p->target_connected);
	head(b, "chameleon_reconnects_total", "counter",
	     "Connections made again after a lost one, by side.");
	buf_printf(b, "chameleon_reconnects_total{side=\"source\"} %llu\n",
		   (unsigned long long)p->reconnects[METRICS_SOURCE]);
	buf_printf(b, "chameleon_reconnects_total{side=\"target\"} %llu\n",
		   (unsigned long long)p->reconnects[METRICS_TARGET]);
	gauge(b, "chameleon_tables_disabled",
	      "Tables out of replication after a refused change (show_errors).",
	      st->ndisabled);
	counter(b, "chameleon_errors_total",
		"Changes PostgreSQL refused and errors logged, by this process.",
		p->errors);
	head(b, "chameleon_binlog_position", "gauge",
	     "The source position committed in PostgreSQL, where a restart resumes.");
	buf_puts(b, "chameleon_binlog_position{file=");
	label(b, st->applied_file ? st->applied_file : "");
	buf_printf(b, "} %llu\n", (unsigned long long)st->applied_pos);
}

/* ---- requests -------------------------------------------------------------- */

/* A malformed request: the fault is the byte at offset at. */
static void bad(struct rd *r, uint64_t at)
{
	if (!r->err) {
		rd_fail(r, -ERR_PROTO);
		r->err_off = at;
	}
}

/* A token of the request line up to sep, into out (cut to n - 1 bytes). */
static void token(struct rd *r, uint8_t sep, char *out, size_t n)
{
	size_t k = 0;
	while (!r->err && rd_left(r)) {
		uint64_t at = rd_offset(r);
		uint8_t c = rd_u8(r);
		if (c == sep)
			return;
		if (c <= ' ' || c == 0x7f) {
			bad(r, at);
			return;
		}
		if (k + 1 < n)
			out[k++] = (char)c;
		out[k] = 0;
	}
	if (!r->err)
		rd_fail(r, -ERR_TRUNC);
}

int metrics_parse_request(const uint8_t *p, size_t n, char *method, size_t mn,
			  char *path, size_t pn, struct err *e)
{
	struct rd r;
	rd_init(&r, p, n);
	method[0] = path[0] = 0;
	char version[16] = "";
	/* request line: METHOD SP PATH SP HTTP/x.y CRLF (RFC 1945 5.1) */
	token(&r, ' ', method, mn);
	token(&r, ' ', path, pn);
	uint64_t vat = rd_offset(&r);
	token(&r, '\r', version, sizeof(version));
	if (!r.err && strncmp(version, "HTTP/1.", 7) != 0)
		bad(&r, vat);
	/* each line ends with CR LF (the request line's CR is read); the
	 * headers end with an empty line */
	bool cr = true, bol = false;
	while (!r.err) {
		if (!rd_left(&r)) {
			rd_fail(&r, -ERR_TRUNC);
			break;
		}
		uint64_t at = rd_offset(&r);
		uint8_t c = rd_u8(&r);
		if (c == '\n' && cr) {
			if (bol)
				return 1;
			bol = true;
			cr = false;
		} else if (c == '\r' && !cr) {
			cr = true;
		} else if (c == '\n' || c == '\r' || c == 0 || cr) {
			bad(&r, at);
		} else {
			bol = false;
		}
	}
	if (r.err == -ERR_TRUNC)
		return 0;
	return err_set_at(e, ERR_PROTO, r.err_off, "malformed HTTP request");
}

/* ---- the server ------------------------------------------------------------- */

struct client {
	int fd; /* -1: free */
	uint8_t in[METRICS_REQUEST_MAX];
	size_t n;
	struct buf out; /* the response, once known */
	size_t sent;
	int64_t deadline; /* ms */
};

static struct {
	int fd; /* listening; -1 when not started */
	pthread_t thread;
	atomic_int stop;
	struct client c[MAX_CLIENTS];
} srv = {-1, 0, 0, {{0}}};

static void respond(struct client *c, int code, const char *reason, const char *body,
		    size_t len, bool head_only, const char *type)
{
	buf_reset(&c->out);
	buf_printf(&c->out,
		   "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		   "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
		   code, reason, type, len);
	if (!head_only)
		buf_put(&c->out, body, len);
	c->sent = 0;
}

static void text(struct client *c, int code, const char *reason, const char *body,
		 bool head_only)
{
	respond(c, code, reason, body, strlen(body), head_only,
		"text/plain; charset=utf-8");
}

/* The state's numbers with the lags as of now, rendered. */
static void render_now(struct buf *b)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	double now = (double)tv.tv_sec + tv.tv_usec / 1e6;
	pthread_mutex_lock(&mu);
	struct rp_source_status st;
	memset(&st, 0, sizeof(st));
	if (S.have)
		st = S.st;
	bool fresh = S.have && clock_ms() - S.published_ms < FRESH_MS;
	rp_status_lags(&st, now, S.received_at, S.applied_at, S.caught_up && fresh);
	struct metrics_proc p = {S.source,
				 S.up[METRICS_SOURCE],
				 S.up[METRICS_TARGET],
				 atomic_load(&bytes_received),
				 {S.reconnects[0], S.reconnects[1]},
				 S.refused + log_error_count()};
	metrics_render(b, &st, &p);
	pthread_mutex_unlock(&mu);
}

static void serve(struct client *c, const char *method, const char *path)
{
	bool head_only = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head_only) {
		text(c, 405, "Method Not Allowed", "only GET and HEAD\n", false);
		return;
	}
	/* the query string does not matter */
	size_t plen = strcspn(path, "?");
	int64_t now = clock_ms();
	if (plen == 8 && !strncmp(path, "/metrics", 8)) {
		struct buf b;
		buf_init(&b, 0);
		render_now(&b);
		respond(c, 200, "OK", (const char *)b.p, b.n, head_only,
			"text/plain; version=0.0.4; charset=utf-8");
		buf_release(&b);
	} else if (plen == 8 && !strncmp(path, "/healthz", 8)) {
		pthread_mutex_lock(&mu);
		bool busy = S.busy;
		pthread_mutex_unlock(&mu);
		bool alive = busy || now - atomic_load(&alive_ms) < ALIVE_MS;
		if (alive)
			text(c, 200, "OK", "alive\n", head_only);
		else
			text(c, 503, "Service Unavailable",
			     "the replica loop is stuck\n", head_only);
	} else if (plen == 7 && !strncmp(path, "/readyz", 7)) {
		pthread_mutex_lock(&mu);
		bool src = S.up[METRICS_SOURCE], tgt = S.up[METRICS_TARGET];
		bool ready = src && tgt && S.streaming && !S.busy &&
			     now - atomic_load(&alive_ms) < ALIVE_MS;
		pthread_mutex_unlock(&mu);
		char msg[160];
		snprintf(msg, sizeof(msg), "%s: source %s, PostgreSQL %s\n",
			 ready ? "ready" : "not ready",
			 src ? "connected" : "not connected",
			 tgt ? "connected" : "not connected");
		if (ready)
			text(c, 200, "OK", msg, head_only);
		else
			text(c, 503, "Service Unavailable", msg, head_only);
	} else {
		text(c, 404, "Not Found", "/metrics, /healthz or /readyz\n",
		     head_only);
	}
}

static void drop(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->n = 0;
	buf_reset(&c->out);
}

/* Bytes came in: a whole request gets its response. */
static void on_read(struct client *c)
{
	ssize_t k = recv(c->fd, c->in + c->n, sizeof(c->in) - c->n, 0);
	if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
		drop(c);
		return;
	}
	if (k < 0)
		return;
	c->n += (size_t)k;
	char method[16], path[256];
	struct err e = {0};
	int rc = metrics_parse_request(c->in, c->n, method, sizeof(method), path,
				       sizeof(path), &e);
	if (rc == 1)
		serve(c, method, path);
	else if (rc < 0)
		text(c, 400, "Bad Request", "malformed request\n", false);
	else if (c->n == sizeof(c->in))
		text(c, 431, "Request Header Fields Too Large",
		     "request too large\n", false);
	else
		return;
	shutdown(c->fd, SHUT_RD);
}

static void on_write(struct client *c)
{
	ssize_t k = send(c->fd, c->out.p + c->sent, c->out.n - c->sent, MSG_NOSIGNAL);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k <= 0) {
		drop(c);
		return;
	}
	c->sent += (size_t)k;
	if (c->sent == c->out.n)
		drop(c);
}

/*
 * A slot for a new client: a free one, else the one that has waited
 * longest for its request (slow or idle clients cannot keep a probe out
 * for long), else none (every slot is sending a response).
 */
static struct client *slot(void)
{
	struct client *old = NULL;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &srv.c[i];
		if (c->fd < 0)
			return c;
		if (!c->out.n && (!old || c->deadline < old->deadline))
			old = c;
	}
	if (old)
		drop(old);
	return old;
}

static void accept_all(int64_t now)
{
	for (;;) {
		struct client *c = slot();
		if (!c)
			return; /* the others wait in the backlog */
		int fd = accept4(srv.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c->fd = fd;
		c->n = 0;
		c->sent = 0;
		buf_reset(&c->out);
		c->deadline = now + CLIENT_TIMEOUT_MS;
	}
}

static void *server(void *arg)
{
	(void)arg;
	while (!atomic_load(&srv.stop)) {
		struct pollfd pf[MAX_CLIENTS + 1];
		struct client *who[MAX_CLIENTS + 1];
		int n = 0, free_slots = 0;
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &srv.c[i];
			if (c->fd < 0 || !c->out.n) {
				free_slots++; /* or one to take back */
				if (c->fd < 0)
					continue;
			}
			pf[n] = (struct pollfd){c->fd,
						(short)(c->out.n ? POLLOUT : POLLIN),
						0};
			who[n++] = c;
		}
		if (free_slots) {
			pf[n] = (struct pollfd){srv.fd, POLLIN, 0};
			who[n++] = NULL;
		}
		if (poll(pf, (nfds_t)n, POLL_MS) < 0 && errno != EINTR)
			break;
		int64_t now = clock_ms();
		for (int i = 0; i < n; i++) {
			struct client *c = who[i];
			if (!c) {
				if (pf[i].revents)
					accept_all(now);
				continue;
			}
			if (pf[i].revents & (POLLERR | POLLNVAL))
				drop(c);
			else if (pf[i].revents & POLLOUT)
				on_write(c);
			else if (pf[i].revents & (POLLIN | POLLHUP))
				on_read(c);
			if (c->fd >= 0 && now > c->deadline)
				drop(c);
		}
	}
	return NULL;
}

/* "ADDR:PORT", "[ADDR]:PORT" or ":PORT" into a bound, listening socket. */
static int listen_on(const char *spec, struct err *e)
{
	char host[256] = "";
	const char *port;
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof(host))
			return err_set(e, ERR_CONFIG,
				       "metrics_listen '%s': expected ADDR:PORT",
				       spec);
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		port = end + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host))
			return err_set(e, ERR_CONFIG,
				       "metrics_listen '%s': expected ADDR:PORT",
				       spec);
		memcpy(host, spec, (size_t)(colon - spec));
		port = colon + 1;
	}
	char *pend;
	long pn = strtol(port, &pend, 10);
	if (!*port || *pend || pn < 0 || pn > 65535)
		return err_set(e, ERR_CONFIG, "metrics_listen '%s': bad port '%s'",
			       spec, port);
	/* numeric addresses only: no name service in a minimal container */
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (!host[0] || inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)pn);
		if (!host[0])
			a4->sin_addr.s_addr = htonl(INADDR_ANY);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)pn);
		len = sizeof(*a6);
	} else {
		return err_set(e, ERR_CONFIG,
			       "metrics_listen '%s': '%s' is not a numeric "
			       "address",
			       spec, host);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		int rc = err_set(e, ERR_IO, "metrics_listen '%s': %s", spec,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	return fd;
}

int metrics_start(const char *spec, const char *source, struct err *e)
{
	if (srv.fd >= 0)
		return 0;
	int fd = listen_on(spec, e);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&mu);
	snprintf(S.source, sizeof(S.source), "%s", source ? source : "");
	pthread_mutex_unlock(&mu);
	srv.fd = fd;
	atomic_store(&srv.stop, 0);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		srv.c[i].fd = -1;
		buf_init(&srv.c[i].out, 0);
	}
	metrics_alive();
	/* signals stay the main thread's: the thread starts with them blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&srv.thread, NULL, server, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		close(fd);
		srv.fd = -1;
		return err_set(e, ERR_IO, "metrics: cannot start a thread: %s",
			       strerror(rc));
	}
	return 0;
}

void metrics_stop(void)
{
	if (srv.fd < 0)
		return;
	atomic_store(&srv.stop, 1);
	pthread_join(srv.thread, NULL);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (srv.c[i].fd >= 0)
			close(srv.c[i].fd);
		buf_release(&srv.c[i].out);
	}
	close(srv.fd);
	srv.fd = -1;
	pthread_mutex_lock(&mu);
	if (S.mem_init)
		arena_release(&S.mem);
	S.mem_init = false;
	S.have = false;
	pthread_mutex_unlock(&mu);
}
