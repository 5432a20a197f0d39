#!/bin/sh
# Integration: DDL of replicated tables in a MariaDB binlog, applied by
# replay_binlog after init_replica (docs/ddl.md).  ALTER TABLE, CREATE
# INDEX, RENAME, CREATE and DROP TABLE, TRUNCATE follow into PostgreSQL in
# the transaction of the position after them, each recorded once in
# t_ddl_log, also when a refused change of another table makes the run
# start again; a type change PostgreSQL cannot reproduce takes its table
# out (replay_binlog has no snapshot to copy it from); statements that
# change no replicated table pass; a second run applies nothing twice.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin
servers_up
mariadb_sql --comments <<'SQL'
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE b (id INT PRIMARY KEY, n INT);
CREATE TABLE c (id INT PRIMARY KEY, x INT);
CREATE TABLE d (id INT PRIMARY KEY, s VARCHAR(20));
CREATE TABLE e (id INT PRIMARY KEY, s VARCHAR(20));
INSERT INTO a VALUES (1, 'a1'), (2, 'a2');
INSERT INTO b VALUES (1, 1);
INSERT INTO c SELECT seq, seq FROM seq_1_to_50;
INSERT INTO d VALUES (1, 'd1');
INSERT INTO e VALUES (1, '10');
SQL
config_write "$work/cfg.yml" maria shop:shop_pg
"$bin" init_replica --debug --config "$work/cfg.yml" --source maria > /dev/null 2> "$work/init.err" ||
	{ notok "init_replica"; tail -3 "$work/init.err" | sed 's/^/# /'; }
# b refuses n >= 1000 in PostgreSQL: a refused change after DDL of other
# tables in the same PostgreSQL transaction
pg_sql -c "ALTER TABLE shop_pg.b ADD CHECK (n < 1000)" > /dev/null
mariadb_sql --comments <<'SQL'
USE shop;
/* the application changes a table */ ALTER TABLE `a` ADD COLUMN extra INT;
INSERT INTO a VALUES (3, 'a3', 33);
UPDATE a SET v = 'a1!', extra = 11 WHERE id = 1;
INSERT INTO d VALUES (2, 'd2');
ALTER TABLE e MODIFY s INT;
INSERT INTO e VALUES (2, 20);
TRUNCATE TABLE c;
INSERT INTO c VALUES (100, 100);
CREATE INDEX d_s ON shop.d (s);
CREATE VIEW v_a AS SELECT id FROM a;
FLUSH TABLES;
ANALYZE TABLE d;
BEGIN; INSERT INTO c VALUES (101, 101); SAVEPOINT p; INSERT INTO c VALUES (102, 102);
ROLLBACK TO SAVEPOINT p; RELEASE SAVEPOINT p; COMMIT;
INSERT INTO b VALUES (2, 5000);
RENAME TABLE d TO d2;
INSERT INTO d2 VALUES (3, 'd3');
CREATE TABLE f (id BIGINT UNSIGNED PRIMARY KEY, price DECIMAL(30,10) NOT NULL DEFAULT 0,
  at DATETIME(6), tag ENUM('x', 'y''s') DEFAULT 'x');
INSERT INTO f VALUES (18446744073709551615, 12345678901234567890.0123456789,
  '2024-02-29 23:59:59.999999', 'y''s');
CREATE TABLE g (id INT PRIMARY KEY);
INSERT INTO g VALUES (1);
DROP TABLE g;
CREATE TEMPORARY TABLE tmp (id INT);
INSERT INTO c VALUES (103, 103);
SQL
mariadb_sql -e "FLUSH BINARY LOGS"
files=$(ls "$MY_DIR"/data/binlog.0*)
if "$bin" replay_binlog --config "$work/cfg.yml" --source maria $files \
	> "$work/out1" 2> "$work/err1"; then
	ok "replay_binlog: $(cut -c1-60 "$work/out1")..."
else
	notok "replay_binlog failed"; tail -5 "$work/err1" | sed 's/^/# /'
fi
q() { pg_sql -At -F "|" -c "$1" 2>&1; }
dis=$(q "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM sch_chameleon.t_disabled_tables")
[ "$dis" = "b,e" ] && ok "tables out of replication: b (refused change), e (type change PostgreSQL cannot reproduce)" ||
	notok "disabled tables: '$dis'"
cmp_tables "a after ADD COLUMN" shop "SELECT id, v, extra FROM a ORDER BY id" \
	"SELECT id, v, extra FROM shop_pg.a ORDER BY id"
cmp_tables "c after TRUNCATE and a savepoint" shop "SELECT * FROM c ORDER BY id" \
	"SELECT * FROM shop_pg.c ORDER BY id"
cmp_tables "d2 renamed from d" shop "SELECT * FROM d2 ORDER BY id" \
	"SELECT * FROM shop_pg.d2 ORDER BY id"
cmp_tables "f created by DDL" shop "SELECT id, price, at, tag FROM f ORDER BY id" \
	"SELECT id, price, to_char(at, 'YYYY-MM-DD HH24:MI:SS.US'), tag FROM shop_pg.f ORDER BY id"
got=$(q "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'shop_pg' AND c.relkind = 'r'")
[ "$got" = "a,b,c,d2,e,f" ] && ok "PostgreSQL's tables follow: d renamed, g created and dropped, no view, no temporary table" ||
	notok "tables: '$got'"
got=$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = 'shop_pg' AND tablename = 'd2' AND indexdef LIKE '%(s)'")
[ "$got" = 1 ] && ok "CREATE INDEX applied (and kept through the rename)" || notok "index on d2.s: $got"
got=$(q "SELECT string_agg(table_name || ':' || key_kind, ',' ORDER BY table_name) FROM sch_chameleon.t_tables")
case "$got" in
*"d2:primary"*"f:primary"*) case "$got" in *"d:"*|*"g:"*) notok "t_tables: '$got'" ;;
	*) ok "t_tables follows the renamed and created tables: $got" ;; esac ;;
*)	notok "t_tables: '$got'" ;;
esac
# each DDL once, whatever restarts the refused change of b caused
ddl=$(q "SELECT count(*) || '|' || count(DISTINCT binlog_position) FROM sch_chameleon.t_ddl_log")
n=${ddl%%|*}
[ "$n" -ge 8 ] && [ "$ddl" = "$n|$n" ] && ok "$n DDL statements recorded once each in t_ddl_log" ||
	{ notok "t_ddl_log: $ddl"; q "SELECT binlog_position, summary FROM sch_chameleon.t_ddl_log" | sed 's/^/# /'; }
got=$(q "SELECT ddl_applied = $n AND last_ddl IS NOT NULL FROM sch_chameleon.t_sources")
[ "$got" = t ] && ok "t_sources counts the DDL and keeps the last one" || notok "t_sources: $got"
msg=$(q "SELECT error FROM sch_chameleon.t_error_log WHERE table_name = 'e'")
case "$msg" in
*"copied again"*) ok "e's record says why: $(echo "$msg" | head -1 | cut -c1-100)" ;;
*)	notok "e's record: '$msg'" ;;
esac
grep -q "sync_tables --tables shop.e" "$work/err1" && ok "replay_binlog names the copy to run" ||
	{ notok "no sync_tables advice"; grep -i "shop.e" "$work/err1" | head -3 | sed 's/^/# /'; }
"$bin" show_status --config "$work/cfg.yml" --source maria > "$work/status" 2>&1
grep -q "^  DDL: *$n applied" "$work/status" && ok "show_status shows the DDL applied" ||
	{ notok "show_status"; sed 's/^/# /' "$work/status" | head -20; }
# a second run applies nothing and records nothing twice
before=$(q "SELECT (SELECT count(*) FROM sch_chameleon.t_error_log) || '/' || (SELECT count(*) FROM sch_chameleon.t_ddl_log)")
"$bin" replay_binlog --config "$work/cfg.yml" --source maria $files \
	> "$work/out2" 2> "$work/err2"
after=$(q "SELECT (SELECT count(*) FROM sch_chameleon.t_error_log) || '/' || (SELECT count(*) FROM sch_chameleon.t_ddl_log)")
if grep -q "applied 0 row changes" "$work/out2" && [ "$before" = "$after" ]; then
	ok "second run: nothing applied or recorded twice (errors/DDL $after)"
else
	notok "second run: $(cat "$work/out2") errors/DDL $before -> $after"
fi
tap_done
