/*
 * The DDL planner on ALTER TABLE: columns, keys, defaults, partitions,
 * asserting the exact PostgreSQL statements and the effects (the fixture
 * tables are in test/lib/ddl_pg_env.c).
 */
#include "test/lib/ddl_pg_env.h"

/* ---- ALTER TABLE: columns ---- */

TEST(replay_ddl_pg, alter_add_drop_rename)
{
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_env.strict = false;
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
	ddl_setup();
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
	ddl_env.time_zone = "SYSTEM";
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
	ddl_env.time_zone = "+02:00";
	EXPECT("ALTER TABLE a ADD COLUMN dt DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"dt\" timestamp(0) without time zone "
	       "NOT NULL DEFAULT (TIMESTAMPTZ '2024-05-01 12:00:00+00' AT TIME ZONE "
	       "INTERVAL '+02:00');\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"dt\" SET DEFAULT CURRENT_TIMESTAMP",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN dt");
	ddl_env.time_zone = "Europe/Paris";
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
	/* MySQL's implicit value of a DATE is the zero date: -infinity, as
	 * the copy and replication write it (zero_dates: infinity) */
	EXPECT("ALTER TABLE a ADD COLUMN d DATE NOT NULL",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"d\" date NOT NULL DEFAULT "
	       "'-infinity';\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"d\" DROP DEFAULT",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN d");
	/* a zero default is -infinity too */
	EXPECT("ALTER TABLE a ADD COLUMN d2 DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00'",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"d2\" timestamp(0) without time "
	       "zone NOT NULL DEFAULT '-infinity'",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN d2");
	/* under zero_dates: error the existing rows' value is not known */
	struct rp_opts zo = *ddl_env.o;
	zo.conv.zero_dates = RP_ZERO_DATE_ERROR;
	const struct rp_opts *keep = ddl_env.o;
	ddl_env.o = &zo;
	EXPECT("ALTER TABLE a ADD COLUMN d DATE NOT NULL", "",
	       "COPY shop.a: NOT NULL column d: MySQL's implicit value for existing rows is "
	       "not known here",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN d, copied again");
	/* under zero_dates: null a date column loses NOT NULL: the existing
	 * rows' zero date is NULL, as the copy stores it */
	zo.conv.zero_dates = RP_ZERO_DATE_NULL;
	EXPECT("ALTER TABLE a ADD COLUMN d DATE NOT NULL",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"d\" date",
	       "ALTERED shop.a", "ALTER TABLE `shop`.`a`: ADD COLUMN d");
	ddl_env.o = keep;
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
	ddl_setup();
	EXPECT("ALTER TABLE a ADD COLUMN x INT FIRST, ADD COLUMN y INT AFTER n",
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"x\" integer;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ADD COLUMN \"y\" integer",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ADD COLUMN x, ADD COLUMN y");
	ddl_env.column_order_exact = true;
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
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
	ddl_setup();
	EXPECT("ALTER TABLE a ALTER COLUMN v SET DEFAULT 'z', ALTER n DROP DEFAULT, "
	       "ALTER COLUMN n SET DEFAULT 7",
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"v\" SET DEFAULT 'z';\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" DROP DEFAULT;\n"
	       "ALTER TABLE \"shop_pg\".\"a\" ALTER COLUMN \"n\" SET DEFAULT 7",
	       "ALTERED shop.a",
	       "ALTER TABLE `shop`.`a`: ALTER COLUMN v SET DEFAULT, ALTER COLUMN n DROP DEFAULT, "
	       "ALTER COLUMN n SET DEFAULT");
	ddl_run("ALTER TABLE a ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE, "
	    "ADD CONSTRAINT fk FOREIGN KEY (n) REFERENCES b (id), ADD CHECK (n > 0), "
	    "CONVERT TO CHARACTER SET utf8mb4");
	ASSERT_STREQ(ddl_sql, "");
	ASSERT(strstr(ddl_fx,
		      "NOTE shop.a: FOREIGN KEY not created while replicating") ==
	       ddl_fx);
	ASSERT(strstr(ddl_fx, "\nNOTE shop.a: CHECK (n > 0) left out"));
	ASSERT(!strstr(ddl_fx, "ALTERED"));
	ASSERT(strstr(ddl_plan.summary, "CONVERT TO CHARACTER SET utf8mb4"));
}

/* partition maintenance that changes rows without row events: a copy */
TEST(replay_ddl_pg, alter_partitions)
{
	ddl_setup();
	EXPECT("ALTER TABLE a ADD PARTITION (PARTITION p3 VALUES LESS THAN (400))",
	       "", "",
	       "ALTER TABLE `shop`.`a`: ADD PARTITION (PARTITION p3 VALUES LESS THAN (400))");
	NOTHING("ALTER TABLE elsewhere.a TRUNCATE PARTITION p0");
	ddl_run("ALTER TABLE a REORGANIZE PARTITION p3 INTO (PARTITION p3a VALUES LESS THAN "
	    "(375), PARTITION p3b VALUES LESS THAN (400))");
	ASSERT_STREQ(ddl_fx, "");
	ddl_run("ALTER TABLE a COALESCE PARTITION 2");
	ASSERT_STREQ(ddl_fx, "");
	ddl_run("ALTER TABLE a REMOVE PARTITIONING");
	ASSERT_STREQ(ddl_fx, "");
	ddl_run("ALTER TABLE a ANALYZE PARTITION p1");
	ASSERT_STREQ(ddl_fx, "");
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
	ddl_run("ALTER TABLE empty EXCHANGE PARTITION p0 WITH TABLE elsewhere.x");
	ASSERT_STREQ(ddl_fx,
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
	ddl_run("ALTER TABLE a CONVERT PARTITION p0 TO TABLE p0_old");
	ASSERT_STREQ(ddl_fx,
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
