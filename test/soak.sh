#!/bin/sh
# Soak (make soak SOAK_MIN=30; not part of make check): sysbench
# oltp_write_only runs against MariaDB for SOAK_MIN minutes while
# start_replica follows it through two fault-injecting proxies
# (test/lib/faultproxy.py), one to MariaDB and one to PostgreSQL.  Every
# FAULT_EVERY seconds (60) a fault hits both sides in turn: every
# connection reset, a stall (7 s on MariaDB: longer than the heartbeat
# allowance; 4 s on PostgreSQL), half a packet then a reset, new
# connections refused for 3 s.  Every KILL_EVERY seconds (180) the
# replica is killed with SIGKILL and started again.
#
# At the end: every sysbench table equal value by value
# (test/integ/compare.py), the replication lag's p50/p99/max (a heartbeat
# row written on MariaDB every 100 ms, its age read on PostgreSQL every
# second, both on this host's clock: samples include the kill and fault
# windows), the replica's peak RSS in the first and the last 3 minutes,
# and the reconnections counted from the logs.  Exit status 1 when the
# tables differ or the replica exited by itself.
set -u
bin=${1:?usage: soak.sh CHAMELEON}
min=${SOAK_MIN:-30}
fault_every=${FAULT_EVERY:-60}
kill_every=${KILL_EVERY:-180}
rate=${SOAK_RATE:-100}
sh test/packages.sh bench || exit 1
. test/integ/lib.sh
work=$(mktemp -d)
rep_pid="" pm_pid="" pp_pid="" sb_pid="" hb_pid="" poll_pid=""
cleanup() {
	touch "$work/stop"
	for p in $rep_pid $pm_pid $pp_pid $sb_pid $hb_pid $poll_pid; do
		kill -9 "$p" 2>/dev/null
	done
	servers_stop
	[ -n "${SOAK_KEEP:-}" ] && { echo "soak: kept $work"; return; }
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
mariadb_start "$work/my" --innodb-buffer-pool-size=256M > /dev/null || exit 1
pg_start "$work/pg" > /dev/null || exit 1
export MY_SOCK PG_HOST PG_PORT
FP=test/lib/faultproxy.py
proxy_up() {	# proxy_up NAME TARGET-PORT
	python3 "$FP" serve --target "127.0.0.1:$2" --control "$work/$1.ctl" \
		--port-file "$work/$1.port" > "$work/$1.log" 2>&1 &
	eval "${1}_pid=$!"
	_wait_for 20 test -s "$work/$1.port" || { echo "soak: proxy $1 did not start" >&2; exit 1; }
}
proxy_up pm "$MY_PORT"
proxy_up pp "$PG_PORT"
fault() { _n=$1; shift; python3 "$FP" ctl "$work/$_n.ctl" "$@" > /dev/null; }

mariadb_sql -D mysql -e "CREATE DATABASE sbtest; CREATE DATABASE hb;
	CREATE TABLE hb.hb (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL);
	INSERT INTO hb.hb VALUES (1, UTC_TIMESTAMP(6))"
sb() {
	sysbench oltp_write_only --db-driver=mysql --mysql-socket="$MY_SOCK" --mysql-user=root \
		--mysql-db=sbtest --tables=4 --table-size=20000 "$@"
}
sb prepare > "$work/prepare.log" 2>&1 || { echo "soak: sysbench prepare failed" >&2; exit 1; }
(PG_HOST=127.0.0.1 PG_PORT=$(cat "$work/pp.port") MY_PORT=$(cat "$work/pm.port") \
	config_write "$work/cfg.yml" src "sbtest:sbtest hb:hb" "pid_dir: $work/pid" \
		"log_dest: stdout")
C="--config $work/cfg.yml --source src"
"$bin" init_replica $C > "$work/init.log" 2>&1 || { echo "soak: init_replica failed" >&2; tail -3 "$work/init.log" >&2; exit 1; }

n_start=0
start_replica() {
	n_start=$((n_start + 1))
	"$bin" start_replica $C > "$work/rep.$n_start.log" 2>&1 &
	rep_pid=$!
}
start_replica

# the heartbeat (MariaDB, every 100 ms) and its age on PostgreSQL (every s)
(echo "SET time_zone = '+00:00';"
	while [ ! -e "$work/stop" ]; do echo "UPDATE hb.hb SET ts = UTC_TIMESTAMP(6) WHERE id = 1;"; sleep 0.1; done) |
	mariadb_sql &
hb_pid=$!
(echo "SET TimeZone = 'UTC';"
	while [ ! -e "$work/stop" ]; do
		echo "SELECT extract(epoch FROM clock_timestamp() AT TIME ZONE 'UTC' - ts) FROM hb.hb;"
		sleep 1
	done) | pg_sql -At > "$work/lag" 2>/dev/null &
poll_pid=$!

secs=$((min * 60))
echo "soak: ${min} min of sysbench oltp_write_only (2 threads, ${rate} tx/s), a fault every ${fault_every} s, kill -9 every ${kill_every} s"
sb run --threads=2 --time="$secs" --rate="$rate" --report-interval=0 > "$work/run.log" 2>&1 &
sb_pid=$!

t0=$(date +%s)
next_fault=$((t0 + fault_every))
next_kill=$((t0 + kill_every))
kinds="reset stall halfreset refuse"
k=0 kills=0 faults=0 died=0
: > "$work/rss"
while kill -0 "$sb_pid" 2>/dev/null; do
	now=$(date +%s)
	if ! kill -0 "$rep_pid" 2>/dev/null; then
		wait "$rep_pid"
		echo "soak: the replica exited by itself (status $?) at +$((now - t0)) s: $(grep chameleon: "$work/rep.$n_start.log" | tail -1)"
		died=$((died + 1))
		"$bin" enable_replica $C > /dev/null 2>&1
		start_replica
	fi
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$rep_pid/status" 2>/dev/null)
	[ -n "$rss" ] && echo "$((now - t0)) $rss" >> "$work/rss"
	if [ "$now" -ge "$next_kill" ]; then
		kill -9 "$rep_pid" 2>/dev/null
		wait "$rep_pid" 2>/dev/null
		kills=$((kills + 1))
		start_replica
		next_kill=$((next_kill + kill_every))
	elif [ "$now" -ge "$next_fault" ]; then
		set -- $kinds
		shift $((k % 4))
		case $1 in
		reset) fault pm reset; fault pp reset ;;
		stall) fault pm stall 7; fault pp stall 4 ;;
		halfreset) fault pm halfreset; fault pp halfreset ;;
		refuse) fault pm refuse 3; fault pp refuse 3; fault pm reset; fault pp reset ;;
		esac
		k=$((k + 1))
		faults=$((faults + 1))
		next_fault=$((next_fault + fault_every))
	fi
	sleep 1
done
wait "$sb_pid"
sb_pid=""
echo "soak: sysbench: $(sed -n 's/^ *transactions: *\(.*\)/\1/p' "$work/run.log") transactions"

# caught up: every table equal (at most 5 minutes)
status=0
t1=$(date +%s)
if _wait_for 300 python3 test/integ/compare.py sbtest sbtest; then
	echo "soak: caught up $(( $(date +%s) - t1 )) s after the load; every table equal value by value:"
	python3 test/integ/compare.py sbtest sbtest | sed 's/^/  /'
else
	echo "soak: TABLES DIFFER"
	python3 test/integ/compare.py sbtest sbtest 2>&1 | tail -3 | sed 's/^/  /'
	status=1
fi
touch "$work/stop"
wait "$hb_pid" "$poll_pid" 2>/dev/null
hb_pid="" poll_pid=""
kill "$rep_pid" 2>/dev/null
wait "$rep_pid" 2>/dev/null
rep_pid=""
[ "$died" = 0 ] || status=1
cat "$work"/rep.*.log > "$work/all.log"
python3 - "$work/lag" "$work/rss" "$secs" <<PY
import sys
lag = []
for line in open(sys.argv[1]):
    try:
        lag.append(float(line) * 1000)
    except ValueError:
        pass
lag.sort()
def pct(p):
    return lag[min(len(lag) - 1, int(p / 100 * len(lag)))] if lag else float("nan")
print("soak: lag over %d samples: p50 %.0f ms, p99 %.0f ms, max %.0f ms" % (len(lag), pct(50), pct(99), lag[-1] if lag else float("nan")))
rss = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
secs = int(sys.argv[3])
w = min(180, secs // 3)
first = [r for t, r in rss if t < w]
last = [r for t, r in rss if t >= secs - w]
print("soak: replica peak RSS: first %d s %.1f MiB, last %d s %.1f MiB" % (
    w, max(first or [0]) / 1024, w, max(last or [0]) / 1024))
PY
echo "soak: $faults faults, $kills kill -9, $died exits by itself;" \
	"reconnections: $(grep -c 'binlog stream lost' "$work/all.log") MariaDB incidents" \
	"($(grep -c 'no heartbeat' "$work/all.log") dead streams from missing heartbeats)," \
	"$(grep -c 'PostgreSQL connection lost' "$work/all.log") PostgreSQL incidents," \
	"$(grep -c 'resuming at' "$work/all.log") starts"
exit $status
