# Helpers to run throwaway MariaDB and PostgreSQL servers on loopback for
# tests, the demo and the benchmarks.  POSIX sh; source it.
#   mariadb_start DIR [mariadbd options...]   sets MY_PORT MY_SOCK MY_DIR
#   mariadb_sql [mariadb client options...]   runs SQL from stdin or -e
#   mariadb_stop
#   pg_start DIR                              sets PG_PORT PG_DIR PG_HOST
#   pg_sql [psql options...]
#   pg_stop
# Servers are stopped by servers_stop, which callers put in a trap.
# For the TAP test scripts (test/integ/t_*.sh):
#   integ_begin [CLEANUP]     $work, a temporary directory removed at exit
#                             after CLEANUP and servers_stop
#   servers_up [--only-pg | --only-mariadb] [mariadbd options...]
#   config_write FILE SOURCE MAPPINGS [LINE...]
#   ok / notok DESCRIPTION    one numbered TAP line; tap_done: the plan
#   cmp_tables NAME DB MARIADB-SELECT POSTGRESQL-SELECT

free_port() {
	# a free TCP port on 127.0.0.1, chosen by the kernel
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

_wait_for() {	# _wait_for SECONDS COMMAND...: poll until the command succeeds
	_t=$1
	shift
	_i=0
	while [ "$_i" -lt $((_t * 10)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

mariadb_start() {
	MY_DIR=$1
	shift
	mkdir -p "$MY_DIR"
	MY_PORT=$(free_port)
	MY_SOCK=$MY_DIR/mysqld.sock
	_user=""
	[ "$(id -u)" = 0 ] && _user="--user=root"
	# once more after a failure: seen to fail now and then while other
	# tests start their servers at the same moment (an existing data
	# directory, bench/init.sh's cached database, is kept: the install
	# leaves it as it is)
	for _try in 1 2; do
		[ $_try = 2 ] && rm -rf "$MY_DIR/data"
		mariadb-install-db --no-defaults --datadir="$MY_DIR/data" \
			--auth-root-authentication-method=normal $_user \
			> "$MY_DIR/install.log" 2>&1 && break
		echo "mariadb-install-db failed (try $_try):" >&2
		grep -iv '^$' "$MY_DIR/install.log" | grep -i 'error\|fail\|cannot\|denied' | head -10 >&2
		[ $_try = 2 ] && return 1
		sleep 1
	done
	mariadbd --no-defaults --datadir="$MY_DIR/data" --socket="$MY_SOCK" \
		--port="$MY_PORT" --bind-address=127.0.0.1 \
		--log-bin="$MY_DIR/data/binlog" --binlog-format=ROW \
		--binlog-row-metadata=FULL --server-id=1 --skip-name-resolve \
		--innodb-buffer-pool-size=128M --innodb-log-file-size=64M \
		--pid-file="$MY_DIR/mysqld.pid" --log-error="$MY_DIR/error.log" \
		$_user "$@" > "$MY_DIR/stdout.log" 2>&1 &
	MY_PID=$!
	if ! _wait_for 60 mariadb --no-defaults -S "$MY_SOCK" -uroot -e 'select 1'; then
		echo "mariadbd did not start:" >&2
		tail -20 "$MY_DIR/error.log" >&2
		return 1
	fi
	export MY_DIR MY_PORT MY_SOCK MY_PID
}

# Start the server of mariadb_start again (same data, port and socket).
mariadb_start_again() {
	_user=""
	[ "$(id -u)" = 0 ] && _user="--user=root"
	mariadbd --no-defaults --datadir="$MY_DIR/data" --socket="$MY_SOCK" \
		--port="$MY_PORT" --bind-address=127.0.0.1 --log-bin="$MY_DIR/data/binlog" \
		--binlog-format=ROW --binlog-row-metadata=FULL --server-id=1 \
		--skip-name-resolve --max-allowed-packet=64M --log-error="$MY_DIR/error2.log" \
		--pid-file="$MY_DIR/mysqld.pid" $_user > /dev/null 2>&1 &
	MY_PID=$!
	_wait_for 60 mariadb --no-defaults -S "$MY_SOCK" -uroot -e 'select 1'
}

mariadb_sql() {
	mariadb --no-defaults --default-character-set=utf8mb4 -S "$MY_SOCK" -uroot "$@"
}

mariadb_stop() {
	[ -n "${MY_PID:-}" ] || return 0
	mariadb-admin --no-defaults -S "$MY_SOCK" -uroot shutdown >/dev/null 2>&1 ||
		kill "$MY_PID" 2>/dev/null || true
	_i=0
	while kill -0 "$MY_PID" 2>/dev/null && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$MY_PID" 2>/dev/null || true
	MY_PID=""
}

_pg_bin() {
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	return 1
}

_as_pg() {	# run a PostgreSQL server program as postgres when we are root
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_DIR=$1
	PG_BIN=$(_pg_bin) || { echo "PostgreSQL server binaries not found" >&2; return 1; }
	mkdir -p "$PG_DIR"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$PG_DIR"
		# the postgres user must reach the directory
		chmod o+x "$(dirname "$PG_DIR")"
	fi
	PG_PORT=$(free_port)
	PG_HOST=$PG_DIR
	_as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust \
		> "$PG_DIR/initdb.log" 2>&1 || {
		echo "initdb failed:" >&2
		tail -20 "$PG_DIR/initdb.log" >&2
		return 1
	}
	_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" \
		start > /dev/null 2>&1 || {
		echo "PostgreSQL did not start:" >&2
		tail -20 "$PG_DIR/server.log" >&2
		return 1
	}
	export PG_DIR PG_PORT PG_HOST PG_BIN
}

pg_sql() {
	psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@"
}

# pg_on_create SCHEMA.TABLE SQL: PostgreSQL runs SQL right after it creates
# that table (the binlog's CREATE TABLE, replicated); pg_on_create_off
# removes it.  Tests use it to make PostgreSQL refuse the rows that follow.
pg_on_create() {
	pg_sql -v ON_ERROR_STOP=1 > /dev/null <<EOF
CREATE OR REPLACE FUNCTION public.chameleon_test_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS \$f\$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
		   WHERE command_tag = 'CREATE TABLE' AND object_identity = '$1') THEN
		EXECUTE \$q\$$2\$q\$;
	END IF;
END \$f\$;
DROP EVENT TRIGGER IF EXISTS chameleon_test_on_create;
CREATE EVENT TRIGGER chameleon_test_on_create ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.chameleon_test_on_create();
EOF
}

pg_on_create_off() {
	pg_sql -c "DROP EVENT TRIGGER IF EXISTS chameleon_test_on_create" > /dev/null
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
	_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
	PG_DIR=""
}

servers_stop() {
	mariadb_stop
	pg_stop
}

# ---- TAP test scripts -------------------------------------------------------

tap_n=0
tap_fails=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
notok() { tap_n=$((tap_n + 1)); tap_fails=$((tap_fails + 1)); echo "not ok $tap_n - $*"; }
# The plan, last; the script's status is non-zero after any failure.
tap_done() {
	echo "1..$tap_n"
	[ "$tap_fails" = 0 ]
}

# A temporary directory in $work, removed at exit, interrupt or
# termination after the CLEANUP command (evaluated then, so it may name
# background processes started later) and after the servers stop.
integ_begin() {
	work=$(mktemp -d)
	_integ_cleanup=${1:-:}
	trap 'eval "$_integ_cleanup"; servers_stop; rm -rf "$work"' EXIT INT TERM
}

# MariaDB in $work/my (with the extra mariadbd options) and PostgreSQL in
# $work/pg; when one does not start, "not ok 1 - <server>" and exit 1.
servers_up() {
	_my=1 _pg=1
	case ${1:-} in
	--only-pg) _my=0; shift ;;
	--only-mariadb) _pg=0; shift ;;
	esac
	if [ $_my = 1 ]; then
		mariadb_start "$work/my" "$@" > /dev/null || { echo "not ok 1 - mariadbd"; exit 1; }
	fi
	if [ $_pg = 1 ]; then
		pg_start "$work/pg" > /dev/null || { echo "not ok 1 - postgresql"; exit 1; }
	fi
}

# A configuration for the servers of servers_up: pg_conn as postgres, one
# source SOURCE reading MariaDB as root (port 3306 when none runs here),
# schema_mappings from MAPPINGS ("mysql_schema:pg_schema ..."), then one
# line per LINE: "key: value" at the top level, "  key: value" (two
# leading spaces) under the source.
config_write() {
	_f=$1 _src=$2 _maps=$3
	shift 3
	{
		for _l in "$@"; do
			case $_l in "  "*) ;; *) printf '%s\n' "$_l" ;; esac
		done
		printf 'pg_conn:\n  host: %s\n  port: %s\n' "${PG_HOST:-localhost}" "${PG_PORT:-5432}"
		printf '  user: postgres\n  password: unused\n  database: postgres\n'
		printf 'sources:\n  %s:\n' "$_src"
		printf "    db_conn: {host: 127.0.0.1, port: %s, user: root, password: ''}\n" \
			"${MY_PORT:-3306}"
		printf '    schema_mappings:\n'
		for _m in $_maps; do
			printf '      %s: %s\n' "${_m%%:*}" "${_m#*:}"
		done
		for _l in "$@"; do
			case $_l in "  "*) printf '  %s\n' "$_l" ;; esac
		done
	} > "$_f"
	# as a user's should be: not readable by others (a warning otherwise)
	chmod 600 "$_f"
}

# Compare the same TAB-separated text from both sides (NULL spelt the same
# way by both SELECTs): ok with the row count, or notok with the diff.
cmp_tables() {	# cmp_tables NAME MARIADB-DATABASE MARIADB-SELECT POSTGRESQL-SELECT
	mariadb_sql -N -B -r -D "$2" -e "$3" > "$work/$1.my"
	pg_sql -At -P null=NULL -F "	" -c "$4" > "$work/$1.pg"
	if [ -s "$work/$1.my" ] && cmp -s "$work/$1.my" "$work/$1.pg"; then
		ok "$1: $(wc -l < "$work/$1.my") rows equal, value by value"
	else
		notok "$1 differs"
		diff "$work/$1.my" "$work/$1.pg" | head -5 | sed 's/^/# /'
	fi
}
