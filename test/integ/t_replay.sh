#!/bin/sh
# Integration: replay_binlog applies a real MariaDB binlog to a real
# PostgreSQL; every table equals its source, and a second run applies
# nothing twice.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin 'cp "$work"/rep*.log /tmp/ 2>/dev/null'
servers_up
mariadb_sql -D mysql <<'SQL'
SET time_zone = '+00:00';
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE items (id INT UNSIGNED PRIMARY KEY, big BIGINT UNSIGNED, price DECIMAL(12,2),
  name VARCHAR(40), at DATETIME(3), note TEXT, qty SMALLINT);
INSERT INTO items VALUES (1, 18446744073709551615, -12345.67, 'Zoë', '2024-02-29 23:59:59.123', NULL, -5),
  (2, 0, 0.01, 'emoji 😀', '1999-01-01 00:00:00.000', 'x', 32767);
INSERT INTO items SELECT seq + 10, seq * 1000003, seq / 7, CONCAT('n', seq),
  '2024-01-01 00:00:00' + INTERVAL seq SECOND, IF(seq % 3, NULL, 'note'), seq % 1000
  FROM seq_1_to_100000;
UPDATE items SET price = price + 1, name = CONCAT(name, '!') WHERE id % 10 = 0;
UPDATE items SET id = 5 WHERE id = 2;
DELETE FROM items WHERE id % 7 = 0;
BEGIN;
INSERT INTO items VALUES (999999, 1, 1, 'rolled back', NULL, NULL, 1);
ROLLBACK;
CREATE TABLE nopk (a INT, b VARCHAR(10));
INSERT INTO nopk VALUES (1, 'x'), (1, 'x'), (2, NULL);
DELETE FROM nopk WHERE a = 1 LIMIT 1;
UPDATE nopk SET b = 'y' WHERE a = 2;
SQL
mariadb_sql -e "FLUSH BINARY LOGS"
config_write "$work/cfg.yml" mysql shop:shop_pg "pid_dir: $work/pid" "log_dir: $work/log" \
	"  replay_max_rows: 5000"
files=$(ls "$MY_DIR"/data/binlog.0*)
t0=$(date +%s%N)
if "$bin" replay_binlog --config "$work/cfg.yml" --source mysql --create-tables $files \
	> "$work/out1" 2> "$work/err1"; then
	grep -q "applied [1-9]" "$work/out1" && ok "replay_binlog: $(cut -c1-70 "$work/out1")..." ||
		notok "replay_binlog applied nothing: $(cat "$work/out1")"
else
	notok "replay_binlog"; tail -5 "$work/err1" | sed 's/^/# /'
fi
t1=$(date +%s%N)
full_ms=$(( (t1 - t0) / 1000000 ))
dump_my() {
	mariadb_sql -N -B -D shop -e "SET time_zone='+00:00'; SELECT id, big, price, name, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), IFNULL(note, '<null>'), qty FROM items ORDER BY id"
}
dump_pg() {
	pg_sql -At -F "	" -c "SELECT id, big, price, name, to_char(at, 'YYYY-MM-DD HH24:MI:SS.US'), COALESCE(note, '<null>'), qty FROM shop_pg.items ORDER BY id"
}
dump_my > "$work/my.txt"
dump_pg > "$work/pg.txt"
if [ -s "$work/my.txt" ] && cmp -s "$work/my.txt" "$work/pg.txt"; then
	ok "items: $(wc -l < "$work/my.txt") rows equal, value by value"
else
	notok "items differ"; diff "$work/my.txt" "$work/pg.txt" | head -5 | sed 's/^/# /'
fi
mariadb_sql -N -B -D shop -e "SELECT a, IFNULL(b, '<null>') FROM nopk ORDER BY a, b" > "$work/my2.txt"
pg_sql -At -F "	" -c "SELECT a, COALESCE(b, '<null>') FROM shop_pg.nopk ORDER BY a, b" > "$work/pg2.txt"
[ -s "$work/my2.txt" ] && cmp -s "$work/my2.txt" "$work/pg2.txt" && ok "table without a primary key equal (duplicate rows handled one at a time)" ||
	{ notok "nopk differs"; diff "$work/my2.txt" "$work/pg2.txt" | sed 's/^/# /'; }
pg_sql -At -c "SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'mysql'" > "$work/pos"
grep -q '^binlog.00000[0-9]:[0-9]' "$work/pos" && ok "position stored in the catalog ($(cat "$work/pos"))" ||
	notok "position: $(cat "$work/pos")"
# a second run applies nothing
"$bin" replay_binlog --config "$work/cfg.yml" --source mysql $files > "$work/out2" 2> "$work/err2"
dump_pg > "$work/pg3.txt"
if grep -q "applied 0 row changes" "$work/out2" && [ -s "$work/pg3.txt" ] &&
	cmp -s "$work/pg.txt" "$work/pg3.txt"; then
	ok "second run of the same files applies nothing twice"
else
	notok "second run"; cat "$work/out2" "$work/err2" | head -3 | sed 's/^/# /'
fi
# kill -9 at ten different moments of a run (fractions of a full run's
# duration, so that kills land mid-apply on fast and slow machines), then
# run again: every time the tables must equal the source exactly
kills=0
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	pg_sql -c "DROP SCHEMA IF EXISTS shop_pg CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
		> /dev/null 2>&1
	"$bin" replay_binlog --config "$work/cfg.yml" --source mysql --create-tables $files \
		> /dev/null 2> "$work/errk" &
	pid=$!
	ms=$(( full_ms * i / 15 ))
	sleep "$(( ms / 1000 )).$(printf '%03d' $(( ms % 1000 )))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
	if ! "$bin" replay_binlog --config "$work/cfg.yml" --source mysql --create-tables $files \
		> "$work/outk" 2> "$work/errk"; then
		bad=$((bad + 1))
		tail -2 "$work/errk" | sed 's/^/# /'
		continue
	fi
	dump_pg > "$work/pgk.txt"
	cmp -s "$work/my.txt" "$work/pgk.txt" || { bad=$((bad + 1)); diff "$work/my.txt" "$work/pgk.txt" | head -3 | sed 's/^/# /'; }
done
if [ $bad = 0 ] && [ $kills -ge 3 ]; then
	ok "killed -9 mid-apply at $kills different moments, then resumed: tables equal every time (nothing lost or applied twice)"
else
	notok "kill -9 test: $kills kills landed, $bad bad outcomes"
fi
# --- PostgreSQL restarted in the middle of a run: the run fails cleanly, the
# next one completes with every row equal
pg_sql -c "DROP SCHEMA IF EXISTS shop_pg CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
	> /dev/null 2>&1
"$bin" replay_binlog --config "$work/cfg.yml" --source mysql --create-tables $files \
	> /dev/null 2> "$work/errr" &
pid=$!
ms=$(( full_ms / 2 ))
sleep "$(( ms / 1000 )).$(printf '%03d' $(( ms % 1000 )))"
_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w restart \
	-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" > /dev/null 2>&1
wait $pid
first=$?
"$bin" replay_binlog --config "$work/cfg.yml" --source mysql --create-tables $files \
	> "$work/outr" 2> "$work/errr2"
second=$?
dump_pg > "$work/pgr.txt"
if [ $second -eq 0 ] && cmp -s "$work/my.txt" "$work/pgr.txt"; then
	ok "PostgreSQL restarted mid-run (first run exit $first): the next run completes, every row equal"
else
	notok "PostgreSQL restart: exits $first then $second"
	tail -2 "$work/errr2" | sed 's/^/# /'
fi

# --- a change PostgreSQL refuses takes only its table out of replication
pg_sql -c "DROP SCHEMA IF EXISTS shop_pg CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
	> /dev/null 2>&1
# the binlog's CREATE TABLE makes the table; PostgreSQL then refuses qty >= 30000
pg_on_create shop_pg.items "ALTER TABLE shop_pg.items ADD CHECK (qty < 30000)"
"$bin" replay_binlog --config "$work/cfg.yml" --source mysql --create-tables $files \
	> "$work/oute" 2> "$work/erre"
rc=$?
dis=$(pg_sql -At -c "SELECT schema_name || '.' || table_name FROM sch_chameleon.t_disabled_tables")
err=$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_error_log WHERE error LIKE '%check constraint%' AND statement LIKE 'INSERT INTO%'")
pg_sql -At -F "	" -c "SELECT a, COALESCE(b, '<null>') FROM shop_pg.nopk ORDER BY a, b" > "$work/pg2e.txt"
if [ $rc -eq 0 ] && [ "$dis" = "shop.items" ] && [ "$err" = 1 ] && cmp -s "$work/my2.txt" "$work/pg2e.txt"; then
	ok "a refused change disables its table only (shop.items, error logged); nopk replicated equal"
else
	notok "table disabling: exit $rc, disabled '$dis', errors $err"
	tail -3 "$work/erre" | sed 's/^/# /'
fi
sed 's/    replay_max_rows: 5000/    replay_max_rows: 5000\n    on_error_replay: exit/' \
	"$work/cfg.yml" > "$work/exit.yml"
pg_sql -c "DELETE FROM sch_chameleon.t_disabled_tables; UPDATE sch_chameleon.t_sources SET binlog_file = '', binlog_position = 0" > /dev/null
if "$bin" replay_binlog --config "$work/exit.yml" --source mysql $files > /dev/null 2> "$work/errx"; then
	notok "on_error_replay: exit stops at the refused change"
else
	grep -q "check constraint" "$work/errx" && ok "on_error_replay: exit stops at the refused change, with the error" ||
		notok "on_error_replay exit message"
fi
pg_on_create_off
pg_sql -c "DROP SCHEMA IF EXISTS shop_pg CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
	> /dev/null 2>&1

# --- pg_chameleon's filters: skip_tables and skip_events
pg_sql -c "DROP SCHEMA IF EXISTS shop_pg CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
	> /dev/null 2>&1
sed 's/    replay_max_rows: 5000/    replay_max_rows: 5000\n    skip_tables: [shop.nopk]\n    skip_events: {delete: [shop]}/' \
	"$work/cfg.yml" > "$work/filters.yml"
"$bin" replay_binlog --config "$work/filters.yml" --source mysql --create-tables $files \
	> "$work/outf" 2> "$work/errf"
cnt=$(pg_sql -At -c "SELECT count(*) FROM shop_pg.items" 2>/dev/null)
nopk=$(pg_sql -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'shop_pg' AND tablename = 'nopk'")
[ "$cnt" = 100002 ] && [ "$nopk" = 0 ] &&
	ok "skip_events delete and skip_tables: deletes not applied ($cnt rows kept), nopk not replicated" ||
	{ notok "filters: $cnt rows, nopk tables $nopk"; tail -2 "$work/errf" | sed 's/^/# /'; }
pg_sql -c "DROP SCHEMA IF EXISTS shop_pg CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
	> /dev/null 2>&1

# --- start_replica: follow the live source, killed -9 and restarted midway
pg_sql -c "DROP SCHEMA IF EXISTS shop_pg CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
	> /dev/null 2>&1
mariadb_sql -D shop -e "CREATE TABLE live (id INT PRIMARY KEY, v VARCHAR(20), n INT)"
"$bin" start_replica --config "$work/cfg.yml" --source mysql --debug --create-tables \
	> "$work/rep1.log" 2>&1 &
rpid=$!
# without a stored position it starts at the source's position when it
# connects: the workload must come after that (a fixed sleep raced)
_wait_for 30 grep -q "streaming from" "$work/rep1.log"
mariadb_sql -D shop -e "INSERT INTO live SELECT seq, CONCAT('v', seq), 0 FROM seq_1_to_20000"
for i in 1 2 3 4 5; do
	mariadb_sql -D shop -e "UPDATE live SET n = n + 1 WHERE id % $((i + 1)) = 0"
done
# killed once it has committed something (before that no position is
# stored, and a new replica would start at the source's current position)
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT binlog_position FROM sch_chameleon.t_sources\" 2>/dev/null)\" -gt 0 ]"
kill -9 $rpid 2>/dev/null
wait $rpid 2>/dev/null
mariadb_sql -D shop -e "DELETE FROM live WHERE id % 3 = 0; INSERT INTO live VALUES (30000, 'after kill', 1)"
"$bin" start_replica --config "$work/cfg.yml" --source mysql --debug --create-tables \
	> "$work/rep2.log" 2>&1 &
rpid=$!
dump_live_my() { mariadb_sql -N -B -D shop -e "SELECT id, v, n FROM live ORDER BY id"; }
dump_live_pg() { pg_sql -At -F "	" -c "SELECT id, v, n FROM shop_pg.live ORDER BY id" 2>/dev/null; }
dump_live_my > "$work/live_my.txt"
_wait_for 30 sh -c "$(command -v psql) -X -q -h '$PG_HOST' -p '$PG_PORT' -U postgres -At -F '	' \
	-c 'SELECT id, v, n FROM shop_pg.live ORDER BY id' 2>/dev/null | cmp -s - '$work/live_my.txt'"
kill -TERM $rpid
wait $rpid
rc=$?
dump_live_pg > "$work/live_pg.txt"
if [ $rc -eq 0 ] && cmp -s "$work/live_my.txt" "$work/live_pg.txt" && grep -q resuming "$work/rep2.log"; then
	ok "start_replica follows the source; killed -9 and restarted, it resumed: $(wc -l < "$work/live_pg.txt") rows equal"
else
	notok "start_replica: exit $rc"
	diff "$work/live_my.txt" "$work/live_pg.txt" | head -3 | sed 's/^/# /'
	tail -3 "$work/rep2.log" | sed 's/^/# /'
fi
tap_done
