/*
 * Logging primitives: levels, a component prefix, stderr or a file.
 * Modules never log errors (they return them); cmd/ logs once where an
 * error is handled.  The level is tested before formatting.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include <stdio.h>

#include "base/err.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

extern enum log_level log_level_current;

void log_set_level(enum log_level l);
int log_parse_level(const char *s, enum log_level *out); /* 0 or -ERR_USAGE */
void log_set_stream(FILE *f);	/* default stderr; not closed by log */
void log_set_timestamps(int on);
void log_write(enum log_level l, const char *comp, const char *fmt, ...)
	PRINTF(3, 4);

#define log_at(l, comp, ...)                             \
	do {                                             \
		if ((l) <= log_level_current)            \
			log_write((l), (comp), __VA_ARGS__); \
	} while (0)
#define log_error(comp, ...) log_at(LOG_ERROR, comp, __VA_ARGS__)
#define log_warn(comp, ...) log_at(LOG_WARN, comp, __VA_ARGS__)
#define log_info(comp, ...) log_at(LOG_INFO, comp, __VA_ARGS__)
#define log_debug(comp, ...) log_at(LOG_DEBUG, comp, __VA_ARGS__)
#define log_trace(comp, ...) log_at(LOG_TRACE, comp, __VA_ARGS__)

#endif
