/*
 * The catalog's pure parts: detach_replica's statements (sequences,
 * foreign keys, validation) and update_schema_mappings' plan and JSON,
 * given names with quotes, backslashes, dollars and multi-byte
 * characters.  What they do on a server is tested by test/integ.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "replay/internal.h"
#include "replay/replay.h"
#include "test/unit/test.h"

TEST(replay, detach_sequence_sql)
{
	struct buf b;
	buf_init(&b, 0);
	rp__sequence_sql(&b, "fx_pg", "parent", "id");
	ASSERT_STREQ(buf_cstr(&b),
		     "CREATE SEQUENCE IF NOT EXISTS \"fx_pg\".\"parent_id_seq\" OWNED BY "
		     "\"fx_pg\".\"parent\".\"id\";\n"
		     "ALTER TABLE \"fx_pg\".\"parent\" ALTER COLUMN \"id\" SET DEFAULT "
		     "nextval('\"fx_pg\".\"parent_id_seq\"'::regclass);\n"
		     "SELECT setval('\"fx_pg\".\"parent_id_seq\"'::regclass, "
		     "COALESCE((SELECT max(\"id\") FROM \"fx_pg\".\"parent\"), 0)::bigint + 1, "
		     "false);\n");
	buf_reset(&b);
	/* quotes doubled in names, doubled again inside the literal */
	rp__sequence_sql(&b, "s'p", "we\"ird", "c\\1");
	ASSERT_STREQ(buf_cstr(&b),
		     "CREATE SEQUENCE IF NOT EXISTS \"s'p\".\"we\"\"ird_c\\1_seq\" OWNED BY "
		     "\"s'p\".\"we\"\"ird\".\"c\\1\";\n"
		     "ALTER TABLE \"s'p\".\"we\"\"ird\" ALTER COLUMN \"c\\1\" SET DEFAULT "
		     "nextval('\"s''p\".\"we\"\"ird_c\\1_seq\"'::regclass);\n"
		     "SELECT setval('\"s''p\".\"we\"\"ird_c\\1_seq\"'::regclass, "
		     "COALESCE((SELECT max(\"c\\1\") FROM \"s'p\".\"we\"\"ird\"), 0)::bigint + 1, "
		     "false);\n");
	buf_release(&b);
}

TEST(replay, detach_sequence_name_keeps_characters_whole)
{
	/* 59 ASCII bytes then "é" (2 bytes): the name is cut before it, not
	 * inside it (PostgreSQL refuses half a character) */
	char table[80];
	memset(table, 't', 59);
	strcpy(table + 59, "\xc3\xa9tail");
	struct buf b;
	buf_init(&b, 0);
	rp__sequence_sql(&b, "s", table, "id");
	ASSERT(utf8_valid(b.p, b.n));
	char want[100];
	snprintf(want, sizeof(want), "\"s\".\"%.59s_id_seq\"", table);
	ASSERT(strstr(buf_cstr(&b), want) != NULL);
	buf_release(&b);
}

TEST(replay, detach_fkey_sql)
{
	const char *cols[] = {"a", "b\"c"}, *refs[] = {"x", "y"};
	struct rp_fkey k = {.schema = "fx", .table = "child", .name = "fk_parent",
			    .ref_schema = "fx", .ref_table = "parent", .cols = cols,
			    .ref_cols = refs, .n = 2, .on_update = "restrict",
			    .on_delete = "CASCADE"};
	struct buf b;
	buf_init(&b, 0);
	rp__fkey_add_sql(&b, "fx_pg", "other", &k);
	ASSERT_STREQ(buf_cstr(&b),
		     "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
		     "'fk_parent' AND conrelid = '\"fx_pg\".\"child\"'::regclass) THEN "
		     "ALTER TABLE \"fx_pg\".\"child\" ADD CONSTRAINT \"fk_parent\" FOREIGN KEY "
		     "(\"a\", \"b\"\"c\") REFERENCES \"other\".\"parent\" (\"x\", \"y\") "
		     "ON UPDATE RESTRICT ON DELETE CASCADE NOT VALID; END IF; END$$;\n");
	/* a rule PostgreSQL does not have adds no clause */
	buf_reset(&b);
	k.on_update = "bogus";
	k.on_delete = NULL;
	rp__fkey_add_sql(&b, "fx_pg", "fx_pg", &k);
	ASSERT(strstr(buf_cstr(&b), " ON ") == NULL);
	buf_release(&b);
}

TEST(replay, detach_fkey_sql_dollars_in_names)
{
	/* "$$" in a name would end a $$-quoted body: another tag is chosen */
	const char *cols[] = {"a$$b"}, *refs[] = {"$k0$"};
	struct rp_fkey k = {.schema = "s", .table = "t$$", .name = "fk$$'x",
			    .ref_schema = "s", .ref_table = "p", .cols = cols,
			    .ref_cols = refs, .n = 1};
	struct buf b;
	buf_init(&b, 0);
	rp__fkey_add_sql(&b, "s$", "s", &k);
	const char *s = buf_cstr(&b);
	ASSERT(!strncmp(s, "DO $k1$BEGIN ", 13));
	ASSERT(strstr(s, "conname = 'fk$$''x'") != NULL);
	ASSERT(strstr(s, "FOREIGN KEY (\"a$$b\") REFERENCES \"s\".\"p\" (\"$k0$\")") != NULL);
	const char *end = "END IF; END$k1$;\n";
	ASSERT_STREQ(s + strlen(s) - strlen(end), end);
	/* the tag is only where it opens and where it closes */
	ASSERT(strstr(s + 7, "$k1$") == s + strlen(s) - 6);
	buf_release(&b);
}

TEST(replay, detach_validate_sql)
{
	struct buf b;
	buf_init(&b, 0);
	rp__fkey_validate_sql(&b, "fx pg", "ch\"ild", "fk\"1");
	ASSERT_STREQ(buf_cstr(&b),
		     "ALTER TABLE \"fx pg\".\"ch\"\"ild\" VALIDATE CONSTRAINT \"fk\"\"1\"");
	buf_release(&b);
}

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
