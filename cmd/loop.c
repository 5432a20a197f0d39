/*
 * The stream loop (see loop.h): connect, dump, frame, decode, track the
 * source transaction boundaries, hand events to the consumer, reconnect
 * and resume, restart on request, rotate the log.  What is done with an
 * event is the consumer's business, never decided here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/daemon.h"
#include "cmd/loop.h"
#include "cmd/metrics.h"
#include "cmd/source.h"

#define MAX_RETRIES 40		/* reconnections to the source in a row
				   (about 5 minutes of back-off) */
#define KICK_ROUNDS 3		/* dropped for another replica with our
				   server id, in a row: a fight, not a hiccup */
#define KICK_WINDOW_MS 60000	/* a dump that lived this long ends a fight */

/* What the source connection waits for a byte: three heartbeat periods
 * and some slack; heartbeats are asked for every heartbeat_period. */
static int read_timeout_ms(const struct stream *s)
{
	return s->src->heartbeat_period * 3000 + 2000;
}

void stream_fail(struct stream *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	size_t n = strlen(s->error);
	while (n && s->error[n - 1] == '\n')
		s->error[--n] = 0;
	cmd_error("%s", s->error);
}

bool stream_pending(struct stream *s)
{
	return mp_input_pending(&s->c);
}

/* The log rotates at most once a second, and at once after SIGHUP. */
static void tick(int64_t *last)
{
	int64_t now = clock_ms();
	metrics_alive();
	if (daemon_reopen_logs || now - *last >= 1000) {
		daemon_log_tick();
		*last = now;
	}
}

/* 50 to 100: the share of a back-off delay actually waited (xorshift,
 * seeded from the clock and the pid; no quality needed, only spread). */
static unsigned jitter_percent(void)
{
	static uint64_t x;
	if (!x)
		x = ((uint64_t)clock_ms() << 16) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return 50 + (unsigned)(x % 51);
}

bool stream_backoff(int attempt)
{
	int64_t full = attempt <= 1 ? 500 : attempt >= 6 ? 10000 : 500ll << (attempt - 1);
	if (full > 10000)
		full = 10000;
	int64_t delay = full * jitter_percent() / 100;
	int64_t start = clock_ms(), last = start;
	while (!daemon_stop_requested) {
		int64_t left = delay - (clock_ms() - start);
		if (left <= 0)
			break;
		usleep((useconds_t)(left < 100 ? left : 100) * 1000);
		tick(&last);
	}
	return !daemon_stop_requested;
}

/* The oldest binlog file the server still has. */
static int first_binlog(struct stream *s, char *out, size_t n)
{
	struct mp_result r;
	if (mp_query(&s->c, "SHOW BINARY LOGS", &r)) {
		stream_fail(s, "SHOW BINARY LOGS: %s", s->c.err.msg);
		return -1;
	}
	struct mp_row row;
	int rc = mp_result_next(&s->c, &r, &row);
	if (rc == 1)
		snprintf(out, n, "%.*s", (int)row.values[0].n,
			 (const char *)row.values[0].p);
	mp_result_release(&s->c, &r);
	if (rc < 0) {
		stream_fail(s, "SHOW BINARY LOGS: %s", s->c.err.msg);
		return -1;
	}
	if (rc == 0) {
		stream_fail(s, "the server has no binary logs");
		return -1;
	}
	return 0;
}

static bool checksum_on(struct mp_conn *c)
{
	char v[32];
	bool found;
	if (mp_query_value(c, "SELECT @@global.binlog_checksum", v, sizeof(v), &found)) {
		err_clear(&c->err);
		return false;
	}
	return found && strcasecmp(v, "NONE") != 0;
}

/* COM_BINLOG_DUMP from at, or COM_BINLOG_DUMP_GTID from gtid when set. */
static int start_dump(struct stream *s, const struct bl_pos *at, const char *gtid)
{
	struct mp_dump d;
	memset(&d, 0, sizeof(d));
	d.server_id = s->src->my_server_id;
	d.file = at->file;
	d.pos = at->pos;
	d.stop_at_end = s->stop_at_end;
	d.annotate_rows = true;
	d.heartbeat_ms = (uint32_t)s->src->heartbeat_period * 1000;
	if (gtid) {
		d.file = "";
		if (s->c.is_mariadb) {
			d.maria_gtid = gtid;
			d.pos = 4;
		} else {
			buf_reset(&s->gtidbuf);
			if (mp_gtid_set_encode(gtid, &s->gtidbuf)) {
				stream_fail(s, "bad GTID set '%s'", gtid);
				return -1;
			}
			d.mysql_gtid_set = s->gtidbuf.p;
			d.mysql_gtid_set_len = s->gtidbuf.n;
		}
	}
	if (mp_binlog_dump(&s->c, &d)) {
		cmd_error("cannot start the binlog dump: %s", s->c.err.msg);
		return -1;
	}
	metrics_streaming(true);
	log_info("mysql", "streaming from %s:%llu%s%s", *d.file ? d.file : "(gtid)",
		 (unsigned long long)d.pos, gtid ? " gtid " : "", gtid ? gtid : "");
	s->dump_at = clock_ms();
	return 0;
}

static int connect_source(struct stream *s)
{
	s->connected = cmd_source_connect(s->src, &s->c, read_timeout_ms(s)) == 0;
	metrics_connected(METRICS_SOURCE, s->connected);
	return s->connected ? 0 : -1;
}

static int reconnect_source(struct stream *s)
{
	s->connected = cmd_source_reconnect(s->src, &s->c, read_timeout_ms(s)) == 0;
	metrics_connected(METRICS_SOURCE, s->connected);
	return s->connected ? 0 : -1;
}

static void disconnect(struct stream *s)
{
	if (s->connected)
		mp_close(&s->c);
	s->connected = false;
	metrics_connected(METRICS_SOURCE, false);
}

/* "binlog.000012": the length of "binlog." and 12; false without digits. */
static bool binlog_seq(const char *f, size_t *base, unsigned long long *num)
{
	const char *dot = strrchr(f, '.');
	if (!dot || !dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return false;
	*base = (size_t)(dot + 1 - f);
	*num = strtoull(dot + 1, NULL, 10);
	return true;
}

/*
 * Before a dump from at: the binlog file is still on the source and holds
 * the position.  Returns 0, 1 when the query failed (the connection's
 * error, as a lost stream), -1 when it cannot be (said).
 */
static int check_position(struct stream *s, const struct bl_pos *at)
{
	if (!at->file[0])
		return 0;
	struct mp_result r;
	if (mp_query(&s->c, "SHOW BINARY LOGS", &r))
		return 1;
	char oldest[BL_FILE_MAX] = "", newest[BL_FILE_MAX] = "";
	bool found = false;
	unsigned long long size = 0;
	struct mp_row row;
	int rc;
	while ((rc = mp_result_next(&s->c, &r, &row)) == 1) {
		snprintf(newest, sizeof(newest), "%.*s", (int)row.values[0].n,
			 (const char *)row.values[0].p);
		if (!oldest[0])
			snprintf(oldest, sizeof(oldest), "%s", newest);
		if (!strcmp(newest, at->file) && row.n > 1) {
			char v[32];
			snprintf(v, sizeof(v), "%.*s", (int)row.values[1].n,
				 (const char *)row.values[1].p);
			found = true;
			size = strtoull(v, NULL, 10);
		}
	}
	mp_result_release(&s->c, &r);
	if (rc < 0)
		return 1;
	if (found && size >= at->pos)
		return 0;
	const struct cfg_db_conn *db = &s->src->db;
	if (found) {
		stream_fail(s, "the source's history changed: %s is %llu bytes, shorter "
			       "than the position %llu to resume at (its binary logs were "
			       "reset, or another server answers at %s:%d): run init_replica "
			       "again", at->file, size, (unsigned long long)at->pos, db->host,
			    db->port);
		return -1;
	}
	size_t b1, b2;
	unsigned long long n1, n2;
	if (oldest[0] && binlog_seq(at->file, &b1, &n1) && binlog_seq(oldest, &b2, &n2) &&
	    b1 == b2 && !strncmp(at->file, oldest, b1) && n1 < n2) {
		stream_fail(s, "%s:%llu, where the stream resumes, was purged from the "
			       "source (its oldest binlog is %s): run init_replica again, or "
			       "sync_tables for the tables concerned, and keep binlogs longer "
			       "on the source (binlog_expire_logs_seconds)", at->file,
			    (unsigned long long)at->pos, oldest);
		return -1;
	}
	stream_fail(s, "the source's history changed: %s, where the stream resumes, "
		       "is not on the source (it has %s to %s): its binary logs were reset "
		       "(RESET MASTER), or another server answers at %s:%d; run init_replica "
		       "again", at->file, oldest[0] ? oldest : "none", newest[0] ? newest : "none",
		    db->host, db->port);
	return -1;
}

/*
 * A consumer that needs row events: the source must still log them
 * (binlog_format and binlog_row_image may be changed on a running
 * server).  0, 1 (query failed), -1 (said).
 */
static int check_format(struct stream *s)
{
	if (!s->need_rows)
		return 0;
	char v[64];
	bool found;
	if (mp_query_value(&s->c, "SELECT @@global.binlog_format", v, sizeof(v), &found))
		return 1;
	if (found && strcasecmp(v, "ROW")) {
		stream_fail(s, "the source's binlog_format is %s: changes are no longer logged "
			       "as rows, which replication needs; SET GLOBAL binlog_format = "
			       "'ROW' on the source (and binlog_format=ROW in its configuration "
			       "file), then start_replica again", v);
		return -1;
	}
	if (mp_query_value(&s->c, "SELECT @@global.binlog_row_image", v, sizeof(v), &found)) {
		/* a server without the variable logs full images */
		err_clear(&s->c.err);
		return 0;
	}
	if (found && strcasecmp(v, "FULL") && strcasecmp(v, "FULL_NODUP")) {
		stream_fail(s, "the source's binlog_row_image is %s: rows are logged without "
			       "all their columns, so updates and deletes cannot find theirs; "
			       "SET GLOBAL binlog_row_image = 'FULL' on the source (and in its "
			       "configuration file), then start_replica again", v);
		return -1;
	}
	return 0;
}

/* Every check before a dump from at: 0, 1 (a query failed: lost), -1 (said). */
static int preflight(struct stream *s, const struct bl_pos *at)
{
	int rc = check_format(s);
	/* a replica's stored position, and every resumed stream's; the first
	 * dump of the other commands starts where the user said, and the
	 * server's own error says it best when that is wrong */
	if (!rc && !s->gtid && (s->need_rows || s->d))
		rc = check_position(s, at);
	if (!rc && s->k->check) {
		int k = s->k->check(s->k->ctx, &s->c, at);
		rc = k == STREAM_FAIL ? -1 : k ? 1 : 0;
	}
	return rc;
}

/* Connected: where the first dump starts, then start it. */
static int first_dump(struct stream *s)
{
	struct bl_pos at;
	bl_pos_set(&at, "", s->start_pos ? s->start_pos : 4);
	s->checksum = checksum_on(&s->c);
	if (s->k->start && s->k->start(s->k->ctx, &s->c, &at))
		return -1;
	if (!at.file[0] && s->start_file)
		bl_pos_set(&at, s->start_file, at.pos);
	if (!at.file[0] && !s->gtid && first_binlog(s, at.file, sizeof(at.file)))
		return -1;
	int rc = preflight(s, &at);
	if (rc > 0)
		stream_fail(s, "cannot check the source: %s", s->c.err.msg);
	if (rc)
		return -1;
	s->d = bl_decoder_new(0);
	if (s->checksum)
		bl_decoder_set_checksum(s->d, BL_CHECKSUM_CRC32);
	if (start_dump(s, &at, s->gtid)) {
		if (!s->error[0])
			stream_fail(s, "cannot start the binlog dump: %s", s->c.err.msg);
		return -1;
	}
	snprintf(s->file, sizeof(s->file), "%s", at.file);
	s->boundary = at;
	return 0;
}

/* The server dropped the stream for another replica that registered
 * with our server id (MariaDB's error 4052, MySQL's 1236 say so). */
static bool kicked(const struct mp_conn *c)
{
	return strstr(c->err.msg, "same server_uuid/server_id") != NULL;
}

/* Whether the error that ended the stream is worth reconnecting for:
 * other server errors, authentication and TLS failures are final. */
static bool transient(const struct mp_conn *c)
{
	return c->err.code == ERR_IO || c->err.code == ERR_TIMEOUT ||
	       strstr(c->err.msg, "shutdown") != NULL ||
	       strstr(c->err.msg, "Too many connections") != NULL || kicked(c);
}

/*
 * The stream was lost (c->err says why): whether to try again.  The
 * first loss of an incident is logged, the attempts after it only at
 * debug level; a fight over the server id and too many attempts end the
 * run (said).
 */
static bool try_again(struct stream *s)
{
	const struct mp_conn *c = &s->c;
	if (kicked(c)) {
		if (!s->incident_at && clock_ms() - s->dump_at >= KICK_WINDOW_MS)
			s->kicks = 0;
		if (++s->kicks >= KICK_ROUNDS) {
			stream_fail(s, "another replica uses my_server_id %u on %s:%d: the "
				       "source dropped this stream for it %d times in a row; "
				       "give each replica of a source its own my_server_id",
				    (unsigned)s->src->my_server_id, s->src->db.host,
				    s->src->db.port, s->kicks);
			return false;
		}
	}
	if (!transient(c)) {
		stream_fail(s, "binlog stream: %s", c->err.msg);
		return false;
	}
	if (!s->incident_at) {
		s->incident_at = clock_ms();
		snprintf(s->first_error, sizeof(s->first_error), "%s", c->err.msg);
		log_warn("mysql", "binlog stream lost (%s); reconnecting", c->err.msg);
	} else {
		log_debug("mysql", "reconnection %d: %s", s->retries, c->err.msg);
	}
	if (++s->retries > MAX_RETRIES) {
		stream_fail(s, "binlog stream lost %lld s ago (%s) and not back after %d "
			       "attempts; the last: %s",
			    (long long)(clock_ms() - s->incident_at) / 1000, s->first_error,
			    MAX_RETRIES, c->err.msg);
		return false;
	}
	return true;
}

/*
 * Stream again, from the consumer's restart position: at once when the
 * consumer asked (was_lost false), else after the back-off, as long as
 * the failure is transient and MAX_RETRIES allow.  Before each dump the
 * source is checked (preflight): what no reconnection can cure ends the
 * run.  Returns 0, STREAM_END (stop requested) or -1 (failed, said).
 */
static int resume(struct stream *s, bool was_lost)
{
	bool reconnect = was_lost;	/* not a restart the consumer asked for */
	for (;;) {
		if (was_lost && !try_again(s))
			return -1;
		disconnect(s);
		if (was_lost) {
			if (!stream_backoff(s->retries))
				return STREAM_END;
		}
		was_lost = true;
		if (reconnect_source(s))
			continue;
		struct bl_pos at = s->boundary;
		if (s->k->restart_from && s->k->restart_from(s->k->ctx, &at))
			return -1;
		int rc = preflight(s, &at);
		if (rc < 0)
			return -1;
		if (rc > 0 || start_dump(s, &at, NULL))
			continue;
		if (s->incident_at) {
			log_info("mysql", "binlog stream back after %d attempt%s, %.1f s",
				 s->retries, s->retries == 1 ? "" : "s",
				 (double)(clock_ms() - s->incident_at) / 1000);
			s->incident_at = 0;
		}
		if (reconnect)
			metrics_reconnected(METRICS_SOURCE);
		s->resumed = true;
		s->in_tx = false;
		return 0;
	}
}

/* The boundaries: the resume point moves to the end of each complete
 * source transaction (and of each statement outside one). */
static void track(struct stream *s, const struct bl_event *ev, uint64_t start,
		  size_t n, bool replayed)
{
	if (ev->h.type == BL_ROTATE_EVENT) {
		snprintf(s->file, sizeof(s->file), "%.*s", (int)ev->rotate.file.n,
			 (const char *)ev->rotate.file.p);
		if (!s->in_tx)
			bl_pos_set(&s->boundary, s->file, ev->rotate.pos);
	}
	if (!start)
		return;
	enum bl_tx_mark m = bl_event_tx_mark(ev);
	if (m == BL_TX_BEGIN)
		s->in_tx = true;
	else if (m == BL_TX_COMMIT)
		s->in_tx = false;
	if (!s->in_tx && ev->h.type != BL_ROTATE_EVENT)
		bl_pos_set(&s->boundary, s->file, start + n);
	if (!replayed)
		bl_pos_set(&s->seen, s->file, start + n);
}

static int deliver(const struct consumer *k, const struct stream_event *se)
{
	return k->event ? k->event(k->ctx, se) : 0;
}

/* One event of the stream through the consumer: 0 or a STREAM_* value. */
static int one_event(struct stream *s, const uint8_t *p, size_t n)
{
	const struct consumer *k = s->k;
	struct bl_header h;
	uint64_t start = bl_frame(p, n, &h) == 0 ? bl_frame_start(&h) : 0;
	/* handed over before the stream was lost: by position, and the
	 * artificial events a new dump begins with */
	bool replayed = s->resumed &&
			(start == 0 || (!strcmp(s->file, s->seen.file) && start + n <= s->seen.pos));
	struct bl_event ev;
	struct stream_event se = {&ev, p, n, s->file, start, replayed, false, ""};
	metrics_received(n);
	int rc = k->raw ? k->raw(k->ctx, &se) : 0;
	if (rc)
		return rc;
	if (bl_decode(s->d, p, n, start, &ev)) {
		const struct err *de = bl_decoder_err(s->d);
		stream_fail(s, "%s: offset %llu: %s", s->file, (unsigned long long)de->off,
			    de->msg);
		return STREAM_FAIL;
	}
	track(s, &ev, start, n, replayed);
	se.heartbeat = ev.h.type == BL_HEARTBEAT_LOG_EVENT ||
		       ev.h.type == BL_HEARTBEAT_LOG_EVENT_V2;
	se.gtid = bl_decoder_gtid(s->d);
	rc = deliver(k, &se);
	/* the events inside a transaction payload */
	se.raw = NULL;
	se.n = 0;
	int inner = 0;
	while (!rc && (inner = bl_decoder_next_inner(s->d, &ev)) == 1) {
		se.gtid = bl_decoder_gtid(s->d);
		rc = deliver(k, &se);
	}
	if (rc)
		return rc;
	if (inner < 0) {
		stream_fail(s, "%s: %s", s->file, bl_decoder_err(s->d)->msg);
		return STREAM_FAIL;
	}
	return k->after_event ? k->after_event(k->ctx, &se) : 0;
}

/* The events until a stop, the end or a failure: 0 clean, 1 failed. */
static int follow(struct stream *s)
{
	for (;;) {
		tick(&s->last_tick);
		if (daemon_stop_requested)
			return 0;
		const uint8_t *p;
		size_t n;
		int rc = mp_binlog_next(&s->c, &p, &n);
		if (rc == 0 && s->stop_at_end)
			return 0;
		if (rc == 0) {
			/* an end of stream we did not ask for: the server is going away */
			err_set(&s->c.err, ERR_IO, "the server ended the binlog stream");
			rc = -ERR_IO;
		}
		if (rc < 0 && daemon_stop_requested)
			return 0;
		if (rc < 0 && s->c.err.code == ERR_TIMEOUT) {
			/* nothing, not even a heartbeat: the stream is dead
			 * (a stalled network, a frozen server) */
			err_clear(&s->c.err);
			err_set(&s->c.err, ERR_TIMEOUT,
				"no heartbeat from the source for %d s (heartbeat_period %d s): "
				"the stream is dead", read_timeout_ms(s) / 1000,
				s->src->heartbeat_period);
		}
		if (rc < 0) {
			metrics_streaming(false);
			rc = resume(s, true);
		} else {
			s->retries = 0;
			rc = one_event(s, p, n);
			if (rc == STREAM_RESTART)
				rc = resume(s, false);
		}
		if (rc == STREAM_END)
			return 0;
		if (rc)
			return 1;
	}
}

int stream_run(struct stream *s)
{
	s->error[0] = 0;
	s->d = NULL;
	s->in_tx = s->resumed = false;
	s->retries = s->kicks = 0;
	s->incident_at = 0;
	s->first_error[0] = 0;
	s->last_tick = clock_ms();
	bl_pos_set(&s->seen, "", 0);
	buf_init(&s->gtidbuf, 0);
	daemon_signals_install();
	int status = 1;
	if (connect_source(s) == 0 && first_dump(s) == 0)
		status = s->k->finish(s->k->ctx, follow(s));
	else if (daemon_stop_requested)
		status = 0;	/* stopped while starting: nothing failed */
	metrics_streaming(false);
	bl_decoder_free(s->d);
	s->d = NULL;
	buf_release(&s->gtidbuf);
	disconnect(s);
	return status;
}
