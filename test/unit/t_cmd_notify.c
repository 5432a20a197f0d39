/* Notifications: JSON payloads and escaping, URLs, HTTP requests and responses. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "cmd/config.h"
#include "cmd/http.h"
#include "cmd/notify.h"
#include "test/unit/test.h"

static const char *json(const char *s)
{
	static struct buf b;
	buf_release(&b);
	buf_init(&b, 0);
	notify_json_string(&b, s);
	return buf_cstr(&b);
}

TEST(notify, json_escaping)
{
	ASSERT_STREQ(json(NULL), "null");
	ASSERT_STREQ(json(""), "\"\"");
	ASSERT_STREQ(json("plain text"), "\"plain text\"");
	ASSERT_STREQ(json("a \"quoted\" \\ back"), "\"a \\\"quoted\\\" \\\\ back\"");
	ASSERT_STREQ(json("l1\nl2\r\tx"), "\"l1\\nl2\\r\\tx\"");
	ASSERT_STREQ(json("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	/* UTF-8 kept as is; bytes that are not UTF-8 become U+FFFD */
	ASSERT_STREQ(json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98"),
		     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98\"");
	ASSERT_STREQ(json("latin1 \xe9t\xe9"), "\"latin1 \\ufffdt\\ufffd\"");
	ASSERT_STREQ(json("cut \xe2\x82"), "\"cut \\ufffd\\ufffd\"");
	ASSERT_STREQ(json("\xed\xa0\x80"),
		     "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
}

TEST(notify, webhook_payload)
{
	struct buf b = BUF_INIT;
	buf_init(&b, 0);
	notify__webhook_json(&b, "table_disabled", "src", "error",
			     "table d.t taken out of replication: new row violates \"chk\"",
			     "d.t", NULL, "2026-12-04T14:00:00Z");
	ASSERT_STREQ(
		buf_cstr(&b),
		"{\"event\":\"table_disabled\",\"source\":\"src\",\"level\":\"error\","
		"\"message\":\"table d.t taken out of replication: new row violates "
		"\\\"chk\\\"\",\"table\":\"d.t\",\"position\":null,"
		"\"time\":\"2026-12-04T14:00:00Z\",\"text\":\"[chameleon] src (error): "
		"table d.t taken out of replication: new row violates \\\"chk\\\"\"}");
	buf_reset(&b);
	notify__webhook_json(&b, "replica_stop", "s", "info", "stopped", "",
			     "binlog.000002:4711", "T");
	ASSERT(strstr(buf_cstr(&b),
		      "\"table\":null,\"position\":\"binlog.000002:4711\""));
	buf_release(&b);
}

TEST(notify, rollbar_payload)
{
	struct buf b = BUF_INIT;
	buf_init(&b, 0);
	notify__rollbar_json(&b, "tok\"en", "production", "init_replica", "mysql",
			     "info", "init replica for source mysql is complete",
			     NULL, "binlog.000001:328", 1780000000, "db1");
	const char *s = buf_cstr(&b);
	static const char head[] =
		"{\"access_token\":\"tok\\\"en\",\"data\":{\"environment\":"
		"\"production\",\"level\":\"info\",\"timestamp\":1780000000,";
	ASSERT(!strncmp(s, head, sizeof(head) - 1));
	ASSERT(strstr(s,
		      ",\"server\":{\"host\":\"db1\"},\"body\":{\"message\":{\"body\":"
		      "\"init replica for source mysql is complete\",\"event\":"
		      "\"init_replica\",\"source\":\"mysql\",\"table\":null,\"position\":"
		      "\"binlog.000001:328\"}}}}"));
	ASSERT(strstr(s, "\"notifier\":{\"name\":\"chameleon\",\"version\":"));
	ASSERT_EQ(s[b.n - 1], '}');
	buf_release(&b);
}

TEST(notify, levels)
{
	enum notify_level l;
	ASSERT_EQ(notify_level_parse("critical", &l), 0);
	ASSERT_EQ(l, NOTIFY_CRITICAL);
	ASSERT_EQ(notify_level_parse("WARNING", &l), 0);
	ASSERT_EQ(l, NOTIFY_WARNING);
	ASSERT_EQ(notify_level_parse("debug", &l), -1);
	ASSERT_EQ(notify_level_parse(NULL, &l), -1);
	ASSERT_STREQ(notify_level_name(NOTIFY_ERROR), "error");
	ASSERT(NOTIFY_CRITICAL < NOTIFY_ERROR && NOTIFY_ERROR < NOTIFY_INFO);
	ASSERT_EQ(notify_set_rollbar_level("error"), 0);
	ASSERT_EQ(notify_set_rollbar_level("verbose"), -1);
	ASSERT_EQ(notify_set_rollbar_level("info"), 0);
}

TEST(notify, disabled_table)
{
	char t[64];
	ASSERT(notify__disabled_table("table d.t taken out of replication: boom: x",
				      t, sizeof(t)));
	ASSERT_STREQ(t, "d.t");
	ASSERT(notify__disabled_table("table we ird.na me taken out of replication: y",
				      t, sizeof(t)));
	ASSERT_STREQ(t, "we ird.na me");
	ASSERT(!notify__disabled_table("DDL applied: ALTER TABLE", t, sizeof(t)));
	ASSERT(!notify__disabled_table("table  taken out of replication: ", t,
				       sizeof(t) - 60));
	ASSERT(!notify__disabled_table("table d.t was renamed", t, sizeof(t)));
	ASSERT(!notify__disabled_table(NULL, t, sizeof(t)));
}

TEST(http, url_parse)
{
	struct http_url u;
	struct err e = {0};
	ASSERT_EQ(http_url_parse("https://api.rollbar.com/api/1/item/", &u, &e), 0);
	ASSERT(u.tls);
	ASSERT_STREQ(u.host, "api.rollbar.com");
	ASSERT_EQ(u.port, 443);
	ASSERT_STREQ(u.path, "/api/1/item/");
	ASSERT_EQ(http_url_parse("HTTP://127.0.0.1:8080", &u, &e), 0);
	ASSERT(!u.tls);
	ASSERT_EQ(u.port, 8080);
	ASSERT_STREQ(u.path, "/");
	ASSERT_EQ(http_url_parse("http://h?x=1&y=%20#frag", &u, &e), 0);
	ASSERT_STREQ(u.path, "/?x=1&y=%20");
	ASSERT_EQ(u.port, 80);
	ASSERT_EQ(http_url_parse("https://[::1]:9443/hook", &u, &e), 0);
	ASSERT(u.ipv6);
	ASSERT_STREQ(u.host, "::1");
	ASSERT_EQ(u.port, 9443);
	static const char *const bad[] = {
		"ftp://h/",	     "https://",
		"https:///x",	     "http://h:0/",
		"http://h:65536/",   "http://h:/",
		"http://user:pw@h/", "http://h/a b",
		"http://h/\x01",     "http://[::1/",
		"http://[::g]/",     "http://h!/",
		"hooks.slack.com/x", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		if (http_url_parse(bad[i], &u, &e) != -ERR_CONFIG)
			test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
		ASSERT(e.has_off);
	}
	/* the offset points at the fault */
	err_clear(&e);
	ASSERT_ERR(http_url_parse("http://h:99999/", &u, &e), ERR_CONFIG);
	ASSERT(e.off >= 9);
	err_clear(&e);
	ASSERT_ERR(http_url_parse("http://h/a b", &u, &e), ERR_CONFIG);
	ASSERT_UEQ(e.off, 10);
}

TEST(http, request_build)
{
	struct http_url u;
	struct err e = {0};
	ASSERT_EQ(http_url_parse("https://hooks.example.com:8443/h?k=v", &u, &e), 0);
	struct http_post q = {.url = &u,
			      .content_type = "application/json",
			      .extra_header = "X-Rollbar-Access-Token: t",
			      .body = "{}",
			      .body_len = 2};
	struct buf b = BUF_INIT;
	buf_init(&b, 0);
	http_request_build(&b, &q);
	const char *s = buf_cstr(&b);
	ASSERT(!strncmp(s, "POST /h?k=v HTTP/1.1\r\nHost: hooks.example.com:8443\r\n",
			52));
	ASSERT(strstr(s,
		      "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"));
	ASSERT(strstr(s,
		      "\r\nConnection: close\r\nX-Rollbar-Access-Token: t\r\n\r\n{}"));
	ASSERT_EQ(strlen(s), b.n);
	buf_reset(&b);
	ASSERT_EQ(http_url_parse("http://[::1]/", &u, &e), 0);
	q.extra_header = NULL;
	http_request_build(&b, &q);
	ASSERT(strstr(buf_cstr(&b), "\r\nHost: [::1]\r\n"));
	buf_release(&b);
}

static int parse(const char *s, bool eof, struct http_response *r)
{
	struct err e = {0};
	return http_response_parse((const uint8_t *)s, strlen(s), eof, r, &e);
}

TEST(http, response_parse)
{
	struct http_response r;
	const char *ok =
		"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX: y\r\n\r\n{\"err\": 0}\n";
	ASSERT_EQ(parse(ok, false, &r), 0);
	ASSERT_EQ(r.status, 200);
	ASSERT_UEQ(r.body_len, 11);
	ASSERT_MEM_EQ(r.body, "{\"err\": 0}\n", 11);
	/* bytes after the body (none expected) are not the body */
	ASSERT_EQ(parse("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokEXTRA",
			false, &r),
		  0);
	ASSERT_UEQ(r.body_len, 2);
	/* interim responses are passed over; LF alone ends lines too */
	ASSERT_EQ(parse("HTTP/1.1 100 Continue\n\nHTTP/1.0 403 Forbidden\nContent-Length: 0\n\n",
			false, &r),
		  0);
	ASSERT_EQ(r.status, 403);
	/* no length: the body ends with the stream */
	ASSERT_EQ(parse("HTTP/1.0 500 Oops\r\n\r\npartial", false, &r), HTTP_AGAIN);
	ASSERT_EQ(parse("HTTP/1.0 500 Oops\r\n\r\npartial", true, &r), 0);
	ASSERT_EQ(r.status, 500);
	ASSERT_UEQ(r.body_len, 7);
	ASSERT_EQ(parse("HTTP/1.1 204 No Content\r\n\r\n", false, &r), 0);
	ASSERT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello",
			false, &r),
		  HTTP_AGAIN);
	ASSERT(r.chunked);
	/* a short body is enough once the stream ended: the status counts */
	ASSERT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab", true, &r),
		  0);
	ASSERT_EQ(r.status, 200);
}

TEST(http, response_malformed)
{
	static const char *const bad[] = {
		"SMTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 600 Nope\r\n\r\n",
		"HTTP/1.1 099 Nope\r\n\r\n",
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_response r;
		struct err e = {0};
		int rc = http_response_parse((const uint8_t *)bad[i], strlen(bad[i]),
					     false, &r, &e);
		if (rc != -ERR_PROTO)
			test_fail(__FILE__, __LINE__, "'%s': %d, not ERR_PROTO",
				  bad[i], rc);
		ASSERT(e.has_off);
	}
	/* the offset of a bad header line */
	struct http_response r;
	struct err e = {0};
	const char *s = "HTTP/1.1 200 OK\r\nA: b\r\nbroken\r\n\r\n";
	ASSERT_ERR(http_response_parse((const uint8_t *)s, strlen(s), false, &r, &e),
		   ERR_PROTO);
	ASSERT_UEQ(e.off, 23); /* where "broken" starts */
	/* too many header lines */
	struct buf b = BUF_INIT;
	buf_init(&b, 0);
	buf_puts(&b, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < 101; i++)
		buf_printf(&b, "H%d: v\r\n", i);
	buf_puts(&b, "\r\n");
	err_clear(&e);
	ASSERT_ERR(http_response_parse(b.p, b.n, false, &r, &e), ERR_PROTO);
	buf_release(&b);
}

/* Every cut of a response: more is needed, never an error, and never a
 * read past the cut (ASan with a copy of exactly the cut's bytes). */
TEST(http, response_truncation_sweep)
{
	static const char *const full[] = {
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n"
		"\r\n{\"err\":0,\"result\":{\"id\":1}}",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 422 Unprocessable\r\nContent-Length: 3\r\n"
		"\r\nbad",
	};
	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(full[k]);
		for (size_t cut = 0; cut < n; cut++) {
			uint8_t *p = malloc(cut ? cut : 1);
			memcpy(p, full[k], cut);
			struct http_response r;
			struct err e = {0};
			int rc = http_response_parse(p, cut, false, &r, &e);
			if (rc != HTTP_AGAIN)
				test_fail(__FILE__, __LINE__, "case %zu cut %zu: %d",
					  k, cut, rc);
			/* at the end of the stream: an error inside the headers,
			 * a (short) response after them */
			err_clear(&e);
			rc = http_response_parse(p, cut, true, &r, &e);
			ASSERT(rc == 0 || rc == -ERR_PROTO);
			free(p);
		}
		struct http_response r;
		ASSERT_EQ(parse(full[k], false, &r), 0);
	}
}

/*
 * The queue: a webhook that accepts and never answers holds the thread;
 * 64 events wait, the rest are dropped and counted; the shutdown gives
 * up on them after its timeout and interrupts the delivery in flight.
 */
TEST(notify, queue_full_and_shutdown)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	ASSERT_EQ(listen(ls, 8), 0);
	socklen_t al = sizeof(a);
	ASSERT_EQ(getsockname(ls, (struct sockaddr *)&a, &al), 0);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", ntohs(a.sin_port));
	struct config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.notify_webhook = url;
	cfg.notify_level = "info";
	cfg.notify_timeout = 3;
	notify_setup(&cfg, NULL);
	for (int i = 0; i < 70; i++) {
		struct notify_event ev = {"replica_stop", NOTIFY_INFO, "m", NULL, NULL};
		notify_send(&ev);
	}
	uint64_t sent, failed, dropped;
	notify__counts(&sent, &failed, &dropped);
	ASSERT(dropped >= 5 && dropped <= 6);
	ASSERT_EQ(sent + failed, 0);
	int64_t t0 = clock_ms();
	notify_shutdown(300);
	int64_t took = clock_ms() - t0;
	/* 300 ms of waiting, then the delivery in flight is interrupted; the
	 * upper bound only catches a shutdown that hangs (a loaded machine
	 * can delay the thread by seconds) */
	if (took < 250 || took > 30000)
		test_fail(__FILE__, __LINE__, "shutdown took %lld ms", (long long)took);
	notify__counts(&sent, &failed, &dropped);
	ASSERT_EQ(sent, 0);
	ASSERT(failed <= 1);
	/* after the shutdown, events are not queued any more */
	struct notify_event ev = {"error", NOTIFY_CRITICAL, "late", NULL, NULL};
	notify_send(&ev);
	uint64_t d2;
	notify__counts(&sent, &failed, &d2);
	ASSERT_EQ(d2, dropped);
	close(ls);
}
