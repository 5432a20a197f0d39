#!/bin/sh
# Integration: network faults under a steady write workload.  Two
# fault-injecting proxies (test/lib/faultproxy.py) sit between the replica
# and MariaDB and between the replica and PostgreSQL, while a workload of
# small transactions, a large one now and then, and binary payloads runs
# on MariaDB.  Each kind of fault is injected on each side in turn:
# every connection reset, a stall longer than the heartbeat allowance,
# half a packet then a reset, new connections refused.  After each one
# the workload pauses, the replica catches up, and every table equals
# its source value by value; the replica never exits.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
wl_pid="" rep_pid="" pm_pid="" pp_pid=""
integ_begin 'touch "$work/stop"; kill $rep_pid $pm_pid $pp_pid 2>/dev/null; sleep 0.3; kill -9 $rep_pid 2>/dev/null'
servers_up
export MY_SOCK PG_HOST PG_PORT
FP=test/lib/faultproxy.py

# proxy_up NAME TARGET-PORT: a proxy, its control socket $work/NAME.ctl,
# its port in $work/NAME.port, its pid in the variable NAME_pid
proxy_up() {
	python3 "$FP" serve --target "127.0.0.1:$2" --control "$work/$1.ctl" \
		--port-file "$work/$1.port" > "$work/$1.log" 2>&1 &
	eval "${1}_pid=$!"
	_wait_for 20 test -s "$work/$1.port" || { notok "proxy $1 did not start"; exit 1; }
}
proxy_up pm "$MY_PORT"
proxy_up pp "$PG_PORT"
fault() {	# fault NAME COMMAND...: tell proxy NAME
 _n=$1; shift; python3 "$FP" ctl "$work/$_n.ctl" "$@" > /dev/null; }

mariadb_sql -D mysql <<'SQL'
CREATE DATABASE w;
CREATE TABLE w.small (id INT PRIMARY KEY, n INT NOT NULL, b VARBINARY(64), t VARCHAR(40));
CREATE TABLE w.big (id INT PRIMARY KEY, batch INT NOT NULL, payload BLOB);
CREATE TABLE w.counter (k INT PRIMARY KEY, v BIGINT NOT NULL);
INSERT INTO w.counter VALUES (1, 0);
SQL
# the replica reaches both servers through the proxies
(PG_HOST=127.0.0.1 PG_PORT=$(cat "$work/pp.port") MY_PORT=$(cat "$work/pm.port") \
	config_write "$work/cfg.yml" src w:w "pid_dir: $work/pid" "log_dest: stdout" \
		"  heartbeat_period: 1")
C="--config $work/cfg.yml --source src"
"$bin" init_replica $C > "$work/init.out" 2>&1 ||
	{ notok "init_replica: $(tail -2 "$work/init.out")"; exit 1; }

# the workload: one client fed by a generator that pauses while
# $work/pause exists and ends when $work/stop exists
python3 - "$work" > "$work/wl.sql" 2>/dev/null <<'PY' &
import os, random, sys, time
work = sys.argv[1]
r = random.Random(14)
k = 0
while not os.path.exists(work + "/stop"):
    if os.path.exists(work + "/pause"):
        open(work + "/paused", "w").close()
        time.sleep(0.05)
        continue
    k += 1
    i = r.randrange(1, 300)
    raw = bytes(r.randrange(256) for _ in range(r.randrange(0, 64)))
    ops = [
        "REPLACE INTO w.small VALUES (%d, %d, UNHEX('%s'), 'k%d é')" % (i, k, raw.hex(), k),
        "UPDATE w.small SET n = n + 1, b = UNHEX('00%s00') WHERE id %% 17 = %d" % (raw[:8].hex(), k % 17),
        "DELETE FROM w.small WHERE id = %d" % r.randrange(1, 300),
        "UPDATE w.counter SET v = v + 1 WHERE k = 1",
    ]
    sql = "BEGIN; " + "; ".join(r.sample(ops, r.randrange(1, 4))) + "; COMMIT;"
    if k % 40 == 0:
        # a large transaction: 1500 rows of binary payload (about 1.5 MB)
        sql = ("BEGIN; DELETE FROM w.big WHERE batch %% 3 = %d; "
               "INSERT INTO w.big SELECT %d * 10000 + seq, %d, "
               "CONCAT(UNHEX('00ff7f80'), REPEAT(UNHEX(MD5(seq + %d)), 64)) "
               "FROM seq_1_to_1500; COMMIT;" % ((k // 40) % 3, k // 40, k // 40, k))
    if os.path.exists(work + "/paused"):
        os.unlink(work + "/paused")
    sys.stdout.write(sql + "\n")
    sys.stdout.flush()
    time.sleep(0.01)
PY
gen_pid=$!
tail -f "$work/wl.sql" --pid=$gen_pid 2>/dev/null | mariadb_sql -D w --force > "$work/wl.out" 2>&1 &
wl_pid=$!

"$bin" start_replica $C > "$work/rep.log" 2>&1 &
rep_pid=$!
_wait_for 30 grep -q "streaming from" "$work/rep.log" ||
	{ notok "the replica did not start: $(tail -3 "$work/rep.log")"; exit 1; }

# caught_up DESCRIPTION: pause the workload, wait until every table is
# equal (at most 40 s), say it, resume
caught_up() {
	touch "$work/pause"
	_wait_for 10 test -f "$work/paused"
	# the statements already sent to the client are applied first
	sleep 0.5
	if _wait_for 40 python3 test/integ/compare.py w w; then
		ok "$1: $(mariadb_sql -N -e 'SELECT count(*) FROM w.small') + $(mariadb_sql -N -e 'SELECT count(*) FROM w.big') rows equal value by value"
	else
		notok "$1: tables differ"
		python3 test/integ/compare.py w w 2>&1 | tail -2 | sed 's/^/# /'
		tail -5 "$work/rep.log" | sed 's/^/# /'
	fi
	rm -f "$work/pause" "$work/paused"
}
alive() {
	if kill -0 "$rep_pid" 2>/dev/null; then
		return 0
	fi
	notok "the replica exited after $1: $(tail -3 "$work/rep.log")"
	exit 1
}
lines() { wc -l < "$work/rep.log"; }

sleep 2
caught_up "no fault"
# each kind of fault on both sides at once: the MariaDB stream and the
# PostgreSQL connection break together
before=$(lines)
fault pm reset; fault pp reset
sleep 2
fault pm reset; fault pp reset
sleep 2
alive "resets"
caught_up "every connection reset twice, on both sides"
# MariaDB: longer than the allowance of 3 heartbeats (5 s): seen as dead
fault pm stall 7; fault pp stall 4
sleep 8
alive "stalls"
if tail -n +"$before" "$work/rep.log" | grep -q "no heartbeat"; then
	ok "MariaDB stalled 7 s: the dead stream seen from missing heartbeats"
else
	notok "MariaDB stall: no 'no heartbeat' in the log"
fi
caught_up "MariaDB stalled 7 s, PostgreSQL 4 s"
fault pm halfreset; fault pp halfreset
sleep 3
alive "half packets"
caught_up "half a packet, then a reset, on both sides"
fault pm refuse 4; fault pp refuse 4
fault pm reset; fault pp reset
sleep 5
alive "refused connections"
caught_up "connections refused for 4 s, on both sides"

# the reconnections: counted, logged once per incident
n=$(grep -c "reconnect" "$work/rep.log")
echo "# $(mariadb_sql -N -e "SELECT v FROM w.counter") counter updates; $(grep -c 'binlog stream lost\|PostgreSQL connection lost' "$work/rep.log") incidents, $n log lines naming a reconnection"
touch "$work/stop"
kill "$rep_pid"
wait "$rep_pid"
rc=$?
[ $rc = 0 ] && ok "the replica stops cleanly after the faults" ||
	notok "the replica's exit status $rc: $(tail -3 "$work/rep.log")"
rep_pid=""
tap_done
