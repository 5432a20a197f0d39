/*
 * chameleon decode_binlog: print the events of binlog files as text
 * (like mysqlbinlog -v) or JSON lines.  Files are read in order and a
 * later file continues the earlier one's table maps.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "binlog/binlog.h"
#include "cmd/cmd.h"
#include "cmd/print.h"

struct dopts {
	enum print_format fmt;
	uint64_t start, stop;	/* stop 0 = no limit */
	unsigned flags;
	const char *start_file, *gtid;	/* live mode */
	bool stop_at_end;		/* live mode */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon decode_binlog [options] FILE...\n"
		"       chameleon decode_binlog --config C --source S [--start-file F\n"
		"                 --start-position P | --gtid SET] [--stop-at-end] [options]\n"
		"\n"
		"Print every event of MySQL/MariaDB binlog files, in order; a later\n"
		"file continues the table maps of the earlier one.  With --config or\n"
		"--source, read the live binlog stream of that source instead (from\n"
		"the oldest binlog it has unless --start-file or --gtid is given) and\n"
		"follow it until SIGINT/SIGTERM, or until its end with --stop-at-end.\n"
		"\n"
		"options:\n"
		"  --format text|json|none  text (default) reads like mysqlbinlog -v;\n"
		"                           json prints one object per row change or event;\n"
		"                           none decodes without output (prints counts)\n"
		"  --start-position N       start at byte N of the first file\n"
		"  --stop-position N        stop before the event at byte N or later of\n"
		"                           the last file\n"
		"  --no-verify-checksum     do not verify event CRC32 checksums\n"
		"  --config NAME|PATH       configuration (live mode; default 'default')\n"
		"  --source NAME            source in the configuration (live mode)\n"
		"  --start-file F           live mode: binlog file to start from\n"
		"  --gtid SET               live mode: start after this GTID set\n"
		"  --stop-at-end            live mode: stop at the end of the binlog\n"
		"  -h, --help               show this help\n"
		"\n"
		"Exit status: 0 when every file decoded cleanly, 1 on a decoding error\n"
		"(reported as FILE: offset N: what was wrong, after everything decoded\n"
		"before it) or a write error, 141 when the reader of the output went\n"
		"away (decode_binlog ... | head), 2 on a usage error.\n");
}

static void report(const char *path, const struct err *e)
{
	if (e->has_off)
		fprintf(stderr, "%s: offset %llu: %s\n", path,
			(unsigned long long)e->off, e->msg);
	else
		fprintf(stderr, "%s: %s\n", path, e->msg);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Render one event, written out per 64 KiB (a transaction payload may
 * hold a great many events). */
static void show(struct bl_decoder *d, struct printer *pr, const struct bl_event *ev,
		 struct bl_render_ctx *ctx)
{
	ctx->gtid = bl_decoder_gtid(d);
	printer_event(pr, ev, ctx);
	if (pr->b.n >= (1u << 16))
		printer_flush(pr);
}

/* Print one event (unless !shown) and the inner events of a payload: 0,
 * or -1 when the decoder failed (reported). */
static int print_one(struct bl_decoder *d, struct printer *pr, const char *path,
		     struct bl_event *ev, bool shown, struct bl_render_ctx *ctx)
{
	if (shown)
		show(d, pr, ev, ctx);
	int rc;
	while ((rc = bl_decoder_next_inner(d, ev)) == 1)
		show(d, pr, ev, ctx);
	if (rc < 0) {
		printer_flush(pr);
		report(path, bl_decoder_err(d));
		return -1;
	}
	return 0;
}

/* One file: 0 decoded, 1 a decoding error (reported); the loop also ends
 * at a write error (pr->err). */
static int decode_file(struct bl_decoder *d, const char *path, bool first,
		       bool last, const struct dopts *op, struct printer *pr)
{
	struct err e = {0};
	struct bl_file *f;
	if (bl_file_open(&f, path, &e)) {
		report(path, &e);
		return 1;
	}
	struct bl_render_ctx ctx = {base_name(path), NULL};
	bool seeked = !(first && op->start > 4);
	int status = 0;
	while (!status && !pr->err) {
		const uint8_t *p;
		size_t n;
		uint64_t pos;
		int rc = bl_file_next(f, &p, &n, &pos, &e);
		if (rc == 0 || (rc > 0 && last && op->stop && pos >= op->stop))
			break;
		struct bl_event ev;
		if (rc < 0 || bl_decode(d, p, n, pos, &ev)) {
			printer_flush(pr);
			report(path, rc < 0 ? &e : bl_decoder_err(d));
			status = 1;
			break;
		}
		bool fde = ev.h.type == BL_FORMAT_DESCRIPTION_EVENT;
		if (print_one(d, pr, path, &ev, seeked || fde, &ctx))
			status = 1;
		else if (!seeked && fde) {
			/* the format is known: jump to the requested position */
			if (bl_file_seek(f, op->start, &e)) {
				report(path, &e);
				status = 1;
			}
			seeked = true;
		}
	}
	bl_file_close(f);
	printer_flush(pr);
	return status;
}

static int decode_opt(void *ctx, int id, const char *arg)
{
	struct dopts *op = ctx;
	long v;
	switch (id) {
	case 'f':
		return printer_format_parse("decode_binlog", arg, &op->fmt);
	case 's':
	case 'S':
		if (cmd_opt_long("decode_binlog", id == 's' ? "start-position" : "stop-position",
				 arg, 0, LONG_MAX, &v))
			return -1;
		*(id == 's' ? &op->start : &op->stop) = (uint64_t)v;
		return 0;
	case 'n':
		op->flags |= BL_NO_VERIFY_CHECKSUM;
		return 0;
	case 'F':
		op->start_file = arg;
		return 0;
	case 'g':
		op->gtid = arg;
		return 0;
	case 'e':
		op->stop_at_end = true;
		return 0;
	}
	return -1;
}

/* Offline: the files in order, a later one continuing the table maps. */
static int decode_files(int n, char **files, const struct dopts *op)
{
	struct bl_decoder *d = bl_decoder_new(op->flags);
	struct printer pr;
	printer_init(&pr, stdout, op->fmt);
	int status = 0;
	for (int i = 0; i < n && !pr.err; i++)
		status |= decode_file(d, files[i], i == 0, i == n - 1, op, &pr);
	if (printer_end(&pr))
		status = printer_write_status(&pr, "decode_binlog");
	printer_release(&pr);
	bl_decoder_free(d);
	return status;
}

int cmd_decode_binlog(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"format", true, 'f'},
		{"start-position", true, 's'},
		{"stop-position", true, 'S'},
		{"no-verify-checksum", false, 'n'},
		{"start-file", true, 'F'},
		{"gtid", true, 'g'},
		{"stop-at-end", false, 'e'},
		{NULL, false, 0},
	};
	struct dopts op;
	memset(&op, 0, sizeof(op));
	op.fmt = PRINT_TEXT;
	struct cmd_args a;
	int rc = cmd_args_parse(&a, argc, argv, opts, decode_opt, &op, usage);
	if (rc)
		return rc == CMD_HELP ? 0 : rc;
	if (a.config_given || a.source) {
		if (a.first < argc) {
			fprintf(stderr, "chameleon decode_binlog: give files or --config/--source, "
					"not both\n");
			return 2;
		}
		return cmd_decode_live(a.config, a.source, op.start_file, op.start, op.gtid,
				       op.stop_at_end, (int)op.fmt);
	}
	if (op.start_file || op.gtid || op.stop_at_end) {
		fprintf(stderr, "chameleon decode_binlog: --start-file, --gtid and --stop-at-end "
				"need --config/--source\n");
		return 2;
	}
	if (a.first >= argc) {
		fprintf(stderr, "chameleon decode_binlog: no binlog file given (see --help)\n");
		return 2;
	}
	return decode_files(argc - a.first, argv + a.first, &op);
}
