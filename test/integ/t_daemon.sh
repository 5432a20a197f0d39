#!/bin/sh
# Integration: start_replica in the background (pid file, log file),
# refusing a second instance, stop_replica committing and stopping it.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin '[ -s "$work/pid/cfg.yml_src.pid" ] && kill -9 "$(cat "$work/pid/cfg.yml_src.pid")" 2>/dev/null'
servers_up
config_write "$work/cfg.yml" src d:d "pid_dir: $work/pid" "log_dir: $work/log" "log_dest: file"
"$bin" start_replica --config "$work/cfg.yml" --source src --create-tables > "$work/out" 2>&1
rc=$?
_wait_for 10 test -s "$work/pid/cfg.yml_src.pid"
[ $rc -eq 0 ] && [ -s "$work/pid/cfg.yml_src.pid" ] && ok "start_replica detaches, with a pid file" ||
	notok "start_replica in the background: exit $rc"
if "$bin" start_replica --config "$work/cfg.yml" --source src > "$work/out2" 2>&1; then
	notok "a second replica of the same source is refused"
else
	grep -q "already running" "$work/out2" && ok "a second replica of the same source is refused" ||
		notok "second instance message"
fi
# without a stored position the replica starts at the source's position when
# it connects: the workload must come after that
_wait_for 30 sh -c "grep -q 'streaming from' '$work'/log/*.log"
mariadb_sql -D mysql -e "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY, v INT);
	INSERT INTO d.t SELECT seq, seq FROM seq_1_to_1000"
_wait_for 20 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.t' 2>/dev/null)\" = 1000 ]" &&
	ok "the background replica applies the workload" || notok "background replica did not apply"
"$bin" stop_replica --config "$work/cfg.yml" --source src > "$work/out3" 2>&1 &&
	grep -q stopped "$work/out3" && [ ! -e "$work/pid/cfg.yml_src.pid" ] &&
	ok "stop_replica stops it and the pid file is gone" || notok "stop_replica: $(cat "$work/out3")"
grep -q "stopped at binlog" "$work"/log/*.log && ok "the log file records the stop position" ||
	notok "log file"
# stop_all_replicas stops the replica of every source of the configuration
"$bin" start_replica --config "$work/cfg.yml" --source src > /dev/null 2>&1
_wait_for 10 test -s "$work/pid/cfg.yml_src.pid"
"$bin" stop_all_replicas --config "$work/cfg.yml" > "$work/out4" 2>&1 &&
	grep -q "of 'src' (pid [0-9]*) stopped" "$work/out4" && [ ! -e "$work/pid/cfg.yml_src.pid" ] &&
	ok "stop_all_replicas stops every running replica" || notok "stop_all_replicas: $(cat "$work/out4")"
# the replica keeps running across a PostgreSQL restart and a MariaDB
# restart in the middle of a workload: nothing lost, nothing applied twice
"$bin" start_replica --config "$work/cfg.yml" --source src > /dev/null 2>&1
_wait_for 10 test -s "$work/pid/cfg.yml_src.pid"
(
	for k in $(seq 1 30); do
		mariadb_sql -D d -e "INSERT INTO t SELECT 100000 + $k * 1000 + seq, seq FROM seq_1_to_500;
			UPDATE t SET v = v + 1 WHERE id = $k; DELETE FROM t WHERE id = 100 + $k" 2>/dev/null
		sleep 0.1
	done
) &
wl=$!
sleep 1
_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w restart \
	-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" > /dev/null 2>&1
wait $wl
mariadb_stop
mariadb_start_again
mariadb_sql -D d -e "INSERT INTO t SELECT 200000 + seq, seq FROM seq_1_to_500; UPDATE t SET v = 0 WHERE id = 5"
want=$(mariadb_sql -N -B -e "SELECT COUNT(*), SUM(v), SUM(id) FROM d.t" | tr '\t' ' ')
_wait_for 60 sh -c "[ \"\$(psql -X -At -F ' ' -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*), sum(v), sum(id) FROM d.t' 2>/dev/null)\" = '$want' ]"
got=$(pg_sql -At -F ' ' -c "SELECT count(*), sum(v), sum(id) FROM d.t")
if [ "$got" = "$want" ] && kill -0 "$(cat "$work/pid/cfg.yml_src.pid")" 2>/dev/null && grep -q "PostgreSQL connection back" "$work"/log/*.log; then
	ok "the replica reconnected across a PostgreSQL and a MariaDB restart: equal ($got)"
else
	notok "across restarts: PostgreSQL $got, MariaDB $want"
	grep -E "WARN|ERROR|back|chameleon" "$work"/log/*.log | tail -12 | sed "s/^/# /"
fi
"$bin" stop_replica --config "$work/cfg.yml" --source src > /dev/null 2>&1
tap_done
