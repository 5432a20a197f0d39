#!/bin/sh
# Integration: DDL on replicated tables in the middle of a MariaDB binlog.
# ALTER TABLE ADD COLUMN (and MODIFY to another type class) takes that
# table out of replication at its next table map, before any row of the
# new shape is applied; the other tables go on and stay equal; TRUNCATE is
# applied; every DDL is recorded once in sch_chameleon.t_error_log, also
# when a refused change of another table makes the run start again.
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
/* the application changes a table */ ALTER TABLE `a` ADD COLUMN extra INT;
INSERT INTO a VALUES (3, 'a3', 33);
UPDATE a SET v = 'a1!' WHERE id = 1;
INSERT INTO d VALUES (2, 'd2');
ALTER TABLE e MODIFY s INT;
INSERT INTO e VALUES (2, 20);
TRUNCATE TABLE c;
INSERT INTO c VALUES (100, 100);
CREATE INDEX d_s ON shop.d (s);
INSERT INTO b VALUES (2, 5000);
INSERT INTO d VALUES (3, 'd3');
INSERT INTO c VALUES (101, 101);
SQL
mariadb_sql -e "FLUSH BINARY LOGS"
# b refuses n >= 1000 in PostgreSQL: a refused change in the same
# PostgreSQL transaction as the disabling of a and e
pg_sql -c "CREATE SCHEMA shop_pg; CREATE TABLE shop_pg.b (id integer PRIMARY KEY,
	n integer CHECK (n < 1000))" > /dev/null
config_write "$work/cfg.yml" maria shop:shop_pg
files=$(ls "$MY_DIR"/data/binlog.0*)
if "$bin" replay_binlog --config "$work/cfg.yml" --source maria --create-tables $files \
	> "$work/out1" 2> "$work/err1"; then
	ok "replay_binlog: $(cut -c1-60 "$work/out1")..."
else
	notok "replay_binlog failed"; tail -5 "$work/err1" | sed 's/^/# /'
fi
q() { pg_sql -At -F "|" -c "$1" 2>&1; }
dis=$(q "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM sch_chameleon.t_disabled_tables")
[ "$dis" = "a,b,e" ] && ok "tables taken out of replication: a (ADD COLUMN), e (type changed), b (refused change)" ||
	notok "disabled tables: '$dis'"
# a: the rows before the ALTER, none of the new shape
got=$(q "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM shop_pg.a")
[ "$got" = "1:a1,2:a2" ] && ok "a holds its rows from before the ALTER only ($got)" ||
	notok "a: '$got'"
cols=$(q "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'shop_pg' AND table_name = 'a'")
[ "$cols" = 2 ] && ok "a keeps its two columns in PostgreSQL" || notok "a columns: $cols"
msg=$(q "SELECT count(*) || '|' || min(error) FROM sch_chameleon.t_error_log WHERE table_name = 'a' AND error LIKE 'the row images%'")
case "$msg" in
"1|the row images have 3 columns, PostgreSQL's table shop_pg.a has 2: the source table's structure changed (DDL is not replicated)")
	ok "a's error, recorded once: ${msg#1|}" ;;
*)	notok "a's structure error: '$msg'" ;;
esac
msg=$(q "SELECT count(*) || '|' || min(error) FROM sch_chameleon.t_error_log WHERE table_name = 'e' AND statement IS NULL")
case "$msg" in
"1|column s is LONG in the row images but varchar in PostgreSQL's table shop_pg.e"*)
	ok "e's error: ${msg#1|}" ;;
*)	notok "e's type change: '$msg'" ;;
esac
got=$(q "SELECT string_agg(id || ':' || s, ',' ORDER BY id) FROM shop_pg.e")
[ "$got" = "1:10" ] && ok "e holds its row from before the MODIFY only" || notok "e: '$got'"
# the DDL statements, recorded once each with their text
ddl=$(q "SELECT error || ' / ' || statement FROM sch_chameleon.t_error_log WHERE error LIKE 'DDL%' ORDER BY log_id")
want="DDL not replicated: ALTER TABLE of \`shop\`.\`a\` / /* the application changes a table */ ALTER TABLE \`a\` ADD COLUMN extra INT
DDL not replicated: ALTER TABLE of \`shop\`.\`e\` / ALTER TABLE e MODIFY s INT
DDL not replicated: CREATE INDEX of \`shop\`.\`d\` / CREATE INDEX d_s ON shop.d (s)"
[ "$ddl" = "$want" ] && ok "ALTER TABLE and CREATE INDEX recorded once each in t_error_log, with the statement" ||
	{ notok "DDL records"; echo "$ddl" | sed 's/^/# /'; }
grep -q 'WARN  replay: DDL not replicated: ALTER TABLE of `shop`.`a`' "$work/err1" &&
	grep -q "WARN  replay: table shop.a taken out of replication: the row images have 3 columns" "$work/err1" &&
	ok "warnings logged for the DDL and the disabled table" ||
	{ notok "warnings"; head -5 "$work/err1" | sed 's/^/# /'; }
# the others replicate and stay equal; TRUNCATE applied
for t in c d; do
	mariadb_sql -N -B -D shop -e "SELECT * FROM $t ORDER BY id" > "$work/my_$t.txt"
	pg_sql -At -F "	" -c "SELECT * FROM shop_pg.$t ORDER BY id" > "$work/pg_$t.txt"
	if [ -s "$work/my_$t.txt" ] && cmp -s "$work/my_$t.txt" "$work/pg_$t.txt"; then
		ok "$t equal to its source ($(wc -l < "$work/pg_$t.txt") rows)"
	else
		notok "$t differs"; diff "$work/my_$t.txt" "$work/pg_$t.txt" | head -5 | sed 's/^/# /'
	fi
done
got=$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM shop_pg.c")
[ "$got" = "100,101" ] && ok "TRUNCATE applied in PostgreSQL: c holds only the rows inserted after it" ||
	notok "c after TRUNCATE: '$got'"
tr=$(q "SELECT count(*) FROM sch_chameleon.t_error_log WHERE table_name = 'c'")
[ "$tr" = 0 ] && ok "TRUNCATE is applied, not recorded as an error" || notok "c errors: $tr"
# a second run applies nothing and records nothing twice
before=$(q "SELECT count(*) FROM sch_chameleon.t_error_log")
"$bin" replay_binlog --config "$work/cfg.yml" --source maria --create-tables $files \
	> "$work/out2" 2> "$work/err2"
after=$(q "SELECT count(*) FROM sch_chameleon.t_error_log")
if grep -q "applied 0 row changes" "$work/out2" && [ "$before" = "$after" ]; then
	ok "second run: nothing applied or recorded twice ($after error rows)"
else
	notok "second run: $(cat "$work/out2") errors $before -> $after"
fi
tap_done
