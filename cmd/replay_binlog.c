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
		"                               [--zero-dates null|error|infinity] FILE...\n"
		"\n"
		"Apply the row changes of binlog files to the PostgreSQL of the\n"
		"configuration (pg_conn), into the schemas given by the source's\n"
		"schema_mappings.  PostgreSQL commits only at source transaction\n"
		"boundaries, together with the position reached, which is stored in\n"
		"sch_chameleon.t_sources: running it again skips what was applied.\n"
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

static int replay_opt(void *ctx, int id, const char *arg)
{
	struct rp_opts *o = ctx;
	if (id == 't') {
		o->create_tables = true;
		return 0;
	}
	int z;
	if (cmd_opt_zero_dates("replay_binlog", arg, &z))
		return -1;
	o->conv.zero_dates = (enum rp_zero_date)z;
	return 0;
}

int cmd_replay_binlog(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"create-tables", false, 't'},
		CMD_OPT_ZERO_DATES,
		{NULL, false, 0},
	};
	struct rp_opts o;
	memset(&o, 0, sizeof(o));
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, opts, replay_opt, &o, usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	const char *config = a.config, *source = a.source;
	int first = a.first;
	if (first >= argc) {
		fprintf(stderr, "chameleon replay_binlog: no binlog files given (see --help)\n");
		return 2;
	}
	struct config cfg;
	if (cmd_config_open(config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, source);
	if (!src) {
		config_release(&cfg);
		return 1;
	}
	struct rp_mapping *maps = calloc(src->n_mappings ? src->n_mappings : 1, sizeof(*maps));
	for (size_t i = 0; i < src->n_mappings; i++) {
		maps[i].mysql_schema = src->mappings[i].mysql_schema;
		maps[i].pg_schema = src->mappings[i].pg_schema;
	}
	char *conninfo = config_pg_conninfo(&cfg);
	o.conninfo = conninfo;
	o.source = src->name;
	o.mappings = maps;
	o.n_mappings = src->n_mappings;
	o.max_rows = src->replay_max_rows;
	cmd_source_filters(src, &o);
	o.stop_on_error = !strcmp(src->on_error_replay, "exit");
	int status = 1;
	struct err e = {0};
	struct rp_sink *sink = NULL;
	struct bl_decoder *d = bl_decoder_new(0);
	if (rp_sink_open(&sink, &o, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	const char *pf;
	uint64_t pp;
	rp_sink_position(sink, &pf, &pp);
	if (pf[0])
		log_info("replay", "source '%s' applied up to %s:%llu", src->name, pf,
			 (unsigned long long)pp);
	/* a refused change takes its table out of replication: the files are
	 * read again from the committed position (what is done is skipped) */
	for (int round = 0;; round++) {
		if (round > 1000) {
			fprintf(stderr, "chameleon: too many tables taken out of replication\n");
			goto out;
		}
		bool again = false;
		for (int i = first; i < argc && !again; i++) {
			struct bl_file *f;
			if (bl_file_open(&f, argv[i], &e)) {
				fprintf(stderr, "%s: %s\n", argv[i], e.msg);
				goto out;
			}
			const char *name = base_name(argv[i]);
			int rc;
			const uint8_t *p;
			size_t n;
			uint64_t pos;
			while ((rc = bl_file_next(f, &p, &n, &pos, &e)) == 1) {
				struct bl_event ev;
				if (bl_decode(d, p, n, pos, &ev)) {
					const struct err *de = bl_decoder_err(d);
					fprintf(stderr, "%s: offset %llu: %s\n", argv[i],
						(unsigned long long)de->off, de->msg);
					rc = -1;
					break;
				}
				rc = rp_sink_event(sink, &ev, name, &e);
				while (!rc && bl_decoder_next_inner(d, &ev) == 1)
					rc = rp_sink_event(sink, &ev, name, &e);
				if (rc == RP_RESTART) {
					log_warn("replay", "%s", e.msg);
					again = true;
					break;
				}
				if (rc) {
					fprintf(stderr, "chameleon: %s: %s\n", argv[i], e.msg);
					rc = -2;	/* reported */
					break;
				}
			}
			if (rc == -2)
				rc = -1;
			else if (rc < 0 && e.code)	/* a read error of the file */
				fprintf(stderr, "%s: %s\n", argv[i], e.msg);
			bl_file_close(f);
			if (rc < 0)
				goto out;
		}
		if (!again) {
			int frc = rp_sink_finish(sink, &e);
			if (frc == RP_RESTART) {
				log_warn("replay", "%s", e.msg);
				again = true;
			} else if (frc) {
				fprintf(stderr, "chameleon: %s\n", e.msg);
				goto out;
			}
		}
		if (!again)
			break;
		bl_decoder_free(d);
		d = bl_decoder_new(0);
	}
	const struct rp_stats *st = rp_sink_stats(sink);
	printf("applied %llu row changes (%llu inserts, %llu updates, %llu deletes) in %llu "
	       "PostgreSQL transactions; %llu events already applied were skipped; "
	       "%llu zero dates stored as NULL; %llu tables taken out of replication\n",
	       (unsigned long long)st->rows, (unsigned long long)st->inserts,
	       (unsigned long long)st->updates, (unsigned long long)st->deletes,
	       (unsigned long long)st->commits, (unsigned long long)st->skipped,
	       (unsigned long long)st->zero_dates, (unsigned long long)st->disabled);
	status = 0;
out:
	rp_sink_close(sink);
	bl_decoder_free(d);
	free(conninfo);
	free(maps);
	config_release(&cfg);
	return status;
}
