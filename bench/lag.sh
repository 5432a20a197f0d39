#!/bin/sh
# Replication lag benchmark (part of make bench): start_replica follows a
# MariaDB on which sysbench oltp_write_only runs (4 threads, 4 tables of
# 100,000 rows, LAG_SECONDS seconds, default 60, at the maximum rate or at
# LAG_RATE transactions per second), into PostgreSQL on the same host
# (replay_max_rows: LAG_MAX_ROWS, default 10000 as in the configuration).
#
# Lag is measured with a heartbeat: a loop on one MariaDB connection sets
# hb.hb.ts = NOW(6) (DATETIME(6), UTC) every 100 ms; a loop on one
# PostgreSQL connection reads clock_timestamp() - ts every 100 ms.  Both
# servers run on this host and read the same clock.  A figure is the age,
# on the PostgreSQL clock, of the newest heartbeat visible there: it
# includes the age of the newest heartbeat written on MariaDB (0 to 100 ms,
# the heartbeat period), so lags under 100 ms cannot be told from zero.
# The baseline, measured in the same run with the same loops, is the lag
# with no sysbench running.
#
# sysbench's prepare (the 400,000 rows) goes through the replica too: the
# replica starts first, on an empty source (there is no init_replica yet),
# creates the tables from the binlog's table maps (--create-tables) and
# applies the prepare, then the timed run starts once PostgreSQL has caught
# up.  At the end, once the last heartbeat has arrived, the four tables
# must be equal on both sides: row count and MD5 over every row in key
# order.
set -eu
bin=${1:?usage: lag.sh CHAMELEON}
secs=${LAG_SECONDS:-60}
rate=${LAG_RATE:-0}
max_rows=${LAG_MAX_ROWS:-10000}	# replay_max_rows (the default is 10000)
# installs sysbench when run as root, else names it
sh test/packages.sh bench || exit 1
command -v sysbench > /dev/null || {
	echo "lag benchmark: sysbench is missing: install the Debian package 'sysbench'" \
		"(apt-get install -y sysbench)" >&2
	exit 1
}
. test/integ/lib.sh
work=$(mktemp -d)
hbpid="" pollpid="" rpid=""
cleanup() {
	touch "$work/stop"
	for p in $hbpid $pollpid $rpid; do kill "$p" 2>/dev/null || true; done
	servers_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
mariadb_start "$work/my" --innodb-buffer-pool-size=256M > /dev/null
pg_start "$work/pg" > /dev/null
mariadb_sql -D mysql <<'SQL'
CREATE DATABASE sbtest;
CREATE DATABASE hb;
CREATE TABLE hb.hb (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL);
SQL
cat > "$work/cfg.yml" <<EOC
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
sources:
  my:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: root, password: ''}
    schema_mappings: {sbtest: sbtest, hb: hb}
    replay_max_rows: $max_rows
EOC
"$bin" start_replica --config "$work/cfg.yml" --source my --debug --create-tables \
	> "$work/replica.log" 2>&1 &
rpid=$!
sleep 1
kill -0 $rpid 2>/dev/null || { cat "$work/replica.log" >&2; exit 1; }
sb() {
	sysbench oltp_write_only --db-driver=mysql --mysql-socket="$MY_SOCK" --mysql-user=root \
		--mysql-db=sbtest --tables=4 --table-size=100000 "$@"
}
echo "lag benchmark: sysbench prepare (replicated) ..."
sb prepare > "$work/prepare.log"
mariadb_sql -e "SET time_zone = '+00:00'; INSERT INTO hb.hb VALUES (1, NOW(6))"
# caught up: PostgreSQL has the newest heartbeat and every prepared row
caught_up() {	# caught_up SECONDS
	want=$(mariadb_sql -N -B -e "SELECT DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') FROM hb.hb")
	_wait_for "$1" sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres \
		-c \"SELECT to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') FROM hb.hb\" 2>/dev/null)\" = '$want' ]"
}
caught_up 300 || { echo "lag benchmark: the replica did not catch up after the prepare" >&2; tail -5 "$work/replica.log" >&2; exit 1; }

# the heartbeat writer and the PostgreSQL poller, each one connection
heartbeat() {
	echo "SET time_zone = '+00:00';"
	while [ ! -e "$work/stop" ]; do
		echo "UPDATE hb.hb SET ts = NOW(6) WHERE id = 1;"
		sleep 0.1
	done
}
poll() {	# output: seconds of lag, one line per poll
	echo "SET TimeZone = 'UTC';"
	while [ ! -e "$work/stop" ]; do
		echo "SELECT extract(epoch FROM clock_timestamp() AT TIME ZONE 'UTC' - ts) FROM hb.hb;"
		sleep 0.1
	done
}
phase() {	# phase NAME SECONDS [sysbench run options]: lag samples in $work/NAME.lag
	name=$1 t=$2
	shift 2
	rm -f "$work/stop"
	heartbeat | mariadb_sql &
	hbpid=$!
	sleep 0.5
	poll | pg_sql -At > "$work/$name.lag" &
	pollpid=$!
	if [ $# -gt 0 ]; then
		sb run --threads=4 --time="$t" --rate="$rate" --report-interval=0 "$@" \
			> "$work/$name.sysbench"
	else
		sleep "$t"
	fi
	# the loops stop; their clients end at the end of their input
	touch "$work/stop"
	wait $pollpid $hbpid
	hbpid="" pollpid=""
}
echo "lag benchmark: ${secs}s idle baseline, then ${secs}s of sysbench oltp_write_only ..."
phase idle "$secs"
phase load "$secs" --events=0
caught_up 600 || { echo "lag benchmark: the replica did not catch up after the run" >&2; exit 1; }
kill -TERM $rpid
wait $rpid || { echo "lag benchmark: start_replica exited with an error" >&2; tail -5 "$work/replica.log" >&2; exit 1; }
rpid=""

# equal on both sides: count and MD5 of every row (id, k, c, pad) in key order
bad=0
sums=""
for i in 1 2 3 4; do
	mariadb_sql -N -B -D sbtest -e "SELECT id, k, c, pad FROM sbtest$i ORDER BY id" > "$work/my$i"
	pg_sql -At -F "	" -c "SELECT id, k, c, pad FROM sbtest.sbtest$i ORDER BY id" > "$work/pg$i"
	rows=$(wc -l < "$work/my$i")
	md5=$(md5sum < "$work/my$i" | cut -c1-12)
	if cmp -s "$work/my$i" "$work/pg$i"; then
		sums="$sums sbtest$i=$rows/$md5"
	else
		bad=$((bad + 1))
		sums="$sums sbtest$i=DIFFERENT($rows/$(wc -l < "$work/pg$i"))"
	fi
done
tps=$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$work/load.sysbench")
qps=$(sed -n 's/.*queries: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$work/load.sysbench")
python3 - "$work/idle.lag" "$work/load.lag" "$(nproc)" "$secs" "$rate" "$tps" "$qps" "$sums" "$max_rows" <<'PY'
import sys
def samples(path):
    out = []
    for line in open(path):
        try:
            out.append(float(line) * 1000)
        except ValueError:
            pass
    return sorted(out)
def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]
idle, load = samples(sys.argv[1]), samples(sys.argv[2])
cores, secs, rate, tps, qps, sums, max_rows = sys.argv[3:10]
print()
print("lag benchmark: start_replica following MariaDB into PostgreSQL 15 on loopback, %s cores" % cores)
print("sysbench oltp_write_only, 4 threads, 4 tables x 100,000 rows, %ss, rate %s, replay_max_rows %s" %
      (secs, "max" if rate == "0" else rate + " tps", max_rows))
print("%-38s %8s %8s %8s %8s %9s" % ("", "samples", "p50 ms", "p99 ms", "max ms", "tps"))
print("%-38s %8d %8.0f %8.0f %8.0f %9s" % ("no workload (baseline)", len(idle), pct(idle, 50), pct(idle, 99), idle[-1], "-"))
print("%-38s %8d %8.0f %8.0f %8.0f %9s" % ("sysbench oltp_write_only", len(load), pct(load, 50), pct(load, 99), load[-1], tps))
print("(lag = PostgreSQL clock - newest heartbeat seen; includes the heartbeat's own age, 0-100 ms;")
print(" sysbench %s queries/s; tables after the run, rows/md5:%s)" % (qps, sums))
PY
[ $bad = 0 ] || { echo "lag benchmark: $bad sysbench tables differ between MariaDB and PostgreSQL" >&2; exit 1; }
