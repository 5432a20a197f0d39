#!/bin/sh
# The DDL planner's statements on a real PostgreSQL (docs/ddl.md): a
# MariaDB workload of every translated form, each followed by row changes
# that depend on it (the swaps of pt-online-schema-change and gh-ost,
# renames across mapped schemas, names with any character, values that
# existing rows got from ADD COLUMN), replayed by replay_binlog after
# init_replica; every table is compared value by value, the names of
# indexes and enum types with init_replica's, and only the table whose
# conversion PostgreSQL cannot reproduce is out.  TAP output.
#   sh test/ddl-pg-check.sh build/release/chameleon
bin=${1:-$CHAMELEON}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
. test/integ/lib.sh
integ_begin
servers_up
mariadb_sql <<'SQL'
CREATE DATABASE shop CHARACTER SET utf8mb4;
CREATE DATABASE other CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE t1 (id INT PRIMARY KEY, v VARCHAR(20), n INT NOT NULL DEFAULT 3,
  e ENUM('a','b') DEFAULT 'a', KEY kv (v), UNIQUE KEY un (n, v));
INSERT INTO t1 VALUES (1, 'x', 1, 'a'), (2, NULL, 2, 'b'), (3, 'z', 3, NULL);
CREATE TABLE t3 (id INT PRIMARY KEY, s VARCHAR(10));
INSERT INTO t3 VALUES (1, 's1');
CREATE TABLE t4 (id INT PRIMARY KEY, w INT);
INSERT INTO t4 VALUES (1, 10), (2, 20);
CREATE TABLE t5 (id INT PRIMARY KEY, q VARCHAR(10));
INSERT INTO t5 VALUES (1, '5');
CREATE TABLE other.o1 (id INT PRIMARY KEY, x INT);
INSERT INTO other.o1 VALUES (1, 1);
CREATE TABLE t9 (id INT PRIMARY KEY, w INT, KEY kw (w));
INSERT INTO t9 SELECT seq, seq * 10 FROM seq_1_to_200;
SQL
config_write "$work/cfg.yml" maria "shop:shop_pg other:other_pg"
"$bin" init_replica --config "$work/cfg.yml" --source maria > /dev/null 2> "$work/init.err" ||
	{ notok "init_replica"; tail -3 "$work/init.err" | sed 's/^/# /'; }
mariadb_sql <<'SQL'
USE shop;
ALTER TABLE t1 ADD COLUMN ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP;
SET time_zone = '+02:00';
ALTER TABLE t1 ADD COLUMN dt DATETIME DEFAULT CURRENT_TIMESTAMP;
SET time_zone = '+00:00';
ALTER TABLE t1 ADD COLUMN nn INT NOT NULL, ADD COLUMN s VARCHAR(5) NOT NULL,
  ADD COLUMN e2 ENUM('p','q') NOT NULL;
ALTER TABLE t1 MODIFY v VARCHAR(40) DEFAULT 'dv';
ALTER TABLE t1 MODIFY e ENUM('a','b','c') DEFAULT 'b';
INSERT INTO t1 (id, v, n, e, nn, s, e2) VALUES (4, 'four', 4, 'c', 0, '', 'q');
ALTER TABLE t1 CHANGE n cnt BIGINT NOT NULL DEFAULT 5;
ALTER TABLE t1 RENAME COLUMN cnt TO count2;
ALTER TABLE t1 DROP COLUMN s;
ALTER TABLE t1 DROP PRIMARY KEY, ADD PRIMARY KEY (id, count2);
ALTER TABLE t1 ADD INDEX (v), RENAME INDEX kv TO kv2, DROP INDEX un;
ALTER TABLE t1 ALTER COLUMN v SET DEFAULT 'dflt', ALTER nn DROP DEFAULT;
ALTER TABLE t1 CONVERT TO CHARACTER SET utf8mb4;
ALTER TABLE t1 ENGINE=InnoDB, ALGORITHM=COPY;
ALTER TABLE t1 ADD CONSTRAINT ch CHECK (id > 0);
ALTER TABLE t1 ADD COLUMN IF NOT EXISTS nn INT, DROP COLUMN IF EXISTS zz;
INSERT INTO t1 (id, v, count2, nn, e2) VALUES (5, 'five', 5, 55, 'p');
UPDATE t1 SET v = 'upd' WHERE id = 1;
-- pt-online-schema-change
CREATE TABLE `shop`.`_t1_new` LIKE `shop`.`t1`;
ALTER TABLE `shop`.`_t1_new` ADD COLUMN extra INT NOT NULL DEFAULT 7;
INSERT INTO `_t1_new` (id, v, count2, e, ts, dt, nn, e2)
  SELECT id, v, count2, e, ts, dt, nn, e2 FROM t1;
RENAME TABLE `shop`.`t1` TO `shop`.`_t1_old`, `shop`.`_t1_new` TO `shop`.`t1`;
DROP TABLE IF EXISTS `shop`.`_t1_old`;
INSERT INTO t1 (id, v, count2, nn, e2) VALUES (6, 'six', 6, 66, 'q');
-- gh-ost
CREATE TABLE _t4_gho LIKE t4;
ALTER TABLE _t4_gho MODIFY w BIGINT, ADD COLUMN z VARCHAR(3) DEFAULT 'zz';
INSERT INTO _t4_gho (id, w) SELECT id, w FROM t4;
RENAME TABLE t4 TO _t4_del, _t4_gho TO t4;
DROP TABLE _t4_del;
INSERT INTO t4 VALUES (3, 30, 'new');
-- across mapped schemas
RENAME TABLE t3 TO other.t3;
INSERT INTO other.t3 VALUES (2, 's2');
ALTER TABLE other.o1 ADD COLUMN y INT DEFAULT 9, RENAME TO shop.o1;
INSERT INTO shop.o1 VALUES (2, 2, 2);
-- names with any character
CREATE TABLE `we"ird` (`c"1` INT PRIMARY KEY, `d e` TEXT, `ü` ENUM('x y','it''s'));
INSERT INTO `we"ird` VALUES (1, 'one', 'it''s');
ALTER TABLE `we"ird` ADD COLUMN `new col` INT DEFAULT 1, MODIFY `ü` ENUM('x y','it''s','z');
INSERT INTO `we"ird` VALUES (2, NULL, 'z', 2);
-- a conversion PostgreSQL cannot reproduce: copied again
ALTER TABLE t5 MODIFY q INT;
-- CREATE, indexes, TRUNCATE, DROP
CREATE TABLE t7 (id INT PRIMARY KEY, a INT, b VARCHAR(5), UNIQUE (a));
INSERT INTO t7 VALUES (1, 1, 'b1');
CREATE INDEX i7 ON t7 (b);
DROP INDEX a ON t7;
TRUNCATE t7;
INSERT INTO t7 VALUES (9, 9, 'n');
CREATE TABLE t8 (id INT PRIMARY KEY);
DROP TABLE t8;
SQL
# a real pt-online-schema-change run, when percona-toolkit is installed
if command -v pt-online-schema-change > /dev/null; then
	pt-online-schema-change --alter "ADD COLUMN pz INT NOT NULL DEFAULT 4, MODIFY w BIGINT" \
		--recursion-method=none --no-check-replication-filters --execute \
		"D=shop,t=t9,S=$MY_SOCK,u=root" > "$work/ptosc" 2>&1 ||
		{ notok "pt-online-schema-change"; tail -5 "$work/ptosc" | sed 's/^/# /'; }
	mariadb_sql -e "INSERT INTO shop.t9 VALUES (201, 2010, 5)"
fi
mariadb_sql -e "FLUSH BINARY LOGS"
files=$(ls "$MY_DIR"/data/binlog.0*)
if "$bin" replay_binlog --config "$work/cfg.yml" --source maria $files \
	> "$work/out" 2> "$work/err"; then
	ok "replay_binlog: $(cut -c1-70 "$work/out")"
else
	notok "replay_binlog failed"; tail -5 "$work/err" | sed 's/^/# /'
fi
q() { pg_sql -At -F "|" -c "$1" 2>&1; }
dis=$(q "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM sch_chameleon.t_disabled_tables")
[ "$dis" = "t5" ] && ok "only t5 is out (to be copied again)" ||
	{ notok "tables out: '$dis'"; q "SELECT table_name, error FROM sch_chameleon.t_error_log" | sed 's/^/# /'; }
cmp_tables "t1 after every ALTER and the pt-osc swap" shop \
	"SELECT id, v, count2, e, UNIX_TIMESTAMP(ts), dt, nn, e2, extra FROM t1 ORDER BY id" \
	"SELECT id, v, count2, e, extract(epoch FROM ts)::bigint,
	 to_char(dt, 'YYYY-MM-DD HH24:MI:SS'), nn, e2, extra FROM shop_pg.t1 ORDER BY id"
cmp_tables "t4 after the gh-ost swap" shop "SELECT * FROM t4 ORDER BY id" \
	"SELECT * FROM shop_pg.t4 ORDER BY id"
cmp_tables "t3 renamed into other" other "SELECT * FROM t3 ORDER BY id" \
	"SELECT * FROM other_pg.t3 ORDER BY id"
cmp_tables "o1 altered and renamed into shop" shop "SELECT * FROM o1 ORDER BY id" \
	"SELECT * FROM shop_pg.o1 ORDER BY id"
cmp_tables "we\"ird" shop "SELECT * FROM \`we\"ird\` ORDER BY 1" \
	"SELECT * FROM shop_pg.\"we\"\"ird\" ORDER BY 1"
if command -v pt-online-schema-change > /dev/null; then
	cmp_tables "t9 after pt-online-schema-change" shop "SELECT * FROM t9 ORDER BY id" \
		"SELECT * FROM shop_pg.t9 ORDER BY id"
fi
cmp_tables "t7 created, indexed, truncated" shop "SELECT * FROM t7 ORDER BY id" \
	"SELECT * FROM shop_pg.t7 ORDER BY id"
got=$(q "SELECT string_agg(indexname, ',' ORDER BY indexname COLLATE \"C\") FROM pg_indexes
	WHERE schemaname = 'shop_pg' AND tablename IN ('t1', 't4', 't7', 'o1', 't9')")
want="idx_t1_kv2,idx_t1_v,idx_t7_i7,idx_t9_kw,o1_pkey,t1_pkey,t4_pkey,t7_pkey,t9_pkey"
[ "$got" = "$want" ] && ok "index names as init_replica's: $got" || notok "indexes: '$got', want '$want'"
got=$(q "SELECT n.nspname || '.' || t.typname FROM pg_type t
	JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e'" | LC_ALL=C sort | paste -sd, -)
want='shop_pg.enum_t1_e,shop_pg.enum_t1_e2,shop_pg.enum_we"ird_ü'
[ "$got" = "$want" ] && ok "enum types as init_replica's, none left over: $got" ||
	notok "enum types: '$got', want '$want'"
got=$(q "SELECT string_agg(c.relname, ',' ORDER BY c.relname COLLATE \"C\") FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('shop_pg', 'other_pg')
	AND c.relkind = 'r'")
want='o1,t1,t3,t4,t5,t7,t9,we"ird'
[ "$got" = "$want" ] && ok "tables: $got" || notok "tables: '$got', want '$want'"
grep -c "DDL applied" "$work/err" | sed 's/^/# DDL applied: /'
tap_done
