/*
 * chameleon decode_binlog: print the events of binlog files as text
 * (like mysqlbinlog -v) or JSON lines.  Files are read in order and a
 * later file continues the earlier one's table maps.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "binlog/binlog.h"
#include "cmd/cmd.h"

enum out_format { FMT_TEXT, FMT_JSON, FMT_NONE };

struct dopts {
	enum out_format fmt;
	uint64_t start, stop;	/* stop 0 = no limit */
	unsigned flags;
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
		"before it), 2 on a usage error.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

struct out {
	struct buf b;
	bool failed;
};

static void out_flush(struct out *o)
{
	if (o->b.n && !o->failed) {
		if (fwrite(o->b.p, 1, o->b.n, stdout) != o->b.n)
			o->failed = true;
	}
	buf_reset(&o->b);
}

struct counts {
	uint64_t events, rows;
};

static void report(const char *path, const struct err *e)
{
	if (e->has_off)
		fprintf(stderr, "%s: offset %llu: %s\n", path,
			(unsigned long long)e->off, e->msg);
	else
		fprintf(stderr, "%s: %s\n", path, e->msg);
}

static void emit(struct out *o, const struct dopts *op, const struct bl_event *ev,
		 const struct bl_render_ctx *ctx, struct counts *cnt)
{
	cnt->events++;
	if (bl_event_is_rows(ev->h.type))
		cnt->rows += ev->rows.nrows;
	if (op->fmt == FMT_JSON)
		bl_render_json(&o->b, ev, ctx);
	else if (op->fmt == FMT_TEXT)
		bl_render_text(&o->b, ev, ctx);
	if (o->b.n >= (1u << 16))
		out_flush(o);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int decode_file(struct bl_decoder *d, const char *path, bool first,
		       bool last, const struct dopts *op, struct out *o,
		       struct counts *cnt)
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
	for (;;) {
		const uint8_t *p;
		size_t n;
		uint64_t pos;
		int rc = bl_file_next(f, &p, &n, &pos, &e);
		if (rc == 0)
			break;
		if (rc < 0) {
			out_flush(o);
			report(path, &e);
			status = 1;
			break;
		}
		if (last && op->stop && pos >= op->stop)
			break;
		struct bl_event ev;
		rc = bl_decode(d, p, n, pos, &ev);
		if (rc) {
			out_flush(o);
			report(path, bl_decoder_err(d));
			status = 1;
			break;
		}
		ctx.gtid = bl_decoder_gtid(d);
		bool show = seeked || ev.h.type == BL_FORMAT_DESCRIPTION_EVENT;
		if (show)
			emit(o, op, &ev, &ctx, cnt);
		while ((rc = bl_decoder_next_inner(d, &ev)) == 1) {
			ctx.gtid = bl_decoder_gtid(d);
			emit(o, op, &ev, &ctx, cnt);
		}
		if (rc < 0) {
			out_flush(o);
			report(path, bl_decoder_err(d));
			status = 1;
			break;
		}
		if (!seeked && ev.h.type == BL_FORMAT_DESCRIPTION_EVENT) {
			/* the format is known: jump to the requested position */
			if (bl_file_seek(f, op->start, &e)) {
				report(path, &e);
				status = 1;
				break;
			}
			seeked = true;
		}
	}
	bl_file_close(f);
	out_flush(o);
	return status;
}

int cmd_decode_binlog(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"start-position", required_argument, NULL, 's'},
		{"stop-position", required_argument, NULL, 'S'},
		{"no-verify-checksum", no_argument, NULL, 'n'},
		{"config", required_argument, NULL, 'c'},
		{"source", required_argument, NULL, 'o'},
		{"start-file", required_argument, NULL, 'F'},
		{"gtid", required_argument, NULL, 'g'},
		{"stop-at-end", no_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dopts op = {FMT_TEXT, 0, 0, 0};
	const char *config = NULL, *source = NULL, *start_file = NULL, *gtid = NULL;
	bool stop_at_end = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				op.fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				op.fmt = FMT_JSON;
			else if (!strcmp(optarg, "none"))
				op.fmt = FMT_NONE;
			else {
				fprintf(stderr, "decode_binlog: unknown format '%s' "
						"(text, json or none)\n", optarg);
				return 2;
			}
			break;
		case 's':
			if (parse_u64(optarg, &op.start)) {
				fprintf(stderr, "decode_binlog: bad --start-position '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			if (parse_u64(optarg, &op.stop)) {
				fprintf(stderr, "decode_binlog: bad --stop-position '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			op.flags |= BL_NO_VERIFY_CHECKSUM;
			break;
		case 'c':
			config = optarg;
			break;
		case 'o':
			source = optarg;
			break;
		case 'F':
			start_file = optarg;
			break;
		case 'g':
			gtid = optarg;
			break;
		case 'e':
			stop_at_end = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (config || source) {
		if (optind < argc) {
			fprintf(stderr, "decode_binlog: give files or --config/--source, "
					"not both\n");
			return 2;
		}
		return cmd_decode_live(config ? config : "default", source, start_file,
				       op.start, gtid, stop_at_end, (int)op.fmt);
	}
	if (start_file || gtid || stop_at_end) {
		fprintf(stderr, "decode_binlog: --start-file, --gtid and --stop-at-end "
				"need --config/--source\n");
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "decode_binlog: no binlog file given\n");
		usage(stderr);
		return 2;
	}
	struct bl_decoder *d = bl_decoder_new(op.flags);
	struct out o;
	buf_init(&o.b, 0);
	o.failed = false;
	struct counts cnt = {0, 0};
	int status = 0;
	for (int i = optind; i < argc; i++)
		status |= decode_file(d, argv[i], i == optind, i == argc - 1, &op,
				      &o, &cnt);
	if (op.fmt == FMT_NONE)
		printf("events: %" PRIu64 ", row changes: %" PRIu64 "\n",
		       cnt.events, cnt.rows);
	buf_release(&o.b);
	bl_decoder_free(d);
	if (fflush(stdout) != 0 || o.failed) {
		fprintf(stderr, "decode_binlog: write error: %s\n", strerror(errno));
		return 1;
	}
	return status;
}
