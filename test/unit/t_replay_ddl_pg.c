/*
 * The DDL planner (replay/ddl_pg*.c): statements parsed by the DDL parser
 * and planned against fixture tables (the lookup callback), asserting the
 * exact PostgreSQL statements and the effects.
 */
#include "replay/ddl_parse_int.h"
#include "replay/ddl_pg.h"
#include "test/unit/test.h"

/* ---- fixtures: schema shop (shop_pg), other (other_pg) ---- */

static const struct rp__pg_column a_cols[] = {
	{"id", "integer", true, false, NULL, 0, NULL},
	{"v", "character varying(20)", false, false, NULL, 0, NULL},
	{"n", "integer", false, false, "0", 0, NULL},
};
static const char *const a_pk[] = {"id"};
static const char *const a_v[] = {"v"};
static const char *const a_nv[] = {"n", "v"};
static const struct rp__pg_index a_idx[] = {
	{"a_pkey", "a_pkey", true, true, 1, a_pk},
	{"idx_a_v", NULL, false, false, 1, a_v},
	{"idx_a_nv", NULL, false, true, 2, a_nv},
};
static const char *const k_labels[] = {"x", "y", ""};
static const struct rp__pg_column k_cols[] = {
	{"id", "integer", true, false, NULL, 0, NULL},
	{"tag", "shop_pg.enum_k_tag", false, true, "'x'::shop_pg.enum_k_tag", 3,
	 k_labels},
};
static const struct rp__pg_index k_idx[] = {
	{"k_pkey", "k_pkey", true, true, 1, a_pk},
};

static struct rp__pg_table fixtures[] = {
	{"shop_pg", "a", 3, a_cols, 3, a_idx, false},
	{"shop_pg", "k", 2, k_cols, 1, k_idx, false},
	{"shop_pg", "empty", 3, a_cols, 0, NULL, true},
	{"shop_pg", "_a_new", 3, a_cols, 0, NULL, true},
	{"other_pg", "o", 3, a_cols, 0, NULL, false},
};

static int lookups;
static bool fail_lookup;

static int lookup(void *arg, const char *pg_schema, const char *table,
		  const struct rp__pg_table **out, struct err *e)
{
	(void)arg;
	lookups++;
	*out = NULL;
	if (fail_lookup)
		return err_set(e, ERR_PG, "lookup failed"), -1;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		if (!strcmp(fixtures[i].schema, pg_schema) &&
		    !strcmp(fixtures[i].name, table))
			*out = &fixtures[i];
	return 0;
}

static bool is_disabled(void *arg, const char *schema, const char *table)
{
	(void)arg;
	return !strcmp(schema, "shop") && !strcmp(table, "off");
}

static const char * override(void *arg, const char *schema, const char *table,
			     const char *ct)
{
	(void)arg;
	(void)schema;
	(void)table;
	return !strcmp(ct, "tinyint(1)") ? "boolean" : NULL;
}

static int ff(void *arg, const char *schema, const char *table)
{
	(void)arg;
	(void)schema;
	return !strcmp(table, "filled") ? 70 : 0;
}

static int schema_tables(void *arg, const char *pg_schema, const char *const **names,
			 size_t *n, struct err *e)
{
	static const char *const v[] = {"a", "k", "skipped"};
	(void)arg;
	(void)e;
	*names = v;
	*n = !strcmp(pg_schema, "shop_pg") ? 3 : 0;
	return 0;
}

static const struct rp_mapping maps[] = {{"shop", "shop_pg"}, {"other", "other_pg"}};
static const char *const skips[] = {"shop.skipped"};

static struct rp_opts opts;
static struct rp__ddl_env env;

static void setup(void)
{
	memset(&opts, 0, sizeof(opts));
	opts.mappings = maps;
	opts.n_mappings = 2;
	opts.skip_tables.v = skips;
	opts.skip_tables.n = 1;
	memset(&env, 0, sizeof(env));
	env.o = &opts;
	env.default_db = "shop";
	env.strict = true;
	env.when = 1714564800; /* 2024-05-01 12:00:00 UTC */
	env.disabled = is_disabled;
	env.lookup = lookup;
	env.tables = schema_tables;
	env.type_override = override;
	env.fillfactor = ff;
	fail_lookup = false;
	lookups = 0;
}

static struct arena arena;
static bool arena_ready;
static struct rp__ddl_plan plan;
static char sqlbuf[16384], fxbuf[4096];

/* Parse and plan q; the SQL joined by ";\n" in sqlbuf, the effects as
 * "KIND schema.table[ -> s.t][: why]" lines in fxbuf. */
static void run(const char *q)
{
	if (arena_ready)
		arena_release(&arena);
	arena_init(&arena, 4096);
	arena_ready = true;
	struct rp__ddl_stmt st;
	struct err e = {0};
	if (rp__ddl_parse(q, strlen(q), false, &arena, &st, &e))
		test_fail(__FILE__, __LINE__, "parse: %s", e.msg);
	if (rp__ddl_pg_plan(&st, &env, &arena, &plan, &e))
		test_fail(__FILE__, __LINE__, "plan: %s", e.msg);
	static const char *const kinds[] = {"CREATED", "DROPPED",   "RENAMED",
					    "ALTERED", "TRUNCATED", "COPY",
					    "DISABLE", "NOTE"};
	size_t n = 0;
	sqlbuf[0] = fxbuf[0] = 0;
	for (size_t i = 0; i < plan.nsql; i++)
		n += (size_t)snprintf(sqlbuf + n, sizeof(sqlbuf) - n, "%s%s",
				      i ? ";\n" : "", plan.sql[i]);
	n = 0;
	for (size_t i = 0; i < plan.nfx; i++) {
		const struct rp__ddl_fx *f = &plan.fx[i];
		n += (size_t)snprintf(fxbuf + n, sizeof(fxbuf) - n, "%s%s %s.%s",
				      i ? "\n" : "", kinds[f->kind], f->schema,
				      f->table);
		if (f->kind == RP__FX_RENAMED)
			n += (size_t)snprintf(fxbuf + n, sizeof(fxbuf) - n,
					      " -> %s.%s", f->to_schema, f->to_table);
		if (f->why)
			n += (size_t)snprintf(fxbuf + n, sizeof(fxbuf) - n, ": %s",
					      f->why);
	}
}

#define EXPECT(q, sql, fx, sum)                                        \
	do {                                                           \
		run(q);                                                \
		ASSERT_STREQ(sqlbuf, sql);                             \
		ASSERT_STREQ(fxbuf, fx);                               \
		if (sum)                                               \
			ASSERT_STREQ(plan.summary, (const char *)sum); \
		else                                                   \
			ASSERT(plan.summary == NULL);                  \
	} while (0)

#define NOTHING(q) EXPECT(q, "", "", NULL)

/* ---- what is not replicated ---- */

TEST(replay_ddl_pg, not_replicated)
{
	setup();
	NOTHING("CREATE TABLE elsewhere.t (id int)");
	NOTHING("CREATE TABLE skipped (id int)");
	NOTHING("ALTER TABLE off ADD COLUMN x int");
	NOTHING("CREATE TEMPORARY TABLE t (id int)");
	NOTHING("DROP TEMPORARY TABLE IF EXISTS a");
	NOTHING("CREATE VIEW v AS SELECT 1");
	NOTHING("CREATE DATABASE elsewhere");
	env.default_db = "";
	NOTHING("CREATE TABLE t (id int)");
	ASSERT_EQ(lookups, 0);
}

TEST(replay_ddl_pg, lookup_error)
{
	setup();
	fail_lookup = true;
	if (arena_ready)
		arena_release(&arena);
	arena_init(&arena, 4096);
	arena_ready = true;
	struct err e = {0};
	struct rp__ddl_stmt st;
	ASSERT_EQ(rp__ddl_parse("DROP TABLE a", 12, false, &arena, &st, &e), 0);
	ASSERT_EQ(rp__ddl_pg_plan(&st, &env, &arena, &plan, &e), -1);
	ASSERT_STREQ(e.msg, "lookup failed");
	ASSERT_EQ(plan.nsql, 0);
}

/* ---- CREATE TABLE ---- */

TEST(replay_ddl_pg, create_table)
{
	setup();
	EXPECT("CREATE TABLE t (id INT UNSIGNED NOT NULL AUTO_INCREMENT, "
	       "name VARCHAR(40) NOT NULL DEFAULT 'it''s', price DECIMAL(10,2) DEFAULT 0, "
	       "flag TINYINT(1) DEFAULT 1, at DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), "
	       "kind ENUM('a','b') NOT NULL, PRIMARY KEY (id), UNIQUE KEY u_name (name), "
	       "KEY (price, at), KEY (price)) ENGINE=InnoDB COMMENT 'the t'",
	       "DROP TYPE IF EXISTS \"shop_pg\".\"enum_t_kind\";\n"
	       "CREATE TYPE \"shop_pg\".\"enum_t_kind\" AS ENUM ('a', 'b', '');\n"
	       "CREATE TABLE \"shop_pg\".\"t\" (\"id\" bigint NOT NULL, "
	       "\"name\" character varying(40) NOT NULL DEFAULT 'it''s', "
	       "\"price\" numeric(10,2) DEFAULT 0, \"flag\" boolean DEFAULT '1', "
	       "\"at\" timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP, "
	       "\"kind\" \"shop_pg\".\"enum_t_kind\" NOT NULL);\n"
	       "ALTER TABLE \"shop_pg\".\"t\" ADD PRIMARY KEY (\"id\");\n"
	       "CREATE UNIQUE INDEX \"idx_t_u_name\" ON \"shop_pg\".\"t\" (\"name\");\n"
	       "CREATE INDEX \"idx_t_price\" ON \"shop_pg\".\"t\" (\"price\", \"at\");\n"
	       "CREATE INDEX \"idx_t_price_2\" ON \"shop_pg\".\"t\" (\"price\");\n"
	       "COMMENT ON TABLE \"shop_pg\".\"t\" IS 'the t'",
	       "CREATED shop.t", "CREATE TABLE `shop`.`t`");
}

TEST(replay_ddl_pg, create_table_forms)
{
	setup();
	/* column keys, a qualified name, fillfactor, names with any character */
	EXPECT("CREATE TABLE other.filled (`i\"d` INT PRIMARY KEY, e VARCHAR(3) UNIQUE)",
	       "CREATE TABLE \"other_pg\".\"filled\" (\"i\"\"d\" integer NOT NULL, "
	       "\"e\" character varying(3)) WITH (fillfactor = 70);\n"
	       "ALTER TABLE \"other_pg\".\"filled\" ADD PRIMARY KEY (\"i\"\"d\");\n"
	       "CREATE UNIQUE INDEX \"idx_filled_e\" ON \"other_pg\".\"filled\" (\"e\")",
	       "CREATED other.filled", "CREATE TABLE `other`.`filled`");
	/* IF NOT EXISTS of a table PostgreSQL has: nothing */
	NOTHING("CREATE TABLE IF NOT EXISTS a (id int)");
	/* PostgreSQL's table of that name is stale */
	EXPECT("CREATE TABLE k (id int)",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"k\" CASCADE;\n"
	       "DROP TYPE IF EXISTS shop_pg.enum_k_tag;\n"
	       "CREATE TABLE \"shop_pg\".\"k\" (\"id\" integer)",
	       "CREATED shop.k", "CREATE TABLE `shop`.`k`");
	EXPECT("CREATE TABLE s AS SELECT * FROM a", "",
	       "COPY shop.s: CREATE TABLE ... SELECT: its columns come from the query",
	       "CREATE TABLE `shop`.`s`: copied");
	EXPECT("CREATE TABLE c (id int, FULLTEXT KEY ft (b), CHECK (id > 0))",
	       "CREATE TABLE \"shop_pg\".\"c\" (\"id\" integer)",
	       "NOTE shop.c: FULLTEXT index ft left out: PostgreSQL has no use for it\n"
	       "CREATED shop.c\nNOTE shop.c: CHECK (id > 0) left out",
	       "CREATE TABLE `shop`.`c`");
}

TEST(replay_ddl_pg, create_like)
{
	setup();
	EXPECT("CREATE TABLE _k_new LIKE k",
	       "DROP TYPE IF EXISTS \"shop_pg\".\"enum__k_new_tag\";\n"
	       "CREATE TYPE \"shop_pg\".\"enum__k_new_tag\" AS ENUM ('x', 'y', '');\n"
	       "CREATE TABLE \"shop_pg\".\"_k_new\" (\"id\" integer NOT NULL, "
	       "\"tag\" \"shop_pg\".\"enum__k_new_tag\" "
	       "DEFAULT 'x'::\"shop_pg\".\"enum__k_new_tag\");\n"
	       "ALTER TABLE \"shop_pg\".\"_k_new\" ADD PRIMARY KEY (\"id\")",
	       "CREATED shop._k_new", "CREATE TABLE `shop`.`_k_new`");
	EXPECT("CREATE TABLE b LIKE a",
	       "CREATE TABLE \"shop_pg\".\"b\" (\"id\" integer NOT NULL, "
	       "\"v\" character varying(20), \"n\" integer DEFAULT 0);\n"
	       "ALTER TABLE \"shop_pg\".\"b\" ADD PRIMARY KEY (\"id\");\n"
	       "CREATE INDEX \"idx_b_v\" ON \"shop_pg\".\"b\" (\"v\");\n"
	       "CREATE UNIQUE INDEX \"idx_b_nv\" ON \"shop_pg\".\"b\" (\"n\", \"v\")",
	       "CREATED shop.b", "CREATE TABLE `shop`.`b`");
	EXPECT("CREATE TABLE b LIKE elsewhere.x", "",
	       "COPY shop.b: CREATE TABLE ... LIKE a table PostgreSQL does not have "
	       "(elsewhere.x)",
	       "CREATE TABLE `shop`.`b`: copied");
}

/* ---- DROP, TRUNCATE, RENAME ---- */

TEST(replay_ddl_pg, drop_truncate)
{
	setup();
	EXPECT("DROP TABLE IF EXISTS a, elsewhere.x, `k`, gone",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"a\" CASCADE;\n"
	       "DROP TABLE IF EXISTS \"shop_pg\".\"k\" CASCADE;\n"
	       "DROP TYPE IF EXISTS shop_pg.enum_k_tag",
	       "DROPPED shop.a\nDROPPED shop.k\nDROPPED shop.gone",
	       "DROP TABLE `shop`.`a`, `shop`.`k`, `shop`.`gone`");
	EXPECT("TRUNCATE TABLE shop.a", "TRUNCATE \"shop_pg\".\"a\"",
	       "TRUNCATED shop.a", "TRUNCATE TABLE `shop`.`a`");
}

TEST(replay_ddl_pg, rename)
{
	setup();
	/* the swap of online schema-change tools */
	EXPECT("RENAME TABLE a TO _a_old, _a_new TO a",
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME TO \"_a_old\";\n"
	       "ALTER TABLE \"shop_pg\".\"_a_old\" RENAME CONSTRAINT \"a_pkey\" TO "
	       "\"_a_old_pkey\";\n"
	       "ALTER INDEX \"shop_pg\".\"idx_a_v\" RENAME TO \"idx__a_old_v\";\n"
	       "ALTER INDEX \"shop_pg\".\"idx_a_nv\" RENAME TO \"idx__a_old_nv\";\n"
	       "ALTER TABLE \"shop_pg\".\"_a_new\" RENAME TO \"a\"",
	       "RENAMED shop.a -> shop._a_old\nRENAMED shop._a_new -> shop.a",
	       "RENAME TABLE `shop`.`a` TO `shop`.`_a_old`, `shop`.`_a_new` TO `shop`.`a`");
	/* between mapped schemas, with an enum type */
	EXPECT("RENAME TABLE k TO other.k2",
	       "ALTER TABLE \"shop_pg\".\"k\" SET SCHEMA \"other_pg\";\n"
	       "ALTER TABLE \"other_pg\".\"k\" RENAME TO \"k2\";\n"
	       "ALTER TYPE shop_pg.enum_k_tag RENAME TO \"enum_k2_tag\";\n"
	       "ALTER TYPE \"shop_pg\".\"enum_k2_tag\" SET SCHEMA \"other_pg\";\n"
	       "ALTER TABLE \"other_pg\".\"k2\" RENAME CONSTRAINT \"k_pkey\" TO \"k2_pkey\"",
	       "RENAMED shop.k -> other.k2",
	       "RENAME TABLE `shop`.`k` TO `other`.`k2`");
	/* out of and into the mapped schemas */
	EXPECT("RENAME TABLE a TO elsewhere.a, elsewhere.b TO b",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"a\" CASCADE",
	       "DROPPED shop.a\nCOPY shop.b: renamed into replication from elsewhere.b",
	       "RENAME TABLE `shop`.`a` TO `elsewhere`.`a`, `elsewhere`.`b` TO `shop`.`b`");
	/* the plan sees its own renames: a then b */
	EXPECT("RENAME TABLE empty TO e1, e1 TO e2",
	       "ALTER TABLE \"shop_pg\".\"empty\" RENAME TO \"e1\";\n"
	       "ALTER TABLE \"shop_pg\".\"e1\" RENAME TO \"e2\"",
	       "RENAMED shop.empty -> shop.e1\nRENAMED shop.e1 -> shop.e2",
	       "RENAME TABLE `shop`.`empty` TO `shop`.`e1`, `shop`.`e1` TO `shop`.`e2`");
}

/* ---- CREATE INDEX, DROP INDEX, databases ---- */

TEST(replay_ddl_pg, indexes)
{
	setup();
	EXPECT("CREATE UNIQUE INDEX u ON a (n)",
	       "CREATE UNIQUE INDEX \"idx_a_u\" ON \"shop_pg\".\"a\" (\"n\")",
	       "ALTERED shop.a", "CREATE INDEX ON `shop`.`a`: u");
	EXPECT("DROP INDEX v ON a", "DROP INDEX \"shop_pg\".\"idx_a_v\"",
	       "ALTERED shop.a", "DROP INDEX ON `shop`.`a`: v");
	EXPECT("DROP INDEX `PRIMARY` ON a",
	       "ALTER TABLE \"shop_pg\".\"a\" DROP CONSTRAINT \"a_pkey\"",
	       "ALTERED shop.a", "DROP INDEX ON `shop`.`a`: PRIMARY");
	EXPECT("DROP INDEX nope ON a", "", "",
	       "DROP INDEX ON `shop`.`a`: nope (none in PostgreSQL)");
}

/* MySQL's column names are case-insensitive: keys name PostgreSQL's columns */
TEST(replay_ddl_pg, index_column_case)
{
	setup();
	EXPECT("CREATE INDEX i ON a (V, N)",
	       "CREATE INDEX \"idx_a_i\" ON \"shop_pg\".\"a\" (\"v\", \"n\")",
	       "ALTERED shop.a", "CREATE INDEX ON `shop`.`a`: i");
	EXPECT("ALTER TABLE empty DROP PRIMARY KEY, ADD PRIMARY KEY (ID), ADD UNIQUE (V), "
	       "ADD INDEX (N)",
	       "ALTER TABLE \"shop_pg\".\"empty\" ADD PRIMARY KEY (\"id\");\n"
	       "CREATE UNIQUE INDEX \"idx_empty_v\" ON \"shop_pg\".\"empty\" (\"v\");\n"
	       "CREATE INDEX \"idx_empty_n\" ON \"shop_pg\".\"empty\" (\"n\")",
	       "ALTERED shop.empty",
	       "ALTER TABLE `shop`.`empty`: DROP PRIMARY KEY, ADD PRIMARY KEY, ADD UNIQUE, "
	       "ADD INDEX");
	EXPECT("CREATE TABLE m3 (Id INT, ColA INT, PRIMARY KEY (ID), KEY (cola), "
	       "UNIQUE KEY u (COLA, id))",
	       "CREATE TABLE \"shop_pg\".\"m3\" (\"Id\" integer, \"ColA\" integer);\n"
	       "ALTER TABLE \"shop_pg\".\"m3\" ADD PRIMARY KEY (\"Id\");\n"
	       "CREATE INDEX \"idx_m3_ColA\" ON \"shop_pg\".\"m3\" (\"ColA\");\n"
	       "CREATE UNIQUE INDEX \"idx_m3_u\" ON \"shop_pg\".\"m3\" (\"ColA\", \"Id\")",
	       "CREATED shop.m3", "CREATE TABLE `shop`.`m3`");
	/* the index follows its column: DROP COLUMN finds it */
	EXPECT("ALTER TABLE empty ADD INDEX iv (V, n), DROP COLUMN v",
	       "CREATE INDEX \"idx_empty_iv\" ON \"shop_pg\".\"empty\" (\"v\", \"n\");\n"
	       "ALTER TABLE \"shop_pg\".\"empty\" DROP COLUMN \"v\";\n"
	       "CREATE INDEX \"idx_empty_iv\" ON \"shop_pg\".\"empty\" (\"n\")",
	       "ALTERED shop.empty",
	       "ALTER TABLE `shop`.`empty`: ADD INDEX iv, DROP COLUMN v");
}

/* 64-character table names: the enum types and indexes PostgreSQL would
 * cut alike are told apart by a hash */
TEST(replay_ddl_pg, long_names)
{
	setup();
	EXPECT("CREATE TABLE t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1 "
	       "(id INT, e ENUM('a','b'), v INT, "
	       "KEY k_indexindexindexindexindexindexindexindexindexindexindexindex (v))",
	       "DROP TYPE IF EXISTS "
	       "\"shop_pg\".\"enum_t_longlonglonglonglonglonglonglonglonglonglonglon_1a47629a\";\n"
	       "CREATE TYPE "
	       "\"shop_pg\".\"enum_t_longlonglonglonglonglonglonglonglonglonglonglon_1a47629a\" "
	       "AS ENUM ('a', 'b', '');\n"
	       "CREATE TABLE "
	       "\"shop_pg\".\"t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1\" "
	       "(\"id\" integer, \"e\" "
	       "\"shop_pg\".\"enum_t_longlonglonglonglonglonglonglonglonglonglonglon_1a47629a\", "
	       "\"v\" integer);\n"
	       "CREATE INDEX \"idx_t_longlonglonglonglonglonglonglonglonglonglonglong_f28f1bad\" "
	       "ON \"shop_pg\".\"t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1\" "
	       "(\"v\")",
	       "CREATED shop.t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1",
	       "CREATE TABLE "
	       "`shop`.`t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1`");
	run("CREATE TABLE t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_two2 "
	    "(id INT, e ENUM('a','b'), v INT, "
	    "KEY k_indexindexindexindexindexindexindexindexindexindexindexindex (v))");
	ASSERT(!strstr(sqlbuf, "1a47629a"));
	ASSERT(!strstr(sqlbuf, "f28f1bad"));
	ASSERT(strstr(sqlbuf,
		      "\"enum_t_longlonglonglonglonglonglonglonglonglonglonglon_"));
	/* the index is found by its MySQL name all the same */
	run("CREATE TABLE t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1 "
	    "(id INT, v INT, KEY k_indexindexindexindexindexindexindexindexindexindexindexindex "
	    "(v), KEY (v))");
	ASSERT(strstr(sqlbuf,
		      "CREATE INDEX \"idx_t_longlonglonglonglonglonglonglonglonglonglonglong_"
		      "f28f1bad\""));
	const char *second = strstr(sqlbuf, "f28f1bad");
	ASSERT(second && strstr(second, "CREATE INDEX \"idx_t_long"));
	ASSERT(!strstr(second + 8, "f28f1bad"));
}

TEST(replay_ddl_pg, databases)
{
	setup();
	EXPECT("CREATE DATABASE IF NOT EXISTS shop",
	       "CREATE SCHEMA IF NOT EXISTS \"shop_pg\"", "",
	       "CREATE DATABASE `shop`");
	EXPECT("DROP DATABASE shop",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"a\" CASCADE;\n"
	       "DROP TABLE IF EXISTS \"shop_pg\".\"k\" CASCADE;\n"
	       "DROP TYPE IF EXISTS shop_pg.enum_k_tag",
	       "DROPPED shop.a\nDROPPED shop.k", "DROP DATABASE `shop`");
}

/* ---- ALTER TABLE: columns ---- */

TEST(replay_ddl_pg, alter_add_drop_rename)
{
	setup();
	EXPECT("ALTER TABLE a ADD COLUMN extra INT, DROP COLUMN v, RENAME COLUMN n TO m",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"extra\" integer;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" DROP COLUMN \"v\";\n"
	       "CREATE UNIQUE INDEX \"idx_a_nv\" ON \"shop_pg\".\"a\" (\"n\");\n"
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"n\" TO \"m\"",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN extra, DROP COLUMN v, RENAME COLUMN n TO m");
	/* the list form, a default, NOT NULL on existing rows */
	EXPECT("ALTER TABLE a ADD (x VARCHAR(5) DEFAULT 'q', y INT NOT NULL)",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"x\" character varying(5) "
	       "DEFAULT 'q';\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"y\" integer NOT NULL DEFAULT 0;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"y\" DROP DEFAULT",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN x, ADD COLUMN y");
	/* the enum type follows the column */
	EXPECT("ALTER TABLE k RENAME COLUMN tag TO label",
	       "ALTER TABLE \"shop_pg\".\"k\" RENAME COLUMN \"tag\" TO \"label\";\n"
	       "ALTER TYPE shop_pg.enum_k_tag RENAME TO \"enum_k_label\"",
	       "ALTERED shop.k",
	       "ALTER TABLE `shop`.`k`: RENAME COLUMN tag TO label");
	EXPECT("ALTER TABLE k DROP COLUMN tag",
	       "ALTER TABLE \"shop_pg\".\"k\" DROP COLUMN \"tag\";\n"
	       "DROP TYPE IF EXISTS shop_pg.enum_k_tag",
	       "ALTERED shop.k", "ALTER TABLE `shop`.`k`: DROP COLUMN tag");
}

/* ---- ALTER TABLE: MODIFY, CHANGE ---- */

TEST(replay_ddl_pg, alter_modify_in_place)
{
	setup();
	EXPECT("ALTER TABLE a MODIFY v VARCHAR(40)",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"v\" TYPE character varying(40) "
	       "USING \"v\"::character varying(40)",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: MODIFY COLUMN v");
	/* a key column stays NOT NULL */
	EXPECT("ALTER TABLE a MODIFY id BIGINT",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"id\" TYPE bigint USING \"id\"::bigint",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: MODIFY COLUMN id");
	EXPECT("ALTER TABLE a CHANGE n cnt INT NOT NULL DEFAULT 5",
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"n\" TO \"cnt\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"cnt\" SET NOT NULL;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"cnt\" SET DEFAULT 5",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: CHANGE COLUMN n cnt");
	EXPECT("ALTER TABLE a MODIFY COLUMN n INT NULL",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" DROP DEFAULT",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: MODIFY COLUMN n");
	/* strict: MySQL refused what would not fit */
	EXPECT("ALTER TABLE a MODIFY n TINYINT",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" DROP DEFAULT;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" TYPE smallint USING \"n\"::smallint",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: MODIFY COLUMN n");
	/* labels appended: a new enum type (added values could not be used
	 * in the transaction) */
	EXPECT("ALTER TABLE k MODIFY tag ENUM('x','y','z') DEFAULT 'x'",
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"tag\" DROP DEFAULT;\n"
	       "ALTER TYPE shop_pg.enum_k_tag RENAME TO \"enum_k_tag_old\";\n"
	       "DROP TYPE IF EXISTS \"shop_pg\".\"enum_k_tag\";\n"
	       "CREATE TYPE \"shop_pg\".\"enum_k_tag\" AS ENUM ('x', 'y', 'z', '');\n"
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"tag\" TYPE \"shop_pg\".\"enum_k_tag\" "
	       "USING \"tag\"::text::\"shop_pg\".\"enum_k_tag\";\n"
	       "DROP TYPE IF EXISTS \"shop_pg\".\"enum_k_tag_old\";\n"
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"tag\" SET DEFAULT 'x'",
	       "ALTERED shop.k", "ALTER TABLE `shop`.`k`: MODIFY COLUMN tag");
	/* the same labels: nothing but the default */
	EXPECT("ALTER TABLE k MODIFY tag ENUM('x','y')",
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"tag\" DROP DEFAULT",
	       "ALTERED shop.k", "ALTER TABLE `shop`.`k`: MODIFY COLUMN tag");
	/* an enum to text: its labels */
	EXPECT("ALTER TABLE k MODIFY tag VARCHAR(10)",
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"tag\" DROP DEFAULT;\n"
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"tag\" TYPE character varying(10) "
	       "USING \"tag\"::text::character varying(10);\n"
	       "DROP TYPE IF EXISTS shop_pg.enum_k_tag",
	       "ALTERED shop.k", "ALTER TABLE `shop`.`k`: MODIFY COLUMN tag");
	/* CHAR drops trailing spaces */
	EXPECT("ALTER TABLE a MODIFY v CHAR(30)",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"v\" TYPE character varying(30) "
	       "USING rtrim(\"v\", ' ')::character varying(30)",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: MODIFY COLUMN v");
}

/* names swapped in one statement: through a temporary name */
TEST(replay_ddl_pg, alter_swap_names)
{
	setup();
	EXPECT("ALTER TABLE a CHANGE id n INT NOT NULL, CHANGE n id INT",
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"n\" TO \"n_chameleon_tmp1\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"id\" TO \"n\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"n_chameleon_tmp1\" TO \"id\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"id\" DROP DEFAULT",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: CHANGE COLUMN id n, CHANGE COLUMN n id");
	/* a rotation, and the names of MySQL's other case */
	EXPECT("ALTER TABLE a RENAME COLUMN id TO N, RENAME COLUMN n TO v, RENAME COLUMN V TO id",
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"n\" TO \"n_chameleon_tmp1\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"id\" TO \"N\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"v\" TO \"v_chameleon_tmp1\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"n_chameleon_tmp1\" TO \"v\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" RENAME COLUMN \"v_chameleon_tmp1\" TO \"id\"",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: RENAME COLUMN id TO N, RENAME COLUMN n TO v, "
	       "RENAME COLUMN V TO id");
	/* an enum column's type follows it through the temporary name */
	EXPECT("ALTER TABLE k CHANGE id tag INT, CHANGE tag id ENUM('x','y')",
	       "ALTER TABLE \"shop_pg\".\"k\" RENAME COLUMN \"tag\" TO \"tag_chameleon_tmp1\";\n"
	       "ALTER TYPE shop_pg.enum_k_tag RENAME TO \"enum_k_tag_chameleon_tmp1\";\n"
	       "ALTER TABLE \"shop_pg\".\"k\" RENAME COLUMN \"id\" TO \"tag\";\n"
	       "ALTER TABLE \"shop_pg\".\"k\" RENAME COLUMN \"tag_chameleon_tmp1\" TO \"id\";\n"
	       "ALTER TYPE \"shop_pg\".\"enum_k_tag_chameleon_tmp1\" RENAME TO \"enum_k_id\";\n"
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"id\" DROP DEFAULT",
	       "ALTERED shop.k",
	       "ALTER TABLE `shop`.`k`: CHANGE COLUMN id tag, CHANGE COLUMN tag id");
}

TEST(replay_ddl_pg, alter_modify_copies)
{
	setup();
	EXPECT("ALTER TABLE a MODIFY v INT", "",
	       "COPY shop.a: column v: the conversion MySQL did may differ from PostgreSQL's cast",
	       "ALTER TABLE `shop`.`a`: MODIFY COLUMN v, copied again");
	EXPECT("ALTER TABLE a ADD x INT, MODIFY v VARCHAR(10)", "",
	       "COPY shop.a: column v: string length reduced",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN x, MODIFY COLUMN v, copied again");
	EXPECT("ALTER TABLE k MODIFY tag ENUM('y','x')", "",
	       "COPY shop.k: column tag: ENUM values changed, not only appended",
	       "ALTER TABLE `shop`.`k`: MODIFY COLUMN tag, copied again");
	/* outside strict mode MySQL cut, clamped and filled in */
	env.strict = false;
	EXPECT("ALTER TABLE a MODIFY id VARCHAR(10)", "",
	       "COPY shop.a: column id: values may be cut outside strict mode",
	       "ALTER TABLE `shop`.`a`: MODIFY COLUMN id, copied again");
	EXPECT("ALTER TABLE a MODIFY n TINYINT", "",
	       "COPY shop.a: column n: integer values clamped outside strict mode",
	       "ALTER TABLE `shop`.`a`: MODIFY COLUMN n, copied again");
	EXPECT("ALTER TABLE a MODIFY n BIGINT",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" DROP DEFAULT;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" TYPE bigint USING \"n\"::bigint",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: MODIFY COLUMN n");
	EXPECT("ALTER TABLE a MODIFY v VARCHAR(20) NOT NULL",
	       "UPDATE \"shop_pg\".\"a\" SET \"v\" = '' WHERE \"v\" IS NULL;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"v\" SET NOT NULL",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: MODIFY COLUMN v");
	EXPECT("ALTER TABLE a CONVERT TO CHARACTER SET latin1", "",
	       "COPY shop.a: CONVERT TO CHARACTER SET latin1 outside strict mode: characters "
	       "it lacks became '?'",
	       "ALTER TABLE `shop`.`a`: CONVERT TO CHARACTER SET latin1, copied again");
	/* a table without rows: any conversion in place */
	EXPECT("ALTER TABLE empty MODIFY v INT",
	       "ALTER TABLE \"shop_pg\".\"empty\" ALTER COLUMN \"v\" TYPE integer "
	       "USING \"v\"::text::integer",
	       "ALTERED shop.empty", "ALTER TABLE `shop`.`empty`: MODIFY COLUMN v");
}

/* ---- ALTER TABLE: what existing rows got ---- */

TEST(replay_ddl_pg, alter_add_exact)
{
	setup();
	/* the statement's time, in UTC for TIMESTAMP */
	EXPECT("ALTER TABLE a ADD COLUMN ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"ts\" timestamp(0) with time zone "
	       "DEFAULT '2024-05-01 12:00:00+00';\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"ts\" SET DEFAULT CURRENT_TIMESTAMP",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN ts");
	/* DATETIME: the wall clock of the session's time zone; the server's
	 * (no zone in the event, or SYSTEM) is not known: no guess */
	EXPECT("ALTER TABLE a ADD COLUMN dt DATETIME DEFAULT NOW()", "",
	       "COPY shop.a: column dt: DATETIME DEFAULT CURRENT_TIMESTAMP in the "
	       "server's time zone, which the binlog does not give",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN dt, copied again");
	env.time_zone = "SYSTEM";
	EXPECT("ALTER TABLE a ADD COLUMN dt DATETIME DEFAULT NOW()", "",
	       "COPY shop.a: column dt: DATETIME DEFAULT CURRENT_TIMESTAMP in the "
	       "server's time zone, which the binlog does not give",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN dt, copied again");
	/* TIMESTAMP is UTC whatever the zone; an empty table has no rows to fill */
	EXPECT("ALTER TABLE a ADD COLUMN ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"ts\" timestamp(0) with time zone "
	       "DEFAULT '2024-05-01 12:00:00+00';\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"ts\" SET DEFAULT CURRENT_TIMESTAMP",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN ts");
	EXPECT("ALTER TABLE empty ADD COLUMN dt DATETIME DEFAULT NOW()",
	       "ALTER TABLE \"shop_pg\".\"empty\" ADD COLUMN \"dt\" timestamp(0) without "
	       "time zone DEFAULT CURRENT_TIMESTAMP",
	       "ALTERED shop.empty", "ALTER TABLE `shop`.`empty`: ADD COLUMN dt");
	env.time_zone = "+02:00";
	EXPECT("ALTER TABLE a ADD COLUMN dt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"dt\" timestamp(0) without time zone "
	       "NOT NULL DEFAULT (TIMESTAMPTZ '2024-05-01 12:00:00+00' AT TIME ZONE "
	       "INTERVAL '+02:00');\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"dt\" SET DEFAULT CURRENT_TIMESTAMP",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN dt");
	env.time_zone = "Europe/Paris";
	EXPECT("ALTER TABLE a ADD COLUMN dt DATETIME DEFAULT CURRENT_TIMESTAMP",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"dt\" timestamp(0) without time zone "
	       "DEFAULT (TIMESTAMPTZ '2024-05-01 12:00:00+00' AT TIME ZONE 'Europe/Paris');\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"dt\" SET DEFAULT CURRENT_TIMESTAMP",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN dt");
	EXPECT("ALTER TABLE a ADD COLUMN dt DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)",
	       "",
	       "COPY shop.a: column dt: the fractional seconds of the statement's time are "
	       "not in the binlog",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN dt, copied again");
	EXPECT("ALTER TABLE a ADD COLUMN seq INT NOT NULL AUTO_INCREMENT, ADD KEY (seq)",
	       "",
	       "COPY shop.a: AUTO_INCREMENT column seq: MySQL numbered the existing rows",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN seq, copied again");
	EXPECT("ALTER TABLE a ADD COLUMN u VARCHAR(36) DEFAULT (uuid())", "",
	       "COPY shop.a: column u: MySQL computed its default (uuid()) for the existing rows",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN u, copied again");
	EXPECT("ALTER TABLE a ADD COLUMN g INT AS (id + 1) STORED", "",
	       "COPY shop.a: generated column g: MySQL computed it for the existing rows",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN g, copied again");
	EXPECT("ALTER TABLE a ADD COLUMN d DATE NOT NULL", "",
	       "COPY shop.a: NOT NULL column d: MySQL's implicit value for existing rows is "
	       "not known here",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN d, copied again");
	/* a table without rows: nothing to reproduce */
	EXPECT("ALTER TABLE empty ADD COLUMN seq INT NOT NULL AUTO_INCREMENT UNIQUE",
	       "ALTER TABLE \"shop_pg\".\"empty\" ADD COLUMN \"seq\" integer NOT NULL;\n"
	       "CREATE UNIQUE INDEX \"idx_empty_seq\" ON \"shop_pg\".\"empty\" (\"seq\")",
	       "ALTERED shop.empty", "ALTER TABLE `shop`.`empty`: ADD COLUMN seq");
	EXPECT("ALTER TABLE k ADD COLUMN e ENUM('p','q') NOT NULL",
	       "DROP TYPE IF EXISTS \"shop_pg\".\"enum_k_e\";\n"
	       "CREATE TYPE \"shop_pg\".\"enum_k_e\" AS ENUM ('p', 'q', '');\n"
	       "ALTER TABLE \"shop_pg\".\"k\" ADD COLUMN \"e\" \"shop_pg\".\"enum_k_e\" NOT NULL "
	       "DEFAULT 'p';\n"
	       "ALTER TABLE \"shop_pg\".\"k\" ALTER COLUMN \"e\" DROP DEFAULT",
	       "ALTERED shop.k", "ALTER TABLE `shop`.`k`: ADD COLUMN e");
}

TEST(replay_ddl_pg, alter_column_order)
{
	setup();
	EXPECT("ALTER TABLE a ADD COLUMN x INT FIRST, ADD COLUMN y INT AFTER n",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"x\" integer;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"y\" integer",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN x, ADD COLUMN y");
	env.column_order_exact = true;
	EXPECT("ALTER TABLE a ADD COLUMN y INT AFTER n, ADD COLUMN z INT AFTER y",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"y\" integer;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"z\" integer",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN y, ADD COLUMN z");
	EXPECT("ALTER TABLE a ADD COLUMN x INT AFTER id", "",
	       "COPY shop.a: column order: x is not added at the end",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN x, copied again");
	EXPECT("ALTER TABLE a MODIFY n INT FIRST", "",
	       "COPY shop.a: column order: n moves",
	       "ALTER TABLE `shop`.`a`: MODIFY COLUMN n, copied again");
}

/* ---- ALTER TABLE: keys, defaults, the rest ---- */

TEST(replay_ddl_pg, alter_keys)
{
	setup();
	EXPECT("ALTER TABLE a DROP PRIMARY KEY, ADD PRIMARY KEY (id, n), ADD INDEX (v), "
	       "ADD UNIQUE KEY un (n), DROP INDEX nv, RENAME INDEX v TO vv",
	       "ALTER TABLE \"shop_pg\".\"a\" DROP CONSTRAINT \"a_pkey\";\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ADD PRIMARY KEY (\"id\", \"n\");\n"
	       "CREATE INDEX \"idx_a_v_2\" ON \"shop_pg\".\"a\" (\"v\");\n"
	       "CREATE UNIQUE INDEX \"idx_a_un\" ON \"shop_pg\".\"a\" (\"n\");\n"
	       "DROP INDEX \"shop_pg\".\"idx_a_nv\";\n"
	       "ALTER INDEX \"shop_pg\".\"idx_a_v\" RENAME TO \"idx_a_vv\"",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: DROP PRIMARY KEY, ADD PRIMARY KEY, ADD INDEX, "
	       "ADD UNIQUE un, DROP INDEX nv, RENAME INDEX v TO vv");
	/* MariaDB's IF [NOT] EXISTS against PostgreSQL's table */
	EXPECT("ALTER TABLE a ADD COLUMN IF NOT EXISTS v INT, DROP COLUMN IF EXISTS nope, "
	       "ADD INDEX IF NOT EXISTS v (v), DROP INDEX IF EXISTS nope",
	       "", "", "ALTER TABLE `shop`.`a`: DROP INDEX nope");
	EXPECT("ALTER TABLE a ADD PRIMARY KEY (v)", "",
	       "COPY shop.a: ADD PRIMARY KEY: PostgreSQL's table has one",
	       "ALTER TABLE `shop`.`a`: copied again");
}

/* ALTER IGNORE TABLE: MariaDB deletes the rows a new unique key refuses */
TEST(replay_ddl_pg, alter_ignore_unique)
{
	setup();
	EXPECT("ALTER IGNORE TABLE a ADD UNIQUE KEY u_v (v)", "",
	       "COPY shop.a: ALTER IGNORE TABLE ... ADD UNIQUE: the rows with duplicate "
	       "values were deleted without row events",
	       "ALTER TABLE `shop`.`a`: ADD UNIQUE u_v, copied again");
	EXPECT("ALTER IGNORE TABLE a DROP PRIMARY KEY, ADD PRIMARY KEY (v)", "",
	       "COPY shop.a: ALTER IGNORE TABLE ... ADD PRIMARY KEY: the rows with "
	       "duplicate values were deleted without row events",
	       "ALTER TABLE `shop`.`a`: DROP PRIMARY KEY, ADD PRIMARY KEY, copied again");
	EXPECT("ALTER IGNORE TABLE a ADD COLUMN c INT DEFAULT 1 UNIQUE", "",
	       "COPY shop.a: ALTER IGNORE TABLE ... ADD UNIQUE: the rows with duplicate "
	       "values were deleted without row events",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN c, copied again");
	/* a plain index, or no rows: in place */
	EXPECT("ALTER IGNORE TABLE a ADD INDEX i (v)",
	       "CREATE INDEX \"idx_a_i\" ON \"shop_pg\".\"a\" (\"v\")",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD INDEX i");
	EXPECT("ALTER IGNORE TABLE empty ADD UNIQUE KEY u_v (v)",
	       "CREATE UNIQUE INDEX \"idx_empty_u_v\" ON \"shop_pg\".\"empty\" (\"v\")",
	       "ALTERED shop.empty", "ALTER TABLE `shop`.`empty`: ADD UNIQUE u_v");
	EXPECT("ALTER TABLE a ADD UNIQUE KEY u_v (v)",
	       "CREATE UNIQUE INDEX \"idx_a_u_v\" ON \"shop_pg\".\"a\" (\"v\")",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD UNIQUE u_v");
}

/* DROP CONSTRAINT of MySQL 8.0.19+ and MariaDB drops any kind */
TEST(replay_ddl_pg, drop_constraint)
{
	setup();
	EXPECT("ALTER TABLE a DROP CONSTRAINT nv",
	       "DROP INDEX \"shop_pg\".\"idx_a_nv\"", "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: DROP CONSTRAINT nv");
	EXPECT("ALTER TABLE a DROP CONSTRAINT `PRIMARY`",
	       "ALTER TABLE \"shop_pg\".\"a\" DROP CONSTRAINT \"a_pkey\"",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: DROP CONSTRAINT PRIMARY");
	/* a foreign key's index stays; a CHECK was never created */
	EXPECT("ALTER TABLE a DROP CONSTRAINT v", "", "",
	       "ALTER TABLE `shop`.`a`: DROP CONSTRAINT v");
	EXPECT("ALTER TABLE a DROP CONSTRAINT chk", "", "",
	       "ALTER TABLE `shop`.`a`: DROP CONSTRAINT chk");
	EXPECT("ALTER TABLE a DROP CHECK nv", "", "",
	       "ALTER TABLE `shop`.`a`: DROP CHECK nv");
}

/* keys PostgreSQL has no use for, or cannot make */
TEST(replay_ddl_pg, keys_left_out)
{
	setup();
	EXPECT("CREATE TABLE vec (id INT PRIMARY KEY, v VARCHAR(3) NOT NULL, "
	       "VECTOR INDEX vi (v) M=8)",
	       "CREATE TABLE \"shop_pg\".\"vec\" (\"id\" integer NOT NULL, "
	       "\"v\" character varying(3) NOT NULL);\n"
	       "ALTER TABLE \"shop_pg\".\"vec\" ADD PRIMARY KEY (\"id\")",
	       "NOTE shop.vec: VECTOR index vi left out: PostgreSQL has no use for it\n"
	       "CREATED shop.vec",
	       "CREATE TABLE `shop`.`vec`");
	EXPECT("ALTER TABLE a ADD VECTOR INDEX (v)", "",
	       "NOTE shop.a: VECTOR index (unnamed) left out: PostgreSQL has no use for it\n"
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ADD INDEX");
	EXPECT("CREATE TABLE per (id INT, s DATE, e DATE, PERIOD FOR p (s, e), "
	       "UNIQUE KEY u (id, p WITHOUT OVERLAPS))",
	       "CREATE TABLE \"shop_pg\".\"per\" (\"id\" integer, \"s\" date, \"e\" date)",
	       "NOTE shop.per: WITHOUT OVERLAPS index u left out: PostgreSQL has no use for it\n"
	       "CREATED shop.per",
	       "CREATE TABLE `shop`.`per`");
}

TEST(replay_ddl_pg, alter_defaults_and_rest)
{
	setup();
	EXPECT("ALTER TABLE a ALTER COLUMN v SET DEFAULT 'z', ALTER n DROP DEFAULT, "
	       "ALTER COLUMN n SET DEFAULT 7",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"v\" SET DEFAULT 'z';\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" DROP DEFAULT;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" SET DEFAULT 7",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ALTER COLUMN v SET DEFAULT, ALTER COLUMN n DROP DEFAULT, "
	       "ALTER COLUMN n SET DEFAULT");
	run("ALTER TABLE a ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE, "
	    "ADD CONSTRAINT fk FOREIGN KEY (n) REFERENCES b (id), ADD CHECK (n > 0), "
	    "CONVERT TO CHARACTER SET utf8mb4");
	ASSERT_STREQ(sqlbuf, "");
	ASSERT(strstr(fxbuf,
		      "NOTE shop.a: FOREIGN KEY not created while replicating") ==
	       fxbuf);
	ASSERT(strstr(fxbuf, "\nNOTE shop.a: CHECK (n > 0) left out"));
	ASSERT(!strstr(fxbuf, "ALTERED"));
	ASSERT(strstr(plan.summary, "CONVERT TO CHARACTER SET utf8mb4"));
}

/* partition maintenance that changes rows without row events: a copy */
TEST(replay_ddl_pg, alter_partitions)
{
	setup();
	EXPECT("ALTER TABLE a ADD PARTITION (PARTITION p3 VALUES LESS THAN (400))",
	       "", "",
	       "ALTER TABLE `shop`.`a`: ADD PARTITION (PARTITION p3 VALUES LESS THAN (400))");
	NOTHING("ALTER TABLE elsewhere.a TRUNCATE PARTITION p0");
	run("ALTER TABLE a REORGANIZE PARTITION p3 INTO (PARTITION p3a VALUES LESS THAN "
	    "(375), PARTITION p3b VALUES LESS THAN (400))");
	ASSERT_STREQ(fxbuf, "");
	run("ALTER TABLE a COALESCE PARTITION 2");
	ASSERT_STREQ(fxbuf, "");
	run("ALTER TABLE a REMOVE PARTITIONING");
	ASSERT_STREQ(fxbuf, "");
	run("ALTER TABLE a ANALYZE PARTITION p1");
	ASSERT_STREQ(fxbuf, "");
	EXPECT("ALTER TABLE a truncate\n  partition p0", "",
	       "COPY shop.a: TRUNCATE PARTITION removes rows without row events",
	       "ALTER TABLE `shop`.`a`: truncate partition p0, copied again");
	EXPECT("ALTER TABLE a DROP PARTITION p1, p2", "",
	       "COPY shop.a: DROP PARTITION removes rows without row events",
	       "ALTER TABLE `shop`.`a`: DROP PARTITION p1, p2, copied again");
	/* nothing to remove from a table without rows */
	EXPECT("ALTER TABLE empty DROP PARTITION p1", "", "",
	       "ALTER TABLE `shop`.`empty`: DROP PARTITION p1");
	/* the other table changes too */
	EXPECT("ALTER TABLE a EXCHANGE PARTITION p0 WITH TABLE `other`.`o` WITHOUT VALIDATION",
	       "",
	       "COPY shop.a: EXCHANGE PARTITION swaps rows with another table without "
	       "row events\n"
	       "COPY other.o: EXCHANGE PARTITION swaps rows with another table without "
	       "row events: partition maintenance on shop.a",
	       "ALTER TABLE `shop`.`a`: EXCHANGE PARTITION p0 WITH TABLE `other`.`o` "
	       "WITHOUT VALIDATION, copied again");
	run("ALTER TABLE empty EXCHANGE PARTITION p0 WITH TABLE elsewhere.x");
	ASSERT_STREQ(fxbuf,
		     "COPY shop.empty: EXCHANGE PARTITION swaps rows with another "
		     "table without row events");
	/* a partitioned table out of replication changes a replicated one */
	EXPECT("ALTER TABLE elsewhere.arch EXCHANGE PARTITION p0 WITH TABLE shop.a",
	       "",
	       "COPY shop.a: EXCHANGE PARTITION swaps rows with another table without "
	       "row events: partition maintenance on elsewhere.arch",
	       "ALTER TABLE `elsewhere`.`arch`: the other table copied again");
	NOTHING("ALTER TABLE elsewhere.arch EXCHANGE PARTITION p0 WITH TABLE elsewhere.b");
	/* MariaDB 10.7 */
	run("ALTER TABLE a CONVERT PARTITION p0 TO TABLE p0_old");
	ASSERT_STREQ(fxbuf,
		     "COPY shop.a: CONVERT PARTITION moves rows into another table "
		     "without row events\n"
		     "COPY shop.p0_old: CONVERT PARTITION moves rows into another "
		     "table without row events: partition maintenance on shop.a");
	EXPECT("ALTER TABLE a CONVERT TABLE k TO PARTITION p9 VALUES LESS THAN (900)",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"k\" CASCADE;\n"
	       "DROP TYPE IF EXISTS shop_pg.enum_k_tag",
	       "COPY shop.a: CONVERT TABLE moves another table's rows in without row "
	       "events\nDROPPED shop.k",
	       "ALTER TABLE `shop`.`a`: CONVERT TABLE k TO PARTITION p9 VALUES LESS THAN "
	       "(900), copied again");
}

/* the summary is one line whatever the statement's layout */
TEST(replay_ddl_pg, summary_one_line)
{
	setup();
	EXPECT("ALTER TABLE a\n\tENGINE = InnoDB,\r\n  COMMENT\t\t'x\n  y'", "", "",
	       "ALTER TABLE `shop`.`a`: ENGINE = InnoDB, COMMENT 'x y'");
	EXPECT("ALTER TABLE a REORGANIZE PARTITION p3 INTO\n  (PARTITION p3a VALUES LESS THAN "
	       "(375),\n   PARTITION p3b VALUES LESS THAN (400))",
	       "", "",
	       "ALTER TABLE `shop`.`a`: REORGANIZE PARTITION p3 INTO (PARTITION p3a VALUES "
	       "LESS THAN (375), PARTITION p3b VALUES LESS THAN (400))");
}

TEST(replay_ddl_pg, alter_rename_table)
{
	setup();
	EXPECT("ALTER TABLE a ADD COLUMN x INT, RENAME TO other.a2",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"x\" integer;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" SET SCHEMA \"other_pg\";\n"
	       "ALTER TABLE \"other_pg\".\"a\" RENAME TO \"a2\";\n"
	       "ALTER TABLE \"other_pg\".\"a2\" RENAME CONSTRAINT \"a_pkey\" TO \"a2_pkey\";\n"
	       "ALTER INDEX \"other_pg\".\"idx_a_v\" RENAME TO \"idx_a2_v\";\n"
	       "ALTER INDEX \"other_pg\".\"idx_a_nv\" RENAME TO \"idx_a2_nv\"",
	       "RENAMED shop.a -> other.a2\nALTERED other.a2",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN x, RENAME TO other.a2");
	EXPECT("ALTER TABLE a RENAME elsewhere.a",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"a\" CASCADE", "DROPPED shop.a",
	       "ALTER TABLE `shop`.`a`: RENAME TO elsewhere.a");
	/* copied under its new name */
	EXPECT("ALTER TABLE a MODIFY v INT, RENAME TO a3",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"a\" CASCADE",
	       "DROPPED shop.a\nCOPY shop.a3: column v: the conversion MySQL did may differ "
	       "from PostgreSQL's cast",
	       "ALTER TABLE `shop`.`a`: MODIFY COLUMN v, copied again");
	EXPECT("ALTER TABLE gone ADD x INT", "",
	       "COPY shop.gone: table missing in PostgreSQL",
	       "ALTER TABLE `shop`.`gone`: copied again");
}

TEST(replay_ddl_pg, unparsed_disables)
{
	setup();
	EXPECT("ALTER TABLE a ADD COLUMN x INT WHATEVER", "",
	       "DISABLE shop.a: ALTER TABLE not understood: expected an ALTER TABLE clause, "
	       "found 'WHATEVER' (at byte 31)",
	       "ALTER TABLE `shop`.`a`: not understood");
	NOTHING("ALTER TABLE elsewhere.a ADD COLUMN x INT WHATEVER");
}

/* pt-online-schema-change, statement by statement */
TEST(replay_ddl_pg, pt_osc)
{
	setup();
	EXPECT("CREATE TABLE `shop`.`_a_new` LIKE `shop`.`a`",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"_a_new\" CASCADE;\n"
	       "CREATE TABLE \"shop_pg\".\"_a_new\" (\"id\" integer NOT NULL, "
	       "\"v\" character varying(20), \"n\" integer DEFAULT 0);\n"
	       "ALTER TABLE \"shop_pg\".\"_a_new\" ADD PRIMARY KEY (\"id\");\n"
	       "CREATE INDEX \"idx__a_new_v\" ON \"shop_pg\".\"_a_new\" (\"v\");\n"
	       "CREATE UNIQUE INDEX \"idx__a_new_nv\" ON \"shop_pg\".\"_a_new\" (\"n\", \"v\")",
	       "CREATED shop._a_new", "CREATE TABLE `shop`.`_a_new`");
	/* the fixture's _a_new is empty: its ALTER is in place */
	EXPECT("ALTER TABLE `shop`.`_a_new` ADD COLUMN c INT NOT NULL DEFAULT (1 + 1)",
	       "ALTER TABLE \"shop_pg\".\"_a_new\" ADD COLUMN \"c\" integer NOT NULL",
	       "ALTERED shop._a_new", "ALTER TABLE `shop`.`_a_new`: ADD COLUMN c");
	EXPECT("DROP TABLE IF EXISTS `shop`.`_a_old`", "", "DROPPED shop._a_old",
	       "DROP TABLE `shop`.`_a_old`");
}

/* foreign keys are not created, but MySQL's index for them is */
TEST(replay_ddl_pg, foreign_key_index)
{
	setup();
	EXPECT("CREATE TABLE c (id INT PRIMARY KEY, p INT, q INT CHECK (q > 1), "
	       "CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES a (id), "
	       "FOREIGN KEY (id) REFERENCES a (id))",
	       "CREATE TABLE \"shop_pg\".\"c\" (\"id\" integer NOT NULL, "
	       "\"p\" integer, \"q\" integer);\n"
	       "ALTER TABLE \"shop_pg\".\"c\" ADD PRIMARY KEY (\"id\");\n"
	       "CREATE INDEX \"idx_c_fk_p\" ON \"shop_pg\".\"c\" (\"p\")",
	       "CREATED shop.c\nNOTE shop.c: CHECK (q > 1) left out\n"
	       "NOTE shop.c: FOREIGN KEY not created while replicating "
	       "(detach_replica adds them)",
	       "CREATE TABLE `shop`.`c`");
	run("ALTER TABLE k ADD FOREIGN KEY (tag) REFERENCES x (y)");
	ASSERT_STREQ(sqlbuf, "CREATE INDEX \"idx_k_tag\" ON \"shop_pg\".\"k\" "
			     "(\"tag\")");
	ASSERT(strstr(fxbuf, "\nALTERED shop.k"));
}

TEST(replay_ddl_pg, edges)
{
	setup();
	/* a type the parser does not know: out */
	EXPECT("CREATE TABLE c (id INT, x WHATEVERTYPE)", "",
	       "DISABLE shop.c: CREATE TABLE not understood: expected a column type, "
	       "found 'WHATEVERTYPE' (at byte 26)",
	       "CREATE TABLE `shop`.`c`: not understood");
	/* MariaDB's CREATE OR REPLACE */
	EXPECT("CREATE OR REPLACE TABLE empty (id INT)",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"empty\" CASCADE;\n"
	       "CREATE TABLE \"shop_pg\".\"empty\" (\"id\" integer)",
	       "CREATED shop.empty", "CREATE TABLE `shop`.`empty`");
	/* a column PostgreSQL already has: copied */
	EXPECT("ALTER TABLE a ADD COLUMN v INT", "",
	       "COPY shop.a: ADD COLUMN v: PostgreSQL has one",
	       "ALTER TABLE `shop`.`a`: copied again");
	EXPECT("ALTER TABLE a CHANGE COLUMN IF EXISTS nope x INT", "", "",
	       "ALTER TABLE `shop`.`a`");
	/* MariaDB: a TIMESTAMP's implicit default depends on the server */
	env.mariadb = true;
	EXPECT("ALTER TABLE a ADD COLUMN t TIMESTAMP", "",
	       "COPY shop.a: TIMESTAMP column t without a default: its value depends on "
	       "explicit_defaults_for_timestamp",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN t, copied again");
	/* unnamed keys take MySQL's names */
	EXPECT("ALTER TABLE empty ADD UNIQUE (v), ADD INDEX (v), ADD KEY (id, v)",
	       "CREATE UNIQUE INDEX \"idx_empty_v\" ON \"shop_pg\".\"empty\" (\"v\");\n"
	       "CREATE INDEX \"idx_empty_v_2\" ON \"shop_pg\".\"empty\" (\"v\");\n"
	       "CREATE INDEX \"idx_empty_id\" ON \"shop_pg\".\"empty\" (\"id\", \"v\")",
	       "ALTERED shop.empty",
	       "ALTER TABLE `shop`.`empty`: ADD UNIQUE, ADD INDEX, ADD INDEX");
	/* a renamed table's skip_tables name: dropped */
	EXPECT("RENAME TABLE empty TO skipped",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"empty\" CASCADE",
	       "DROPPED shop.empty",
	       "RENAME TABLE `shop`.`empty` TO `shop`.`skipped`");
	/* DROP DATABASE leaves skip_tables alone; other schemas have none here */
	NOTHING("DROP DATABASE elsewhere");
	EXPECT("DROP DATABASE other", "", "", "DROP DATABASE `other`");
}

/* ---- geometry: PostGIS types when the target has the extension ---- */

static bool with_postgis(void *arg)
{
	(void)arg;
	return true;
}

TEST(replay_ddl_pg, geometry_postgis)
{
	setup();
	env.postgis = with_postgis;
	EXPECT("CREATE TABLE g (id INT, p POINT SRID 4326 NOT NULL, a GEOMETRY, "
	       "c GEOMCOLLECTION, m MULTIPOLYGON REF_SYSTEM_ID=3857, z LINESTRING SRID 0, "
	       "SPATIAL KEY sp (p))",
	       "CREATE TABLE \"shop_pg\".\"g\" (\"id\" integer, "
	       "\"p\" geometry(Point,4326) NOT NULL, \"a\" geometry, "
	       "\"c\" geometry(GeometryCollection), \"m\" geometry(MultiPolygon,3857), "
	       "\"z\" geometry(LineString));\n"
	       "CREATE INDEX \"idx_g_sp\" ON \"shop_pg\".\"g\" USING gist (\"p\")",
	       "CREATED shop.g", "CREATE TABLE `shop`.`g`");
	EXPECT("ALTER TABLE a ADD COLUMN g GEOMETRYCOLLECTION SRID 4326",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"g\" "
	       "geometry(GeometryCollection,4326)",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN g");
}

TEST(replay_ddl_pg, geometry_without_postgis)
{
	setup();
	EXPECT("CREATE TABLE g (id INT, p POINT SRID 4326 NOT NULL, SPATIAL KEY sp (p))",
	       "CREATE TABLE \"shop_pg\".\"g\" (\"id\" integer, \"p\" bytea NOT NULL)",
	       "NOTE shop.g: SPATIAL index sp left out: PostgreSQL has no use for it\n"
	       "CREATED shop.g",
	       "CREATE TABLE `shop`.`g`");
}
