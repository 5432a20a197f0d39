/*
 * Log lines: "2026-11-24 12:00:00 INFO  comp: message", or one JSON
 * object a line (log_set_json).
 */
#include "base/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

enum log_level log_level_current = LOG_INFO;
static FILE *log_stream;
static int log_ts = 1;
static bool log_json;
static unsigned long log_errors;
static int log_fail_errno;
static void (*log_fail_hook)(int errnum);
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

#define LOG_FIELDS 8
static struct {
	char key[32];
	char value[256];
	bool number;
} fields[LOG_FIELDS];
static int nfields;

static const char *const lvl_names[] = {"ERROR", "WARN", "INFO", "DEBUG", "TRACE"};
static const char *const lvl_json[] = {"error", "warn", "info", "debug", "trace"};

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
	pthread_mutex_lock(&log_mu);
	log_stream = f;
	pthread_mutex_unlock(&log_mu);
}

void log_set_timestamps(int on)
{
	log_ts = on;
}

void log_set_json(bool on)
{
	log_json = on;
}

bool log_is_json(void)
{
	return log_json;
}

void log_set_fail_hook(void (*fn)(int errnum))
{
	pthread_mutex_lock(&log_mu);
	log_fail_hook = fn;
	pthread_mutex_unlock(&log_mu);
}

int log_failed(void)
{
	pthread_mutex_lock(&log_mu);
	int n = log_fail_errno;
	pthread_mutex_unlock(&log_mu);
	return n;
}

unsigned long log_error_count(void)
{
	pthread_mutex_lock(&log_mu);
	unsigned long n = log_errors;
	pthread_mutex_unlock(&log_mu);
	return n;
}

static void set_field(const char *key, const char *value, bool number)
{
	pthread_mutex_lock(&log_mu);
	int i = 0;
	while (i < nfields && strcmp(fields[i].key, key))
		i++;
	if (!value) {
		if (i < nfields) {
			memmove(&fields[i], &fields[i + 1],
				(size_t)(nfields - i - 1) * sizeof(fields[0]));
			nfields--;
		}
	} else if (i < nfields || nfields < LOG_FIELDS) {
		if (i == nfields)
			nfields++;
		snprintf(fields[i].key, sizeof(fields[i].key), "%s", key);
		snprintf(fields[i].value, sizeof(fields[i].value), "%s", value);
		fields[i].number = number;
	}
	pthread_mutex_unlock(&log_mu);
}

void log_set_field(const char *key, const char *value)
{
	set_field(key, value, false);
}

void log_set_field_num(const char *key, double value)
{
	char v[64];
	snprintf(v, sizeof(v), "%.3f", value);
	set_field(key, v, true);
}

/* Bytes appended to a bounded line; what does not fit is dropped. */
struct line {
	char *p;
	size_t n, cap; /* cap - 1 usable: room for the NUL */
};

static void put(struct line *l, const char *s, size_t n)
{
	if (n > l->cap - 1 - l->n)
		n = l->cap - 1 - l->n;
	memcpy(l->p + l->n, s, n);
	l->n += n;
	l->p[l->n] = 0;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	if (s[0] < 0xe0) {
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	} else {
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string: quotes, backslashes and control bytes escaped, bytes
 * that are not UTF-8 replaced by U+FFFD. */
static void put_json_str(struct line *l, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	puts_(l, "\"");
	for (size_t i = 0; i < n;) {
		/* room kept to close the string and the object */
		if (l->cap - 1 - l->n < 32)
			break;
		unsigned char c = p[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, esc[2] = 0;
			puts_(l, esc);
			i++;
		} else if (c == '\n') {
			puts_(l, "\\n");
			i++;
		} else if (c == '\t') {
			puts_(l, "\\t");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(l, esc);
			i++;
		} else if (c < 0x80) {
			put(l, (const char *)&p[i], 1);
			i++;
		} else {
			size_t k = utf8_len(p + i, n - i);
			if (k) {
				put(l, (const char *)&p[i], k);
				i += k;
			} else {
				puts_(l, "\\ufffd");
				i++;
			}
		}
	}
	puts_(l, "\"");
}

static void put_json_field(struct line *l, const char *key, const char *value,
			   bool number)
{
	puts_(l, ", ");
	put_json_str(l, key);
	puts_(l, ": ");
	if (number)
		puts_(l, value);
	else
		put_json_str(l, value);
}

static void json_line(struct line *l, enum log_level lv, const char *comp,
		      const char *msg, const char *const *kv)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[40], ms[8];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ms, sizeof(ms), ".%03dZ", (int)(tv.tv_usec / 1000));
	puts_(l, "{\"time\": \"");
	puts_(l, ts);
	puts_(l, ms);
	puts_(l, "\", \"level\": \"");
	puts_(l, lvl_json[lv]);
	puts_(l, "\", \"component\": ");
	put_json_str(l, comp);
	puts_(l, ", \"message\": ");
	put_json_str(l, msg);
	for (int i = 0; i < nfields; i++) {
		bool own = false;
		for (size_t k = 0; kv && kv[k] && kv[k + 1]; k += 2)
			own |= !strcmp(kv[k], fields[i].key);
		if (!own)
			put_json_field(l, fields[i].key, fields[i].value,
				       fields[i].number);
	}
	for (size_t k = 0; kv && kv[k] && kv[k + 1]; k += 2)
		put_json_field(l, kv[k], kv[k + 1], false);
	puts_(l, "}");
}

static void text_line(struct line *l, enum log_level lv, const char *comp,
		      const char *msg, const char *const *kv)
{
	if (log_ts) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		char ts[40];
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S ", &tm);
		puts_(l, ts);
	}
	char head[64];
	snprintf(head, sizeof(head), "%-5s ", lvl_names[lv]);
	puts_(l, head);
	puts_(l, comp);
	puts_(l, ": ");
	puts_(l, msg);
	for (size_t k = 0; kv && kv[k] && kv[k + 1]; k += 2) {
		puts_(l, k ? ", " : " (");
		puts_(l, kv[k]);
		puts_(l, " ");
		puts_(l, kv[k + 1]);
		if (!kv[k + 2] || !kv[k + 3])
			puts_(l, ")");
	}
}

static void write_line(enum log_level lv, const char *comp, const char *const *kv,
		       const char *fmt, va_list ap) PRINTF(4, 0);

static void write_line(enum log_level lv, const char *comp, const char *const *kv,
		       const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char buf[8192];
	struct line l = {buf, 0, sizeof(buf)};
	buf[0] = 0;
	pthread_mutex_lock(&log_mu);
	if (lv == LOG_ERROR)
		log_errors++;
	if (log_json)
		json_line(&l, lv, comp ? comp : "chameleon", msg, kv);
	else
		text_line(&l, lv, comp ? comp : "chameleon", msg, kv);
	FILE *f = log_stream ? log_stream : stderr;
	errno = 0;
	bool failed = fprintf(f, "%s\n", buf) < 0;
	failed |= fflush(f) != 0;
	if (failed && !log_fail_errno) {
		log_fail_errno = errno ? errno : EIO;
		if (log_fail_hook)
			log_fail_hook(log_fail_errno);
	}
	/* a later line is tried again (the failure may pass), never spun on */
	clearerr(f);
	pthread_mutex_unlock(&log_mu);
}

void log_write(enum log_level l, const char *comp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	write_line(l, comp, NULL, fmt, ap);
	va_end(ap);
}

void log_write_kv(enum log_level l, const char *comp, const char *const *kv,
		  const char *fmt, ...)
{
	if (l > log_level_current)
		return;
	va_list ap;
	va_start(ap, fmt);
	write_line(l, comp, kv, fmt, ap);
	va_end(ap);
}
