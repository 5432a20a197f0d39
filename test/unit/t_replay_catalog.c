/*
 * The catalog's pure parts: update_schema_mappings' plan and JSON, given
 * names with quotes and backslashes.  What they do on a server is tested
 * by test/integ.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "replay/internal.h"
#include "replay/replay.h"
#include "test/unit/test.h"

TEST(replay, mappings_json)
{
	struct rp_mapping m[] = {{"shop", "shop_pg"}, {"we\"ird\\", "a\tb"}};
	struct buf b;
	buf_init(&b, 0);
	rp__mappings_json(&b, m, 2);
	ASSERT_STREQ(buf_cstr(&b),
		     "{\"shop\": \"shop_pg\", \"we\\\"ird\\\\\": \"a\\u0009b\"}");
	buf_reset(&b);
	rp__mappings_json(&b, m, 0);
	ASSERT_STREQ(buf_cstr(&b), "{}");
	buf_release(&b);
}

TEST(replay, mappings_plan)
{
	struct rp_mapping old[] = {{"a", "a_pg"}, {"b", "b_pg"}, {"gone", "g_pg"}};
	struct rp_mapping now[] = {{"b", "b2_pg"}, {"new", "n_pg"}, {"a", "a_pg"}};
	struct arena a;
	arena_init(&a, 1024);
	struct rp_remap *p;
	size_t n;
	rp__mappings_plan(old, 3, now, 3, &a, &p, &n);
	ASSERT_EQ(n, 4);
	ASSERT_EQ(p[0].kind, RP_REMAP_RENAME);
	ASSERT_STREQ(p[0].mysql_schema, "b");
	ASSERT_STREQ(p[0].from_pg, "b_pg");
	ASSERT_STREQ(p[0].to_pg, "b2_pg");
	ASSERT_EQ(p[1].kind, RP_REMAP_NEW);
	ASSERT(p[1].from_pg == NULL);
	ASSERT_STREQ(p[1].to_pg, "n_pg");
	ASSERT_EQ(p[2].kind, RP_REMAP_SAME);
	ASSERT_EQ(p[3].kind, RP_REMAP_GONE);
	ASSERT_STREQ(p[3].mysql_schema, "gone");
	ASSERT_STREQ(p[3].from_pg, "g_pg");
	ASSERT(p[3].to_pg == NULL);
	/* nothing in the catalog: every schema is new */
	rp__mappings_plan(old, 0, now, 3, &a, &p, &n);
	ASSERT_EQ(n, 3);
	for (size_t i = 0; i < n; i++)
		ASSERT_EQ(p[i].kind, RP_REMAP_NEW);
	arena_release(&a);
}
