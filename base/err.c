/* Error records: the code table and the first-failure-wins setters. */
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {
	"ERR_OK",
#define X(name, str) #name,
	ERR_MAP(X)
#undef X
};

static const char *const strs[] = {
	"success",
#define X(name, str) str,
	ERR_MAP(X)
#undef X
};

static int norm(int code)
{
	if (code < 0)
		code = -code;
	return code < ERR__COUNT ? code : -1;
}

const char *err_name(int code)
{
	int c = norm(code);
	return c < 0 ? "ERR_UNKNOWN" : names[c];
}

const char *err_str(int code)
{
	int c = norm(code);
	return c < 0 ? "unknown error" : strs[c];
}

int err_setv(struct err *e, int code, const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (e->code == 0) {
		e->code = code;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return -code;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = err_setv(e, code, fmt, ap);
	va_end(ap);
	return rc;
}

int err_set_at(struct err *e, int code, uint64_t off, const char *fmt, ...)
{
	int first = e->code == 0;
	va_list ap;
	va_start(ap, fmt);
	int rc = err_setv(e, code, fmt, ap);
	va_end(ap);
	if (first) {
		e->off = off;
		e->has_off = 1;
	}
	return rc;
}

void err_clear(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

void base__bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "BUG %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
