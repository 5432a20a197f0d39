#!/bin/sh
# Integration: several sources into one database (pg_chameleon's "data
# aggregation from multiple MySQL databases").  Two MariaDB servers, each
# with a database of the same name, mapped to two destination schemas of
# one PostgreSQL database; each source has its own replica process,
# position, status and errors.  init_replica of both, start_replica of
# both in the background (pid and log files), concurrent workloads on
# both servers, stop_all_replicas over both, value-by-value comparison.
# Also: pg_chameleon's type_override example (tinyint(1) -> boolean, for
# the tables it lists) in init_replica, replication and DDL alike, and
# run_maintenance.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh

stop_first() {
	[ -n "${A_PID:-}" ] || return 0
	MY_PID=$A_PID MY_SOCK=$A_SOCK mariadb_stop
}
integ_begin 'for f in "$work"/pid/*.pid; do [ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done; stop_first'
servers_up
A_PID=$MY_PID A_SOCK=$MY_SOCK A_PORT=$MY_PORT A_DIR=$MY_DIR
mariadb_start "$work/my2" --server-id=2 > /dev/null || { echo "not ok 1 - second mariadbd"; exit 1; }
B_PID=$MY_PID B_SOCK=$MY_SOCK B_PORT=$MY_PORT

on_a() { MY_SOCK=$A_SOCK mariadb_sql "$@"; }
on_b() { MY_SOCK=$B_SOCK mariadb_sql "$@"; }

# the same database name on both servers; flags is tinyint(1), flipped to
# boolean for shop.orders only, as pg_chameleon's example configuration does
schema="CREATE DATABASE shop;
CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, region CHAR(2) NOT NULL,
  amount DECIMAL(12,2), paid TINYINT(1) NOT NULL DEFAULT 0, note VARCHAR(60),
  placed DATETIME(6) NOT NULL);
CREATE TABLE shop.stock (sku VARCHAR(20) PRIMARY KEY, qty INT UNSIGNED NOT NULL,
  active TINYINT(1));"
on_a -e "$schema"
on_b -e "$schema"
for side in a b; do
	on_$side -D shop -e "INSERT INTO orders (region, amount, paid, note, placed)
		SELECT '$side', seq + 0.25, seq % 2, CONCAT('seed ', seq), '2024-01-01 00:00:00.000001' + INTERVAL seq SECOND
		FROM seq_1_to_2000;
		INSERT INTO stock SELECT CONCAT('$side-', seq), seq, seq % 2 FROM seq_1_to_500"
done

cat > "$work/cfg.yml" <<EOF
pid_dir: $work/pid
log_dir: $work/log
log_dest: file
pg_conn:
  host: $PG_HOST
  port: $PG_PORT
  user: postgres
  password: unused
  database: postgres
type_override:
  "tinyint(1)":
    override_to: boolean
    override_tables:
      - "shop.orders"
sources:
  eu:
    db_conn: {host: 127.0.0.1, port: $A_PORT, user: root, password: ''}
    my_server_id: 101
    schema_mappings:
      shop: shop_eu
  us:
    db_conn: {host: 127.0.0.1, port: $B_PORT, user: root, password: ''}
    my_server_id: 102
    schema_mappings:
      shop: shop_us
EOF
C="--config $work/cfg.yml"

"$bin" create_replica_schema $C > "$work/out" 2>&1 &&
	"$bin" add_source $C --source eu >> "$work/out" 2>&1 &&
	"$bin" add_source $C --source us >> "$work/out" 2>&1 &&
	ok "one catalog, two sources added" || { notok "catalog: $(cat "$work/out")"; exit 1; }

# both copies at the same time, in the background as pg_chameleon runs
# them (log_dest: file): the command returns at once, the progress and the
# end are in show_status, the pid file is the replica's
r=0
for s in eu us; do
	"$bin" init_replica $C --source $s > "$work/init_$s" 2>&1 || r=1
done
if [ $r = 0 ] && grep -q "init_replica of 'eu' runs in the background" "$work/init_eu"; then
	ok "init_replica of both sources returns at once, the copies run in the background"
else
	notok "init_replica in the background: $(cat "$work/init_eu" "$work/init_us")"
fi
inits_done() {
	[ ! -e "$work/pid/cfg.yml_eu.pid" ] && [ ! -e "$work/pid/cfg.yml_us.pid" ] &&
		[ "$(pg_sql -At -c "SELECT string_agg(status, ' ' ORDER BY source_name) FROM sch_chameleon.t_sources")" = "initialised initialised" ]
}
if _wait_for 60 inits_done; then
	ok "both copies done: $(pg_sql -At -c "SELECT string_agg(source_name || ' ' || init_progress, '; ' ORDER BY source_name) FROM sch_chameleon.t_sources")"
else
	notok "copies not done: $(pg_sql -At -c "SELECT string_agg(source_name || ':' || status || ':' || coalesce(error, init_progress, ''), ' ') FROM sch_chameleon.t_sources")"
	tail -5 "$work"/log/*.log | sed 's/^/# /'
fi
grep -q "rows/s\|copied\|done" "$work/log/cfg.yml_eu.log" && ok "the background copy logs in log_dir" ||
	notok "init log: $(ls "$work/log")"

# types_of COLUMNS: "schema.table:type" of those columns in both schemas;
# type_override makes tinyint(1) boolean in the listed table (orders) only
types_of() {
	pg_sql -At -c "SELECT table_schema || '.' || table_name || ':' || data_type
		FROM information_schema.columns WHERE column_name IN ($1)
		AND table_schema LIKE 'shop%' ORDER BY 1"
}
want="shop_eu.orders:boolean
shop_eu.stock:smallint
shop_us.orders:boolean
shop_us.stock:smallint"
t=$(types_of "'paid', 'active'")
[ "$t" = "$want" ] && ok "type_override: tinyint(1) is boolean in the listed table only" ||
	{ notok "type_override columns"; echo "$t" | sed 's/^/# /'; }

for s in eu us; do
	"$bin" start_replica $C --source $s > "$work/start_$s" 2>&1 ||
		notok "start_replica $s: $(cat "$work/start_$s")"
done
_wait_for 10 test -s "$work/pid/cfg.yml_eu.pid" && _wait_for 10 test -s "$work/pid/cfg.yml_us.pid" &&
	ok "start_replica of both: two replica processes" || notok "pid files: $(ls "$work/pid")"

# concurrent workloads on both servers; a DDL on each, whose new tinyint(1)
# column follows type_override on the listed table only
workload() {	# workload SIDE ROUNDS
	_s=$1
	for k in $(seq 1 "$2"); do
		on_$_s -D shop -e "INSERT INTO orders (region, amount, paid, note, placed)
			VALUES ('$_s', $k.5, $((k % 2)), 'live $k', NOW(6));
			UPDATE orders SET paid = 1 - paid, amount = amount + 1 WHERE id = $k;
			DELETE FROM orders WHERE id = 1000 + $k;
			UPDATE stock SET qty = qty + $k, active = NULL WHERE sku = '$_s-$k';
			START TRANSACTION; INSERT INTO stock (sku, qty, active) VALUES ('$_s-x$k', $k, 1);
			DELETE FROM stock WHERE sku = '$_s-$((k + 200))'; COMMIT" || return 1
		if [ "$k" = 20 ]; then
			on_$_s -D shop -e "ALTER TABLE orders ADD COLUMN gift TINYINT(1) NOT NULL DEFAULT 1;
				ALTER TABLE stock ADD COLUMN gift TINYINT(1)" || return 1
		fi
		if [ "$k" -gt 20 ]; then
			on_$_s -D shop -e "UPDATE orders SET gift = 0 WHERE id = $k; UPDATE stock SET gift = 1 WHERE sku = '$_s-$k'" ||
				return 1
		fi
	done
}
workload a 60 &
wa=$!
workload b 60 &
wb=$!
wait $wa
ra=$?
wait $wb
rb=$?
[ $ra = 0 ] && [ $rb = 0 ] && ok "concurrent workloads on both servers" || notok "workload: $ra $rb"

# caught_up: each source's applied position reaches its own server's
caught_up() {
	_i=0
	while [ $_i -lt 300 ]; do
		ta=$(on_a -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
		tb=$(on_b -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
		ga=$(pg_sql -At -c "SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'eu'")
		gb=$(pg_sql -At -c "SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'us'")
		[ "$ta" = "$ga" ] && [ "$tb" = "$gb" ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	echo "# eu at $ga (server $ta), us at $gb (server $tb)"
	return 1
}
caught_up && ok "both replicas caught up with their own server" || notok "not caught up"

# each source has its own position, status and table counters
st=$("$bin" show_status $C --format json 2> "$work/st.stderr")
if echo "$st" | python3 -c '
import json, sys
d = json.load(sys.stdin)
src = {s["name"]: s for s in d["sources"]}
assert set(src) == {"eu", "us"}, src.keys()
for s in src.values():
    assert s["status"] == "running", s["status"]
    assert not s.get("disabled_tables"), s.get("disabled_tables")
assert src["eu"]["applied"]["position"] != 0
' 2> "$work/st.err"; then
	ok "show_status: both sources running, each with its own position, no table out"
else
	notok "show_status json: $(tail -2 "$work/st.err")"
	echo "$st" | head -20 | sed 's/^/# /'
fi

t=$(types_of "'gift'")
[ "$t" = "$want" ] && ok "type_override applies to the replicated ADD COLUMN as in init_replica" ||
	{ notok "type_override in DDL"; echo "$t" | sed 's/^/# /'; }

# value by value: the boolean columns read as 0/1 on both sides
for s in eu us; do
	sock=$A_SOCK
	[ $s = us ] && sock=$B_SOCK
	for tb in orders stock; do
		cols="id, region, amount, paid::int, note, to_char(placed, 'YYYY-MM-DD HH24:MI:SS.US'), gift::int"
		mcols="id, region, amount, paid, note, DATE_FORMAT(placed, '%Y-%m-%d %H:%i:%s.%f'), gift"
		[ $tb = stock ] && cols="sku, qty, active, gift" mcols="sku, qty, active, gift"
		key=id
		[ $tb = stock ] && key='sku COLLATE "C"' 
		MY_SOCK=$sock cmp_tables "$s.$tb" shop "SELECT $mcols FROM $tb ORDER BY ${key%% *}" \
			"SELECT $cols FROM shop_$s.$tb ORDER BY $key"
	done
done

"$bin" stop_all_replicas $C > "$work/stop" 2>&1
if grep -q "of 'eu' (pid [0-9]*) stopped" "$work/stop" && grep -q "of 'us' (pid [0-9]*) stopped" "$work/stop" &&
	[ ! -e "$work/pid/cfg.yml_eu.pid" ] && [ ! -e "$work/pid/cfg.yml_us.pid" ]; then
	ok "stop_all_replicas stops both replicas"
else
	notok "stop_all_replicas: $(cat "$work/stop")"
fi
st=$(pg_sql -At -c "SELECT string_agg(source_name || ':' || status, ' ' ORDER BY source_name) FROM sch_chameleon.t_sources")
[ "$st" = "eu:stopped us:stopped" ] && ok "each source's own status: $st" || notok "statuses: $st"

# pg_chameleon's run_maintenance: no log tables here; the catalog is vacuumed
if "$bin" run_maintenance $C --source eu --full > "$work/maint" 2>&1 &&
	grep -q "no log tables" "$work/maint" &&
	grep -Eq "catalog sch_chameleon: [0-9]+ tables, .* after VACUUM FULL ANALYZE of [0-9]+ tables" "$work/maint"; then
	ok "run_maintenance --full: $(tail -1 "$work/maint")"
else
	notok "run_maintenance: $(cat "$work/maint")"
fi
"$bin" run_maintenance $C --source nosuch > "$work/maint2" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "no source 'nosuch'" "$work/maint2" && ok "run_maintenance of an unknown source: exit 1, named" ||
	notok "run_maintenance nosuch: $rc $(cat "$work/maint2")"
# every pg_chameleon option is accepted by every command
"$bin" show_status $C --tables shop.orders --schema shop --logid 3 > /dev/null 2> "$work/opt"
rc=$?
[ $rc = 0 ] && grep -q -- "--tables has no meaning for show_status" "$work/opt" &&
	ok "pg_chameleon's options accepted by every command, with a note when they mean nothing" ||
	notok "options: $rc $(cat "$work/opt")"
MY_SOCK=$B_SOCK MY_PID=$B_PID
tap_done
