/*
 * The notifications' HTTP/1.1 client (cmd/http.h): URL parsing, the POST
 * request, the response parser, and one exchange over mysqlproto's byte
 * stream.  Responses are read through the bounded reader only; a line is
 * found by scanning a copy of the cursor, then taken as a view.
 * RFC 9112 (message syntax) is the reference; only what a webhook or
 * Rollbar's API answers matters: the status.
 */
#include "cmd/http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/rd.h"
#include "mysqlproto/mysqlproto.h"

#ifndef CHAMELEON_VERSION
#define CHAMELEON_VERSION "0.1.0"
#endif

#define HTTP_MAX_HEADERS 100

static bool host_char(uint8_t c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* The next byte without taking it, or -1 at the end. */
static int peek(const struct rd *r)
{
	struct rd t = *r;
	return rd_left(&t) ? rd_u8(&t) : -1;
}

/* Whether the next bytes are lit, case-insensitively (consumed if so). */
static bool take_ci(struct rd *r, const char *lit)
{
	size_t n = strlen(lit);
	if (rd_left(r) < n)
		return false;
	struct rd t = *r;
	struct bytes b = rd_bytes(&t, n);
	if (strncasecmp((const char *)b.p, lit, n))
		return false;
	*r = t;
	return true;
}

int http_url_parse(const char *s, struct http_url *u, struct err *e)
{
	memset(u, 0, sizeof(*u));
	struct rd r;
	rd_init(&r, s, strlen(s));
	if (take_ci(&r, "https://"))
		u->tls = true;
	else if (!take_ci(&r, "http://"))
		return err_set_at(e, ERR_CONFIG, 0,
				  "'%s': not an http:// or https:// URL", s);
	u->port = u->tls ? 443 : 80;
	/* the authority: up to '/', '?', '#' or the end */
	size_t hn = 0;
	if (peek(&r) == '[') {
		rd_skip(&r, 1);
		u->ipv6 = true;
		for (;;) {
			if (!rd_left(&r))
				return err_set_at(e, ERR_CONFIG, rd_offset(&r),
						  "'%s': no ']' after the IPv6 address",
						  s);
			uint8_t c = rd_u8(&r);
			if (c == ']')
				break;
			if (!isxdigit(c) && c != ':' && c != '.')
				return err_set_at(e, ERR_CONFIG, rd_offset(&r) - 1,
						  "'%s': bad character in the IPv6 address",
						  s);
			if (hn + 1 >= sizeof(u->host))
				return err_set_at(e, ERR_CONFIG, rd_offset(&r),
						  "'%s': host name too long", s);
			u->host[hn++] = (char)c;
		}
	} else {
		while (peek(&r) >= 0 && host_char((uint8_t)peek(&r))) {
			if (hn + 1 >= sizeof(u->host))
				return err_set_at(e, ERR_CONFIG, rd_offset(&r),
						  "'%s': host name too long", s);
			u->host[hn++] = (char)rd_u8(&r);
		}
	}
	u->host[hn] = 0;
	if (!hn)
		return err_set_at(e, ERR_CONFIG, rd_offset(&r), "'%s': no host", s);
	if (peek(&r) == ':') {
		rd_skip(&r, 1);
		long port = 0;
		size_t digits = 0;
		while (peek(&r) >= 0 && isdigit(peek(&r)) && digits < 6) {
			port = port * 10 + (rd_u8(&r) - '0');
			digits++;
		}
		if (!digits || port < 1 || port > 65535)
			return err_set_at(e, ERR_CONFIG, rd_offset(&r),
					  "'%s': bad port", s);
		u->port = (int)port;
	}
	if (peek(&r) == '@')
		return err_set_at(e, ERR_CONFIG, rd_offset(&r),
				  "'%s': user:password@ is not supported in the URL",
				  s);
	if (peek(&r) >= 0 && peek(&r) != '/' && peek(&r) != '?' && peek(&r) != '#')
		return err_set_at(e, ERR_CONFIG, rd_offset(&r),
				  "'%s': bad character after the host", s);
	/* the path and the query, without the fragment */
	size_t pn = 0;
	if (peek(&r) != '/')
		u->path[pn++] = '/';
	while (peek(&r) >= 0 && peek(&r) != '#') {
		uint8_t c = rd_u8(&r);
		if (c <= 0x20 || c >= 0x7f)
			return err_set_at(e, ERR_CONFIG, rd_offset(&r) - 1,
					  "'%s': space or control character in the path "
					  "(percent-encode it)",
					  s);
		if (pn + 1 >= sizeof(u->path))
			return err_set_at(e, ERR_CONFIG, rd_offset(&r),
					  "'%s': path too long", s);
		u->path[pn++] = (char)c;
	}
	u->path[pn] = 0;
	return 0;
}

/*
 * The next line (without its LF and a CR before it) as a view: 1, or 0
 * when no LF is in the bytes left (nothing consumed).
 */
static int next_line(struct rd *r, struct bytes *line)
{
	struct rd t = *r;
	size_t n = 0;
	bool cr = false;
	while (rd_left(&t)) {
		uint8_t c = rd_u8(&t);
		if (c == '\n') {
			*line = rd_bytes(r, n - (cr ? 1 : 0));
			rd_skip(r, cr ? 2 : 1);
			return 1;
		}
		cr = c == '\r';
		n++;
	}
	return 0;
}

static bool header_is(struct bytes name, const char *want)
{
	return name.n == strlen(want) &&
	       !strncasecmp((const char *)name.p, want, name.n);
}

/* Whether the value (a comma list) names token, case-insensitively. */
static bool value_has(struct bytes v, const char *token)
{
	size_t tn = strlen(token);
	for (size_t i = 0; i + tn <= v.n; i++)
		if (!strncasecmp((const char *)v.p + i, token, tn))
			return true;
	return false;
}

/* One response head at r: status line and headers; 1 when incomplete. */
static int parse_head(struct rd *r, bool eof, struct http_response *h, struct err *e)
{
	struct bytes line;
	uint64_t at = rd_offset(r);
	if (!next_line(r, &line))
		goto more;
	struct rd l;
	rd_init_at(&l, line.p, line.n, at);
	if (!take_ci(&l, "HTTP/1."))
		return err_set_at(e, ERR_PROTO, at, "not an HTTP/1.x response");
	uint8_t minor = rd_u8(&l), sp = rd_u8(&l);
	uint8_t d[3];
	for (int i = 0; i < 3; i++)
		d[i] = rd_u8(&l);
	if (l.err || !isdigit(minor) || sp != ' ' || !isdigit(d[0]) ||
	    !isdigit(d[1]) || !isdigit(d[2]) || d[0] < '1' || d[0] > '5' ||
	    (peek(&l) >= 0 && peek(&l) != ' '))
		return err_set_at(e, ERR_PROTO, l.err ? l.err_off : rd_offset(&l),
				  "malformed status line");
	h->status = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
	h->has_length = false;
	h->chunked = false;
	h->length = 0;
	for (int k = 0;; k++) {
		at = rd_offset(r);
		if (!next_line(r, &line))
			goto more;
		if (!line.n)
			return 0;
		if (k == HTTP_MAX_HEADERS)
			return err_set_at(e, ERR_PROTO, at,
					  "more than %d header lines",
					  HTTP_MAX_HEADERS);
		rd_init_at(&l, line.p, line.n, at);
		const uint8_t *colon = memchr(line.p, ':', line.n);
		size_t nn = colon ? (size_t)(colon - line.p) : 0;
		if (!nn)
			return err_set_at(e, ERR_PROTO, at,
					  "header line without a name and ':'");
		struct bytes name = rd_bytes(&l, nn);
		rd_skip(&l, 1);
		while (peek(&l) == ' ' || peek(&l) == '\t')
			rd_skip(&l, 1);
		/* the value up to its trailing blanks */
		struct rd vr = l;
		size_t vn = 0, keep = 0;
		while (rd_left(&vr)) {
			uint8_t c = rd_u8(&vr);
			vn++;
			if (c != ' ' && c != '\t')
				keep = vn;
		}
		struct rd vstart = l;
		struct bytes v = rd_bytes(&l, keep);
		if (header_is(name, "Content-Length")) {
			uint64_t x = 0;
			if (!v.n || v.n > 15)
				return err_set_at(e, ERR_PROTO, rd_offset(&vstart),
						  "bad Content-Length");
			while (rd_left(&vstart) > rd_left(&l)) {
				uint8_t c = rd_u8(&vstart);
				if (!isdigit(c))
					return err_set_at(e, ERR_PROTO,
							  rd_offset(&vstart) - 1,
							  "bad Content-Length");
				x = x * 10 + (uint64_t)(c - '0');
			}
			if (h->has_length && h->length != x)
				return err_set_at(e, ERR_PROTO, at,
						  "two different Content-Length values");
			h->has_length = true;
			h->length = x;
		} else if (header_is(name, "Transfer-Encoding") &&
			   value_has(v, "chunked")) {
			h->chunked = true;
		}
	}
more:
	if (eof)
		return err_set_at(e, ERR_PROTO, rd_offset(r),
				  "the response ends inside its headers");
	return HTTP_AGAIN;
}

int http_response_parse(const uint8_t *p, size_t n, bool eof,
			struct http_response *resp, struct err *e)
{
	memset(resp, 0, sizeof(*resp));
	struct rd r;
	rd_init(&r, p, n);
	for (;;) {
		int rc = parse_head(&r, eof, resp, e);
		if (rc)
			return rc;
		/* interim responses (100 Continue...) come before the final one;
		 * 101 switches protocols: nothing for a POST here */
		if (resp->status >= 100 && resp->status < 200 && resp->status != 101)
			continue;
		break;
	}
	resp->header_len = (size_t)(r.p - p);
	resp->body = r.p;
	if (resp->status == 204 || resp->status == 304 || resp->status == 101)
		return 0;
	size_t left = rd_left(&r);
	if (resp->has_length && !resp->chunked) {
		if (left >= resp->length) {
			resp->body_len = (size_t)resp->length;
			return 0;
		}
		resp->body_len = left;
		return eof ? 0 : HTTP_AGAIN;
	}
	resp->body_len = left;
	return eof ? 0 : HTTP_AGAIN;
}

void http_request_build(struct buf *out, const struct http_post *q)
{
	const struct http_url *u = q->url;
	buf_printf(out, "POST %s HTTP/1.1\r\n", u->path);
	bool dflt = u->port == (u->tls ? 443 : 80);
	buf_printf(out, "Host: %s%s%s", u->ipv6 ? "[" : "", u->host,
		   u->ipv6 ? "]" : "");
	if (!dflt)
		buf_printf(out, ":%d", u->port);
	buf_printf(out, "\r\nUser-Agent: chameleon/%s\r\n", CHAMELEON_VERSION);
	buf_printf(out, "Content-Type: %s\r\n",
		   q->content_type ? q->content_type : "application/json");
	buf_printf(out, "Content-Length: %zu\r\n", q->body_len);
	buf_puts(out, "Accept: */*\r\nConnection: close\r\n");
	if (q->extra_header && *q->extra_header)
		buf_printf(out, "%s\r\n", q->extra_header);
	buf_puts(out, "\r\n");
	buf_put(out, q->body, q->body_len);
}

/* The start of the body, printable, for a message. */
static void body_excerpt(const struct http_response *r, char *out, size_t n)
{
	if (!n)
		return;
	struct rd b;
	rd_init(&b, r->body, r->body_len);
	size_t k = 0;
	while (rd_left(&b) && k + 1 < n && k < 200) {
		uint8_t c = rd_u8(&b);
		out[k++] = c >= 0x20 && c < 0x7f ? (char)c : ' ';
	}
	out[k] = 0;
}

/*
 * mysqlproto's TLS messages name the MySQL connection's settings (ssl_ca,
 * ssl_mode): here they are notify_ca_file and the URL's host.
 */
static void tls_words(const char *in, char *out, size_t n)
{
	static const struct {
		const char *from, *to;
	} w[] = {
		{" (ssl_mode verify_identity)", ""},
		{"checked against ssl_ca", "checked against notify_ca_file"},
		{"cannot load ssl_ca", "cannot load notify_ca_file"},
	};
	size_t k = 0;
	while (*in && k + 1 < n) {
		size_t i = 0;
		while (i < sizeof(w) / sizeof(w[0]) && strncmp(in, w[i].from, strlen(w[i].from)))
			i++;
		if (i < sizeof(w) / sizeof(w[0])) {
			k += (size_t)snprintf(out + k, n - k, "%s", w[i].to);
			if (k >= n)
				k = n - 1;
			in += strlen(w[i].from);
			continue;
		}
		out[k++] = *in++;
	}
	out[k] = 0;
}

int http_post(const struct http_post *q, int *status, char *detail, size_t detail_n,
	      struct err *e)
{
	const struct http_url *u = q->url;
	int timeout = q->timeout_ms > 0 ? q->timeout_ms : 5000;
	struct mp_opts o;
	memset(&o, 0, sizeof(o));
	o.host = u->host;
	o.port = u->port;
	o.connect_timeout_ms = timeout;
	o.read_timeout_ms = timeout;
	o.ssl_mode = u->tls ? MP_SSL_VERIFY_IDENTITY : MP_SSL_DISABLED;
	o.ssl_ca = q->ca_file;
	struct mp_conn c;
	mp_conn_init(&c);
	c.cancel = q->cancel;
	struct buf req = BUF_INIT, in = BUF_INIT;
	buf_init(&req, 0);
	buf_init(&in, HTTP_RESPONSE_MAX);
	*status = 0;
	if (detail_n)
		detail[0] = 0;
	int rc = mp_stream_open(&c, &o);
	if (rc) {
		char msg[sizeof(c.err.msg)];
		tls_words(c.err.msg, msg, sizeof(msg));
		err_set(e, -rc, "%s:%d: %s", u->host, u->port, msg);
		goto out;
	}
	http_request_build(&req, q);
	if (req.failed) {
		rc = err_set(e, ERR_TOOBIG, "request too big");
		goto out;
	}
	rc = mp_stream_write(&c, req.p, req.n);
	if (rc) {
		err_set(e, -rc, "%s:%d: %s", u->host, u->port, c.err.msg);
		goto out;
	}
	int64_t deadline = clock_ms() + timeout;
	struct http_response resp;
	for (;;) {
		bool eof = false;
		uint8_t *dst = buf_reserve(&in, 4096);
		size_t room = in.alloc - in.n - 1;
		if (!dst || room == 0) {
			/* full: enough when the headers are in (the status is all
			 * that matters) */
			rc = http_response_parse(in.p, in.n, true, &resp, e);
			break;
		}
		if (room > HTTP_RESPONSE_MAX - in.n)
			room = HTTP_RESPONSE_MAX - in.n;
		size_t got = 0;
		int rrc = mp_stream_read(&c, in.p + in.n, room, &got);
		in.n += got;
		if (rrc || !got)
			eof = true; /* closed, or broken after what came */
		err_clear(e);
		rc = http_response_parse(in.p, in.n, eof, &resp, e);
		if (rc != HTTP_AGAIN) {
			if (rc && rrc) {
				/* a read error explains a short response better */
				err_clear(e);
				rc = err_set(e, -rrc, "%s:%d: %s", u->host, u->port,
					     c.err.msg);
			}
			break;
		}
		if (clock_ms() > deadline) {
			rc = err_set(e, ERR_TIMEOUT,
				     "%s:%d: no complete answer within %d ms",
				     u->host, u->port, timeout);
			break;
		}
	}
	if (!rc) {
		*status = resp.status;
		body_excerpt(&resp, detail, detail_n);
	}
out:
	mp_close(&c);
	buf_release(&req);
	buf_release(&in);
	return rc ? (rc < 0 ? rc : -ERR_PROTO) : 0;
}
