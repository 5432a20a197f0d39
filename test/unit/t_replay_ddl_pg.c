/*
 * The DDL planner (replay/ddl_pg*.c): statements parsed by the DDL parser
 * and planned against fixture tables (test/lib/ddl_pg_env.c), asserting
 * the exact PostgreSQL statements and the effects.  ALTER TABLE is in
 * t_replay_ddl_pg_alter.c.
 */
#include "test/lib/ddl_pg_env.h"

/* ---- what is not replicated ---- */

TEST(replay_ddl_pg, not_replicated)
{
	ddl_setup();
	NOTHING("CREATE TABLE elsewhere.t (id int)");
	NOTHING("CREATE TABLE skipped (id int)");
	NOTHING("ALTER TABLE off ADD COLUMN x int");
	NOTHING("CREATE TEMPORARY TABLE t (id int)");
	NOTHING("DROP TEMPORARY TABLE IF EXISTS a");
	NOTHING("CREATE VIEW v AS SELECT 1");
	NOTHING("CREATE DATABASE elsewhere");
	ddl_env.default_db = "";
	NOTHING("CREATE TABLE t (id int)");
	ASSERT_EQ(ddl_lookups, 0);
}

TEST(replay_ddl_pg, lookup_error)
{
	ddl_setup();
	ddl_fail_lookup = true;
	struct arena *a = ddl_arena();
	struct err e = {0};
	struct rp__ddl_stmt st;
	ASSERT_EQ(rp__ddl_parse("DROP TABLE a", 12, false, a, &st, &e), 0);
	ASSERT_EQ(rp__ddl_pg_plan(&st, &ddl_env, a, &ddl_plan, &e), -1);
	ASSERT_STREQ(e.msg, "lookup failed");
	ASSERT_EQ(ddl_plan.nsql, 0);
}

/* ---- CREATE TABLE ---- */

TEST(replay_ddl_pg, create_table)
{
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	/* the ddl_plan sees its own renames: a then b */
	EXPECT("RENAME TABLE empty TO e1, e1 TO e2",
	       "ALTER TABLE \"shop_pg\".\"empty\" RENAME TO \"e1\";\n"
	       "ALTER TABLE \"shop_pg\".\"e1\" RENAME TO \"e2\"",
	       "RENAMED shop.empty -> shop.e1\nRENAMED shop.e1 -> shop.e2",
	       "RENAME TABLE `shop`.`empty` TO `shop`.`e1`, `shop`.`e1` TO `shop`.`e2`");
}

/* ---- CREATE INDEX, DROP INDEX, databases ---- */

TEST(replay_ddl_pg, indexes)
{
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_run("CREATE TABLE t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_two2 "
	    "(id INT, e ENUM('a','b'), v INT, "
	    "KEY k_indexindexindexindexindexindexindexindexindexindexindexindex (v))");
	ASSERT(!strstr(ddl_sql, "1a47629a"));
	ASSERT(!strstr(ddl_sql, "f28f1bad"));
	ASSERT(strstr(ddl_sql,
		      "\"enum_t_longlonglonglonglonglonglonglonglonglonglonglon_"));
	/* the index is found by its MySQL name all the same */
	ddl_run("CREATE TABLE t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1 "
	    "(id INT, v INT, KEY k_indexindexindexindexindexindexindexindexindexindexindexindex "
	    "(v), KEY (v))");
	ASSERT(strstr(ddl_sql,
		      "CREATE INDEX \"idx_t_longlonglonglonglonglonglonglonglonglonglonglong_"
		      "f28f1bad\""));
	const char *second = strstr(ddl_sql, "f28f1bad");
	ASSERT(second && strstr(second, "CREATE INDEX \"idx_t_long"));
	ASSERT(!strstr(second + 8, "f28f1bad"));
}

TEST(replay_ddl_pg, databases)
{
	ddl_setup();
	EXPECT("CREATE DATABASE IF NOT EXISTS shop",
	       "CREATE SCHEMA IF NOT EXISTS \"shop_pg\"", "",
	       "CREATE DATABASE `shop`");
	EXPECT("DROP DATABASE shop",
	       "DROP TABLE IF EXISTS \"shop_pg\".\"a\" CASCADE;\n"
	       "DROP TABLE IF EXISTS \"shop_pg\".\"k\" CASCADE;\n"
	       "DROP TYPE IF EXISTS shop_pg.enum_k_tag",
	       "DROPPED shop.a\nDROPPED shop.k", "DROP DATABASE `shop`");
}
TEST(replay_ddl_pg, summary_one_line)
{
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
	EXPECT("ALTER TABLE a ADD COLUMN x INT WHATEVER", "",
	       "DISABLE shop.a: ALTER TABLE not understood: expected an ALTER TABLE clause, "
	       "found 'WHATEVER' (at byte 31)",
	       "ALTER TABLE `shop`.`a`: not understood");
	NOTHING("ALTER TABLE elsewhere.a ADD COLUMN x INT WHATEVER");
}

/* pt-online-schema-change, statement by statement */
TEST(replay_ddl_pg, pt_osc)
{
	ddl_setup();
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
	ddl_setup();
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
	ddl_run("ALTER TABLE k ADD FOREIGN KEY (tag) REFERENCES x (y)");
	ASSERT_STREQ(ddl_sql, "CREATE INDEX \"idx_k_tag\" ON \"shop_pg\".\"k\" "
			     "(\"tag\")");
	ASSERT(strstr(ddl_fx, "\nALTERED shop.k"));
}

TEST(replay_ddl_pg, edges)
{
	ddl_setup();
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
	ddl_env.mariadb = true;
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
	ddl_setup();
	ddl_env.postgis = with_postgis;
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
	ddl_setup();
	EXPECT("CREATE TABLE g (id INT, p POINT SRID 4326 NOT NULL, SPATIAL KEY sp (p))",
	       "CREATE TABLE \"shop_pg\".\"g\" (\"id\" integer, \"p\" bytea NOT NULL)",
	       "NOTE shop.g: SPATIAL index sp left out: PostgreSQL has no use for it\n"
	       "CREATED shop.g",
	       "CREATE TABLE `shop`.`g`");
}
