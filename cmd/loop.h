/*
 * The one binlog stream of the live commands (decode_binlog --source,
 * capture_binlog, start_replica), driving one consumer: the printer
 * (cmd/print.c), the capture writer (cmd/capture.c) or the replica
 * (cmd/replica.c).  The loop connects, starts the dump where the consumer
 * says, frames and decodes each event, keeps the source transaction
 * boundaries, and hands every event over; when the stream is lost it
 * reconnects with a bounded back-off and resumes at the last boundary
 * (or where the consumer says), marking the events handed over before as
 * replayed; a consumer asks for a restart with a return value.  It also
 * rotates the log.  It knows nothing of output formats, files or
 * PostgreSQL.
 */
#ifndef CMD_LOOP_H
#define CMD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "binlog/binlog.h"
#include "cmd/config.h"
#include "mysqlproto/mysqlproto.h"

/* What a consumer's callback returns besides 0 (go on). */
enum {
	STREAM_FAIL = -1,	/* stop: the run failed, the consumer said why
				   (stream_fail) */
	STREAM_RESTART = 1,	/* stream again from restart_from()'s position */
	STREAM_END = 2,		/* stop now; the run ends as finish() says */
};

/* One event as the loop hands it over; valid during the call only. */
struct stream_event {
	const struct bl_event *ev;	/* decoded; the inner events of a
					   transaction payload follow it */
	const uint8_t *raw;	/* the bytes as received; NULL for inner events */
	size_t n;		/* bytes at raw */
	const char *file;	/* the binlog file the event belongs to */
	uint64_t start;		/* its offset in file; 0 for artificial events
				   (fake ROTATE, re-sent FORMAT_DESCRIPTION) */
	bool replayed;		/* handed over already, before the stream was
				   lost: consumers that print or write skip it */
	bool heartbeat;		/* the source has nothing more to send */
	const char *gtid;	/* the transaction's GTID text, "" when none */
};

struct stream;

/*
 * A consumer: callbacks get ctx.  Each returns 0 or a STREAM_* value;
 * the optional ones may be NULL.
 */
struct consumer {
	void *ctx;
	/*
	 * Connected, before the first dump (optional): where to start.  *at
	 * comes with the command's start position; file "" lets the loop
	 * choose (--start-file, else the oldest binlog the server has).
	 */
	int (*start)(void *ctx, struct mp_conn *c, struct bl_pos *at);
	/* The bytes of an event as received, before decoding (optional). */
	int (*raw)(void *ctx, const struct stream_event *se);
	/* Each decoded event (optional). */
	int (*event)(void *ctx, const struct stream_event *se);
	/*
	 * After each whole event, inner events included (optional): where
	 * output is flushed or commits happen when the source goes quiet
	 * (stream_pending) or sends a heartbeat (se->heartbeat).
	 */
	int (*after_event)(void *ctx, const struct stream_event *se);
	/*
	 * Where to stream from again, after a restart it asked for or a lost
	 * stream (optional): *at holds the end of the last complete source
	 * transaction, which the consumer may keep or replace.
	 */
	int (*restart_from)(void *ctx, struct bl_pos *at);
	/*
	 * The stream stopped after its dump had started: status is 0 for a
	 * clean stop (signal, end of binlog, STREAM_END) and 1 for a failure;
	 * returns the command's exit status.
	 */
	int (*finish)(void *ctx, int status);
	/*
	 * Connected, before every dump, the first and each one after a
	 * reconnection (optional): the consumer's checks of the server
	 * against what it knows (the replica's: the source's identity).
	 * Returns 0; 1 when a query failed (c->err: handled as a lost
	 * stream); or STREAM_FAIL after stream_fail() with the cause and
	 * the fix: a failure that reconnecting cannot cure.
	 */
	int (*check)(void *ctx, struct mp_conn *c, const struct bl_pos *at);
};

/* A run of the stream; the caller fills the first part. */
struct stream {
	const struct cfg_source *src;
	const struct consumer *k;
	const char *start_file;	/* first dump: this file when start() gives none */
	uint64_t start_pos;	/* first dump: this offset (4 when 0) */
	const char *gtid;	/* first dump: GTID positioning instead */
	bool stop_at_end;	/* end at the end of the binlog (exit 0) */
	bool need_rows;		/* the consumer needs row events: a source
				   whose binlog_format or binlog_row_image
				   cannot give them is a failure */
	/* the run's state: the loop's own */
	struct mp_conn c;
	bool connected;
	bool checksum;		/* the source's events carry a CRC32 */
	struct bl_decoder *d;
	char file[BL_FILE_MAX];	/* the file being streamed */
	struct bl_pos boundary;	/* end of the last complete source transaction */
	struct bl_pos seen;	/* end of the last event handed over */
	bool in_tx;		/* between a BEGIN and its COMMIT */
	bool resumed;		/* the dump was started again */
	int retries;		/* reconnections since the last event */
	int kicks;		/* the server dropped us for another replica
				   with our server id, in a row */
	int64_t dump_at;	/* ms, when the current dump started */
	int64_t incident_at;	/* ms, when the stream was lost; 0 streaming */
	char first_error[256];	/* what lost it, logged once per incident */
	int64_t last_tick;	/* ms, the last log rotation check */
	struct buf gtidbuf;	/* COM_BINLOG_DUMP_GTID's encoded set */
	char error[1024];	/* what ended the run, "" when nothing failed */
};

/*
 * Run the stream until a signal, the end of the binlog (stop_at_end), a
 * failure or STREAM_END.  Returns the exit status: finish()'s when the
 * dump started, else 1 (the reason printed on stderr, and in s->error).
 */
int stream_run(struct stream *s);
/* Whether more of the stream is already waiting (false: the next read waits). */
bool stream_pending(struct stream *s);
/*
 * Print "chameleon: MESSAGE" on stderr and keep MESSAGE as the reason
 * the run ended (s->error; the replica records it in the catalog).
 */
void stream_fail(struct stream *s, const char *fmt, ...) PRINTF(2, 3);
/*
 * Wait before attempt number attempt: exponential (0.5, 1, 2, 4, 8 s, at
 * most 10 s) with jitter (a random 50 to 100 % of it, so that replicas
 * cut off together do not come back together), checking for
 * SIGINT/SIGTERM every 100 ms and rotating the log; false when a stop
 * was requested.  Shared by the MySQL and the PostgreSQL reconnections.
 */
bool stream_backoff(int attempt);

#endif
