#!/bin/sh
# Integration: the MySQL protocol client against a real MariaDB started
# here: authentication, TLS modes, compression, a row over 16 MB, live
# decoding while a workload runs, capture byte-identical and resumed
# across a server restart, check_source on good and bad servers.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin
check() {	# check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" > "$work/out" 2> "$work/err"; then ok "$d"; else
		notok "$d"
		tail -5 "$work/err" | sed 's/^/# /'
	fi
}


# --- certificates: a CA, a server certificate for 127.0.0.1/localhost, another CA
cd "$work" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
	-subj "/CN=chameleon test CA" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
	-subj "/CN=localhost" >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-out server.pem -days 2 -extfile san.ext >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 \
	-subj "/CN=another CA" >/dev/null 2>&1
chmod 644 ./*.key
cd - >/dev/null || exit 1

servers_up --only-mariadb --ssl-ca="$work/ca.pem" --ssl-cert="$work/server.pem" \
	--ssl-key="$work/server.key" --max-allowed-packet=64M
mariadb_sql <<'SQL'
CREATE USER repl@'%' IDENTIFIED BY 'S3cret-pw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO repl@'%';
CREATE USER repl@localhost IDENTIFIED BY 'S3cret-pw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO repl@localhost;
CREATE USER tlsonly@'%' IDENTIFIED BY 'tls-pw' REQUIRE SSL;
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO tlsonly@'%';
CREATE USER nopriv@'%' IDENTIFIED BY 'np';
INSTALL SONAME 'auth_ed25519';
CREATE USER ed@'%' IDENTIFIED VIA ed25519 USING PASSWORD('An ed25519 passphrase, longer than 32 bytes!');
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO ed@'%';
CREATE DATABASE app;
CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20), b LONGBLOB);
SQL

cfg() {	# cfg FILE USER PASSWORD [extra db_conn lines]
	f=$1 u=$2 p=$3
	shift 3
	{
		printf 'pg_conn:\n  host: localhost\n  user: x\n  password: x\n  database: x\n'
		printf 'sources:\n  src:\n    db_conn:\n      host: 127.0.0.1\n      port: %s\n' "$MY_PORT"
		printf '      user: %s\n      password: %s\n' "$u" "$p"
		for l in "$@"; do printf '      %s\n' "$l"; done
		printf '    schema_mappings:\n      app: app\n    my_server_id: 4242\n'
	} > "$f"
}
cfg "$work/ok.yml" repl S3cret-pw
cfg "$work/badpw.yml" repl wrong-password-xyz
cfg "$work/nopriv.yml" nopriv np
cfg "$work/tls.yml" tlsonly tls-pw "ssl_mode: required"
cfg "$work/ca.yml" tlsonly tls-pw "ssl_mode: verify_ca" "ssl_ca: $work/ca.pem"
cfg "$work/ident.yml" tlsonly tls-pw "ssl_mode: verify_identity" "ssl_ca: $work/ca.pem"
cfg "$work/wrongca.yml" tlsonly tls-pw "ssl_mode: verify_ca" "ssl_ca: $work/other.pem"
cfg "$work/notls.yml" tlsonly tls-pw "ssl_mode: disabled"
cfg "$work/zip.yml" repl S3cret-pw "compress: yes"
cfg "$work/ed.yml" ed "'An ed25519 passphrase, longer than 32 bytes!'"
cfg "$work/edbad.yml" ed "'not the passphrase'"

check "check_source on a good server (native password)" \
	"$bin" check_source --config "$work/ok.yml" --source src
if "$bin" check_source --config "$work/badpw.yml" --source src > "$work/out" 2>&1; then
	notok "wrong password is refused"
elif grep -q "Access denied" "$work/out" && ! grep -q wrong-password-xyz "$work/out"; then
	ok "wrong password: clear error, password not printed"
else
	notok "wrong password error"; sed 's/^/# /' "$work/out"
fi
if "$bin" check_source --config "$work/nopriv.yml" --source src > "$work/out" 2>&1; then
	notok "account without REPLICATION privileges is reported"
elif grep -q "FAIL  privileges" "$work/out" && grep -q "GRANT REPLICATION SLAVE" "$work/out"; then
	ok "account without REPLICATION privileges: FAIL line with the GRANT to run"
else
	notok "missing privileges report"; sed 's/^/# /' "$work/out"
fi
{
	printf 'pg_conn:\n  host: localhost\n  user: x\n  password: x\n  database: x\n'
	printf 'sources:\n  src:\n    db_conn:\n      host: %s\n' "$MY_SOCK"
	printf '      user: repl\n      password: S3cret-pw\n    schema_mappings:\n      app: app\n'
} > "$work/unix.yml"
check "connection over the Unix socket" "$bin" check_source --config "$work/unix.yml" --source src
check "MariaDB ed25519 authentication" "$bin" check_source --config "$work/ed.yml" --source src
grep -q "client_ed25519" "$work/out" && ok "ed25519 plugin negotiated" || notok "ed25519 plugin negotiated"
if "$bin" check_source --config "$work/edbad.yml" --source src > "$work/out" 2>&1; then
	notok "ed25519 with a wrong password is refused"
else
	grep -q "Access denied" "$work/out" && ok "ed25519 with a wrong password is refused" ||
		notok "ed25519 wrong password message"
fi
check "TLS required" "$bin" check_source --config "$work/tls.yml" --source src
grep -q "TLS" "$work/out" && ok "TLS negotiated and reported" || notok "TLS reported"
check "TLS verify_ca with the right CA" "$bin" check_source --config "$work/ca.yml" --source src
check "TLS verify_identity (certificate names 127.0.0.1)" \
	"$bin" check_source --config "$work/ident.yml" --source src
if "$bin" check_source --config "$work/wrongca.yml" --source src > "$work/out" 2>&1; then
	notok "a certificate from another CA is rejected"
elif grep -qi "certificate" "$work/out"; then
	ok "a certificate from another CA is rejected"
else
	notok "wrong CA error"; sed 's/^/# /' "$work/out"
fi
# the same server under another spelling of its address: the name checked
# is not in the certificate, and the message says what did not match
sed 's/host: 127.0.0.1/host: 0x7f.0.0.1/' "$work/ident.yml" > "$work/badname.yml"
if "$bin" check_source --config "$work/badname.yml" --source src > "$work/out" 2>&1; then
	notok "a certificate not naming the host is rejected"
elif grep -q "does not name the host '0x7f.0.0.1' (ssl_mode verify_identity); its subject is '/CN=localhost'" "$work/out"; then
	ok "a certificate not naming the host is rejected, naming the host and the certificate"
else
	notok "host mismatch message"; sed 's/^/# /' "$work/out"
fi
"$bin" check_source --config "$work/wrongca.yml" --source src > "$work/out" 2>&1
grep -q "subject '/CN=localhost', issuer '/CN=chameleon test CA', checked against ssl_ca" "$work/out" &&
	ok "a certificate from another CA: its subject and issuer named" ||
	{ notok "wrong CA message"; sed 's/^/# /' "$work/out"; }
if "$bin" check_source --config "$work/notls.yml" --source src > "$work/out" 2>&1; then
	notok "REQUIRE SSL account without TLS is refused"
else
	ok "REQUIRE SSL account without TLS is refused by the server"
fi

# --- data: a workload, a row over 16 MB
mariadb_sql -D app -e "INSERT INTO app.t SELECT seq, CONCAT('v', seq), NULL FROM seq_1_to_500"
mariadb_sql -e "INSERT INTO app.t VALUES (1000, 'big', REPEAT('abcdefgh', 2621440))"	# 20 MiB
mariadb_sql -e "UPDATE app.t SET v = 'changed' WHERE id <= 10; DELETE FROM app.t WHERE id > 490 AND id < 500"
"$bin" decode_binlog --config "$work/ok.yml" --source src --stop-at-end --format json \
	> "$work/live.json" 2> "$work/live.err"
check "live decode (stop at end) exits 0" test -s "$work/live.json"
rows=$(grep -E '"op":"(insert|update|delete)"' "$work/live.json" | grep -c '"table":"t"')
[ "$rows" -eq 520 ] && ok "live decode: 520 row changes" || notok "live decode: $rows row changes, expected 520"
"$bin" decode_binlog --config "$work/ok.yml" --source src --stop-at-end --format none \
	> "$work/none.txt" 2>/dev/null
grep -q "row changes: 520" "$work/none.txt" && ok "live --format none counts the same 520 row changes" ||
	notok "live --format none: $(cat "$work/none.txt")"
# the 20 MiB value arrives as hex: 41943040 digits, and it is the right bytes
want=$(mariadb_sql -N -e "SELECT MD5(b) FROM app.t WHERE id = 1000")
got=$(grep '"id":1000,' "$work/live.json" | grep -o '"b":{"hex":"[0-9a-f]*"' | head -1 |
	sed 's/.*"hex":"//; s/"$//' |
	python3 -c 'import sys, hashlib; print(hashlib.md5(bytes.fromhex(sys.stdin.read().strip())).hexdigest())')
[ "$got" = "$want" ] && ok "a 20 MiB row (split over 16 MB packets) decoded whole" ||
	notok "big row: md5 $got, expected $want"
"$bin" decode_binlog --config "$work/zip.yml" --source src --stop-at-end --format json \
	> "$work/zip.json" 2> "$work/zip.err"
if cmp -s "$work/live.json" "$work/zip.json"; then ok "compressed protocol: identical stream"; else
	notok "compressed protocol"; tail -3 "$work/zip.err" | sed 's/^/# /'; fi
"$bin" decode_binlog --format json "$MY_DIR"/data/binlog.000001 > "$work/file.json" 2>/dev/null
grep '"table":"t"' "$work/file.json" | sed 's/"file":"[^"]*",//' > "$work/a"
grep '"table":"t"' "$work/live.json" | sed 's/"file":"[^"]*",//' > "$work/b"
cmp -s "$work/a" "$work/b" && ok "live rows equal the decode of the server's file" ||
	notok "live rows differ from the file decode"

# --- MariaDB GTID positioning: start after the GTID of the UPDATE transaction
gtid=$(grep '"op":"update"' "$work/live.json" | head -1 | sed 's/.*"gtid":"\([0-9-]*\)".*/\1/')
"$bin" decode_binlog --config "$work/ok.yml" --source src --gtid "$gtid" --stop-at-end \
	--format json > "$work/gtid.json" 2> "$work/gtid.err"
upd=$(grep -c '"op":"update"' "$work/gtid.json")
del=$(grep -c '"op":"delete"' "$work/gtid.json")
[ "$upd" -eq 0 ] && [ "$del" -eq 9 ] && ok "--gtid $gtid starts after that transaction (MariaDB GTID)" ||
	{ notok "--gtid start: $upd updates, $del deletes"; tail -3 "$work/gtid.err" | sed 's/^/# /'; }

# --- following a live workload, stopped by SIGTERM
"$bin" decode_binlog --config "$work/ok.yml" --source src --format json \
	> "$work/follow.json" 2> "$work/follow.err" &
fpid=$!
sleep 1
for i in 1 2 3 4 5; do
	mariadb_sql -D app -e "INSERT INTO app.t SELECT 10000 + $i * 100 + seq, 'follow', NULL FROM seq_1_to_100"
done
_wait_for 20 sh -c "[ \$(grep -c '\"v\":\"follow\"' '$work/follow.json') -ge 500 ]"
kill -TERM $fpid
wait $fpid
rc=$?
got=$(grep -c '"v":"follow"' "$work/follow.json")
[ "$got" -eq 500 ] && [ $rc -eq 0 ] && ok "follow mode sees a running workload (500 rows), SIGTERM stops it cleanly" ||
	notok "follow mode: $got rows, exit $rc"

# --- following across a server restart: nothing lost, nothing repeated
"$bin" decode_binlog --config "$work/ok.yml" --source src --format json \
	> "$work/restart.json" 2> "$work/restart.err" &
fpid=$!
sleep 1
mariadb_sql -D app -e "INSERT INTO app.t SELECT 20000 + seq, 'restart', NULL FROM seq_1_to_50"
_wait_for 20 sh -c "[ \$(grep -c '\"v\":\"restart\"' '$work/restart.json') -ge 50 ]"
mariadb_stop
mariadb_start_again
mariadb_sql -D app -e "INSERT INTO app.t SELECT 21000 + seq, 'restart', NULL FROM seq_1_to_50"
_wait_for 40 sh -c "[ \$(grep -c '\"v\":\"restart\"' '$work/restart.json') -ge 100 ]"
sleep 1
kill -TERM $fpid
wait $fpid
rc=$?
got=$(grep -c '"v":"restart"' "$work/restart.json")
uniq=$(grep '"v":"restart"' "$work/restart.json" | sort -u | wc -l)
if [ "$got" -eq 100 ] && [ "$uniq" -eq 100 ] && [ $rc -eq 0 ] && grep -q reconnecting "$work/restart.err"; then
	ok "follow mode across a server restart: reconnected, 100 rows, none lost or repeated"
else
	notok "follow across restart: $got rows ($uniq distinct), exit $rc"
	tail -5 "$work/restart.err" | sed 's/^/# /'
fi

# --- capture: byte-identical, resumed after a server restart
"$bin" capture_binlog --config "$work/ok.yml" --source src --output-dir "$work/cap" \
	--stop-at-end 2> "$work/cap.err"
same=1
for f in "$work"/cap/*; do cmp -s "$f" "$MY_DIR/data/$(basename "$f")" || same=0; done
[ $same = 1 ] && [ -f "$work/cap/binlog.000001" ] && ok "capture_binlog: files byte-identical to the server's" ||
	notok "capture differs"
mariadb_stop
mariadb_start_again
mariadb_sql -e "INSERT INTO app.t VALUES (99999, 'after restart', NULL)"
"$bin" capture_binlog --config "$work/ok.yml" --source src --output-dir "$work/cap" \
	--stop-at-end 2> "$work/cap2.err"
same=1
count=0
for f in "$MY_DIR"/data/binlog.0*; do
	count=$((count + 1))
	cmp -s "$f" "$work/cap/$(basename "$f")" || same=0
done
grep -q resuming "$work/cap2.err" && [ $same = 1 ] && [ $count -ge 2 ] &&
	ok "capture resumed after a server restart: $count files byte-identical" ||
	{ notok "capture resume"; tail -3 "$work/cap2.err" | sed 's/^/# /'; }
mariadb-binlog --no-defaults "$work"/cap/binlog.0* > /dev/null 2>&1 &&
	ok "mariadb-binlog reads the captured files" || notok "mariadb-binlog on the captured files"
"$bin" decode_binlog --format json "$work"/cap/binlog.0* 2>/dev/null | grep -c '"v":"after restart"' |
	grep -q '^1$' && ok "captured files decode (the row after the restart once)" ||
	notok "captured files decode"

# --- a badly configured server
mariadb_stop
servers_stop
mariadb_start "$work/bad" --binlog-format=STATEMENT --binlog-row-image=MINIMAL \
	--skip-log-bin || true
mariadb_sql -e "CREATE USER repl@'%' IDENTIFIED BY 'S3cret-pw'; GRANT REPLICATION SLAVE ON *.* TO repl@'%'"
cfg "$work/bad.yml" repl S3cret-pw
if "$bin" check_source --config "$work/bad.yml" --source src > "$work/out" 2>&1; then
	notok "check_source fails on a badly configured server"
elif grep -q "FAIL  log_bin" "$work/out" && grep -q "FAIL  binlog_format" "$work/out" &&
	grep -q "SET GLOBAL binlog_format" "$work/out"; then
	ok "check_source on a badly configured server: FAIL lines with fixes, exit 1"
else
	notok "bad server report"; sed 's/^/# /' "$work/out"
fi
tap_done
