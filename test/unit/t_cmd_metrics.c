/* The metrics endpoint: request parsing and the Prometheus text. */
#include <string.h>

#include "cmd/metrics.h"
#include "test/unit/test.h"

static int parse(const char *req, char *method, char *path, struct err *e)
{
	return metrics_parse_request((const uint8_t *)req, strlen(req), method, 16,
				     path, 32, e);
}

TEST(metrics, whole_requests)
{
	char m[16], p[32];
	struct err e = {0};
	ASSERT_EQ(parse("GET /metrics HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n", m,
			p, &e),
		  1);
	ASSERT_STREQ(m, "GET");
	ASSERT_STREQ(p, "/metrics");
	ASSERT_EQ(parse("HEAD /readyz?x=1 HTTP/1.0\r\n\r\nbody ignored", m, p, &e),
		  1);
	ASSERT_STREQ(m, "HEAD");
	ASSERT_STREQ(p, "/readyz?x=1");
	/* a path longer than its buffer is cut, never overrun */
	ASSERT_EQ(parse("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.0\r\n\r\n",
			m, p, &e),
		  1);
	ASSERT_EQ(strlen(p), 31);
}

TEST(metrics, every_prefix_needs_more)
{
	const char *req =
		"GET /healthz HTTP/1.1\r\nUser-Agent: kube-probe/1.29\r\n\r\n";
	size_t n = strlen(req);
	for (size_t k = 0; k < n; k++) {
		char m[16], p[32];
		struct err e = {0};
		ASSERT_EQ(metrics_parse_request((const uint8_t *)req, k, m, 16, p,
						32, &e),
			  0);
	}
}

TEST(metrics, malformed_requests)
{
	static const struct {
		const char *req;
		uint64_t off; /* of the fault */
	} bad[] = {
		{"GET /metrics\r\n\r\n", 12},		  /* no version */
		{"GET /metrics FTP/1.0\r\n\r\n", 13},	  /* not HTTP */
		{"GET /me\x01trics HTTP/1.0\r\n\r\n", 7}, /* control byte */
		{"GET /metrics HTTP/1.0\n\n", 21},	  /* bare LF */
		{"GET /metrics HTTP/1.0\r\nA: b\nC\r\n\r\n", 27},
		{"GET /metrics HTTP/1.0\r\nA: \0\r\n\r\n", 26},
		{"GET /metrics HTTP/1.0\r\nA\rb\r\n\r\n", 25}, /* bare CR */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char m[16], p[32];
		struct err e = {0};
		size_t n = strlen(bad[i].req);
		if (i == 5)
			n = 31; /* the NUL is part of it */
		ASSERT_EQ(metrics_parse_request((const uint8_t *)bad[i].req, n, m,
						16, p, 32, &e),
			  -ERR_PROTO);
		ASSERT_EQ(e.off, bad[i].off);
	}
}

TEST(metrics, prometheus_text)
{
	struct rp_table_counts t[1] = {{"shop", "it\"ems\\", "shop_pg", 5, 10, 2, 1}};
	struct rp_source_status st;
	memset(&st, 0, sizeof(st));
	st.applied_file = "binlog.000002";
	st.applied_pos = 4711;
	st.transactions = 7;
	st.tables = t;
	st.ntables = 1;
	st.ndisabled = 1;
	st.has_replay_lag = true;
	st.replay_lag = 1.25;
	struct metrics_proc p = {"mysql", true, false, 123, {2, 1}, 3};
	struct buf b;
	buf_init(&b, 0);
	metrics_render(&b, &st, &p);
	const char *s = buf_cstr(&b);
	static const char *const want[] = {
		"chameleon_info{source=\"mysql\"} 1\n",
		"# TYPE chameleon_replica_lag_seconds gauge\nchameleon_replica_lag_seconds 1.250\n",
		"\nchameleon_read_lag_seconds NaN\n",
		"# TYPE chameleon_rows_applied_total counter\n",
		"chameleon_rows_applied_total{schema=\"shop\",table=\"it\\\"ems\\\\\",op=\"insert\"} 10\n",
		"chameleon_rows_applied_total{schema=\"shop\",table=\"it\\\"ems\\\\\",op=\"update\"} 2\n",
		"chameleon_rows_applied_total{schema=\"shop\",table=\"it\\\"ems\\\\\",op=\"delete\"} 1\n",
		"\nchameleon_transactions_applied_total 7\n",
		"\nchameleon_bytes_received_total 123\n",
		"\nchameleon_source_connected 1\n",
		"\nchameleon_target_connected 0\n",
		"chameleon_reconnects_total{side=\"source\"} 2\n",
		"chameleon_reconnects_total{side=\"target\"} 1\n",
		"\nchameleon_tables_disabled 1\n",
		"\nchameleon_errors_total 3\n",
		"# HELP chameleon_binlog_position ",
		"chameleon_binlog_position{file=\"binlog.000002\"} 4711\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(s, want[i]))
			test_fail(__FILE__, __LINE__, "missing %s in:\n%s", want[i],
				  s);
	buf_release(&b);
}

TEST(metrics, lags_as_show_status)
{
	struct rp_source_status st;
	memset(&st, 0, sizeof(st));
	st.applied_file = "b.1";
	st.received_file = "b.1";
	st.applied_pos = 100;
	st.received_pos = 200;
	rp_status_lags(&st, 1000, 990, 980, false);
	ASSERT(st.has_read_lag && st.read_lag == 10);
	ASSERT(st.has_replay_lag && st.replay_lag == 20);
	rp_status_lags(&st, 1000, 990, 980, true);
	ASSERT(st.caught_up && st.read_lag == 0);
	st.received_pos = 100;
	rp_status_lags(&st, 1000, 0, 0, false);
	ASSERT(!st.has_read_lag && st.has_replay_lag && st.replay_lag == 0);
	st.received_file = "";
	rp_status_lags(&st, 1000, 0, 0, false);
	ASSERT(!st.has_replay_lag);
}
