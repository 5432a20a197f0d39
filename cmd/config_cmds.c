/*
 * Configuration commands: set_configuration_files (directories and an
 * example configuration), show_config and show_sources (passwords are
 * printed as ***).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/host.h"
#include "cmd/source.h"

const char cmd_example_config[] =
	"---\n"
	"# chameleon configuration (pg_chameleon 2.0 compatible).\n"
	"# Every key is described in docs/configuration.md.\n"
	"pid_dir: '~/.pg_chameleon/pid/'\n"
	"log_dir: '~/.pg_chameleon/logs/'\n"
	"log_dest: file            # file or stdout (stdout: run in the foreground)\n"
	"log_level: info           # debug, info, warning, error\n"
	"log_format: text          # text or json (one object a line)\n"
	"log_days_keep: 10\n"
	"rollbar_key: ''           # Rollbar's access token: with rollbar_env,\n"
	"rollbar_env: ''           # errors and events go to Rollbar\n"
	"# notify_webhook: https://hooks.example.com/services/XXX   # JSON POST of the\n"
	"#                          # same events (docs/notifications.md); a source\n"
	"#                          # may have its own notify_webhook\n"
	"# notify_ca_file: /path/to/ca.pem  # instead of the system's CA bundle\n"
	"# notify_level: info       # the webhook's least severe level\n"
	"# notify_timeout: 5        # seconds: connect, and each wait for an answer\n"
	"\n"
	"# type_override:\n"
	"#   \"tinyint(1)\":\n"
	"#     override_to: boolean\n"
	"#     override_tables:\n"
	"#       - \"*\"\n"
	"\n"
	"# PostgreSQL target; any other key is passed to libpq (e.g. sslmode)\n"
	"pg_conn:\n"
	"  host: \"localhost\"\n"
	"  port: \"5432\"\n"
	"  user: \"usr_replica\"\n"
	"  password: \"never_commit_passwords\"   # or password_file: /path\n"
	"  database: \"db_replica\"\n"
	"  charset: \"utf8\"\n"
	"  sslmode: prefer         # TLS when the server offers it; production: verify-full\n"
	"                          # with sslrootcert: /path/to/root.crt\n"
	"\n"
	"sources:\n"
	"  mysql:\n"
	"    type: mysql\n"
	"    db_conn:\n"
	"      host: \"localhost\"         # or the path of a Unix socket\n"
	"      port: \"3306\"\n"
	"      user: \"usr_replica\"\n"
	"      password: \"never_commit_passwords\"\n"
	"      charset: 'utf8mb4'\n"
	"      connect_timeout: 10\n"
	"      ssl_mode: preferred       # disabled, preferred, required, verify_ca, verify_identity\n"
	"                                # production: verify_identity with ssl_ca\n"
	"      # ssl_ca: /path/to/ca.pem\n"
	"      # ssl_cert: /path/to/client-cert.pem\n"
	"      # ssl_key: /path/to/client-key.pem\n"
	"      # server_public_key: /path/to/server-public-key.pem\n"
	"      compress: No\n"
	"    schema_mappings:\n"
	"      delphis_mediterranea: loxodonta_africana\n"
	"    limit_tables:\n"
	"    skip_tables:\n"
	"    grant_select_to:\n"
	"    lock_timeout: \"120s\"\n"
	"    my_server_id: 100\n"
	"    replica_batch_size: 10000\n"
	"    replay_max_rows: 10000\n"
	"    batch_retention: '1 day'\n"
	"    copy_max_memory: \"300M\"\n"
	"    copy_mode: 'file'\n"
	"    out_dir: /tmp\n"
	"    sleep_loop: 1\n"
	"    on_error_replay: continue\n"
	"    on_error_read: continue\n"
	"    auto_maintenance: \"disabled\"\n"
	"    gtid_enable: No\n"
	"    skip_events:\n"
	"      insert:\n"
	"      delete:\n"
	"      update:\n"
	"    keep_existing_schema: No\n"
	"    net_read_timeout: 600\n"
	"    heartbeat_period: 1  # seconds; 3 missed heartbeats: reconnect\n"
	"    copy_workers: 0    # init_replica connections; 0 = the core count\n"
	"    copy_protocol: binary   # init_replica reads rows with prepared statements; or text\n"
	"    # metrics_listen: '127.0.0.1:9187'   # start_replica's /metrics, /healthz, /readyz\n";


static int mkdir_p(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int cmd_set_configuration_files(int argc, char **argv)
{
	bool force = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: chameleon set_configuration_files [--force]\n\n"
			       "Create ~/.pg_chameleon/{configuration,pid,logs} (mode 0700) and\n"
			       "write configuration/config-example.yml, an example with every\n"
			       "key.  An existing example is kept unless --force.\n");
			return 0;
		} else {
			fprintf(stderr, "set_configuration_files: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	static const char *const sub[] = {"configuration", "pid", "logs"};
	const char *home = host_home();
	if (!home) {
		fprintf(stderr, "chameleon: HOME is not set: set_configuration_files writes "
				"under ~/.pg_chameleon\n");
		return 1;
	}
	char path[4096];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/.pg_chameleon/%s", home, sub[i]);
		if (mkdir_p(path)) {
			fprintf(stderr, "chameleon: cannot create '%s': %s\n", path,
				strerror(errno));
			return 1;
		}
		printf("directory %s\n", path);
	}
	snprintf(path, sizeof(path), "%s/.pg_chameleon", home);
	chmod(path, 0700);
	snprintf(path, sizeof(path), "%s/.pg_chameleon/configuration/config-example.yml",
		 home);
	if (!force && access(path, F_OK) == 0) {
		printf("kept %s (use --force to overwrite)\n", path);
		return 0;
	}
	FILE *f = fopen(path, "w");
	if (!f || fputs(cmd_example_config, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "chameleon: cannot write '%s': %s\n", path, strerror(errno));
		return 1;
	}
	/* it is meant to hold passwords */
	chmod(path, 0600);
	printf("wrote %s\ncopy it to default.yml (or NAME.yml for --config NAME) and edit it\n",
	       path);
	return 0;
}

static void yaml_str(FILE *o, const char *s)
{
	if (!s) {
		fputs("null", o);
		return;
	}
	fputc('\'', o);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', o);
		fputc(*s, o);
	}
	fputc('\'', o);
}

static void yaml_list(FILE *o, const char *indent, const char *key,
		      const struct cfg_list *l)
{
	fprintf(o, "%s%s:", indent, key);
	if (!l->n) {
		fputc('\n', o);
		return;
	}
	fputc('\n', o);
	for (size_t i = 0; i < l->n; i++) {
		fprintf(o, "%s  - ", indent);
		yaml_str(o, l->v[i]);
		fputc('\n', o);
	}
}

/* A webhook URL without its path, which often is the secret (Slack's). */
static void yaml_url(FILE *o, const char *key, const char *url, const char *indent)
{
	if (!url)
		return;
	const char *host = strstr(url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	char shown[600];
	snprintf(shown, sizeof(shown), "%.*s%s", path ? (int)(path - url) : (int)strlen(url),
		 url, path ? "/***" : "");
	fprintf(o, "%s%s: ", indent, key);
	yaml_str(o, shown);
	fputc('\n', o);
}

void cmd_show_config_to(FILE *o, const struct config *c, const char *only)
{
	fprintf(o, "# %s, with defaults filled in; passwords hidden\n", c->path);
	if (!only) {
		fprintf(o, "pid_dir: ");
		yaml_str(o, c->pid_dir);
		fprintf(o, "\nlog_dir: ");
		yaml_str(o, c->log_dir);
		fprintf(o, "\nlog_dest: %s\nlog_level: %s\nlog_format: %s\nlog_days_keep: %d\n",
			c->log_dest, c->log_level, c->log_format, c->log_days_keep);
		/* notifications: the token and the webhook's path hidden */
		fprintf(o, "rollbar_key: %s\nrollbar_env: ",
			c->rollbar_key && *c->rollbar_key ? "'***'" : "''");
		yaml_str(o, c->rollbar_env ? c->rollbar_env : "");
		fputc('\n', o);
		if (c->rollbar_url) {
			fprintf(o, "rollbar_url: ");
			yaml_str(o, c->rollbar_url);
			fputc('\n', o);
		}
		yaml_url(o, "notify_webhook", c->notify_webhook, "");
		if (c->notify_ca_file) {
			fprintf(o, "notify_ca_file: ");
			yaml_str(o, c->notify_ca_file);
			fputc('\n', o);
		}
		fprintf(o, "notify_level: %s\nnotify_timeout: %d\n", c->notify_level,
			c->notify_timeout);
		fprintf(o, "pg_conn:\n  host: ");
		yaml_str(o, c->pg.host);
		fprintf(o, "\n  port: %d\n  user: ", c->pg.port);
		yaml_str(o, c->pg.user);
		fprintf(o, "\n  password: %s\n  database: ", c->pg.password ? "'***'" : "null");
		yaml_str(o, c->pg.database);
		fprintf(o, "\n  charset: ");
		yaml_str(o, c->pg.charset);
		fputc('\n', o);
		for (size_t i = 0; i < c->pg.n_extra; i++) {
			fprintf(o, "  %s: ", c->pg.extra_keys[i]);
			bool secret = strstr(c->pg.extra_keys[i], "pass") != NULL;
			if (secret)
				fputs("'***'", o);
			else
				yaml_str(o, c->pg.extra_values[i]);
			fputc('\n', o);
		}
	}
	fprintf(o, "sources:\n");
	for (size_t i = 0; i < c->n_sources; i++) {
		const struct cfg_source *s = &c->sources[i];
		if (only && strcmp(only, "*") && strcmp(only, s->name))
			continue;
		fprintf(o, "  %s:\n    type: %s\n    db_conn:\n      host: ", s->name, s->type);
		yaml_str(o, s->db.host);
		fprintf(o, "\n      port: %d\n      user: ", s->db.port);
		yaml_str(o, s->db.user);
		fprintf(o, "\n      password: %s\n      charset: %s\n      connect_timeout: %d\n",
			s->db.password ? "'***'" : "null", s->db.charset, s->db.connect_timeout);
		fprintf(o, "      ssl_mode: %s\n      compress: %s\n", s->db.ssl_mode,
			s->db.compress ? "Yes" : "No");
		if (s->db.ssl_ca)
			fprintf(o, "      ssl_ca: %s\n", s->db.ssl_ca);
		fprintf(o, "    schema_mappings:\n");
		for (size_t k = 0; k < s->n_mappings; k++)
			fprintf(o, "      %s: %s\n", s->mappings[k].mysql_schema,
				s->mappings[k].pg_schema);
		yaml_list(o, "    ", "limit_tables", &s->limit_tables);
		yaml_list(o, "    ", "skip_tables", &s->skip_tables);
		yaml_list(o, "    ", "grant_select_to", &s->grant_select_to);
		fprintf(o, "    lock_timeout: '%s'\n    my_server_id: %u\n"
			   "    replica_batch_size: %ld\n    replay_max_rows: %ld\n"
			   "    batch_retention: '%s'\n    copy_max_memory: %llu\n"
			   "    copy_mode: %s\n    out_dir: '%s'\n    sleep_loop: %d\n"
			   "    on_error_replay: %s\n    on_error_read: %s\n"
			   "    auto_maintenance: '%s'\n    gtid_enable: %s\n"
			   "    keep_existing_schema: %s\n    net_read_timeout: %d\n"
			   "    heartbeat_period: %d\n    copy_workers: %d\n"
			   "    copy_protocol: %s\n"
			   "    zero_dates: %s\n    text_nul: %s\n    copy_format: %s\n",
			s->lock_timeout, s->my_server_id, s->replica_batch_size,
			s->replay_max_rows, s->batch_retention,
			(unsigned long long)s->copy_max_memory, s->copy_mode, s->out_dir,
			s->sleep_loop, s->on_error_replay, s->on_error_read,
			s->auto_maintenance, s->gtid_enable ? "Yes" : "No",
			s->keep_existing_schema ? "Yes" : "No", s->net_read_timeout,
			s->heartbeat_period, s->copy_workers, s->copy_protocol, s->zero_dates,
			s->text_nul, s->copy_format);
		if (s->log_format)
			fprintf(o, "    log_format: %s\n", s->log_format);
		if (s->metrics_listen) {
			fprintf(o, "    metrics_listen: ");
			yaml_str(o, s->metrics_listen);
			fputc('\n', o);
		}
		yaml_url(o, "notify_webhook", s->notify_webhook, "    ");
		fprintf(o, "    skip_events:\n");
		yaml_list(o, "      ", "insert", &s->skip_events_insert);
		yaml_list(o, "      ", "update", &s->skip_events_update);
		yaml_list(o, "      ", "delete", &s->skip_events_delete);
	}
}

static void show_config_usage(FILE *f)
{
	fprintf(f, "usage: chameleon show_config [--config C]\n\n"
		   "Print the configuration with defaults filled in (passwords hidden).\n");
}

static void show_sources_usage(FILE *f)
{
	fprintf(f, "usage: chameleon show_sources [--config C] [--source S]\n\n"
		   "Print the sources of the configuration (passwords hidden).\n");
}

static int show(int argc, char **argv, bool sources_only)
{
	struct cmd_args a;
	int rc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL,
				sources_only ? show_sources_usage : show_config_usage);
	if (rc)
		return rc == CMD_HELP ? 0 : rc;
	const char *config = a.config, *source = a.source;
	struct config cfg;
	if (cmd_config_open(config, &cfg))
		return 1;
	if (source && !config_source(&cfg, source)) {
		fprintf(stderr, "chameleon: no source '%s' in %s\n", source, cfg.path);
		config_release(&cfg);
		return 1;
	}
	cmd_show_config_to(stdout, &cfg, sources_only ? (source ? source : "*") : NULL);
	if (sources_only && !source && !cfg.n_sources)
		printf("(no sources)\n");
	config_release(&cfg);
	return 0;
}

int cmd_show_config(int argc, char **argv)
{
	return show(argc, argv, false);
}

int cmd_show_sources(int argc, char **argv)
{
	return show(argc, argv, true);
}
