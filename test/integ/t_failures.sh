#!/bin/sh
# Integration: the failures retrying cannot fix end start_replica with a
# non-zero status and one message naming the cause and the fix, the same
# text in show_status: another replica with the same my_server_id (the
# server drops one for the other), binlog_format changed under a running
# replica, the PostgreSQL target gone read-only (no read-write host among
# pg_conn's), the stored position's binlog purged, the source's binary
# logs reset, and a different server (another server_id) behind the
# source's address, also when swapped between init_replica and the first
# start_replica.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
rep_pid="" dec_pid=""
integ_begin 'kill -9 $rep_pid $dec_pid 2>/dev/null; [ -d "$work/pg2/data" ] && _as_pg "$PG_BIN/pg_ctl" -D "$work/pg2/data" -m immediate -w stop > /dev/null 2>&1'
servers_up
config_write "$work/cfg.yml" src d:d "pid_dir: $work/pid" "log_dest: stdout" \
	"  heartbeat_period: 1"
C="--config $work/cfg.yml --source src"
mariadb_sql -D mysql -e "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY, v INT);
	INSERT INTO d.t SELECT seq, seq FROM seq_1_to_100"
"$bin" init_replica $C > "$work/init.out" 2>&1 ||
	{ notok "init_replica: $(tail -2 "$work/init.out")"; exit 1; }

start_bg() {	# the replica in the background, streaming
	"$bin" start_replica $C > "$work/rep.log" 2>&1 &
	rep_pid=$!
	_wait_for 30 grep -q "streaming from" "$work/rep.log"
}
# ended SECONDS: the background replica's exit status in $rc (124 when
# it still runs after SECONDS)
ended() {
	rc=124
	_wait_for "$1" sh -c "! kill -0 $rep_pid" && { wait "$rep_pid"; rc=$?; }
	[ $rc = 124 ] && kill -9 "$rep_pid" 2>/dev/null
	rep_pid=""
}
# named DESCRIPTION RC PATTERN [STATUS-TOO]: status and message checked
named() {
	_msg=$(grep "chameleon: " "$work/rep.log" | tail -1)
	_st=$("$bin" show_status $C 2>&1)
	if [ "$2" != 0 ] && [ "$2" != 124 ] && echo "$_msg" | grep -q "$3" &&
		{ [ -z "${4:-}" ] || echo "$_st" | grep -q "$3"; }; then
		ok "$1: status $2, '$(echo "$_msg" | cut -c1-150)...'"
	else
		notok "$1: status $2, message '$_msg'"
		tail -5 "$work/rep.log" | sed 's/^/# /'
	fi
	"$bin" enable_replica $C > /dev/null 2>&1
}

# --- another replica with the same my_server_id: the server drops the
# older stream each time the other connects; both see it within 3 rounds
start_bg || notok "the replica did not start: $(tail -3 "$work/rep.log")"
"$bin" decode_binlog $C > /dev/null 2> "$work/dec.err" &
dec_pid=$!
ended 60
named "two replicas with my_server_id 100" $rc "another replica uses my_server_id 100" status
kill -9 $dec_pid 2>/dev/null
wait $dec_pid 2>/dev/null
dec_pid=""

# --- binlog_format changed under a running replica: seen at the next
# connection (the dump thread killed here to make one)
start_bg || notok "the replica did not start again"
mariadb_sql -e "SET GLOBAL binlog_format = 'STATEMENT'"
for id in $(mariadb_sql -N -e "SELECT id FROM information_schema.processlist
		WHERE command LIKE 'Binlog Dump%'"); do
	mariadb_sql -e "KILL $id"
done
ended 30
named "binlog_format STATEMENT" $rc "binlog_format is STATEMENT.*SET GLOBAL binlog_format = 'ROW'" status
mariadb_sql -e "SET GLOBAL binlog_format = 'ROW'"

# --- the target turns read-only (what a demoted primary or a standby
# does): no read-write server among pg_conn's hosts
start_bg || notok "the replica did not start again"
pg_ro() {
	PGOPTIONS="-c default_transaction_read_only=off" pg_sql \
		-c "ALTER SYSTEM SET default_transaction_read_only = $1" -c "SELECT pg_reload_conf()" > /dev/null
}
pg_ro on
mariadb_sql -e "INSERT INTO d.t VALUES (1001, 1)"
ended 60
# the catalog is read-only too: the status cannot be recorded there
named "PostgreSQL target read-only" $rc "target is read-only.*no read-write server"
pg_ro off
[ "$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_disabled_tables")" = 0 ] &&
	ok "read-only target: no table taken out of replication" ||
	notok "read-only target: tables disabled"
"$bin" start_replica $C --stop-at-end > "$work/rep.log" 2>&1 &&
	[ "$(pg_sql -At -c "SELECT v FROM d.t WHERE id = 1001")" = 1 ] &&
	ok "writable again: the replica resumes, the row applied" ||
	notok "writable again: $(tail -2 "$work/rep.log")"

# --- a failover: the primary turns read-only, its standby is promoted;
# with both in pg_conn (host: "a,b") the replica goes on on the new one
mkdir -p "$work/pg2"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg2"
if _as_pg pg_basebackup -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$work/pg2/data" -R \
		> "$work/pg2/basebackup.log" 2>&1 &&
	_as_pg "$PG_BIN/pg_ctl" -D "$work/pg2/data" -l "$work/pg2/server.log" -w \
		-o "-p $PG_PORT -k $work/pg2 -c listen_addresses=''" start > /dev/null 2>&1; then
	config_write "$work/ha.yml" src d:d "pid_dir: $work/pid" "log_dest: stdout" \
		"  heartbeat_period: 1"
	sed -i "s|^  host: $PG_HOST\$|  host: \"$PG_HOST,$work/pg2\"|" "$work/ha.yml"
	"$bin" start_replica --config "$work/ha.yml" --source src > "$work/rep.log" 2>&1 &
	rep_pid=$!
	_wait_for 30 grep -q "streaming from" "$work/rep.log"
	mariadb_sql -e "INSERT INTO d.t VALUES (1003, 3)"
	# the standby has what the primary committed
	_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$work/pg2' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.t WHERE id = 1003')\" = 1 ]"
	pg_ro on
	_as_pg "$PG_BIN/pg_ctl" -D "$work/pg2/data" -w promote > /dev/null 2>&1
	mariadb_sql -e "INSERT INTO d.t VALUES (1004, 4)"
	if _wait_for 40 sh -c "[ \"\$(psql -X -At -h '$work/pg2' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.t WHERE id = 1004')\" = 1 ]" &&
		kill -0 "$rep_pid" && (PG_HOST=$work/pg2; export MY_SOCK PG_HOST PG_PORT; python3 test/integ/compare.py d d > /dev/null); then
		ok "failover: the primary read-only, the standby promoted: the replica goes on on the new primary, tables equal"
	else
		notok "failover: $(grep -E 'WARN|chameleon' "$work/rep.log" | tail -3)"
	fi
	grep -E "PostgreSQL" "$work/rep.log" | sed 's/^/# /'
	kill "$rep_pid"; wait "$rep_pid"; rep_pid=""
	_as_pg "$PG_BIN/pg_ctl" -D "$work/pg2/data" -m fast -w stop > /dev/null 2>&1
	rm -rf "$work/pg2/data"
	pg_ro off
else
	notok "a standby: $(tail -2 "$work/pg2/basebackup.log")"
fi

# --- the stored position's binlog purged
mariadb_sql -e "FLUSH BINARY LOGS; INSERT INTO d.t VALUES (1002, 1); FLUSH BINARY LOGS"
last=$(mariadb_sql -N -e "SHOW BINARY LOGS" | tail -1 | cut -f1)
mariadb_sql -e "PURGE BINARY LOGS TO '$last'"
oldest=$(mariadb_sql -N -e "SHOW BINARY LOGS" | head -1 | cut -f1)
chmod 644 "$work/cfg.yml"
"$bin" start_replica $C > "$work/rep.log" 2>&1
rc=$?
chmod 600 "$work/cfg.yml"
grep -q "WARN  config: '$work/cfg.yml' is readable by other users (mode 0644)" "$work/rep.log" &&
	ok "a configuration readable by other users: a warning naming it" ||
	notok "no warning for a configuration of mode 0644"
named "binlog purged" $rc "was purged from the source (its oldest binlog is $oldest): run init_replica" status

# --- the source's binary logs reset (RESET MASTER) under the position
"$bin" init_replica $C > "$work/init.out" 2>&1 || notok "init_replica again"
mariadb_sql -D d -e "INSERT INTO t SELECT seq, 0 FROM seq_2000_to_2500"
"$bin" start_replica $C --stop-at-end > "$work/rep.log" 2>&1 || notok "caught up: $(tail -2 "$work/rep.log")"
mariadb_sql -e "RESET MASTER"
"$bin" start_replica $C > "$work/rep.log" 2>&1
named "binary logs reset" $? "history changed: binlog\.0.*binary logs were reset" status

# --- another server behind the same address (server_id 2, not 1), put
# there between init_replica and the first start_replica: init_replica
# recorded the identity of the server it copied
"$bin" init_replica $C > "$work/init.out" 2>&1 || notok "init_replica again"
[ "$(pg_sql -At -c "SELECT source_server_id FROM sch_chameleon.t_sources
		WHERE source_name = 'src'")" = 1 ] &&
	ok "init_replica records the identity of the server it copied (server_id 1)" ||
	notok "init_replica did not record the server_id"
mariadb_stop
_user=""
[ "$(id -u)" = 0 ] && _user="--user=root"
mariadbd --no-defaults --datadir="$MY_DIR/data" --socket="$MY_SOCK" --port="$MY_PORT" \
	--bind-address=127.0.0.1 --log-bin="$MY_DIR/data/binlog" --binlog-format=ROW \
	--binlog-row-metadata=FULL --server-id=2 --skip-name-resolve \
	--log-error="$MY_DIR/error2.log" --pid-file="$MY_DIR/mysqld.pid" $_user > /dev/null 2>&1 &
MY_PID=$!
_wait_for 60 mariadb --no-defaults -S "$MY_SOCK" -uroot -e 'select 1' ||
	notok "mariadbd with server_id 2 did not start"
"$bin" start_replica $C > "$work/rep.log" 2>&1
named "a different server (server_id 2)" $? "history changed: 127.0.0.1:$MY_PORT is now server_id 2.*belongs to server_id 1" status
# sync_tables would record table positions of the other server's binlog
"$bin" sync_tables $C --tables d.t > "$work/rep.log" 2>&1
named "sync_tables from a different server" $? "history changed: it is now server_id 2, the replica's position belongs to server_id 1"
[ "$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_disabled_tables")" = 0 ] &&
	ok "sync_tables refused before taking the table out of replication" ||
	notok "sync_tables refused, but the table is out of replication"
tap_done
