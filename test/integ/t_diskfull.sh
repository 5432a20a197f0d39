#!/bin/sh
# Integration: a log, a pid file or a PostgreSQL that cannot be written
# stops the commands cleanly, with one message naming the path, the
# system's error and the fix (docs/operations.md): start_replica in the
# background whose log's file system fills up mid-run (committed up to the
# stop, then the same rows as MariaDB once restarted, none lost or
# doubled), in the foreground with a stderr that cannot be written, its
# log_dir removed, a log_dir or pid_dir not writable by the user (as
# nobody), and the PostgreSQL side out of disk space (a tablespace on a
# small file system).
# A full file system is a 256 kB tmpfs; where mounting is refused, the log
# is made a symbolic link to /dev/full (every write: ENOSPC).
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
# (the mounts go before the servers stop: PostgreSQL first, a tablespace
# may be on one; lazily, so that nothing busy leaves one behind)
integ_begin 'for p in $work/pid/*.pid; do [ -s "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null; done; pg_stop; umount -l "$work/logfs" "$work/pgfs" 2>/dev/null'
servers_up
C="--config $work/cfg.yml --source src"
mkdir -p "$work/logfs" "$work/pid"
if mount -t tmpfs -o size=256k tmpfs "$work/logfs" 2>/dev/null; then
	mode=tmpfs
else
	mode=devfull
fi
config_write "$work/cfg.yml" src d:d "pid_dir: $work/pid" "log_dir: $work/logfs" \
	"log_dest: file" "  heartbeat_period: 1"
log=$work/logfs/cfg.yml_src.log
mariadb_sql -D mysql -e "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY, v INT);
	CREATE TABLE d.n (v INT, note VARCHAR(20));
	CREATE TABLE d.big (id INT PRIMARY KEY, pad TEXT);
	INSERT INTO d.t SELECT seq, seq FROM seq_1_to_100"
"$bin" init_replica $C --debug > "$work/init.out" 2>&1 ||
	{ notok "init_replica: $(tail -2 "$work/init.out")"; exit 1; }

# wl FROM TO: one transaction a row into both tables
wl() {
	for k in $(seq "$1" "$2"); do
		echo "BEGIN; INSERT INTO t VALUES ($k, $k); INSERT INTO n VALUES ($k, 'r$k'); COMMIT;"
	done | mariadb_sql -D d
}
pg_count() { pg_sql -At -c "SELECT count(*) FROM d.n" 2>/dev/null; }
kill_dump() {	# the replica logs the lost stream: a line to write
	for id in $(mariadb_sql -N -e "SELECT id FROM information_schema.processlist
			WHERE command LIKE 'Binlog Dump%'"); do
		mariadb_sql -e "KILL $id" 2>/dev/null
	done
}
fill() {	# the log's file system full
	if [ $mode = tmpfs ]; then
		dd if=/dev/zero of="$work/logfs/fill" bs=4k > /dev/null 2>&1
		# and the room left in the log's last page
		yes "# t_diskfull.sh: filling the file system" 2> /dev/null |
			dd of="$log" oflag=append conv=notrunc bs=64 > /dev/null 2>&1
	else
		rm -f "$log"
		ln -s /dev/full "$log"
	fi
}
unfill() {
	if [ $mode = tmpfs ]; then rm -f "$work/logfs/fill"; else rm -f "$log"; fi
}

# --- the background replica's log fills its file system mid-run
"$bin" start_replica $C > "$work/bg.out" 2> "$work/bg.err" ||
	notok "start_replica in the background: $(cat "$work/bg.err")"
_wait_for 30 grep -q "streaming from" "$log"
pid=$(cat "$work/pid/cfg.yml_src.pid" 2>/dev/null)
wl 1001 1020
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.n')\" = 20 ]" ||
	notok "the rows before the disk filled were not applied"
fill
wl 1021 1040
kill_dump
if _wait_for 30 sh -c "! kill -0 $pid"; then
	ok "log file system full ($mode): the replica stopped"
else
	notok "log file system full ($mode): the replica still runs"
	kill -9 "$pid" 2>/dev/null
fi
msg="cannot write the log '$log': No space left on device: free space on the file system of '$work/logfs'"
n=$(grep -c "^chameleon: " "$work/bg.err")
if [ "$n" = 1 ] && grep -q "^chameleon: $msg.*then enable_replica and start_replica" "$work/bg.err"; then
	ok "one message on the command's stderr: $(cut -c1-160 "$work/bg.err")..."
else
	notok "the message on stderr ($n lines): $(cat "$work/bg.err")"
fi
"$bin" show_status $C > "$work/st.out" 2>&1
grep -q "error" "$work/st.out" && grep -q "$msg" "$work/st.out" &&
	ok "show_status: status error with the message" ||
	notok "show_status: $(grep -i "status\|error" "$work/st.out" | head -3)"
[ -e "$work/pid/cfg.yml_src.pid" ] && notok "the pid file is left behind" ||
	ok "the pid file is removed"
got=$(pg_count)
[ "$got" -ge 20 ] && [ "$got" -le 40 ] &&
	ok "PostgreSQL holds the rows committed before the stop ($got of 40)" ||
	notok "PostgreSQL holds $got rows"

# init_replica in the background, the log's file system still full:
# refused before detaching, nothing done
"$bin" init_replica $C > /dev/null 2> "$work/init.err"
rc=$?
[ $rc = 1 ] && [ "$(grep -c "^chameleon: " "$work/init.err")" = 1 ] &&
	grep -q "^chameleon: $msg.*then init_replica again" "$work/init.err" &&
	[ "$(pg_count)" = "$got" ] &&
	ok "init_replica, log full: exit 1 before detaching, one message, nothing copied" ||
	notok "init_replica, log full: status $rc, $(cat "$work/init.err")"

# the disk freed: the replica resumes at its position, nothing lost or
# applied twice (d.n has no key: a row applied twice would show)
unfill
wl 1041 1050
"$bin" enable_replica $C > /dev/null 2>&1
"$bin" start_replica $C --debug --stop-at-end > "$work/rep.log" 2>&1 ||
	notok "start_replica after the disk was freed: $(tail -2 "$work/rep.log")"
(export MY_SOCK PG_HOST PG_PORT; python3 test/integ/compare.py d d > "$work/cmp.out" 2>&1) &&
	ok "disk freed, restarted: tables equal to MariaDB's ($(pg_count) rows in d.n)" ||
	notok "after the restart: $(tail -2 "$work/cmp.out")"

# --- in the foreground, stderr (its log) cannot be written: exit 1, the
# message in show_status
"$bin" start_replica $C --debug 2> /dev/full > /dev/null
rc=$?
"$bin" show_status $C > "$work/st.out" 2>&1
[ $rc = 1 ] && grep -q "cannot write the log '/dev/full': No space left on device" "$work/st.out" &&
	ok "foreground, stderr full: exit status 1, show_status names /dev/full" ||
	notok "foreground, stderr full: status $rc, $(grep -i "error" "$work/st.out" | head -2)"
"$bin" enable_replica $C > /dev/null 2>&1

# --- the log's directory removed under the running replica: the file
# cannot be opened again
config_write "$work/rm.yml" src d:d "pid_dir: $work/pid" "log_dir: $work/logd" \
	"log_dest: file" "  heartbeat_period: 1"
"$bin" start_replica --config "$work/rm.yml" --source src > /dev/null 2> "$work/rm.err"
_wait_for 30 grep -q "streaming from" "$work/logd/rm.yml_src.log"
pid=$(cat "$work/pid/rm.yml_src.pid" 2>/dev/null)
rm -rf "$work/logd"
_wait_for 20 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null
[ "$(grep -c "^chameleon: " "$work/rm.err")" = 1 ] &&
	grep -q "^chameleon: cannot open the log '$work/logd/rm.yml_src.log': No such file or directory: create '$work/logd' again" "$work/rm.err" &&
	"$bin" show_status --config "$work/rm.yml" --source src 2>&1 | grep -q "cannot open the log" &&
	ok "log_dir removed: the replica stopped, '$(cut -c1-100 "$work/rm.err")...'" ||
	notok "log_dir removed: $(cat "$work/rm.err")"
"$bin" enable_replica $C > /dev/null 2>&1

# --- log_dir and pid_dir not writable by the user (nobody; root may
# write anywhere): refused at start, exit status 1, before detaching
if [ "$(id -u)" = 0 ] && command -v runuser > /dev/null; then
	mkdir -p "$work/ro" "$work/pidn"
	chmod 755 "$work/ro"
	chown nobody "$work/pidn"
	chmod o+x "$work"
	config_write "$work/nb.yml" src d:d "pid_dir: $work/pidn" "log_dir: $work/ro" "log_dest: file"
	chown nobody "$work/nb.yml"
	for cmd in start_replica init_replica; do
		runuser -u nobody -- "$bin" $cmd --config "$work/nb.yml" --source src \
			> /dev/null 2> "$work/nb.err"
		rc=$?
		[ $rc = 1 ] && [ "$(wc -l < "$work/nb.err")" = 1 ] &&
			grep -q "cannot open the log '$work/ro/nb.yml_src.log': Permission denied: make '$work/ro' writable by this user.*then $cmd again" "$work/nb.err" &&
			ok "$cmd, log_dir not writable: exit 1, '$(cut -c1-110 "$work/nb.err")...'" ||
			notok "$cmd, log_dir not writable: status $rc, $(cat "$work/nb.err")"
	done
	sed -i "s|^pid_dir: .*|pid_dir: $work/ro|" "$work/nb.yml"
	runuser -u nobody -- "$bin" start_replica --config "$work/nb.yml" --source src \
		> /dev/null 2> "$work/nb.err"
	rc=$?
	[ $rc = 1 ] && grep -q "cannot create the pid file '$work/ro/nb.yml_src.pid': Permission denied: make '$work/ro' writable by this user.*or set pid_dir" "$work/nb.err" &&
		ok "pid_dir not writable: exit 1, '$(cut -c1-110 "$work/nb.err")...'" ||
		notok "pid_dir not writable: status $rc, $(cat "$work/nb.err")"
else
	ok "# SKIP log_dir/pid_dir permissions: not root, or no runuser"
fi
# --- PostgreSQL out of disk space (SQLSTATE 53100): a table in a
# tablespace on a 1 MB file system
mkdir -p "$work/pgfs"
if [ $mode = tmpfs ] && mount -t tmpfs -o size=1m tmpfs "$work/pgfs" &&
	chown postgres "$work/pgfs" &&
	pg_sql -c "CREATE TABLESPACE small LOCATION '$work/pgfs'" -c "ALTER TABLE d.big SET TABLESPACE small"; then
	"$bin" start_replica $C --debug > "$work/rep.log" 2>&1 &
	pid=$!
	_wait_for 30 grep -q "streaming from" "$work/rep.log"
	for k in 0 1 2; do
		mariadb_sql -D d -e "INSERT INTO big SELECT $k * 500 + seq, REPEAT(MD5(seq), 30) FROM seq_1_to_500"
	done
	rc=124
	_wait_for 30 sh -c "! kill -0 $pid" && { wait $pid; rc=$?; }
	[ $rc = 124 ] && kill -9 $pid 2>/dev/null
	msg="PostgreSQL is out of disk space (SQLSTATE 53100: ERROR: *could not extend file"
	"$bin" show_status $C > "$work/st.out" 2>&1
	[ $rc = 1 ] && [ "$(grep -c "^chameleon: " "$work/rep.log")" = 1 ] &&
		grep -q "^chameleon: $msg.*free space on the PostgreSQL server" "$work/rep.log" &&
		grep -q "$msg" "$work/st.out" &&
		ok "PostgreSQL disk full: exit 1, one message, in show_status: '$(grep "^chameleon: " "$work/rep.log" | cut -c1-120)...'" ||
		notok "PostgreSQL disk full: status $rc, $(grep -E "^chameleon|ERROR" "$work/rep.log" | tail -3)"
	[ "$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_disabled_tables")" = 0 ] &&
		ok "PostgreSQL disk full: no table taken out of replication" ||
		notok "PostgreSQL disk full: a table was taken out of replication"
	# space again: the table's tablespace moved back to the big disk
	pg_sql -c "ALTER TABLE d.big SET TABLESPACE pg_default"
	"$bin" enable_replica $C > /dev/null 2>&1
	"$bin" start_replica $C --debug --stop-at-end > "$work/rep.log" 2>&1 ||
		notok "start_replica after PostgreSQL got space: $(tail -2 "$work/rep.log")"
	(export MY_SOCK PG_HOST PG_PORT; python3 test/integ/compare.py d d > "$work/cmp.out" 2>&1) &&
		ok "PostgreSQL got space, restarted: tables equal to MariaDB's ($(pg_sql -At -c "SELECT count(*) FROM d.big") rows in d.big)" ||
		notok "after the restart: $(tail -2 "$work/cmp.out")"
	# init_replica with PostgreSQL's disk full: the copy fails saying
	# so, no table is set aside, the replicated tables stay as they were
	pg_sql -c "ALTER DATABASE postgres SET default_tablespace = small" > /dev/null
	"$bin" init_replica $C --debug > "$work/init.out" 2>&1
	rc=$?
	pg_sql -c "ALTER DATABASE postgres RESET default_tablespace" > /dev/null
	[ $rc = 1 ] && grep -q "^chameleon: .*PostgreSQL lacks resources (SQLSTATE 53100): ERROR: *could not extend file" "$work/init.out" &&
		"$bin" show_status $C 2>&1 | grep -q "init_replica failed: .*SQLSTATE 53100" &&
		[ "$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_disabled_tables")" = 0 ] &&
		[ "$(pg_sql -At -c "SELECT count(*) FROM d.big")" = 1500 ] &&
		ok "init_replica, PostgreSQL disk full: exit 1, SQLSTATE 53100 named, no table set aside, d.big untouched" ||
		notok "init_replica, PostgreSQL disk full: status $rc, $(grep "^chameleon" "$work/init.out" | tail -2)"
else
	ok "# SKIP PostgreSQL disk full: a small file system cannot be mounted here"
fi
tap_done
