/*
 * decode_binlog's printer (print.h), and the stream consumer that prints
 * a live source: decode_binlog --config/--source.  The consumer skips the
 * heartbeats and the events replayed after a reconnection, and flushes
 * when the source goes quiet, so that a follower sees each transaction
 * as soon as it is complete.  Reading and resuming are the loop's.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/loop.h"
#include "cmd/print.h"
#include "cmd/source.h"

#define FLUSH_AT (1u << 16)	/* bytes rendered before a write */

void printer_init(struct printer *p, FILE *f, enum print_format fmt)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->fmt = fmt;
	buf_init(&p->b, 0);
}

void printer_release(struct printer *p)
{
	buf_release(&p->b);
}

void printer_event(struct printer *p, const struct bl_event *ev,
		   const struct bl_render_ctx *ctx)
{
	p->events++;
	if (bl_event_is_rows(ev->h.type))
		p->rows += ev->rows.nrows;
	if (p->fmt == PRINT_JSON)
		bl_render_json(&p->b, ev, ctx);
	else if (p->fmt == PRINT_TEXT)
		bl_render_text(&p->b, ev, ctx);
}

int printer_flush(struct printer *p)
{
	if (p->b.n && !p->err) {
		errno = 0;
		if (fwrite(p->b.p, 1, p->b.n, p->f) != p->b.n || fflush(p->f) != 0)
			p->err = errno ? errno : EIO;
	}
	buf_reset(&p->b);
	return p->err ? -1 : 0;
}

int printer_reader_gone(struct printer *p)
{
	struct stat st;
	int fd = fileno(p->f);
	if (p->err || fd < 0 || fstat(fd, &st) || !S_ISFIFO(st.st_mode))
		return p->err ? -1 : 0;
	/* the writing end of a pipe without readers polls as an error */
	struct pollfd pfd = {fd, 0, 0};
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
		p->err = EPIPE;
	return p->err ? -1 : 0;
}

int printer_end(struct printer *p)
{
	if (printer_flush(p))
		return -1;
	if (p->fmt == PRINT_NONE)
		fprintf(p->f, "events: %" PRIu64 ", row changes: %" PRIu64 "\n", p->events,
			p->rows);
	errno = 0;
	if (fflush(p->f) != 0 || ferror(p->f))
		p->err = errno ? errno : EIO;
	return p->err ? -1 : 0;
}

int printer_write_status(const struct printer *p, const char *cmd)
{
	if (p->err == EPIPE)
		return PRINT_EPIPE_STATUS;
	fprintf(stderr, "chameleon %s: write error: %s\n", cmd, strerror(p->err));
	return 1;
}

int printer_format_parse(const char *cmd, const char *arg, enum print_format *out)
{
	static const char *const names[] = {"text", "json", "none"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(arg, names[i])) {
			*out = (enum print_format)i;
			return 0;
		}
	fprintf(stderr, "chameleon %s: --format text, json or none, not '%s'\n", cmd,
		arg);
	return -1;
}

/* ---- the live printer: a stream consumer ---- */

struct live_print {
	struct stream *s;
	struct printer pr;
	bool at_commit;		/* the last event (inner ones included) ends a
				   source transaction */
};

static int print_event(void *ctx, const struct stream_event *se)
{
	struct live_print *lp = ctx;
	lp->at_commit = bl_event_tx_mark(se->ev) == BL_TX_COMMIT;
	if (se->replayed || se->heartbeat)
		return 0;
	struct bl_render_ctx rc = {se->file, se->gtid};
	printer_event(&lp->pr, se->ev, &rc);
	return 0;
}

/*
 * Written at each commit, when the source goes quiet, or per 64 KiB.  A
 * reader gone or a full disk ends the command (finish says how); with
 * the source idle, a heartbeat (every second) is when a reader that went
 * away is noticed.
 */
static int print_after(void *ctx, const struct stream_event *se)
{
	struct live_print *lp = ctx;
	if (se->heartbeat && printer_reader_gone(&lp->pr))
		return STREAM_END;
	size_t n = lp->pr.b.n;
	if (!n || (n < FLUSH_AT && !lp->at_commit && stream_pending(lp->s)))
		return 0;
	return printer_flush(&lp->pr) ? STREAM_END : 0;
}

static int print_finish(void *ctx, int status)
{
	struct live_print *lp = ctx;
	if (printer_end(&lp->pr))
		return printer_write_status(&lp->pr, "decode_binlog");
	return status;
}

int cmd_decode_live(const char *config, const char *source, const char *start_file,
		    uint64_t start_pos, const char *gtid, bool stop_at_end,
		    int format)
{
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(config, source, &cfg);
	if (!src)
		return 1;
	struct live_print lp;
	struct consumer k = {&lp, NULL, NULL, print_event, print_after, NULL, print_finish,
			     NULL};
	struct stream s;
	memset(&s, 0, sizeof(s));
	s.src = src;
	s.k = &k;
	s.start_file = start_file;
	s.start_pos = start_pos;
	s.gtid = gtid;
	s.stop_at_end = stop_at_end;
	lp.s = &s;
	lp.at_commit = false;
	printer_init(&lp.pr, stdout, (enum print_format)format);
	int status = stream_run(&s);
	printer_release(&lp.pr);
	config_release(&cfg);
	return status;
}
