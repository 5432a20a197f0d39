#!/bin/sh
# Integration: the stream loop and its consumers.  decode_binlog ends when
# the reader of its output goes away (| head), following a source or not,
# busy or idle, with status 141 and no message; other write errors end it
# with a message and status 1.  The replica takes a table out of
# replication and streams again without a lost-stream detour; its log
# file rotates at the next day and is reopened on SIGHUP.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
work=$(mktemp -d)
pidf=$work/pid/cfg.yml_src.pid
trap '[ -s "$pidf" ] && kill -9 "$(cat "$pidf")" 2>/dev/null; servers_stop; rm -rf "$work"' EXIT INT TERM
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
mariadb_start "$work/my" > /dev/null || { echo "not ok 1 - mariadbd"; exit 1; }
pg_start "$work/pg" > /dev/null || { echo "not ok 1 - postgresql"; exit 1; }
cat > "$work/cfg.yml" <<EOC
pid_dir: $work/pid
log_dir: $work/log
log_dest: file
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
sources:
  src:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: root, password: ''}
    schema_mappings: {d: d}
EOC
C="--config $work/cfg.yml --source src"
mariadb_sql -D mysql -e "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY, v INT);
	INSERT INTO d.t SELECT seq, seq FROM seq_1_to_20000"

# --- decode_binlog | head: the reader goes away
# (the exit status of the first command of a pipe, in POSIX sh)
piped() {	# piped TIMEOUT READER COMMAND...: status of COMMAND in $work/rc
	_t=$1 _r=$2
	shift 2
	{ timeout "$_t" "$@" 2> "$work/err"; echo $? > "$work/rc"; } | sh -c "$_r" > /dev/null
}
piped 60 "head -n 5" "$bin" decode_binlog $C --format json
rc=$(cat "$work/rc")
[ "$rc" = 141 ] && ! grep -q "ERROR\|error" "$work/err" &&
	ok "live decode_binlog | head -n 5 ends: status 141, no error message" ||
	notok "live decode_binlog | head: status $rc (124: still running after 60 s); $(head -2 "$work/err")"
# nothing more to send: the reader's departure is seen at a heartbeat
set -- $(mariadb_sql -N -e "SHOW MASTER STATUS")
piped 30 "head -n 1" "$bin" decode_binlog $C --start-file "$1" --start-position "$2"
rc=$(cat "$work/rc")
[ "$rc" = 141 ] && ok "live decode_binlog of an idle source | head -n 1 ends: status 141" ||
	notok "idle live decode_binlog | head: status $rc (124: still running after 30 s)"
"$bin" decode_binlog $C --stop-at-end > /dev/full 2> "$work/err"
rc=$?
[ $rc = 1 ] && grep -q "write error: No space left on device" "$work/err" &&
	ok "live decode_binlog > /dev/full: status 1, the reason said" ||
	notok "live decode_binlog > /dev/full: status $rc, '$(cat "$work/err")'"
# offline, also when SIGPIPE is ignored (inherited): stop at once, quietly
f=$(ls "$MY_DIR"/data/binlog.0* | head -1)
piped 60 "head -n 1" sh -c "trap '' PIPE; exec \"\$0\" decode_binlog \"\$1\"" "$bin" "$f"
rc=$(cat "$work/rc")
[ "$rc" = 141 ] && [ ! -s "$work/err" ] &&
	ok "decode_binlog FILE | head -n 1 with SIGPIPE ignored: status 141, no message" ||
	notok "offline decode_binlog | head: status $rc; $(head -2 "$work/err")"
"$bin" decode_binlog "$f" > /dev/full 2> "$work/err"
rc=$?
[ $rc = 1 ] && grep -q "write error: No space left on device" "$work/err" &&
	ok "decode_binlog FILE > /dev/full: status 1, the reason said" ||
	notok "offline decode_binlog > /dev/full: status $rc, '$(cat "$work/err")'"

# --- the replica, in the background, on a log clock the test moves
now=$(date +%s)
echo "$now" > "$work/clock"
CHAMELEON_TEST_LOG_CLOCK=$work/clock "$bin" start_replica $C --create-tables > "$work/out" 2>&1
_wait_for 10 test -s "$pidf"
log=$work/log/cfg.yml_src.log
_wait_for 30 grep -q "streaming from" "$log" || notok "the replica started: $(cat "$work/out")"
q() { psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U postgres -c "$1" 2>/dev/null; }
mariadb_sql -D d -e "CREATE TABLE u (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (30000, 1); INSERT INTO u VALUES (1, 1)"
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.u' 2>/dev/null)\" = 1 ]"
# a change PostgreSQL refuses: the table goes, the stream restarts at once
pg_sql -c "ALTER TABLE d.t ADD CHECK (v < 1000)" > /dev/null
mariadb_sql -D d -e "INSERT INTO t VALUES (30001, 5000); INSERT INTO u VALUES (2, 2)"
if _wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.u' 2>/dev/null)\" = 2 ]" &&
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_disabled_tables")" = 1 ] &&
	! grep -q "binlog stream lost" "$log"; then
	ok "a refused change: its table out of replication, the stream restarted without a lost-stream detour"
else
	notok "refused change: u has $(q 'SELECT count(*) FROM d.u') rows"
	grep -E "WARN|ERROR" "$log" | tail -5 | sed 's/^/# /'
fi
day=$(date -d "@$now" +%Y-%m-%d)
echo $((now + 86400)) > "$work/clock"
if _wait_for 10 test -f "$log.$day" && grep -q "streaming from" "$log.$day" && [ -f "$log" ] &&
	! grep -q "streaming from" "$log"; then
	ok "the next day the log file becomes $(basename "$log").$day and a new one starts"
else
	notok "daily rotation: $(ls "$work/log" | tr '\n' ' ')"
fi
mv "$log" "$log.moved"
kill -HUP "$(cat "$pidf")"
_wait_for 10 test -f "$log" && ok "SIGHUP opens the log file again (after logrotate moved it)" ||
	notok "SIGHUP: no new log file: $(ls "$work/log" | tr '\n' ' ')"
"$bin" stop_replica $C > /dev/null 2>&1
grep -q "stopped at" "$log" && ! grep -q "stopped at" "$log.moved" &&
	ok "the lines after SIGHUP go to the new file" || notok "log lines after SIGHUP"
echo "1..$n"
[ $fails = 0 ]
