/*
 * capture_binlog: the stream consumer that writes the source's binlog
 * into files like the server's (binlog/capture.c does the writing), and
 * the command.  A capture resumes after the last complete event of its
 * directory, also after a lost connection; the events replayed by a
 * reconnection are not written twice.  Decoding and reconnecting are the
 * loop's.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/loop.h"
#include "cmd/source.h"

struct capture {
	struct stream *s;
	const char *dir;
	struct bl_capture *cap;
	struct err e;
};

static int capture_start(void *ctx, struct mp_conn *c, struct bl_pos *at)
{
	struct capture *k = ctx;
	(void)c;
	if (bl_capture_open(&k->cap, k->dir, &k->e)) {
		stream_fail(k->s, "%s", k->e.msg);
		return -1;
	}
	bl_capture_set_checksum(k->cap, k->s->checksum);
	uint64_t rpos;
	if (bl_capture_resume_point(k->cap, at->file, sizeof(at->file), &rpos, &k->e)) {
		stream_fail(k->s, "%s", k->e.msg);
		return -1;
	}
	/* a directory with files goes on with its newest file (--start-file
	 * names the file of a new capture only) */
	if (at->file[0] && !k->s->start_file) {
		at->pos = rpos;
		log_info("capture", "resuming %s/%s at %llu", k->dir, at->file,
			 (unsigned long long)at->pos);
	}
	return 0;
}

static int capture_raw(void *ctx, const struct stream_event *se)
{
	struct capture *k = ctx;
	if (se->replayed)
		return 0;
	if (bl_capture_event(k->cap, se->raw, se->n, &k->e)) {
		stream_fail(k->s, "capture: %s", k->e.msg);
		return STREAM_FAIL;
	}
	return 0;
}

/* After a lost stream: right after the last event written. */
static int capture_restart_from(void *ctx, struct bl_pos *at)
{
	struct capture *k = ctx;
	uint64_t pos;
	const char *file = bl_capture_file(k->cap, &pos);
	bl_pos_set(at, file, pos);
	return 0;
}

static int capture_finish(void *ctx, int status)
{
	struct capture *k = ctx;
	if (bl_capture_sync(k->cap, &k->e)) {
		stream_fail(k->s, "capture: %s", k->e.msg);
		return 1;
	}
	return status;
}

struct capture_args {
	const char *output_dir, *start_file;
	bool stop_at_end;
};

static int capture_opt(void *ctx, int id, const char *arg)
{
	struct capture_args *ca = ctx;
	switch (id) {
	case 'o': ca->output_dir = arg; break;
	case 'f': ca->start_file = arg; break;
	case 'e': ca->stop_at_end = true; break;
	default: return -1;
	}
	return 0;
}

static void capture_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon capture_binlog --config C --source S --output-dir DIR\n"
		"                                [--start-file F] [--stop-at-end]\n"
		"\n"
		"Stream the source's binary log and write it into DIR as files named\n"
		"and split like the server's (byte-identical to them), following\n"
		"rotations.  A second run resumes after the last complete event in\n"
		"DIR.  Without --start-file a new capture starts at the oldest binlog\n"
		"the server has.  --stop-at-end stops at the end of the binlog;\n"
		"otherwise it follows the source until SIGINT or SIGTERM.\n");
}

int cmd_capture_binlog(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"output-dir", true, 'o'},
		{"start-file", true, 'f'},
		{"stop-at-end", false, 'e'},
		{NULL, false, 0},
	};
	struct capture_args ca = {NULL, NULL, false};
	struct cmd_args a;
	int rc = cmd_args_parse(&a, argc, argv, opts, capture_opt, &ca, capture_usage);
	if (rc)
		return rc == CMD_HELP ? 0 : rc;
	if (!ca.output_dir || a.first < argc) {
		fprintf(stderr, "chameleon capture_binlog: --output-dir DIR is required "
				"(and nothing else; see --help)\n");
		return 2;
	}
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(a.config, a.source, &cfg);
	if (!src)
		return 1;
	struct capture k;
	memset(&k, 0, sizeof(k));
	struct consumer cons = {&k, capture_start, capture_raw, NULL, NULL,
				capture_restart_from, capture_finish, NULL};
	struct stream s;
	memset(&s, 0, sizeof(s));
	s.src = src;
	s.k = &cons;
	s.start_file = ca.start_file;
	s.start_pos = 4;
	s.stop_at_end = ca.stop_at_end;
	k.s = &s;
	k.dir = ca.output_dir;
	rc = stream_run(&s);
	bl_capture_close(k.cap);
	config_release(&cfg);
	return rc;
}
