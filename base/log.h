/*
 * Logging primitives: levels, a component prefix, stderr or a file, as
 * text lines or as JSON objects (one a line, for log collectors).
 * Modules never log errors (they return them); cmd/ logs once where an
 * error is handled.  The level is tested before formatting.  Lines are
 * written whole under a lock: any thread may log.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_TRACE
};

extern enum log_level log_level_current;

void log_set_level(enum log_level l);
int log_parse_level(const char *s, enum log_level *out); /* 0 or -ERR_USAGE */
void log_set_stream(FILE *f); /* default stderr; not closed by log */
void log_set_timestamps(int on);
/*
 * JSON lines instead of text: {"time": "2026-01-02T03:04:05.678Z",
 * "level": "info", "component": "replica", "message": "...", then the
 * context fields, then the line's own fields}.  Bytes that are not UTF-8
 * become U+FFFD.
 */
void log_set_json(bool on);
bool log_is_json(void);
/*
 * A field of every JSON line from now on ("source", "position", "lag"),
 * replaced when set again; value NULL removes it.  A number is written
 * as a JSON number.  At most 8 fields; text lines do not show them.
 */
void log_set_field(const char *key, const char *value);
void log_set_field_num(const char *key, double value);
/*
 * A line that cannot be written (the log's file system full, an I/O
 * error, a closed pipe) is never silent: the errno of the first such
 * line is kept (log_failed) and fn, when set, is called once with it,
 * under the log's lock (fn must not log).  The long-running commands stop
 * on it (cmd/daemon.c).
 */
void log_set_fail_hook(void (*fn)(int errnum));
/* The errno of the first line that could not be written, 0 when none. */
int log_failed(void);
/* The number of lines written at level ERROR so far (metrics). */
unsigned long log_error_count(void);

void log_write(enum log_level l, const char *comp, const char *fmt, ...)
	PRINTF(3, 4);
/*
 * A line with fields of its own: kv holds key, value pairs then NULL
 * ({"table", "s.t", NULL}).  Text lines show them as " (key value)".
 */
void log_write_kv(enum log_level l, const char *comp, const char *const *kv,
		  const char *fmt, ...) PRINTF(4, 5);

#define log_at(l, comp, ...)                                 \
	do {                                                 \
		if ((l) <= log_level_current)                \
			log_write((l), (comp), __VA_ARGS__); \
	} while (0)
#define log_error(comp, ...) log_at(LOG_ERROR, comp, __VA_ARGS__)
#define log_warn(comp, ...) log_at(LOG_WARN, comp, __VA_ARGS__)
#define log_info(comp, ...) log_at(LOG_INFO, comp, __VA_ARGS__)
#define log_debug(comp, ...) log_at(LOG_DEBUG, comp, __VA_ARGS__)
#define log_trace(comp, ...) log_at(LOG_TRACE, comp, __VA_ARGS__)

#endif
