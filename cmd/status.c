/*
 * What show_status and show_errors print: the catalog's view of each
 * source as text for people or as one JSON object for programs, and the
 * error log as a list or one entry in full.  Reading the catalog is
 * replay's (replay/catalog_status.c); the commands are in catalog_cmds.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/status.h"

/* Text indented by prefix after each newline. */
static void indented(FILE *f, const char *s, const char *prefix)
{
	for (; *s; s++) {
		fputc(*s, f);
		if (*s == '\n' && s[1])
			fputs(prefix, f);
	}
	if (s[-1] != '\n')
		fputc('\n', f);
}


/* A JSON string: quotes, backslashes and control characters escaped; the
 * text is UTF-8 (the catalog connection's client encoding). */
static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void json_num(FILE *f, bool has, double v)
{
	if (has)
		fprintf(f, "%.3f", v);
	else
		fputs("null", f);
}

void cmd_status_json(FILE *f, const struct rp_source_status *v, size_t n)
{
	fputs("{\"sources\": [", f);
	for (size_t i = 0; i < n; i++) {
		const struct rp_source_status *s = &v[i];
		fputs(i ? ",\n  {" : "\n  {", f);
		fputs("\"name\": ", f);
		json_str(f, s->name);
		fputs(", \"type\": ", f);
		json_str(f, s->type);
		fputs(", \"status\": ", f);
		json_str(f, s->status);
		fputs(", \"status_at\": ", f);
		json_str(f, s->status_at);
		fputs(", \"error\": ", f);
		json_str(f, s->error);
		fputs(", \"init_progress\": ", f);
		json_str(f, s->init_progress);
		/* jsonb text from PostgreSQL: already JSON */
		fprintf(f, ", \"schema_mappings\": %s", s->mappings ? s->mappings : "{}");
		fputs(", \"caught_up\": ", f);
		fputs(s->caught_up ? "true" : "false", f);
		fputs(", \"read_lag\": ", f);
		json_num(f, s->has_read_lag, s->read_lag);
		fputs(", \"replay_lag\": ", f);
		json_num(f, s->has_replay_lag, s->replay_lag);
		fputs(", \"report_age\": ", f);
		json_num(f, s->has_report_age, s->report_age);
		fputs(", \"received\": {\"file\": ", f);
		json_str(f, s->received_file);
		fprintf(f, ", \"position\": %llu, \"event_at\": ",
			(unsigned long long)s->received_pos);
		json_str(f, s->received_event_at);
		fputs(", \"at\": ", f);
		json_str(f, s->received_at);
		fputs("}, \"applied\": {\"file\": ", f);
		json_str(f, s->applied_file);
		fprintf(f, ", \"position\": %llu, \"event_at\": ",
			(unsigned long long)s->applied_pos);
		json_str(f, s->applied_event_at);
		fputs(", \"at\": ", f);
		json_str(f, s->applied_at);
		fprintf(f, "}, \"rows_applied\": %llu, \"transactions_applied\": %llu, "
			   "\"zero_dates_replaced\": %llu",
			(unsigned long long)s->rows, (unsigned long long)s->transactions,
			(unsigned long long)s->zero_dates);
		fprintf(f, ", \"ddl_applied\": %llu, \"last_ddl\": ",
			(unsigned long long)s->ddl_applied);
		json_str(f, s->last_ddl);
		fputs(", \"last_ddl_at\": ", f);
		json_str(f, s->last_ddl_at);
		fputs(", \"tables\": [", f);
		for (size_t k = 0; k < s->ntables; k++) {
			const struct rp_table_counts *t = &s->tables[k];
			fputs(k ? ", {\"schema\": " : "{\"schema\": ", f);
			json_str(f, t->schema);
			fputs(", \"table\": ", f);
			json_str(f, t->table);
			fputs(", \"pg_schema\": ", f);
			json_str(f, t->pg_schema);
			fprintf(f, ", \"rows_copied\": %llu, \"inserts\": %llu, "
				   "\"updates\": %llu, \"deletes\": %llu}",
				(unsigned long long)t->rows_copied,
				(unsigned long long)t->inserts, (unsigned long long)t->updates,
				(unsigned long long)t->deletes);
		}
		fputs("], \"disabled_tables\": [", f);
		for (size_t k = 0; k < s->ndisabled; k++) {
			const struct rp_disabled_table *t = &s->disabled[k];
			fputs(k ? ", {\"schema\": " : "{\"schema\": ", f);
			json_str(f, t->schema);
			fputs(", \"table\": ", f);
			json_str(f, t->table);
			fputs(", \"disabled_at\": ", f);
			json_str(f, t->disabled_at);
			if (t->log_id)
				fprintf(f, ", \"error_log_id\": %lld", (long long)t->log_id);
			else
				fputs(", \"error_log_id\": null", f);
			fputs(", \"error\": ", f);
			json_str(f, t->error);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs(n ? "\n]}\n" : "]}\n", f);
}

static void lag_text(FILE *f, const char *label, bool has, double v, bool caught_up)
{
	fprintf(f, "  %-17s", label);
	if (!has)
		fputs("n/a (nothing received yet)\n", f);
	else if (caught_up)
		fprintf(f, "%.1f s (caught up)\n", v);
	else
		fprintf(f, "%.1f s\n", v);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

void cmd_status_text(FILE *f, const struct rp_source_status *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct rp_source_status *s = &v[i];
		if (i)
			fputc('\n', f);
		fprintf(f, "source %s (%s): %s since %s\n", s->name, or_dash(s->type),
			or_dash(s->status), or_dash(s->status_at));
		if (s->error) {
			fprintf(f, "  %-17s", "error:");
			indented(f, s->error, "                   ");
		}
		fprintf(f, "  %-17s%s\n", "schema mappings:", or_dash(s->mappings));
		if (s->init_progress)
			fprintf(f, "  %-17s%s\n", "init_replica:", s->init_progress);
		lag_text(f, "read lag:", s->has_read_lag, s->read_lag, s->caught_up);
		lag_text(f, "replay lag:", s->has_replay_lag, s->replay_lag, false);
		fprintf(f, "  %-17s", "received:");
		if (s->received_file && *s->received_file)
			fprintf(f, "%s:%llu, event time %s, reported %s (%.0f s ago)\n",
				s->received_file, (unsigned long long)s->received_pos,
				or_dash(s->received_event_at), or_dash(s->received_at),
				s->has_report_age && s->report_age > 0 ? s->report_age : 0.0);
		else
			fputs("-\n", f);
		fprintf(f, "  %-17s", "applied:");
		if (s->applied_file && *s->applied_file)
			fprintf(f, "%s:%llu, event time %s, committed %s\n", s->applied_file,
				(unsigned long long)s->applied_pos, or_dash(s->applied_event_at),
				or_dash(s->applied_at));
		else
			fputs("-\n", f);
		fprintf(f, "  %-17s%llu rows in %llu transactions; %llu zero dates replaced\n",
			"applied total:", (unsigned long long)s->rows,
			(unsigned long long)s->transactions, (unsigned long long)s->zero_dates);
		if (s->ddl_applied)
			fprintf(f, "  %-17s%llu applied, the last at %s: %s\n", "DDL:",
				(unsigned long long)s->ddl_applied, or_dash(s->last_ddl_at),
				or_dash(s->last_ddl));
		if (s->ntables) {
			/* "schema.table -> pg_schema.table" then the counts, aligned */
			int w = 5;
			for (size_t k = 0; k < s->ntables; k++) {
				const struct rp_table_counts *t = &s->tables[k];
				int len = (int)(strlen(t->schema) + strlen(or_dash(t->pg_schema)) +
						2 * strlen(t->table) + 6);
				w = len > w ? len : w;
			}
			fprintf(f, "  %-*s %12s %12s %12s %12s\n", w + 2, "tables:", "copied",
				"inserts", "updates", "deletes");
			for (size_t k = 0; k < s->ntables; k++) {
				const struct rp_table_counts *t = &s->tables[k];
				char name[1024];
				snprintf(name, sizeof(name), "%s.%s -> %s.%s", t->schema,
					 t->table, or_dash(t->pg_schema), t->table);
				fprintf(f, "    %-*s %12llu %12llu %12llu %12llu\n", w, name,
					(unsigned long long)t->rows_copied,
					(unsigned long long)t->inserts,
					(unsigned long long)t->updates,
					(unsigned long long)t->deletes);
			}
		}
		if (s->ndisabled) {
			fprintf(f, "  disabled tables (out of replication):\n");
			for (size_t k = 0; k < s->ndisabled; k++) {
				const struct rp_disabled_table *t = &s->disabled[k];
				fprintf(f, "    %s.%s since %s", t->schema, t->table,
					or_dash(t->disabled_at));
				if (t->log_id)
					fprintf(f, ": %s (show_errors --id %lld)",
						or_dash(t->error), (long long)t->log_id);
				fputc('\n', f);
			}
		}
	}
	if (!n)
		fprintf(f, "no sources in the catalog\n");
}

void cmd_error_entry(FILE *f, const struct rp_error_entry *r)
{
	fprintf(f, "error log entry %lld\n", (long long)r->id);
	fprintf(f, "  time:      %s\n  source:    %s\n  table:     %s.%s\n",
		or_dash(r->logged_at), or_dash(r->source), or_dash(r->schema),
		or_dash(r->table));
	if (r->binlog_file && *r->binlog_file && r->has_pos)
		fprintf(f, "  position:  %s:%llu (committed; the refused change "
			   "comes after it)\n", r->binlog_file,
			(unsigned long long)r->binlog_pos);
	else
		fprintf(f, "  position:  - (nothing committed before it)\n");
	fprintf(f, "  error:     ");
	indented(f, or_dash(r->error), "             ");
	fprintf(f, "  statement: ");
	indented(f, or_dash(r->statement), "             ");
	fprintf(f, "  row:       ");
	indented(f, r->row_data ? r->row_data : "(not recorded)", "             ");
}

void cmd_error_list(FILE *f, const struct rp_error_entry *v, size_t n)
{
	if (!n) {
		fprintf(f, "no errors logged\n");
		return;
	}
	fprintf(f, "%6s  %-20s  %-12s  %-28s  %s\n", "id", "time", "source", "table",
		"error");
	for (size_t i = 0; i < n; i++) {
		const struct rp_error_entry *r = &v[i];
		char table[300];
		snprintf(table, sizeof(table), "%s.%s", or_dash(r->schema), or_dash(r->table));
		const char *msg = or_dash(r->error);
		if (!strncmp(msg, "ERROR:  ", 8))
			msg += 8;
		fprintf(f, "%6lld  %-20s  %-12s  %-28s  %.*s\n", (long long)r->id,
			or_dash(r->logged_at), or_dash(r->source), table,
			(int)strcspn(msg, "\n"), msg);
	}
}
