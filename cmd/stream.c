/*
 * Live binlog streams: decode_binlog --config/--source (the same output
 * as the offline decoder, from the server) and capture_binlog (the
 * stream written back into files like the server's).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/buf.h"
#include "base/log.h"
#include "binlog/binlog.h"
#include "cmd/cmd.h"
#include "cmd/daemon.h"
#include "cmd/source.h"
#include "mysqlproto/mysqlproto.h"
#include "replay/replay.h"
#include <time.h>

/* The oldest binlog file the server still has. */
static int first_binlog(struct mp_conn *c, char *out, size_t n)
{
	bool found;
	struct mp_result r;
	if (mp_query(c, "SHOW BINARY LOGS", &r)) {
		fprintf(stderr, "chameleon: SHOW BINARY LOGS: %s\n", c->err.msg);
		if (r.mem)
			mp_result_release(c, &r);
		return -1;
	}
	struct mp_row row;
	found = mp_result_next(c, &r, &row) == 1;
	if (found)
		snprintf(out, n, "%.*s", (int)row.values[0].n,
			 (const char *)row.values[0].p);
	mp_result_release(c, &r);
	if (!found) {
		fprintf(stderr, "chameleon: the server has no binary logs\n");
		return -1;
	}
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/*
 * MySQL GTID set text ("uuid:1-5:7,uuid2:1-3") to the binary SID block of
 * COM_BINLOG_DUMP_GTID: n_sids(8), then uuid(16) n_intervals(8) and
 * intervals (start, end + 1) of 8 bytes each.
 */
static int encode_gtid_set(const char *text, struct buf *out)
{
	buf_put_u64le(out, 0);
	uint64_t nsids = 0;
	const char *s = text;
	while (*s) {
		while (*s == ' ' || *s == ',' || *s == '\n')
			s++;
		if (!*s)
			break;
		uint8_t uuid[16];
		int k = 0;
		while (*s && *s != ':' && k < 32) {
			if (*s == '-') {
				s++;
				continue;
			}
			int hi = hexval(s[0]), lo = s[1] ? hexval(s[1]) : -1;
			if (hi < 0 || lo < 0)
				return -1;
			uuid[k / 2] = (uint8_t)(hi << 4 | lo);
			k += 2;
			s += 2;
		}
		if (k != 32 || *s != ':')
			return -1;
		buf_put(out, uuid, 16);
		size_t count_at = out->n;
		buf_put_u64le(out, 0);
		uint64_t nint = 0;
		while (*s == ':') {
			s++;
			char *end;
			unsigned long long a = strtoull(s, &end, 10), b = a;
			if (end == s)
				return -1;	/* tags are not supported here */
			s = end;
			if (*s == '-') {
				s++;
				b = strtoull(s, &end, 10);
				if (end == s)
					return -1;
				s = end;
			}
			buf_put_u64le(out, a);
			buf_put_u64le(out, b + 1);
			nint++;
		}
		for (int i = 0; i < 8; i++)
			out->p[count_at + i] = (uint8_t)(nint >> (8 * i));
		nsids++;
	}
	for (int i = 0; i < 8; i++)
		out->p[i] = (uint8_t)(nsids >> (8 * i));
	return 0;
}

struct live {
	const char *config, *source, *start_file, *gtid;
	uint64_t start_pos;
	bool stop_at_end;
	int format;	/* 0 text, 1 json, 2 none */
	const char *output_dir;
	bool replicate;		/* start_replica: apply to PostgreSQL */
	bool create_tables;
	bool foreground;
};

/* The source's current binlog position. */
static int current_position(struct mp_conn *c, char *file, size_t n, uint64_t *pos)
{
	struct mp_position sp;
	if (mp_source_position(c, &sp)) {
		fprintf(stderr, "chameleon: cannot read the source's binlog position: %s\n",
			c->err.msg);
		return -1;
	}
	snprintf(file, n, "%s", sp.file);
	*pos = sp.pos;
	return 0;
}

static int start_dump(struct mp_conn *c, const struct cfg_source *src,
		      const struct live *lv, const char *file, uint64_t pos,
		      struct buf *gtidbuf)
{
	struct mp_dump d;
	memset(&d, 0, sizeof(d));
	d.server_id = src->my_server_id;
	d.file = file;
	d.pos = pos;
	d.stop_at_end = lv->stop_at_end;
	d.annotate_rows = true;
	d.heartbeat_ms = 1000;
	if (lv->gtid) {
		if (c->is_mariadb) {
			d.maria_gtid = lv->gtid;
			d.file = "";
			d.pos = 4;
		} else {
			if (encode_gtid_set(lv->gtid, gtidbuf)) {
				fprintf(stderr, "chameleon: bad GTID set '%s'\n", lv->gtid);
				return -1;
			}
			d.mysql_gtid_set = gtidbuf->p;
			d.mysql_gtid_set_len = gtidbuf->n;
			d.file = "";
		}
	}
	if (mp_binlog_dump(c, &d)) {
		fprintf(stderr, "chameleon: cannot start the binlog dump: %s\n",
			c->err.msg);
		return -1;
	}
	log_info("mysql", "streaming from %s:%llu%s%s", d.file && *d.file ? d.file : "(gtid)",
		 (unsigned long long)d.pos, lv->gtid ? " gtid " : "",
		 lv->gtid ? lv->gtid : "");
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

/* The error that ended a run, kept for the catalog (status 'error'). */
static char run_error[256];

static void fail(const char *fmt, ...) PRINTF(1, 2);
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run_error, sizeof(run_error), fmt, ap);
	va_end(ap);
	size_t n = strlen(run_error);
	while (n && run_error[n - 1] == '\n')
		run_error[--n] = 0;
	fprintf(stderr, "chameleon: %s\n", run_error);
}

/*
 * The source's status in the catalog: 'running' while start_replica runs,
 * 'stopped' after a clean stop, 'error' with the message otherwise (as
 * pg_chameleon; enable_replica clears it).  Failures are logged only:
 * the status is information, not part of the data path.
 */
static void set_status(const char *conninfo, const char *source, const char *status,
		       const char *error)
{
	struct rp_catalog *cat;
	struct err e = {0};
	if (rp_catalog_open(&cat, conninfo, &e) ||
	    rp_catalog_source_set_status(cat, source, status, error, &e))
		log_warn("replica", "cannot record the status '%s': %s", status, e.msg);
	rp_catalog_close(cat);
}

/* start_replica refuses a source in error, as pg_chameleon does. */
static int check_status(const char *conninfo, const char *source)
{
	struct rp_catalog *cat;
	struct err e = {0};
	struct rp_source_state st;
	if (rp_catalog_open(&cat, conninfo, &e) ||
	    rp_catalog_source_get(cat, source, &st, &e)) {
		rp_catalog_close(cat);
		fprintf(stderr, "chameleon: %s\n", e.msg);
		return -1;
	}
	rp_catalog_close(cat);
	if (st.found && !strcmp(st.status, "error")) {
		fprintf(stderr, "chameleon: source '%s' stopped on an error (%.*s); "
				"run enable_replica once it is fixed\n", source,
			(int)strcspn(st.error, "\n"), st.error);
		return -1;
	}
	return 0;
}

static int run_live(const struct live *lv, bool capture)
{
	struct config cfg;
	if (cmd_config_open(lv->config, &cfg))
		return 1;
	int status = 1;
	struct mp_conn c;
	struct bl_decoder *d = NULL;
	struct bl_capture *cap = NULL;
	struct buf out, gtidbuf;
	buf_init(&out, 0);
	buf_init(&gtidbuf, 0);
	const struct cfg_source *src = cmd_source_find(&cfg, lv->source);
	if (!src) {
		config_release(&cfg);
		return 1;
	}
	daemon_signals_install();
	char *conninfo = lv->replicate ? config_pg_conninfo(&cfg) : NULL;
	if ((conninfo && check_status(conninfo, src->name)) ||
	    cmd_source_connect(src, &c, 30000)) {
		free(conninfo);
		config_release(&cfg);
		return 1;
	}
	char file[256] = "";
	uint64_t pos = lv->start_pos ? lv->start_pos : 4;
	struct err e = {0};
	struct rp_sink *sink = NULL;
	struct rp_mapping *maps = NULL;
	int64_t last_commit = clock_ms();
	bool running = false;	/* status 'running' recorded */
	run_error[0] = 0;
	struct rp_opts ro;
	memset(&ro, 0, sizeof(ro));
	if (lv->replicate) {
		maps = calloc(src->n_mappings ? src->n_mappings : 1, sizeof(*maps));
		for (size_t i = 0; i < src->n_mappings; i++) {
			maps[i].mysql_schema = src->mappings[i].mysql_schema;
			maps[i].pg_schema = src->mappings[i].pg_schema;
		}
		ro.conninfo = conninfo;
		ro.source = src->name;
		ro.mappings = maps;
		ro.n_mappings = src->n_mappings;
		ro.max_rows = src->replay_max_rows;
		ro.create_tables = lv->create_tables;
		ro.stop_on_error = !strcmp(src->on_error_replay, "exit");
		cmd_source_filters(src, &ro);
		if (rp_sink_open(&sink, &ro, &e)) {
			fail("%s\n", e.msg);
			goto out;
		}
		set_status(conninfo, src->name, "running", NULL);
		running = true;
		const char *pf;
		uint64_t pp;
		rp_sink_position(sink, &pf, &pp);
		if (pf[0]) {
			snprintf(file, sizeof(file), "%s", pf);
			pos = pp;
			log_info("replica", "resuming at %s:%llu", file, (unsigned long long)pos);
		} else if (current_position(&c, file, sizeof(file), &pos)) {
			goto out;
		} else {
			log_info("replica", "no position stored: starting at the source's "
					    "current position %s:%llu", file, (unsigned long long)pos);
			/* recorded now: a restart resumes here even if nothing
			 * was applied before it */
			if (rp_sink_start_at(sink, file, pos, &e)) {
				fail("%s\n", e.msg);
				goto out;
			}
		}
	}
	if (capture) {
		if (bl_capture_open(&cap, lv->output_dir, &e)) {
			fail("%s\n", e.msg);
			goto out;
		}
		bl_capture_set_checksum(cap, checksum_on(&c));
		uint64_t rpos;
		if (bl_capture_resume_point(cap, file, sizeof(file), &rpos, &e)) {
			fail("%s\n", e.msg);
			goto out;
		}
		if (file[0] && !lv->start_file) {
			pos = rpos;
			log_info("capture", "resuming %s/%s at %llu", lv->output_dir, file,
				 (unsigned long long)pos);
		}
	}
	if (!file[0] && lv->start_file)
		snprintf(file, sizeof(file), "%s", lv->start_file);
	if (!file[0] && !lv->gtid && first_binlog(&c, file, sizeof(file)))
		goto out;
	d = bl_decoder_new(0);
	if (checksum_on(&c))
		bl_decoder_set_checksum(d, BL_CHECKSUM_CRC32);
	if (start_dump(&c, src, lv, file, pos, &gtidbuf))
		goto out;
	struct bl_render_ctx ctx = {file, NULL};
	/*
	 * Resuming after a lost connection or a server restart: decoding
	 * restarts at the end of the last complete transaction (so that its
	 * table maps are seen again) and events already printed are not
	 * printed twice; a capture restarts after its last written event.
	 */
	char bfile[256];
	uint64_t bpos = pos;
	snprintf(bfile, sizeof(bfile), "%s", file);
	char seen_file[256] = "";
	uint64_t seen_end = 0;
	bool in_tx = false, resumed = false;
	int retries = 0;
	uint64_t n_events = 0, n_rows = 0;	/* for --format none */
	for (;;) {
		if (daemon_stop_requested) {
			status = 0;
			break;
		}
		const uint8_t *p;
		size_t n;
		int rc = mp_binlog_next(&c, &p, &n);
		if (rc == 0 && lv->stop_at_end) {
			status = 0;
			break;
		}
		if (rc == 0) {
			/* an end of stream we did not ask for: the server is going away */
			err_set(&c.err, ERR_IO, "the server ended the binlog stream");
			rc = -ERR_IO;
		}
		if (rc < 0) {
			if (daemon_stop_requested) {
				status = 0;
				break;
			}
			/* server errors other than a lost connection are final */
			bool lost = c.err.code == ERR_IO || c.err.code == ERR_TIMEOUT ||
				    strstr(c.err.msg, "shutdown") != NULL;
			if (!lost || ++retries > 30) {
				fail("binlog stream: %s\n", c.err.msg);
				break;
			}
			log_warn("mysql", "binlog stream lost (%s); reconnecting (attempt %d of 30)",
				 c.err.msg, retries);
			mp_close(&c);
			unsigned delay = retries < 5 ? 1u << (retries - 1) : 10;
			for (unsigned i = 0; i < delay * 10 && !daemon_stop_requested; i++)
				usleep(100000);
			if (daemon_stop_requested) {
				status = 0;
				break;
			}
			if (cmd_source_connect(src, &c, 30000))
				continue;	/* mp_binlog_next fails again: next attempt */
			const char *rf = bfile;
			uint64_t rp = bpos;
			uint64_t cpos;
			if (capture)
				rf = bl_capture_file(cap, &cpos), rp = cpos;
			if (sink) {
				/* restart from what PostgreSQL has committed */
				rp_sink_rollback(sink);
				rp_sink_position(sink, &rf, &rp);
				snprintf(bfile, sizeof(bfile), "%s", rf);
				rf = bfile;
			}
			struct live again = *lv;
			again.gtid = NULL;
			if (start_dump(&c, src, &again, rf, rp, &gtidbuf))
				continue;
			resumed = true;
			in_tx = false;
			continue;
		}
		retries = 0;
		struct bl_event ev;
		struct rd hr;
		rd_init(&hr, p + 13, n >= 17 ? 4 : 0);
		uint32_t log_pos = rd_u32le(&hr);
		uint64_t epos = log_pos >= n ? log_pos - n : 0;
		/* already printed or captured before the connection was lost */
		bool dup = resumed && (epos == 0 || (!strcmp(file, seen_file) &&
						    epos + n <= seen_end));
		if (capture && !dup && bl_capture_event(cap, p, n, &e)) {
			fail("capture: %s\n", e.msg);
			break;
		}
		if (bl_decode(d, p, n, epos, &ev)) {
			const struct err *de = bl_decoder_err(d);
			fail("%s: offset %llu: %s\n", file,
				(unsigned long long)de->off, de->msg);
			break;
		}
		if (ev.h.type == BL_ROTATE_EVENT) {
			snprintf(file, sizeof(file), "%.*s", (int)ev.rotate.file.n,
				 (const char *)ev.rotate.file.p);
			if (!in_tx) {
				snprintf(bfile, sizeof(bfile), "%s", file);
				bpos = ev.rotate.pos;
			}
		}
		if (epos) {
			/* transaction boundaries, for resuming */
			if (ev.h.type == BL_MARIA_GTID_EVENT && !ev.maria_gtid.standalone)
				in_tx = true;
			else if (ev.h.type == BL_QUERY_EVENT &&
				 ev.query.query.n == 5 && !memcmp(ev.query.query.p, "BEGIN", 5))
				in_tx = true;
			else if (ev.h.type == BL_XID_EVENT ||
				 (ev.h.type == BL_QUERY_EVENT && ev.query.query.n >= 6 &&
				  !memcmp(ev.query.query.p, "COMMIT", 6)))
				in_tx = false;
			if (!in_tx && ev.h.type != BL_ROTATE_EVENT) {
				snprintf(bfile, sizeof(bfile), "%s", file);
				bpos = epos + n;
			}
			if (!dup) {
				snprintf(seen_file, sizeof(seen_file), "%s", file);
				seen_end = epos + n;
			}
		}
		if (sink) {
			bool hb = ev.h.type == BL_HEARTBEAT_LOG_EVENT ||
				  ev.h.type == BL_HEARTBEAT_LOG_EVENT_V2;
			int src_rc = 0;
			if (!hb && epos)
				src_rc = rp_sink_event(sink, &ev, file, &e);
			while (!src_rc && (rc = bl_decoder_next_inner(d, &ev)) == 1)
				src_rc = rp_sink_event(sink, &ev, file, &e);
			/*
			 * Commit what is complete as soon as the source has
			 * nothing more for us (low lag when writes are light;
			 * batches when they are heavy), at most every 20 ms; a
			 * heartbeat means the source has nothing more to send:
			 * the replica is caught up (show_status's lag 0).
			 */
			if (!src_rc && hb) {
				src_rc = rp_sink_caught_up(sink, &e);
				last_commit = clock_ms();
			} else if (!src_rc && clock_ms() - last_commit >= 20 &&
				   !mp_input_pending(&c)) {
				src_rc = rp_sink_commit_idle(sink, &e);
				last_commit = clock_ms();
			}
			if (src_rc == RP_RESTART) {
				/* a table was taken out of replication: stream again
				 * from the committed position */
				log_warn("replica", "%s", e.msg);
				mp_close(&c);
				continue;
			}
			if (src_rc && rp_sink_connection_lost(sink)) {
				/* PostgreSQL went away (restart, failover): what
				 * it committed is consistent; connect again and
				 * stream again from there */
				log_warn("replica", "PostgreSQL connection lost (%s); reconnecting",
					 e.msg);
				rp_sink_close(sink);
				sink = NULL;
				for (int k = 1; k <= 60 && !daemon_stop_requested; k++) {
					unsigned delay = k < 5 ? 1u << (k - 1) : 10;
					for (unsigned i = 0; i < delay * 10 && !daemon_stop_requested; i++)
						usleep(100000);
					err_clear(&e);
					if (!rp_sink_open(&sink, &ro, &e))
						break;
					log_warn("replica", "PostgreSQL: %s (attempt %d of 60)", e.msg, k);
				}
				if (!sink) {
					if (daemon_stop_requested) {
						status = 0;
						break;
					}
					fail("replica: PostgreSQL unreachable: %s\n", e.msg);
					break;
				}
				log_info("replica", "PostgreSQL connection back");
				mp_close(&c);
				continue;
			}
			if (src_rc) {
				fail("replica: %s\n", e.msg);
				break;
			}
			continue;
		}
		if (!dup && !capture && lv->format == 2 && ev.h.type != BL_HEARTBEAT_LOG_EVENT &&
		    ev.h.type != BL_HEARTBEAT_LOG_EVENT_V2) {
			n_events++;
			if (bl_event_is_rows(ev.h.type))
				n_rows += ev.rows.nrows;
		}
		if (dup || capture || lv->format == 2 || ev.h.type == BL_HEARTBEAT_LOG_EVENT ||
		    ev.h.type == BL_HEARTBEAT_LOG_EVENT_V2)
			goto drain;
		ctx.gtid = bl_decoder_gtid(d);
		if (lv->format == 1)
			bl_render_json(&out, &ev, &ctx);
		else
			bl_render_text(&out, &ev, &ctx);
	drain:
		while ((rc = bl_decoder_next_inner(d, &ev)) == 1) {
			if (!dup && !capture && lv->format == 2) {
				n_events++;
				if (bl_event_is_rows(ev.h.type))
					n_rows += ev.rows.nrows;
			}
			if (dup || capture || lv->format == 2)
				continue;
			ctx.gtid = bl_decoder_gtid(d);
			if (lv->format == 1)
				bl_render_json(&out, &ev, &ctx);
			else
				bl_render_text(&out, &ev, &ctx);
		}
		if (rc < 0) {
			fail("%s: %s\n", file, bl_decoder_err(d)->msg);
			break;
		}
		if (out.n && (out.n >= 65536 || ev.h.type == BL_XID_EVENT ||
			      !mp_input_pending(&c))) {
			fwrite(out.p, 1, out.n, stdout);
			fflush(stdout);
			buf_reset(&out);
		}
	}
	if (out.n)
		fwrite(out.p, 1, out.n, stdout);
	if (!capture && !sink && lv->format == 2)
		printf("events: %llu, row changes: %llu\n", (unsigned long long)n_events,
		       (unsigned long long)n_rows);
	fflush(stdout);
	if (cap && bl_capture_sync(cap, &e))
		status = 1;
	if (sink) {
		int frc = rp_sink_finish(sink, &e);
		if (frc == RP_RESTART)
			log_warn("replica", "%s", e.msg);
		if (frc < 0) {
			fail("replica: %s\n", e.msg);
			status = 1;
		} else {
			const struct rp_stats *st = rp_sink_stats(sink);
			const char *pf;
			uint64_t pp;
			rp_sink_position(sink, &pf, &pp);
			log_info("replica", "stopped at %s:%llu after %llu row changes",
				 pf, (unsigned long long)pp, (unsigned long long)st->rows);
		}
	}
out:
	rp_sink_close(sink);
	if (running)
		set_status(conninfo, src->name, status ? "error" : "stopped",
			   status ? (run_error[0] ? run_error : "see the replica's log") : NULL);
	free(conninfo);
	free(maps);
	bl_capture_close(cap);
	bl_decoder_free(d);
	buf_release(&out);
	buf_release(&gtidbuf);
	mp_close(&c);
	config_release(&cfg);
	return status;
}

int cmd_decode_live(const char *config, const char *source, const char *start_file,
		    uint64_t start_pos, const char *gtid, bool stop_at_end,
		    int format)
{
	struct live lv = {config, source, start_file, gtid, start_pos, stop_at_end,
			  format, NULL, false, false, true};
	return run_live(&lv, false);
}

/* The options of capture_binlog and start_replica. */
static int live_opt(void *ctx, int id, const char *arg)
{
	struct live *lv = ctx;
	switch (id) {
	case 'o': lv->output_dir = arg; break;
	case 'f': lv->start_file = arg; break;
	case 'e': lv->stop_at_end = true; break;
	case 't': lv->create_tables = true; break;
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
	struct live lv = {"default", NULL, NULL, NULL, 4, false, 2, NULL, false, false, true};
	struct cmd_args a;
	int rc = cmd_args_parse(&a, argc, argv, opts, live_opt, &lv, capture_usage);
	if (rc)
		return rc == CMD_HELP ? 0 : rc;
	lv.config = a.config;
	lv.source = a.source;
	if (!lv.output_dir || a.first < argc) {
		fprintf(stderr, "chameleon capture_binlog: --output-dir DIR is required "
				"(and nothing else; see --help)\n");
		return 2;
	}
	return run_live(&lv, true);
}

static void replica_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon start_replica --config C --source S [--debug]\n"
		"                               [--create-tables] [--stop-at-end]\n"
		"\n"
		"Follow the source's binlog and apply its row changes to PostgreSQL\n"
		"(pg_conn), committing at source transaction boundaries together with\n"
		"the position reached (sch_chameleon.t_sources), so that it resumes\n"
		"after any stop or crash with nothing lost or applied twice.  Without a\n"
		"stored position it starts at the source's current position.\n"
		"With log_dest: stdout or --debug it runs in the foreground; otherwise\n"
		"it detaches, with its pid file in pid_dir and its log in log_dir.\n"
		"SIGTERM/SIGINT (or stop_replica) stop it after committing.\n"
		"The source's status in the catalog is 'running' meanwhile, then\n"
		"'stopped', or 'error' with the message: a source in error is\n"
		"refused until enable_replica (show_status shows it).\n");
}

void cmd_pid_name(char *out, size_t n, const char *config, const char *source)
{
	const char *b = strrchr(config, '/');
	snprintf(out, n, "%s_%s", b ? b + 1 : config, source ? source : "default");
}

int cmd_start_replica(int argc, char **argv)
{
	static const struct cmd_opt opts[] = {
		{"create-tables", false, 't'},
		{"stop-at-end", false, 'e'},
		{NULL, false, 0},
	};
	struct live lv = {"default", NULL, NULL, NULL, 4, false, 2, NULL, true, false, false};
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, opts, live_opt, &lv, replica_usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	if (a.first < argc) {
		fprintf(stderr, "chameleon start_replica: unexpected argument '%s'\n",
			argv[a.first]);
		return 2;
	}
	lv.config = a.config;
	lv.source = a.source;
	lv.foreground = a.debug;
	struct config cfg;
	if (cmd_config_open(lv.config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, lv.source);
	if (!src) {
		config_release(&cfg);
		return 1;
	}
	char *source_name = strdup(src->name);	/* outlives cfg */
	lv.source = source_name;
	if (!strcmp(cfg.log_dest, "stdout"))
		lv.foreground = true;
	char name[300];
	cmd_pid_name(name, sizeof(name), lv.config, src->name);
	struct pidfile pf;
	struct err e = {0};
	if (pidfile_acquire(&pf, cfg.pid_dir, name, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		config_release(&cfg);
		free(source_name);
		return 1;
	}
	if (!lv.foreground) {
		printf("starting the replica of '%s' in the background; log in %s\n",
		       src->name, cfg.log_dir);
		fflush(stdout);
		if (daemon_detach(&e) || pidfile_update(&pf, &e) ||
		    daemon_log_open(cfg.log_dir, name, cfg.log_days_keep, &e)) {
			fprintf(stderr, "chameleon: %s\n", e.msg);
			pidfile_release(&pf);
			config_release(&cfg);
			free(source_name);
			return 1;
		}
	}
	config_release(&cfg);
	int rc = run_live(&lv, false);
	pidfile_release(&pf);
	daemon_log_close();
	free(source_name);
	return rc;
}

static void stop_usage(FILE *f)
{
	fprintf(f, "usage: chameleon stop_replica --config C --source S\n\n"
		   "Stop a running replica (SIGTERM: it commits what is complete\n"
		   "and exits) and wait for it, at most 60 seconds.\n");
}

/* SIGTERM to the replica of one source and wait: 0 stopped or not running. */
static int stop_one(const struct config *cfg, const char *config, const char *source)
{
	char name[300];
	cmd_pid_name(name, sizeof(name), config, source);
	pid_t pid = pidfile_owner(cfg->pid_dir, name);
	if (!pid) {
		printf("the replica of '%s' is not running\n", source);
		return 0;
	}
	kill(pid, SIGTERM);
	for (int i = 0; i < 600 && pidfile_owner(cfg->pid_dir, name) == pid; i++)
		usleep(100000);
	int still = pidfile_owner(cfg->pid_dir, name) == pid;
	printf(still ? "the replica of '%s' (pid %ld) did not stop within 60 s\n"
		     : "the replica of '%s' (pid %ld) stopped\n", source, (long)pid);
	return still ? 1 : 0;
}

int cmd_stop_replica(int argc, char **argv)
{
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL, stop_usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	const char *config = a.config, *source = a.source;
	struct config cfg;
	if (cmd_config_open(config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, source);
	if (!src) {
		config_release(&cfg);
		return 1;
	}
	int rc = stop_one(&cfg, config, src->name);
	config_release(&cfg);
	return rc;
}

static void stop_all_usage(FILE *f)
{
	fprintf(f, "usage: chameleon stop_all_replicas --config C\n"
		   "\n"
		   "Stop the running replica of every source of the configuration\n"
		   "(SIGTERM: each commits what it has and exits), waiting at most 60\n"
		   "seconds for each.\n");
}

int cmd_stop_all_replicas(int argc, char **argv)
{
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL, stop_all_usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	struct config cfg;
	if (cmd_config_open(a.config, &cfg))
		return 1;
	int rc = 0;
	for (size_t i = 0; i < cfg.n_sources; i++)
		rc |= stop_one(&cfg, a.config, cfg.sources[i].name);
	config_release(&cfg);
	return rc;
}
