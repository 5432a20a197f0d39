#!/bin/sh
# make static-check (not in make check: the libpq build takes minutes):
# build build/static/chameleon, then run it in an empty chroot holding only
# the binary, its configuration, a password file and binlog files, as a
# numeric user that no /etc/passwd names, with an empty environment but
# for the passwords (PGPASSWORD, and MYSQL_PASSWORD named by ${NAME} in
# the configuration):
#   - decode_binlog prints what the dynamic build prints;
#   - start_replica follows a throwaway MariaDB over TCP into a throwaway
#     PostgreSQL over TCP (SCRAM, the password from PGPASSWORD), logs JSON
#     lines, answers /healthz, /readyz and /metrics, and stops on SIGTERM
#     with exit 0;
#   - what is missing (HOME, a user name, /etc/hosts, a password) is a
#     clear error, never a crash; /etc/nsswitch.conf naming a module the
#     static binary cannot load is overridden by the built-in back ends.
# Needs root (chroot) or unprivileged user namespaces (unshare -r).
# TAP output; prints the size.
cd "$(dirname "$0")/../.." || exit 1
top=$PWD
sh test/static/build.sh || exit 1
sh test/packages.sh all || exit 1
make --no-print-directory -j2 build/release/chameleon > /dev/null || exit 1
sbin=$top/build/static/chameleon
dbin=$top/build/release/chameleon
. test/integ/lib.sh

uid=65534	# a user no file names: nothing may look it up
CHROOT=$(command -v chroot || echo /usr/sbin/chroot)
if [ "$(id -u)" = 0 ]; then
	in_root() {	# in_root ROOT COMMAND...: run in the chroot, empty environment
		_r=$1
		shift
		env -i ${PGPASSWORD:+PGPASSWORD="$PGPASSWORD"} \
			${MYSQL_PASSWORD:+MYSQL_PASSWORD="$MYSQL_PASSWORD"} ${EXTRA_ENV:-} \
			"$CHROOT" --userspec=$uid:$uid "$_r" "$@"
	}
elif unshare -r true 2>/dev/null; then
	uid=0	# root inside the namespace is the caller outside
	in_root() {
		_r=$1
		shift
		env -i ${PGPASSWORD:+PGPASSWORD="$PGPASSWORD"} \
			${MYSQL_PASSWORD:+MYSQL_PASSWORD="$MYSQL_PASSWORD"} ${EXTRA_ENV:-} \
			"$(command -v unshare)" -r "$CHROOT" "$_r" "$@"
	}
else
	echo "static-check: needs root (chroot) or unshare -r" >&2
	exit 1
fi

integ_begin '[ -n "${rpid:-}" ] && kill -9 "$rpid" 2>/dev/null'
root=$work/root	# the chroot: nothing but what is copied in below
mkdir -p "$root"
chmod 755 "$work"

# ---- the binary itself ---------------------------------------------------
size=$(stat -c %s "$sbin")
echo "# build/static/chameleon: $size bytes stripped; $(file -b "$sbin" | cut -d, -f1-2,4)"
file "$sbin" | grep -q 'statically linked' && ok "file: statically linked" ||
	notok "file: $(file -b "$sbin")"
if ldd "$sbin" > "$work/ldd" 2>&1; then
	notok "ldd: $(cat "$work/ldd")"
else
	grep -q 'not a dynamic executable' "$work/ldd" && ok "ldd: not a dynamic executable" ||
		notok "ldd: $(cat "$work/ldd")"
fi
[ "$size" -le 10485760 ] && ok "stripped size $size bytes <= 10 MiB" ||
	notok "stripped size $size bytes > 10 MiB"
cp "$sbin" "$root/chameleon"

# ---- decode_binlog: the same output as the dynamic build -----------------
cp fixtures/binlog/public/mbcj__mysql-bin.checksum-crc32 "$root/mysql-bin.000001"
cp fixtures/binlog/mariadb-compressed/binlog.000001 "$root/binlog.000001"
for b in mysql-bin.000001 binlog.000001; do
	for fmt in text json; do
		in_root "$root" /chameleon decode_binlog --format $fmt $b > "$work/s.$fmt" 2>&1
		src=$?
		(cd "$root" && "$dbin" decode_binlog --format $fmt $b) > "$work/d.$fmt" 2>&1
		if [ $src = 0 ] && cmp -s "$work/s.$fmt" "$work/d.$fmt"; then
			ok "decode_binlog --format $fmt $b in the chroot: identical ($(wc -c < "$work/d.$fmt") bytes)"
			continue
		fi
		# text in charsets other than utf8, latin1, ascii, ucs2, utf16 and
		# utf32 needs glibc's iconv modules, which are not in the chroot:
		# those values come out as \x escapes; nothing else may differ
		diff "$work/s.$fmt" "$work/d.$fmt" > "$work/diff.$fmt"
		nd=$(grep -c '^<' "$work/diff.$fmt")
		ne=$(grep '^<' "$work/diff.$fmt" | grep -c '\\x[0-9a-f][0-9a-f]\|"hex":')
		if [ $src = 0 ] && [ "$nd" -gt 0 ] && [ "$nd" = "$ne" ]; then
			ok "decode_binlog --format $fmt $b in the chroot: identical but $nd lines whose gbk/sjis values are hex (no iconv modules in the chroot)"
		else
			notok "decode_binlog --format $fmt $b in the chroot: exit $src"
			head -6 "$work/diff.$fmt" | sed 's/^/# /'
		fi
	done
done
rm -f "$root/mysql-bin.000001" "$root/binlog.000001"

# ---- replication over TCP, passwords from the environment and a file ----
servers_up
mypw='my pw "with" quotes'
pgpw="pg pw 'with' spaces"
mariadb_sql -e "CREATE USER repl@'127.0.0.1' IDENTIFIED BY '$(echo "$mypw" | sed "s/'/''/g")';
	GRANT ALL ON *.* TO repl@'127.0.0.1'"
pg_sql -c "CREATE ROLE repl LOGIN SUPERUSER PASSWORD '$(echo "$pgpw" | sed "s/'/''/g")'" > /dev/null
# the role repl must give its password over TCP (SCRAM); the rest stays trust
hba=$PG_DIR/data/pg_hba.conf
{ echo "host all repl 127.0.0.1/32 scram-sha-256"; cat "$hba"; } > "$hba.new" && mv "$hba.new" "$hba"
chown postgres "$hba"
pg_sql -c "SELECT pg_reload_conf()" > /dev/null
mport=$(free_port)
mkdir -p "$root/run"
chown "$uid:$uid" "$root/run" 2>/dev/null || chmod 777 "$root/run"
cfg() {	# cfg FILE PGHOST PGUSER-LINE
	cat > "$1" <<EOF
pid_dir: /run/pid
log_dir: /run/log
log_dest: stdout
log_format: json
pg_conn:
  host: $2
  port: $PG_PORT
$3
  database: postgres
sources:
  src:
    db_conn:
      host: 127.0.0.1
      port: $MY_PORT
      user: repl
      password: '\${MYSQL_PASSWORD}'
    schema_mappings:
      d: d
    metrics_listen: 127.0.0.1:$mport
EOF
	# readable by the replica's user only, as it should be
	chmod 600 "$1"
	[ "$(id -u)" = 0 ] && chown "$uid:$uid" "$1"
	return 0
}
cfg "$root/chameleon.yml" 127.0.0.1 "  user: repl"

# an unset variable named by ${NAME}: an error naming the key and it
in_root "$root" /chameleon show_status --config /chameleon.yml > "$work/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "MYSQL_PASSWORD" "$work/out" && grep -q "password" "$work/out" &&
	ok "no MYSQL_PASSWORD: $(head -1 "$work/out" | cut -c1-120)" ||
	notok "no MYSQL_PASSWORD: exit $rc: $(head -3 "$work/out")"
export MYSQL_PASSWORD="$mypw"

# without the password: libpq's clear error, no crash
in_root "$root" /chameleon show_status --config /chameleon.yml > "$work/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "no password supplied" "$work/out" &&
	ok "no PGPASSWORD: a clear error ($(grep -o 'fe_sendauth: no password supplied' "$work/out" | head -1))" ||
	notok "no PGPASSWORD: exit $rc: $(head -3 "$work/out")"

export PGPASSWORD="$pgpw"
in_root "$root" /chameleon start_replica --config /chameleon.yml --source src \
	--debug --create-tables > "$work/replica.log" 2>&1 &
rpid=$!
_wait_for 30 grep -q 'streaming from' "$work/replica.log" ||
	sed 's/^/# /' "$work/replica.log" | tail -5
http() {	# http PATH: "CODE BODY" from the replica's metrics endpoint
	python3 -c '
import sys, urllib.request as u, urllib.error as e
try:
    r = u.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=3)
    print(r.status, r.read().decode())
except e.HTTPError as x:
    print(x.code, x.read().decode())
except Exception as x:
    print(0, x)' "$mport" "$1"
}
mariadb_sql -D mysql -e "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY, v VARCHAR(20), ts DATETIME(6));
	INSERT INTO d.t SELECT seq, CONCAT('v', seq), '2024-05-06 07:08:09.123456' FROM seq_1_to_1000;
	UPDATE d.t SET v = 'ü€' WHERE id <= 10; DELETE FROM d.t WHERE id > 990"
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.t' 2>/dev/null)\" = 990 ]"
cmp_tables replication d "SELECT id, v, ts FROM t ORDER BY id" \
	"SELECT id, v, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') FROM d.t ORDER BY id"
_wait_for 10 sh -c "[ \"\$(python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:$mport/readyz\", timeout=3).status)' 2>/dev/null)\" = 200 ]"
h=$(http /healthz | cut -c1-3) r=$(http /readyz | cut -c1-3)
rows=$(http /metrics | grep '^chameleon_rows_applied_total{schema="d",table="t",op="insert"}' | awk '{print $2}')
[ "$h" = 200 ] && [ "$r" = 200 ] && [ "${rows:-0}" -ge 1000 ] &&
	ok "from the chroot: /healthz $h, /readyz $r, /metrics rows_applied_total insert $rows" ||
	notok "metrics: /healthz $h, /readyz $r, inserts $rows"
pg_sql -At -c "SELECT usename FROM pg_stat_activity WHERE usename = 'repl' AND client_addr IS NOT NULL" |
	grep -q repl && ok "the replica is connected to PostgreSQL over TCP as repl" ||
	notok "no TCP session of repl in pg_stat_activity"
t0=$(date +%s)
# $rpid is the shell around it: the pid file names the replica itself
kill -TERM "$(cat "$root/run/pid/chameleon.yml_src.pid")"
wait "$rpid"
rc=$?
rpid=""
[ $rc = 0 ] && ok "SIGTERM: start_replica exits 0 in $(($(date +%s) - t0)) s" ||
	{ notok "SIGTERM: exit $rc"; tail -5 "$work/replica.log" | sed 's/^/# /'; }
if grep -qF -e "$pgpw" -e "$mypw" "$work/replica.log"; then
	notok "a password appears in the log"
else
	ok "no password in the log"
fi
python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert "level" in o and "message" in o, line
    n += 1
print(n)' "$work/replica.log" > "$work/nlines" 2>&1 &&
	[ "$(wc -l < "$work/nlines")" = 1 ] &&
	ok "log_format: json: $(cat "$work/nlines") lines, each a JSON object" ||
	{ notok "JSON log lines: $(tail -1 "$work/nlines")"; head -3 "$work/replica.log" | sed 's/^/# /'; }

grep -n 'ERROR\|CRIT' "$work/replica.log" | head -3 | sed 's/^/# /'

# a charset that needs a glibc iconv module, absent from the chroot: the
# replica stops with the reason (exit 1), it does not alter the text
in_root "$root" /chameleon start_replica --config /chameleon.yml --source src \
	--debug > "$work/replica2.log" 2>&1 &
rpid=$!
_wait_for 30 grep -q 'streaming from' "$work/replica2.log"
mariadb_sql -e "CREATE TABLE d.g (id INT PRIMARY KEY, s VARCHAR(10) CHARACTER SET gbk);
	INSERT INTO d.g VALUES (1, '中文')"
_wait_for 30 sh -c "! kill -0 $rpid"
kill -0 "$rpid" 2>/dev/null && kill -TERM "$(cat "$root/run/pid/chameleon.yml_src.pid")"
wait "$rpid"
rc=$?
rpid=""
if [ $rc = 1 ] && grep -q 'no converter from gbk to UTF-8' "$work/replica2.log"; then
	ok "gbk without iconv modules: exit 1, $(grep -o 'no converter from gbk[^"]*' "$work/replica2.log" | head -1)"
else
	notok "gbk without iconv modules: exit $rc"
	tail -3 "$work/replica2.log" | sed 's/^/# /'
fi

# ---- what is missing is an error, never a crash --------------------------
check_err() {	# check_err DESCRIPTION PATTERN COMMAND...
	_d=$1 _p=$2
	shift 2
	in_root "$root" "$@" > "$work/out" 2>&1
	_rc=$?
	if [ $_rc -ge 1 ] && [ $_rc -lt 128 ] && grep -q "$_p" "$work/out"; then
		ok "$_d: exit $_rc, $(grep -o "$_p.*" "$work/out" | head -1 | cut -c1-110)"
	else
		notok "$_d: exit $_rc: $(head -2 "$work/out")"
	fi
}
check_err "no HOME, --config NAME" "HOME is not set" /chameleon show_status --config default
cfg "$root/nouser.yml" 127.0.0.1 ""
check_err "no pg_conn.user, no PGUSER" "pg_conn.user is missing" \
	/chameleon show_status --config /nouser.yml
cfg "$root/byname.yml" dbhost "  user: repl"
check_err "a host name without /etc/hosts" "could not translate host name" \
	/chameleon show_status --config /byname.yml
# a name from /etc/hosts, with an nsswitch.conf that names only a module
# a static binary cannot load: the built-in files back end answers
mkdir -p "$root/etc"
echo "127.0.0.1 dbhost" > "$root/etc/hosts"
echo "hosts: nosuchmodule" > "$root/etc/nsswitch.conf"
echo "passwd: nosuchmodule" >> "$root/etc/nsswitch.conf"
if in_root "$root" /chameleon show_status --config /byname.yml > "$work/out" 2>&1; then
	ok "dbhost from /etc/hosts despite nsswitch.conf 'hosts: nosuchmodule'"
else
	notok "dbhost by name: $(head -2 "$work/out")"
fi
# an OpenSSL configuration file is never read, even when named
printf 'openssl_conf = x\n[x]\nproviders = p\n[p]\nlegacy = l\n[l]\nactivate = 1\n' > "$root/openssl.cnf"
if [ "$(id -u)" = 0 ] && command -v strace > /dev/null; then
	strace -f -e trace=open,openat,execve -o "$work/strace" \
		env -i PGPASSWORD="$PGPASSWORD" MYSQL_PASSWORD="$MYSQL_PASSWORD" OPENSSL_CONF=/openssl.cnf "$CHROOT" \
		--userspec=$uid:$uid "$root" /chameleon show_status --config /chameleon.yml \
		> "$work/out" 2>&1
	rc=$?
	# the files the static binary asked for, after its exec
	files=$(sed -n '/execve("\/chameleon"/,$p' "$work/strace" | grep -o 'open[at]*([^"]*"[^"]*"' |
		sed 's/.*"\(.*\)"/\1/' | sort -u | tr '\n' ' ')
	echo "# files opened by the static binary (show_status): $files"
	if [ $rc = 0 ] && ! echo "$files" | grep -q 'openssl.cnf\|\.so'; then
		ok "OPENSSL_CONF is not read and no shared object is opened"
	else
		notok "exit $rc, files: $files"
		head -3 "$work/out" | sed 's/^/# /'
	fi
else
	ok "# SKIP needs root and strace"
fi
rm -rf "$root/etc" "$root/openssl.cnf"
echo "# size: build/static/chameleon $size bytes stripped"
tap_done
