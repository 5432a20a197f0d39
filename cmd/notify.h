/*
 * Notifications (docs/notifications.md): pg_chameleon's Rollbar messages
 * (rollbar_key, rollbar_env, --rollbar-level) and a generic JSON webhook
 * (notify_webhook), for an error that stops a replica, a table taken out
 * of replication, a replica's stop and the end of init_replica,
 * sync_tables and refresh_schema.  Events go into a bounded queue that
 * one background thread delivers: nothing here waits for the network,
 * and a full queue drops (and counts) the event.  A failed delivery is
 * logged once per streak of failures of its destination.
 * One process notifies for one source (the one of notify_setup).
 */
#ifndef CMD_NOTIFY_H
#define CMD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct config;
struct cfg_source;

/* pg_chameleon's levels and their order (a lower number is more severe). */
enum notify_level {
	NOTIFY_CRITICAL = 1,
	NOTIFY_ERROR = 2,
	NOTIFY_WARNING = 3,
	NOTIFY_INFO = 5,
};

/* "critical", "error", "warning", "info" (case-insensitive): 0, else -1. */
int notify_level_parse(const char *s, enum notify_level *out);
const char *notify_level_name(enum notify_level l);

/*
 * --rollbar-level: the least severe level sent to Rollbar (info by
 * default: everything).  0, or -1 for an unknown level.
 */
int notify_set_rollbar_level(const char *s);

/*
 * The destinations of the configuration for source src (its
 * notify_webhook, else the global one; Rollbar when rollbar_key and
 * rollbar_env are both set).  Bad URLs are logged once and leave that
 * destination out.  Nothing starts until the first event; a second call
 * for the same source does nothing.  The configuration is copied.
 */
void notify_setup(const struct config *cfg, const struct cfg_source *src);

/* One event; the strings are copied (long ones cut). */
struct notify_event {
	const char *event; /* "error", "table_disabled", "replica_stop",
				   "init_replica", "sync_tables", "refresh_schema" */
	enum notify_level level;
	const char *message;
	const char *table;    /* "schema.table" or NULL */
	const char *position; /* "file:pos" or NULL */
};

/* Queue an event for every destination whose level lets it through. */
void notify_send(const struct notify_event *ev);

/*
 * The hooks, one call per event:
 * A replica ended (status 0: a clean stop, info; else an error that
 * stopped it, critical, with the reason); file "" when no position is
 * known.  As the last event of the run it waits for the queue to be
 * delivered, at most notify_timeout seconds.
 */
void notify_replica_end(const char *source, int status, const char *error,
			const char *file, uint64_t pos);
/* A message "table S.T taken out of replication: REASON" (replay's),
 * as the error event table_disabled; other messages are ignored. */
void notify_table_disabled(const char *msg);
/* init_replica / sync_tables / refresh_schema (cmd) ended: info when ok,
 * critical otherwise, with the reason when there is one. */
void notify_copy_end(const struct config *cfg, const struct cfg_source *src,
		     const char *cmd, const char *schema, bool ok, const char *error,
		     const char *file, uint64_t pos);

/*
 * Deliver what is queued, waiting at most timeout_ms; then stop the
 * thread (interrupting a delivery in progress).  Logs how many events
 * were dropped, if any.  Registered with atexit by the first event.
 */
void notify_shutdown(int timeout_ms);

/* ---- for the tests ---- */

/* The JSON payloads (appended to out). */
void notify_json_string(struct buf *out, const char *s);
void notify__webhook_json(struct buf *out, const char *event, const char *source,
			  const char *level, const char *message, const char *table,
			  const char *position, const char *time);
void notify__rollbar_json(struct buf *out, const char *token, const char *env,
			  const char *event, const char *source, const char *level,
			  const char *message, const char *table,
			  const char *position, int64_t timestamp, const char *host);
/* The table of "table S.T taken out of replication: ..." into out (size
 * n): true, else false. */
bool notify__disabled_table(const char *msg, char *out, size_t n);
/* Events delivered, failed and dropped since the start (after shutdown). */
void notify__counts(uint64_t *sent, uint64_t *failed, uint64_t *dropped);

#endif
