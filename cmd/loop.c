/*
 * The stream loop (see loop.h): connect, dump, frame, decode, track the
 * source transaction boundaries, hand events to the consumer, reconnect
 * and resume, restart on request, rotate the log.  What is done with an
 * event is the consumer's business, never decided here.
 */
#include <stdarg.h>
#include <stdio.h>
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

#define MAX_RETRIES 30		/* reconnections to the source in a row */
#define READ_TIMEOUT_MS 30000	/* heartbeats come every second */

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

bool stream_backoff(int attempt)
{
	unsigned delay = attempt < 5 ? 1u << (attempt - 1) : 10;
	int64_t last = clock_ms();
	for (unsigned i = 0; i < delay * 10 && !daemon_stop_requested; i++) {
		usleep(100000);
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
	d.heartbeat_ms = 1000;
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
	return 0;
}

static int connect_source(struct stream *s)
{
	s->connected = cmd_source_connect(s->src, &s->c, READ_TIMEOUT_MS) == 0;
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
	s->d = bl_decoder_new(0);
	if (s->checksum)
		bl_decoder_set_checksum(s->d, BL_CHECKSUM_CRC32);
	if (start_dump(s, &at, s->gtid))
		return -1;
	snprintf(s->file, sizeof(s->file), "%s", at.file);
	s->boundary = at;
	return 0;
}

/* Whether the error that ended the stream is worth reconnecting for:
 * other server errors are final. */
static bool lost(const struct mp_conn *c)
{
	return c->err.code == ERR_IO || c->err.code == ERR_TIMEOUT ||
	       strstr(c->err.msg, "shutdown") != NULL;
}

/*
 * Stream again, from the consumer's restart position: at once when the
 * consumer asked (was_lost false), else after the back-off, as long as
 * the failure is a lost connection and MAX_RETRIES allow.  Returns 0,
 * STREAM_END (stop requested) or -1 (failed, said).
 */
static int resume(struct stream *s, bool was_lost)
{
	bool reconnect = was_lost;	/* not a restart the consumer asked for */
	for (;;) {
		if (was_lost) {
			if (!lost(&s->c) || ++s->retries > MAX_RETRIES) {
				stream_fail(s, "binlog stream: %s", s->c.err.msg);
				return -1;
			}
			log_warn("mysql", "binlog stream lost (%s); reconnecting (attempt %d of %d)",
				 s->c.err.msg, s->retries, MAX_RETRIES);
		}
		disconnect(s);
		if (was_lost && !stream_backoff(s->retries))
			return STREAM_END;
		was_lost = true;
		if (connect_source(s)) {
			/* counted as a lost stream: try again */
			err_set(&s->c.err, ERR_IO, "cannot connect to the source");
			continue;
		}
		struct bl_pos at = s->boundary;
		if (s->k->restart_from && s->k->restart_from(s->k->ctx, &at))
			return -1;
		if (start_dump(s, &at, NULL))
			continue;
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
	s->retries = 0;
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
