/*
 * The pg_chameleon-compatible YAML configuration, parsed by cmd/config.c
 * (libfyaml) into plain structs.  No libfyaml type escapes this module.
 * Keys, meanings and defaults: docs/configuration.md.
 */
#ifndef CMD_CONFIG_H
#define CMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* A list of strings ("schema" or "schema.table"). */
struct cfg_list {
	size_t n;
	const char **v;
};

struct cfg_mapping {		/* schema_mappings entry */
	const char *mysql_schema;
	const char *pg_schema;
};

struct cfg_type_override {	/* type_override entry */
	const char *mysql_type;	/* e.g. "tinyint(1)" */
	const char *override_to;	/* PostgreSQL type */
	struct cfg_list tables;	/* "schema.table", or first element "*" */
};

struct cfg_fillfactor {
	int fillfactor;		/* 10..100 */
	struct cfg_list tables;
};

/* MySQL/MariaDB connection (sources.<name>.db_conn) */
struct cfg_db_conn {
	const char *host;	/* host name, IP, or a path to a Unix socket */
	int port;		/* default 3306 */
	const char *user;
	const char *password;	/* never printed; "***" in show_config */
	const char *charset;	/* default utf8mb4 */
	int connect_timeout;	/* seconds, default 10 */
	const char *database;	/* pgsql sources only */
	/* chameleon additions (docs/configuration.md) */
	const char *ssl_mode;	/* disabled|preferred|required|verify_ca|verify_identity;
				   default preferred */
	const char *ssl_ca, *ssl_cert, *ssl_key;
	const char *server_public_key;	/* PEM file for caching_sha2 over plain TCP */
	bool compress;		/* protocol compression, default false */
};

struct cfg_source {
	const char *name;	/* key under sources: */
	const char *type;	/* mysql | pgsql */
	struct cfg_db_conn db;
	size_t n_mappings;
	struct cfg_mapping *mappings;
	struct cfg_list limit_tables, skip_tables, grant_select_to;
	const char *lock_timeout;	/* "120s" */
	uint32_t my_server_id;		/* default 100 */
	long replica_batch_size;	/* default 10000 */
	long replay_max_rows;		/* default 10000 */
	const char *batch_retention;	/* "1 day" */
	uint64_t copy_max_memory;	/* bytes, from "300M" */
	const char *copy_mode;		/* file | direct */
	const char *out_dir;
	int sleep_loop;			/* seconds, default 1 */
	const char *on_error_replay;	/* continue | exit */
	const char *on_error_read;	/* continue | exit */
	const char *auto_maintenance;	/* "disabled" or an interval */
	bool gtid_enable;
	struct cfg_list skip_events_insert, skip_events_update,
		skip_events_delete;
	bool keep_existing_schema;
	int net_read_timeout;		/* default 600 */
	int heartbeat_period;		/* seconds between the source's heartbeats
					   on an idle stream, default 1; three
					   missed: the stream is dead */
	int copy_workers;		/* init_replica connections, 0 = cores */
	const char *copy_protocol;	/* binary | text: how init_replica reads rows */
	const char *ddl_column_order;	/* append | exact (docs/ddl.md) */
	const char *zero_dates;		/* infinity | null | error (docs/types.md) */
	const char *text_nul;		/* replace | strip | error (docs/types.md) */
	const char *copy_format;	/* binary | text: replication's COPY */
	const char *log_format;		/* text | json; NULL: the top level's */
	const char *metrics_listen;	/* "ADDR:PORT" of start_replica's metrics
					   and health endpoint, or NULL */
	const char *notify_webhook;	/* this source's webhook URL, NULL: the
					   global one, "": none */
};

/* PostgreSQL target (pg_conn) */
struct cfg_pg_conn {
	const char *host;
	int port;		/* default 5432 */
	const char *user;
	const char *password;
	const char *database;
	const char *charset;	/* client_encoding, default utf8 */
	/* chameleon additions: any libpq keyword, e.g. sslmode */
	size_t n_extra;
	const char **extra_keys, **extra_values;
};

struct config {
	const char *path;	/* file read */
	const char *pid_dir, *log_dir, *log_dest, *log_level;
	const char *log_format;	/* text (default) | json: one object a line */
	int log_days_keep;
	/* notifications (docs/notifications.md) */
	const char *rollbar_key, *rollbar_env;	/* both set: Rollbar is on */
	const char *rollbar_url;	/* default Rollbar's item API */
	const char *notify_webhook;	/* URL of the JSON webhook, or NULL */
	const char *notify_ca_file;	/* CA bundle for https (NULL: system's) */
	const char *notify_level;	/* the webhook's least severe level */
	int notify_timeout;		/* seconds, connect and each read; default 5 */
	struct cfg_pg_conn pg;
	size_t n_type_overrides;
	struct cfg_type_override *type_overrides;
	size_t n_fillfactors;
	struct cfg_fillfactor *fillfactors;
	size_t n_sources;
	struct cfg_source *sources;
	size_t n_warnings;	/* unknown keys: "FILE:LINE: key 'x' is not used" */
	const char **warnings;
	struct arena mem;	/* owns every string above */
};

/*
 * Resolve --config NAME: a value containing '/' is a path, otherwise
 * ~/.pg_chameleon/configuration/NAME.yml.  Writes into out (size n).
 * -ERR_USAGE when NAME needs HOME and HOME is not set, -ERR_CONFIG when
 * the path is too long.
 */
int config_resolve_path(const char *name, char *out, size_t n);
/*
 * Load and validate a configuration file.  A missing or wrong key is an
 * error naming the key, the file and the line ("FILE:LINE: key 'x': ...").
 * Unknown keys are warnings, collected in c->warnings.  Every value may
 * hold ${NAME}, replaced by the environment variable NAME (an unset one
 * is an error naming the key and the variable); $${ is a literal ${.
 */
int config_load(struct config *c, const char *path, struct err *e) MUST_CHECK;
void config_release(struct config *c);
/* The source named name, or NULL. */
const struct cfg_source *config_source(const struct config *c, const char *name);
/* libpq connection string for pg_conn (password included; never log it). */
char *config_pg_conninfo(const struct config *c);

struct buf;
/* config_file.c, for config.c: the file's text into text (its owner from
 * the call, also on failure), refused when libfyaml could not take it. */
int config__read_text(const char *path, struct buf *text, struct err *e)
	MUST_CHECK;

#endif
