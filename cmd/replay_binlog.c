/*
 * chameleon replay_binlog: apply binlog files (captured with
 * capture_binlog, or copied from a server) to PostgreSQL with the
 * replication apply path; the position stored in the catalog makes a
 * second run of the same files apply nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "binlog/binlog.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/source.h"
#include "replay/replay.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon replay_binlog --config C --source S [--create-tables]\n"
		"                               [--zero-dates infinity|null|error]\n"
		"                               [--text-nul replace|strip|error] FILE...\n"
		"\n"
		"Apply the row changes of binlog files to the PostgreSQL of the\n"
		"configuration (pg_conn), into the schemas given by the source's\n"
		"schema_mappings.  PostgreSQL commits only at source transaction\n"
		"boundaries, together with the position reached, which is stored in\n"
		"sch_chameleon.t_sources: running it again skips what was applied.\n"
		"DDL of replicated tables (CREATE, ALTER, RENAME, DROP, TRUNCATE\n"
		"TABLE, CREATE/DROP INDEX) is applied in the same transaction as\n"
		"the position after it (docs/ddl.md); a table whose rows PostgreSQL\n"
		"cannot bring to the source's is taken out until copied again.\n"
		"--create-tables creates missing tables from the table maps (needs\n"
		"binlog_row_metadata=FULL).  A change PostgreSQL refuses takes its\n"
		"table out of replication (sch_chameleon.t_disabled_tables, the error\n"
		"in t_error_log) and the rest goes on; with on_error_replay: exit the\n"
		"run stops instead.\n");
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The command line: the conversion policies override the source's (-1: not given). */
struct replay_args {
	bool create_tables;
	int zero_dates, text_nul;
};

static int replay_opt(void *ctx, int id, const char *arg)
{
	struct replay_args *r = ctx;
	if (id == 't') {
		r->create_tables = true;
		return 0;
	}
	if (id == 0x746e)	/* CMD_OPT_TEXT_NUL */
		return cmd_opt_text_nul("replay_binlog", arg, &r->text_nul);
	return cmd_opt_zero_dates("replay_binlog", arg, &r->zero_dates);
}

/* One event and its inner events into the sink: 0, RP_RESTART (a table
 * was taken out of replication), or -1 (said). */
static int apply_event(struct rp_sink *sink, struct bl_decoder *d, const char *path,
		       const uint8_t *p, size_t n, uint64_t pos, struct err *e)
{
	struct bl_event ev;
	int inner = 0;
	int rc = bl_decode(d, p, n, pos, &ev);
	if (!rc) {
		rc = rp_sink_event(sink, &ev, base_name(path), e);
		while (!rc && (inner = bl_decoder_next_inner(d, &ev)) == 1)
			rc = rp_sink_event(sink, &ev, base_name(path), e);
		if (rc == RP_COPY) {
			/* no snapshot to copy from here: said, left out */
			const char *t = rp_sink_copies(sink);
			log_warn("replay", "%s: DDL PostgreSQL cannot reproduce; out of "
					   "replication until copied again (start_replica "
					   "copies it when it starts, or sync_tables "
					   "--tables %s)", t, t);
			rc = 0;
		}
		if (rc == RP_RESTART) {
			log_warn("replay", "%s", e->msg);
			return RP_RESTART;
		}
		if (rc) {
			fprintf(stderr, "chameleon: %s: %s\n", path, e->msg);
			return -1;
		}
	}
	if (rc || inner < 0) {
		const struct err *de = bl_decoder_err(d);
		fprintf(stderr, "%s: offset %llu: %s\n", path, (unsigned long long)de->off,
			de->msg);
		return -1;
	}
	return 0;
}

/* The events of one file: 0, RP_RESTART or -1 (said). */
static int apply_file(struct rp_sink *sink, struct bl_decoder *d, const char *path,
		      struct err *e)
{
	struct bl_file *f;
	if (bl_file_open(&f, path, e)) {
		fprintf(stderr, "%s: %s\n", path, e->msg);
		return -1;
	}
	int rc = 0, got = 0;
	const uint8_t *p;
	size_t n;
	uint64_t pos;
	while (!rc && (got = bl_file_next(f, &p, &n, &pos, e)) == 1)
		rc = apply_event(sink, d, path, p, n, pos, e);
	if (!rc && got < 0) {
		fprintf(stderr, "%s: %s\n", path, e->msg);
		rc = -1;
	}
	bl_file_close(f);
	return rc;
}

/*
 * The files in order, then the final commit.  A refused change takes its
 * table out of replication: the files are read again from the committed
 * position (what is done is skipped).  0 or -1 (said).
 */
static int apply_files(struct rp_sink *sink, int nfiles, char **files)
{
	struct bl_decoder *d = bl_decoder_new(0);
	struct err e = {0};
	int rc;
	for (int round = 0;; round++) {
		if (round > 1000) {
			fprintf(stderr, "chameleon: too many tables taken out of replication\n");
			rc = -1;
			break;
		}
		rc = 0;
		for (int i = 0; i < nfiles && !rc; i++)
			rc = apply_file(sink, d, files[i], &e);
		if (!rc) {
			rc = rp_sink_finish(sink, &e);
			if (rc == RP_RESTART)
				log_warn("replay", "%s", e.msg);
			else if (rc)
				fprintf(stderr, "chameleon: %s\n", e.msg);
		}
		if (rc != RP_RESTART)
			break;
		bl_decoder_free(d);
		d = bl_decoder_new(0);
		err_clear(&e);
	}
	bl_decoder_free(d);
	return rc ? -1 : 0;
}

static void print_stats(const struct rp_stats *st)
{
	printf("applied %llu row changes (%llu inserts, %llu updates, %llu deletes) in %llu "
	       "PostgreSQL transactions; %llu events already applied were skipped; "
	       "%llu zero dates stored per the zero_dates policy; %llu tables taken out of replication\n",
	       (unsigned long long)st->rows, (unsigned long long)st->inserts,
	       (unsigned long long)st->updates, (unsigned long long)st->deletes,
	       (unsigned long long)st->commits, (unsigned long long)st->skipped,
	       (unsigned long long)st->zero_dates, (unsigned long long)st->disabled);
}

int cmd_replay_binlog(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"create-tables", false, 't'},
		CMD_OPT_ZERO_DATES,
		CMD_OPT_TEXT_NUL,
		{NULL, false, 0},
	};
	struct rp_opts o;
	memset(&o, 0, sizeof(o));
	struct replay_args ra = {false, -1, -1};
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, opts, replay_opt, &ra, usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	if (a.first >= argc) {
		fprintf(stderr, "chameleon replay_binlog: no binlog files given (see --help)\n");
		return 2;
	}
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(a.config, a.source, &cfg);
	if (!src)
		return 1;
	char *conninfo = config_pg_conninfo(&cfg);
	cmd_source_rp_opts(src, conninfo, &o);
	cmd_source_ddl_opts(&cfg, src, &o);
	o.create_tables = ra.create_tables;
	if (ra.zero_dates >= 0)
		o.conv.zero_dates = (enum rp_zero_date)ra.zero_dates;
	if (ra.text_nul >= 0)
		o.conv.text_nul = (enum rp_text_nul)ra.text_nul;
	int status = 1;
	struct err e = {0};
	struct rp_sink *sink = NULL;
	if (rp_sink_open(&sink, &o, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
	} else {
		const char *pf;
		uint64_t pp;
		rp_sink_position(sink, &pf, &pp);
		if (pf[0])
			log_info("replay", "source '%s' applied up to %s:%llu", src->name, pf,
				 (unsigned long long)pp);
		if (apply_files(sink, argc - a.first, argv + a.first) == 0) {
			print_stats(rp_sink_stats(sink));
			status = 0;
		}
	}
	rp_sink_close(sink);
	cmd_source_rp_opts_release(&o);
	free(conninfo);
	config_release(&cfg);
	return status;
}
