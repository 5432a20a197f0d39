/*
 * The printer of decode_binlog: decoded events as text (like mysqlbinlog
 * -v), JSON lines, or only counted (--format none), buffered and written
 * to a stream whose write errors end the command.  Used by the offline
 * decoder (cmd/decode_binlog.c) and by the live one (cmd/print.c's stream
 * consumer).  It does not read events or decide which ones to print.
 */
#ifndef CMD_PRINT_H
#define CMD_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "binlog/binlog.h"

enum print_format { PRINT_TEXT, PRINT_JSON, PRINT_NONE };

/* Exit status when the reader of the output went away (EPIPE): the
 * status a filter killed by SIGPIPE has in the shell, 128 + 13. */
#define PRINT_EPIPE_STATUS 141

struct printer {
	FILE *f;		/* borrowed */
	enum print_format fmt;
	struct buf b;		/* rendered, not yet written */
	uint64_t events, rows;	/* counted, in every format */
	int err;		/* errno of the first failed write, 0 when none;
				   nothing is written after it */
};

void printer_init(struct printer *p, FILE *f, enum print_format fmt);
void printer_release(struct printer *p);
/* Count the event and render it into the buffer (text and JSON). */
void printer_event(struct printer *p, const struct bl_event *ev,
		   const struct bl_render_ctx *ctx);
/* Write the buffer out: 0, or -1 when writing failed (p->err). */
int printer_flush(struct printer *p);
/*
 * Whether the output is a pipe whose reader went away, found without
 * writing (a live decoder waiting for an idle source): -1 and p->err
 * EPIPE when so, else 0.
 */
int printer_reader_gone(struct printer *p);
/* Flush, print the counts line of --format none, flush the stream:
 * 0 or -1 (p->err). */
int printer_end(struct printer *p);
/*
 * The exit status after a failed write: PRINT_EPIPE_STATUS, quietly,
 * when the reader went away (decode_binlog ... | head); otherwise 1,
 * with "chameleon CMD: write error: REASON" on stderr.
 */
int printer_write_status(const struct printer *p, const char *cmd);
/* --format text|json|none; -1 (said on stderr) for anything else. */
int printer_format_parse(const char *cmd, const char *arg, enum print_format *out);

#endif
