/* Configuration and source connection helpers shared by commands. */
#ifndef CMD_SOURCE_H
#define CMD_SOURCE_H

#include "cmd/config.h"
#include "mysqlproto/mysqlproto.h"
#include "replay/replay.h"

/* Load --config NAME (or a path); prints the error; 0 or -1.  The log
 * lines from then on (the configuration's warnings first) are JSON when
 * its log_format says so, unless cmd_log_format names a format. */
int cmd_config_open(const char *name, struct config *cfg);
/* --log-format of the command line, or NULL. */
extern const char *cmd_log_format;
/* The source named by --source ("*" or NULL: the only one); prints errors. */
const struct cfg_source *cmd_source_find(const struct config *cfg,
					 const char *name);
/* cmd_config_open, then cmd_source_find: the source, or NULL with the
 * reason said on stderr and nothing left to release. */
const struct cfg_source *cmd_source_open(const char *config, const char *source,
					 struct config *cfg);
/* Connect to the source; prints errors; 0 or -1. */
int cmd_source_connect(const struct cfg_source *s, struct mp_conn *c,
		       int read_timeout_ms);
/* The same, quietly: the error stays in c->err (the stream's
 * reconnections log once per incident, not once per attempt). */
int cmd_source_reconnect(const struct cfg_source *s, struct mp_conn *c,
			 int read_timeout_ms);

/* limit_tables, skip_tables and skip_events of a source into apply options,
 * and replay's messages routed to the log. */
void cmd_source_filters(const struct cfg_source *s, struct rp_opts *o);
/*
 * Everything the apply options take from a source: the PostgreSQL
 * conninfo (borrowed), its name, schema mappings (allocated here: free
 * them with cmd_source_rp_opts_release), replay_max_rows,
 * on_error_replay and the filters above.  The other fields are left as
 * they are.
 */
void cmd_source_rp_opts(const struct cfg_source *s, const char *conninfo,
			struct rp_opts *o);
/* What DDL replication takes from the configuration (docs/ddl.md):
 * type_override and fillfactor (allocated here, freed by
 * cmd_source_rp_opts_release), ddl_column_order. */
void cmd_source_ddl_opts(const struct config *cfg, const struct cfg_source *s,
			 struct rp_opts *o);
void cmd_source_rp_opts_release(struct rp_opts *o);

/* The source's schema_mappings as replay takes them (s->n_mappings
 * entries, at least one allocated; the strings stay the configuration's):
 * free() the array. */
struct rp_mapping *cmd_source_mappings(const struct cfg_source *s);

#endif
