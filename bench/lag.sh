#!/bin/sh
# Replication lag benchmark (part of make bench): start_replica follows a
# MariaDB on which sysbench oltp_write_only runs (4 tables of 100,000 rows),
# into PostgreSQL on the same host, in three phases of LAG_SECONDS each
# (default 60), selected by LAG_PHASES (default "idle rate max"):
#   idle  no workload (the baseline)
#   rate  sysbench with 4 threads at LAG_RATE transactions/s (default 300)
#   max   sysbench with LAG_THREADS threads (default 8) as fast as MariaDB
#         goes, for LAG_LOAD_SECONDS (default LAG_SECONDS): the sustained
#         load (LAG_LOAD_SECONDS=300 for issue 15's five minutes)
# replay_max_rows is LAG_MAX_ROWS (default 10000, as in the configuration).
# PostgreSQL runs with fsync=off as in the tests, or with fsync=on when
# LAG_PG_FSYNC=on; synchronous_commit is on (the default) either way.
#
# Lag is measured with heartbeat rows: a loop on one MariaDB connection
# inserts (id, NOW(6)) into hb.hb every 10 ms (DATETIME(6), UTC); a loop on
# one PostgreSQL connection reads max(id) and clock_timestamp() every 2 ms.
# A heartbeat's lag is the PostgreSQL clock at the first poll that saw it
# minus its NOW(6): both servers run on this host and read the same clock;
# a figure is late by at most the poll period and one query.  The
# heartbeats of a phase are counted until the last has been seen.
#
# sysbench's prepare (the 400,000 rows) goes through the replica too: the
# replica starts first, on an empty source, creates the tables from the
# binlog's table maps (--create-tables) and applies the prepare; the phases
# start once PostgreSQL has caught up.  At the end the four tables must be
# equal on both sides: row count and MD5 over every row in key order.
set -eu
bin=${1:?usage: lag.sh CHAMELEON}
secs=${LAG_SECONDS:-60}
load_secs=${LAG_LOAD_SECONDS:-$secs}
rate=${LAG_RATE:-300}
threads=${LAG_THREADS:-8}
phases=${LAG_PHASES:-idle rate max}
max_rows=${LAG_MAX_ROWS:-10000}	# replay_max_rows (the default is 10000)
pg_fsync=${LAG_PG_FSYNC:-off}	# on: PostgreSQL with fsync (the tests' servers run without)
# installs sysbench when run as root, else names it
sh test/packages.sh bench || exit 1
command -v sysbench > /dev/null || {
	echo "lag benchmark: sysbench is missing: install the Debian package 'sysbench'" \
		"(apt-get install -y sysbench)" >&2
	exit 1
}
. test/integ/lib.sh
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
hbpid="" pollpid="" rpid=""
cleanup() {
	touch "$work/stop" "$work/stop-poll"
	for p in $hbpid $pollpid $rpid; do kill "$p" 2>/dev/null || true; done
	servers_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
mariadb_start "$work/my" --innodb-buffer-pool-size=256M > /dev/null
pg_start "$work/pg" > /dev/null
if [ "$pg_fsync" = on ]; then
	# as a production server runs: the test servers' fsync=off removed
	_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w restart -m fast \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" > /dev/null
fi
mariadb_sql -D mysql <<'SQL'
CREATE DATABASE sbtest;
CREATE DATABASE hb;
CREATE TABLE hb.hb (id BIGINT AUTO_INCREMENT PRIMARY KEY, ts DATETIME(6) NOT NULL);
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
mariadb_sql -e "INSERT INTO hb.hb (ts) VALUES (UTC_TIMESTAMP(6))"
# caught up: PostgreSQL has the newest heartbeat (and so everything before it)
caught_up() {	# caught_up SECONDS
	want=$(mariadb_sql -N -B -e "SELECT max(id) FROM hb.hb")
	_wait_for "$1" sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres \
		-c 'SELECT max(id) FROM hb.hb' 2>/dev/null)\" = '$want' ]"
}
caught_up 300 || { echo "lag benchmark: the replica did not catch up after the prepare" >&2; tail -5 "$work/replica.log" >&2; exit 1; }
pg_sql -c "SELECT pg_stat_reset()" > /dev/null

commits() {	# the replica's PostgreSQL commits: one position update each
	sleep 1	# the statistics are flushed at most every second
	pg_sql -At -c "SELECT n_tup_upd FROM pg_stat_user_tables
		WHERE schemaname = 'sch_chameleon' AND relname = 't_sources'"
}
cpu_ticks() {	# user + system time of process $1, in clock ticks
	awk '{ print $14 + $15 }' "/proc/${1:-none}/stat" 2>/dev/null || echo 0
}
# the PostgreSQL backend of the replica (the only client that is not psql)
pgpid=$(pg_sql -At -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'
	AND application_name <> 'psql' LIMIT 1")
phase() {	# phase NAME SECONDS [sysbench run options]: files $work/NAME.*
	name=$1 t=$2
	shift 2
	rm -f "$work/stop" "$work/stop-poll"
	from=$(mariadb_sql -N -B -e "SELECT max(id) FROM hb.hb")
	c0=$(commits) t0=$(cpu_ticks $rpid) p0=$(cpu_ticks $pgpid)
	python3 "$here/lag.py" tick 0.01 "$work/stop" "SET time_zone = '+00:00';" \
		"INSERT INTO hb.hb (ts) VALUES (NOW(6)); SELECT LAST_INSERT_ID(), UNIX_TIMESTAMP(NOW(6));" |
		mariadb_sql -N -B | tr '\t' '|' > "$work/$name.src" &
	hbpid=$!
	python3 "$here/lag.py" tick 0.002 "$work/stop-poll" \
		"SELECT max(id), extract(epoch FROM clock_timestamp()) FROM hb.hb;" |
		pg_sql -At > "$work/$name.seen" &
	pollpid=$!
	if [ $# -gt 0 ]; then
		sb run --time="$t" --report-interval=0 --events=0 "$@" > "$work/$name.sysbench"
	else
		sleep "$t"
	fi
	# the writer stops; the poller once it has seen the last heartbeat
	touch "$work/stop"
	wait $hbpid
	hbpid=""
	caught_up 600 || { echo "lag benchmark: the replica did not catch up after $name" >&2; exit 1; }
	t1=$(cpu_ticks $rpid) p1=$(cpu_ticks $pgpid) c1=$(commits)
	touch "$work/stop-poll"
	wait $pollpid
	pollpid=""
	pg_sql -At -c "SELECT id, extract(epoch FROM ts) FROM hb.hb WHERE id > $from ORDER BY id" \
		> "$work/$name.hb"
	{
		echo "commits=$((c1 - c0))"
		echo "cpu_ticks=$((t1 - t0))"
		echo "pg_ticks=$((p1 - p0))"
		echo "hz=$(getconf CLK_TCK)"
		[ $# -gt 0 ] || return 0
		sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/tps=\1/p' "$work/$name.sysbench"
		sed -n 's/.*queries: *[0-9]* *(\([0-9.]*\) per sec.*/qps=\1/p' "$work/$name.sysbench"
	} > "$work/$name.stats"
}
for p in $phases; do
	case $p in
	idle)
		echo "lag benchmark: ${secs}s without workload ..."
		phase idle "$secs"
		echo "idle|no workload (baseline)|$secs" >> "$work/phases" ;;
	rate)
		echo "lag benchmark: ${secs}s of sysbench oltp_write_only, 4 threads, $rate tps ..."
		phase rate "$secs" --threads=4 --rate="$rate"
		echo "rate|sysbench 4 threads at $rate tps|$secs" >> "$work/phases" ;;
	max)
		echo "lag benchmark: ${load_secs}s of sysbench oltp_write_only, $threads threads, unthrottled ..."
		phase max "$load_secs" --threads="$threads" --rate=0
		echo "max|sysbench $threads threads unthrottled, ${load_secs}s|$load_secs" >> "$work/phases" ;;
	*) echo "lag benchmark: unknown phase '$p' in LAG_PHASES" >&2; exit 1 ;;
	esac
done
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
python3 "$here/lag.py" report "$(nproc)" "$max_rows" "$work"
echo " sysbench: 4 tables x 100,000 rows; tables after the run, rows/md5:$sums"
echo " PostgreSQL: $(pg_sql -At -c "SELECT 'fsync=' || current_setting('fsync') ||
	', synchronous_commit=' || current_setting('synchronous_commit')")"
[ $bad = 0 ] || { echo "lag benchmark: $bad sysbench tables differ between MariaDB and PostgreSQL" >&2; exit 1; }
