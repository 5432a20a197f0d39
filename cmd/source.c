/*
 * Shared by the commands that talk to a source: load the configuration
 * named by --config, find --source, connect with its db_conn settings.
 * Errors are printed here (once) and the caller exits.
 */
#include "cmd/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/daemon.h"
#include "cmd/notify.h"

const char *cmd_log_format;

int cmd_config_open(const char *name, struct config *cfg)
{
	char path[4096];
	int rc = config_resolve_path(name ? name : "default", path, sizeof(path));
	if (rc == -ERR_USAGE) {
		fprintf(stderr, "chameleon: --config %s means "
				"~/.pg_chameleon/configuration/%s.yml, but HOME is not set: "
				"give the configuration's path (with a '/')\n",
			name ? name : "default", name ? name : "default");
		return -1;
	}
	if (rc) {
		fprintf(stderr, "chameleon: configuration name too long\n");
		return -1;
	}
	struct err e = {0};
	if (config_load(cfg, path, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		if (!strchr(name ? name : "default", '/'))
			fprintf(stderr, "(--config %s means %s; 'chameleon "
					"set_configuration_files' writes an example)\n",
				name ? name : "default", path);
		return -1;
	}
	const char *fmt = cmd_log_format ? cmd_log_format : cfg->log_format;
	log_set_json(fmt && !strcmp(fmt, "json"));
	/* once per process: start_replica opens the configuration twice */
	static bool warned;
	for (size_t i = 0; i < cfg->n_warnings && !warned; i++)
		log_warn("config", "%s", cfg->warnings[i]);
	/* it names servers and accounts, and usually holds passwords */
	struct stat st;
	if (!warned && stat(cfg->path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		log_warn("config", "'%s' is readable by other users (mode %04o): it may hold "
				   "passwords; chmod 600 it (or use password_file)",
			 cfg->path, (unsigned)(st.st_mode & 07777));
	warned = true;
	return 0;
}

const struct cfg_source *cmd_source_find(const struct config *cfg,
					 const char *name)
{
	if (!name || !strcmp(name, "*")) {
		if (cfg->n_sources == 1)
			return &cfg->sources[0];
		fprintf(stderr, "chameleon: --source is required (the configuration "
				"has %zu sources)\n", cfg->n_sources);
		return NULL;
	}
	const struct cfg_source *s = config_source(cfg, name);
	if (!s)
		fprintf(stderr, "chameleon: no source '%s' in %s\n", name, cfg->path);
	return s;
}

const struct cfg_source *cmd_source_open(const char *config, const char *source,
					 struct config *cfg)
{
	if (cmd_config_open(config, cfg))
		return NULL;
	const struct cfg_source *src = cmd_source_find(cfg, source);
	if (!src)
		config_release(cfg);
	return src;
}

static int source_connect(const struct cfg_source *s, struct mp_conn *c,
			  int read_timeout_ms, bool say);

int cmd_source_connect(const struct cfg_source *s, struct mp_conn *c,
		       int read_timeout_ms)
{
	return source_connect(s, c, read_timeout_ms, true);
}

int cmd_source_reconnect(const struct cfg_source *s, struct mp_conn *c,
			 int read_timeout_ms)
{
	return source_connect(s, c, read_timeout_ms, false);
}

static int source_connect(const struct cfg_source *s, struct mp_conn *c,
			  int read_timeout_ms, bool say)
{
	struct mp_opts o;
	memset(&o, 0, sizeof(o));
	o.host = s->db.host;
	o.port = s->db.port;
	o.user = s->db.user;
	o.password = s->db.password;
	o.connect_timeout_ms = s->db.connect_timeout * 1000;
	o.read_timeout_ms = read_timeout_ms;
	o.ssl_ca = s->db.ssl_ca;
	o.ssl_cert = s->db.ssl_cert;
	o.ssl_key = s->db.ssl_key;
	o.server_public_key = s->db.server_public_key;
	o.compress = s->db.compress;
	o.collation = 45;
	if (mp_ssl_mode_parse(s->db.ssl_mode ? s->db.ssl_mode : "preferred",
			      &o.ssl_mode)) {
		fprintf(stderr, "chameleon: bad ssl_mode '%s'\n", s->db.ssl_mode);
		return -1;
	}
	mp_conn_init(c);
	c->cancel = &daemon_stop_requested;
	if (mp_connect(c, &o)) {
		if (say)
			cmd_error("source '%s' (%s:%d): %s", s->name, s->db.host, s->db.port,
				  c->err.msg);
		mp_close(c);
		return -1;
	}
	if (say)
		log_info("mysql", "connected to %s:%d, %s %s, auth %s%s%s%s%s", s->db.host,
		 s->db.port, c->is_mariadb ? "MariaDB" : "MySQL", c->server_version,
		 c->auth_plugin, c->tls_version[0] ? ", " : ", no TLS",
		 c->tls_version, c->tls_version[0] ? " " : "", c->tls_cipher);
	return 0;
}

static struct rp_names names(const struct cfg_list *l)
{
	struct rp_names r = {l->n, l->v};
	return r;
}

/* replay's messages (DDL met, tables taken out of replication) */
static void replay_log(void *arg, bool warning, const char *msg)
{
	(void)arg;
	if (warning) {
		log_warn("replay", "%s", msg);
		notify_table_disabled(msg);	/* other warnings: ignored there */
	} else
		log_info("replay", "%s", msg);
}

static void replay_debug(void *arg, const char *msg)
{
	(void)arg;
	log_debug("replay", "%s", msg);
}

void cmd_source_filters(const struct cfg_source *s, struct rp_opts *o)
{
	o->log = replay_log;
	o->debug = replay_debug;
	o->log_arg = NULL;
	o->limit_tables = names(&s->limit_tables);
	o->skip_tables = names(&s->skip_tables);
	o->skip_insert = names(&s->skip_events_insert);
	o->skip_update = names(&s->skip_events_update);
	o->skip_delete = names(&s->skip_events_delete);
}

void cmd_source_conv(const struct cfg_source *s, struct rp_convert_opts *c)
{
	/* the configuration has checked the names; unset: the defaults */
	const char *z = s->zero_dates ? s->zero_dates : "", *n = s->text_nul ? s->text_nul : "";
	c->zero_dates = !strcmp(z, "null") ? RP_ZERO_DATE_NULL
			: !strcmp(z, "error") ? RP_ZERO_DATE_ERROR : RP_ZERO_DATE_INFINITY;
	c->text_nul = !strcmp(n, "strip") ? RP_TEXT_NUL_STRIP
		      : !strcmp(n, "error") ? RP_TEXT_NUL_ERROR : RP_TEXT_NUL_REPLACE;
	c->copy_text = s->copy_format && !strcmp(s->copy_format, "text");
}

struct rp_mapping *cmd_source_mappings(const struct cfg_source *s)
{
	struct rp_mapping *m = xcalloc(s->n_mappings + 1, sizeof(*m));
	for (size_t i = 0; i < s->n_mappings; i++) {
		m[i].mysql_schema = s->mappings[i].mysql_schema;
		m[i].pg_schema = s->mappings[i].pg_schema;
	}
	return m;
}

void cmd_source_rp_opts(const struct cfg_source *s, const char *conninfo,
			struct rp_opts *o)
{
	struct rp_mapping *maps = cmd_source_mappings(s);
	o->conninfo = conninfo;
	o->source = s->name;
	o->mappings = maps;
	o->n_mappings = s->n_mappings;
	o->max_rows = s->replay_max_rows;
	o->stop_on_error = !strcmp(s->on_error_replay, "exit");
	cmd_source_conv(s, &o->conv);
	cmd_source_filters(s, o);
}

void cmd_source_ddl_opts(const struct config *cfg, const struct cfg_source *s,
			 struct rp_opts *o)
{
	struct rp_type_override *t = xcalloc(cfg->n_type_overrides + 1, sizeof(*t));
	for (size_t i = 0; i < cfg->n_type_overrides; i++) {
		t[i].mysql_type = cfg->type_overrides[i].mysql_type;
		t[i].pg_type = cfg->type_overrides[i].override_to;
		t[i].tables = names(&cfg->type_overrides[i].tables);
	}
	o->type_overrides = t;
	o->n_type_overrides = cfg->n_type_overrides;
	struct rp_fillfactor *f = xcalloc(cfg->n_fillfactors + 1, sizeof(*f));
	for (size_t i = 0; i < cfg->n_fillfactors; i++) {
		f[i].fillfactor = cfg->fillfactors[i].fillfactor;
		f[i].tables = names(&cfg->fillfactors[i].tables);
	}
	o->fillfactors = f;
	o->n_fillfactors = cfg->n_fillfactors;
	o->column_order_exact = !strcmp(s->ddl_column_order, "exact");
}

void cmd_source_rp_opts_release(struct rp_opts *o)
{
	/* allocated by cmd_source_rp_opts and cmd_source_ddl_opts, lent to
	 * rp_opts as const */
	free((void *)o->mappings);
	free((void *)o->type_overrides);
	free((void *)o->fillfactors);
	o->mappings = NULL;
	o->type_overrides = NULL;
	o->fillfactors = NULL;
}
