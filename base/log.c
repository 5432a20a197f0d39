/* Log lines: "2026-11-24 12:00:00 INFO  comp: message". */
#include "base/log.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum log_level log_level_current = LOG_INFO;
static FILE *log_stream;
static int log_ts = 1;

static const char *const lvl_names[] = {"ERROR", "WARN", "INFO", "DEBUG",
					"TRACE"};

void log_set_level(enum log_level l)
{
	log_level_current = l;
}

int log_parse_level(const char *s, enum log_level *out)
{
	for (int i = 0; i <= LOG_TRACE; i++) {
		if (strcasecmp(s, lvl_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = LOG_WARN;
		return 0;
	}
	if (strcasecmp(s, "critical") == 0) {
		*out = LOG_ERROR;
		return 0;
	}
	return -ERR_USAGE;
}

void log_set_stream(FILE *f)
{
	log_stream = f;
}

void log_set_timestamps(int on)
{
	log_ts = on;
}

void log_write(enum log_level l, const char *comp, const char *fmt, ...)
{
	FILE *f = log_stream ? log_stream : stderr;
	char line[2048];
	size_t n = 0;
	if (log_ts) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S ", &tm);
	}
	int k = snprintf(line + n, sizeof(line) - n, "%-5s %s: ",
			 lvl_names[l], comp ? comp : "chameleon");
	if (k > 0)
		n += (size_t)k < sizeof(line) - n ? (size_t)k : sizeof(line) - n - 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(f, "%s\n", line);
	fflush(f);
}
