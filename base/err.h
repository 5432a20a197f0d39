/*
 * Error codes and the error record carried by every handle.
 * Functions return 0 or -ERR_x; the detail lives in a struct err on the
 * handle, and the first failure recorded wins.
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define MUST_CHECK __attribute__((warn_unused_result))
#define PRINTF(a, b) __attribute__((format(printf, a, b)))

#define ERR_MAP(X)                                        \
	X(ERR_IO, "i/o error")                            \
	X(ERR_TRUNC, "truncated input")                   \
	X(ERR_PROTO, "protocol violation")                \
	X(ERR_TOOBIG, "value too big")                    \
	X(ERR_CHECKSUM, "checksum mismatch")              \
	X(ERR_UNSUPPORTED, "unsupported")                 \
	X(ERR_AUTH, "authentication failed")              \
	X(ERR_TLS, "tls failure")                         \
	X(ERR_PG, "postgresql error")                     \
	X(ERR_CONFIG, "configuration error")              \
	X(ERR_TIMEOUT, "timed out")                       \
	X(ERR_USAGE, "usage error")                       \
	X(ERR_SERVER, "server error")

enum err_code {
	ERR_OK = 0,
#define X(name, str) name,
	ERR_MAP(X)
#undef X
	ERR__COUNT
};

struct err {
	int code;		/* 0 or an enum err_code (positive) */
	uint64_t off;		/* byte offset of the failure, when has_off */
	int has_off;
	char msg[256];		/* human-readable detail, lowercase, no period */
};

const char *err_name(int code);	/* "ERR_TRUNC"; accepts -code too */
const char *err_str(int code);	/* "truncated input" */

/* Record the first failure; returns -code so callers can 'return err_set()'. */
int err_set(struct err *e, int code, const char *fmt, ...) PRINTF(3, 4);
int err_setv(struct err *e, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Same, with the byte offset of the failure. */
int err_set_at(struct err *e, int code, uint64_t off, const char *fmt, ...)
	PRINTF(4, 5);
void err_clear(struct err *e);

/* Programmer error: print file:line and abort. Never for bad input. */
#define BUG(...) base__bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void base__bug(const char *file, int line, const char *fmt, ...)
	PRINTF(3, 4);

#endif
