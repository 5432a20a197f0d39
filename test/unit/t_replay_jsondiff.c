/* Partial JSON updates: MySQL paths as PostgreSQL text[] literals, and the
 * decoder's operation list read back. */
#include "base/arena.h"
#include "replay/replay.h"
#include "test/unit/test.h"

/* The text[] literal of a path, or "ERR" when refused. */
static const char *pg_path(const char *mysql)
{
	static char out[512];
	struct buf b;
	buf_init(&b, 0);
	struct err e = {0};
	int rc = rp_json_path_to_pg(&b, mysql, strlen(mysql), &e);
	if (rc) {
		ASSERT_EQ(b.n, 0);	/* nothing left behind */
		snprintf(out, sizeof(out), "ERR");
	} else {
		ASSERT(e.code == 0);
		snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	}
	buf_release(&b);
	return out;
}

TEST(replay, json_path_members_and_indexes)
{
	ASSERT_STREQ(pg_path("$.age"), "{\"age\"}");
	ASSERT_STREQ(pg_path("$.a[0].b"), "{\"a\",\"0\",\"b\"}");
	ASSERT_STREQ(pg_path("$[3]"), "{\"3\"}");
	ASSERT_STREQ(pg_path("$[0][12][7]"), "{\"0\",\"12\",\"7\"}");
	ASSERT_STREQ(pg_path("$.$id._x1"), "{\"$id\",\"_x1\"}");
	/* whitespace between legs, as MySQL's parser allows */
	ASSERT_STREQ(pg_path(" $ .a [ 1 ] . b"), "{\"a\",\"1\",\"b\"}");
	/* last and last-N count from the end, as PostgreSQL's negatives */
	ASSERT_STREQ(pg_path("$.a[last]"), "{\"a\",\"-1\"}");
	ASSERT_STREQ(pg_path("$.a[last-2]"), "{\"a\",\"-3\"}");
	ASSERT_STREQ(pg_path("$[last - 0]"), "{\"-1\"}");
}

TEST(replay, json_path_quoted_keys)
{
	/* keys with dots, spaces, brackets stay one element */
	ASSERT_STREQ(pg_path("$.\"a.b\""), "{\"a.b\"}");
	ASSERT_STREQ(pg_path("$.\"x y\"[1]"), "{\"x y\",\"1\"}");
	ASSERT_STREQ(pg_path("$.\"[0]\""), "{\"[0]\"}");
	/* a numeric key of an object is a key, not an index */
	ASSERT_STREQ(pg_path("$.\"0\""), "{\"0\"}");
	/* quotes, backslashes and braces are escaped for the array literal */
	ASSERT_STREQ(pg_path("$.\"say \\\"hi\\\"\""), "{\"say \\\"hi\\\"\"}");
	ASSERT_STREQ(pg_path("$.\"back\\\\slash\""), "{\"back\\\\slash\"}");
	ASSERT_STREQ(pg_path("$.\"{a,b}\""), "{\"{a,b}\"}");
	ASSERT_STREQ(pg_path("$.\"it's\""), "{\"it's\"}");
	ASSERT_STREQ(pg_path("$.\"\""), "{\"\"}");
	/* JSON escapes: control characters and \u, surrogate pairs joined */
	ASSERT_STREQ(pg_path("$.\"tab\\there\""), "{\"tab\there\"}");
	ASSERT_STREQ(pg_path("$.\"\\u00e9t\\u00e9\""), "{\"\xc3\xa9t\xc3\xa9\"}");
	ASSERT_STREQ(pg_path("$.\"\\ud83d\\ude00\""), "{\"\xf0\x9f\x98\x80\"}");
	/* UTF-8 as written, quoted or not */
	ASSERT_STREQ(pg_path("$.\"Zo\xc3\xab\".na\xc3\xafve"),
		     "{\"Zo\xc3\xab\",\"na\xc3\xafve\"}");
}

TEST(replay, json_path_refused)
{
	/* the root alone: MySQL never logs a diff of the whole document */
	ASSERT_STREQ(pg_path("$"), "ERR");
	ASSERT_STREQ(pg_path(""), "ERR");
	ASSERT_STREQ(pg_path("a.b"), "ERR");
	/* wildcards, ellipsis and ranges address several values */
	ASSERT_STREQ(pg_path("$.*"), "ERR");
	ASSERT_STREQ(pg_path("$[*]"), "ERR");
	ASSERT_STREQ(pg_path("$**.a"), "ERR");
	ASSERT_STREQ(pg_path("$[1 to 3]"), "ERR");
	/* malformed */
	ASSERT_STREQ(pg_path("$."), "ERR");
	ASSERT_STREQ(pg_path("$.\"open"), "ERR");
	ASSERT_STREQ(pg_path("$[1"), "ERR");
	ASSERT_STREQ(pg_path("$[-1]"), "ERR");
	ASSERT_STREQ(pg_path("$[99999999999]"), "ERR");
	ASSERT_STREQ(pg_path("$[last-]"), "ERR");
	ASSERT_STREQ(pg_path("$.\"\\ud83d\""), "ERR");
	ASSERT_STREQ(pg_path("$.\"\\u0000\""), "ERR");
	ASSERT_STREQ(pg_path("$.\"\\q\""), "ERR");
	ASSERT_STREQ(pg_path("$.a\\u0041"), "ERR");
}

TEST(replay, json_diff_operations)
{
	struct arena a;
	arena_init(&a, 1024);
	struct err e = {0};
	const char *d = "[{\"op\":\"replace\",\"path\":\"$.age\",\"value\":26},"
			"{\"op\":\"insert\",\"path\":\"$.tags[last]\",\"value\":{\"k\":[1,\"]\"]}},"
			"{\"op\":\"remove\",\"path\":\"$.\\\"a b\\\"\"},"
			"{\"op\":\"insert\",\"path\":\"$.s\",\"value\":\"x\\\"}y\"}]";
	struct rp_json_op *ops;
	size_t n;
	ASSERT_EQ(rp_json_diff_ops((struct bytes){(const uint8_t *)d, strlen(d)}, &a,
				   &ops, &n, &e), 0);
	ASSERT_EQ(n, 4);
	ASSERT_EQ(ops[0].op, RP_JSON_REPLACE);
	ASSERT_STREQ(ops[0].pg_path, "{\"age\"}");
	ASSERT_STREQ(ops[0].value, "26");
	ASSERT_EQ(ops[1].op, RP_JSON_INSERT);
	ASSERT_STREQ(ops[1].pg_path, "{\"tags\",\"-1\"}");
	ASSERT_STREQ(ops[1].value, "{\"k\":[1,\"]\"]}");
	ASSERT_EQ(ops[2].op, RP_JSON_REMOVE);
	ASSERT_STREQ(ops[2].mysql_path, "$.\"a b\"");
	ASSERT_STREQ(ops[2].pg_path, "{\"a b\"}");
	ASSERT(ops[2].value == NULL);
	ASSERT_STREQ(ops[3].value, "\"x\\\"}y\"");
	/* an empty list is no change */
	ASSERT_EQ(rp_json_diff_ops((struct bytes){(const uint8_t *)"[]", 2}, &a, &ops, &n,
				   &e), 0);
	ASSERT_EQ(n, 0);
	/* refused: unknown operation, remove with a value, replace without,
	 * truncation at every length */
	static const char *const bad[] = {
		"[{\"op\":\"move\",\"path\":\"$.a\"}]",
		"[{\"op\":\"remove\",\"path\":\"$.a\",\"value\":1}]",
		"[{\"op\":\"replace\",\"path\":\"$.a\"}]",
		"[{\"op\":\"replace\",\"path\":\"$\",\"value\":1}]",
		"[{\"op\":\"replace\",\"value\":1}]",
		"[{\"op\":\"replace\",\"path\":\"$.a\",\"value\":1}] x",
		"[{\"op\":\"replace\",\"path\":\"$.a\",\"value\":}]",
		"{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		ASSERT_ERR(rp_json_diff_ops((struct bytes){(const uint8_t *)bad[i],
							   strlen(bad[i])},
					    &a, &ops, &n, &e),
			   ERR_PROTO);
	}
	for (size_t k = 0; k < strlen(d); k++) {
		err_clear(&e);
		ASSERT(rp_json_diff_ops((struct bytes){(const uint8_t *)d, k}, &a, &ops, &n,
					&e) < 0);
	}
	arena_release(&a);
}
