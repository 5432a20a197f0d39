/*
 * A small HTTP/1.1 client for notifications (cmd/notify.c): one POST per
 * connection ("Connection: close") to an http:// or https:// URL, over
 * mysqlproto's byte stream (its TCP and TLS code; the certificate is
 * verified and names the host).  The URL and the response are parsed
 * through the bounded reader (base/rd.h); errors give the byte offset.
 * No redirects, no proxies, no keep-alive, no authentication in the URL.
 */
#ifndef CMD_HTTP_H
#define CMD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define HTTP_HOST_MAX 256
#define HTTP_PATH_MAX 2048

struct http_url {
	bool tls;		  /* https */
	char host[HTTP_HOST_MAX]; /* name or address, without [] */
	int port;		  /* 80 / 443 unless given */
	char path[HTTP_PATH_MAX]; /* "/" when none; the query kept */
	bool ipv6;		  /* host was [v6]: Host: needs the [] */
};

/*
 * Parse "http[s]://host[:port][/path][?query]" (the scheme and host
 * case-insensitive; a "#fragment" dropped).  -ERR_CONFIG with the offset
 * and the reason in e for anything else: another scheme, user:password@,
 * an empty host, a bad port, spaces or control characters.
 */
int http_url_parse(const char *s, struct http_url *u, struct err *e) MUST_CHECK;

#define HTTP_RESPONSE_MAX (64 * 1024) /* bytes of a response read at most */

struct http_response {
	int status;	     /* 100..599 of the final response */
	size_t header_len;   /* bytes up to and including the blank line */
	bool has_length;     /* Content-Length given */
	uint64_t length;     /* its value */
	bool chunked;	     /* Transfer-Encoding: chunked */
	const uint8_t *body; /* view into the parsed bytes */
	size_t body_len;     /* body bytes present (at most length) */
};

#define HTTP_AGAIN 1 /* http_response_parse: need more bytes */

/*
 * Parse the response in p[0..n): status line "HTTP/1.x NNN reason",
 * headers, body.  Interim 1xx responses are passed over.  Returns 0 when
 * the response is complete (its body delimited by Content-Length, empty
 * for 204/304, or, with eof set, everything up to the end of the
 * stream), HTTP_AGAIN when more bytes are needed, -ERR_PROTO with the
 * offset in e for a malformed one.  With eof set, a response whose
 * headers are complete is complete (a short body is accepted: only the
 * status matters here).
 */
int http_response_parse(const uint8_t *p, size_t n, bool eof,
			struct http_response *r, struct err *e) MUST_CHECK;

struct http_post {
	const struct http_url *url;
	const char *ca_file;	  /* NULL: the system CA bundle */
	const char *content_type; /* "application/json" */
	const char *extra_header; /* one "Name: value" line or NULL */
	const char *body;
	size_t body_len;
	int timeout_ms;		    /* connect, TLS, each read and write */
	const volatile int *cancel; /* as mp_conn.cancel; may be NULL */
};

/*
 * The request's bytes (request line, Host, User-Agent, Content-Type,
 * Content-Length, Connection: close, extra header, body) into out.
 */
struct buf;
void http_request_build(struct buf *out, const struct http_post *q);

/*
 * POST and read the response: 0 with *status (any status: the caller
 * decides; detail holds the start of the body, for a message), or
 * -ERR_x with e set (connection, TLS, timeout, malformed response).
 * The whole exchange is bounded by about three times timeout_ms.
 */
int http_post(const struct http_post *q, int *status, char *detail, size_t detail_n,
	      struct err *e) MUST_CHECK;

#endif
