#!/bin/sh
# Integration: notifications (docs/notifications.md).  A local HTTPS
# server (test/integ/notify_server.py) with a certificate of a test CA
# made here by openssl receives the webhook and stands in for Rollbar's
# API (rollbar_url); chameleon trusts the CA through notify_ca_file.
#  1. init_replica's end, a table taken out of replication (PostgreSQL
#     refuses a row: a CHECK constraint only PostgreSQL has) and a replica
#     stop (SIGTERM) arrive at both, with the documented JSON;
#     --rollbar-level error keeps info events from Rollbar only.
#  2. A server certificate of another CA: delivery refused, said once in
#     the log, replication unaffected.
#  3. A webhook that accepts and never answers: replication unaffected,
#     the stop still prompt; Rollbar at a server whose certificate comes
#     from the trusted CA but names another host: refused.
#  4. sync_tables: a failure (critical, with its reason), then its end.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin 'for p in ${SRV_PIDS:-} ${REP_PID:-}; do kill -9 $p 2>/dev/null; done'
servers_up
SRV_PIDS=""
tls=$work/tls
mkdir -p "$tls"

# ---- certificates: a test CA and its server certificate, another CA and its
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
mkcert() {	# mkcert NAME: CA NAME-ca.pem, server certificate NAME.pem for 127.0.0.1
	openssl req -x509 $ec -keyout "$tls/$1-ca.key" -out "$tls/$1-ca.pem" -days 2 \
		-subj "/CN=chameleon test CA $1" 2>/dev/null &&
	openssl req $ec -keyout "$tls/$1.key" -out "$tls/$1.csr" -subj "/CN=127.0.0.1" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$tls/$1.ext" &&
	openssl x509 -req -in "$tls/$1.csr" -CA "$tls/$1-ca.pem" -CAkey "$tls/$1-ca.key" \
		-CAcreateserial -out "$tls/$1.pem" -days 2 -extfile "$tls/$1.ext" 2>/dev/null
}
# a certificate of the good CA for another name
mkwrong() {
	openssl req $ec -keyout "$tls/wrong.key" -out "$tls/wrong.csr" -subj "/CN=wrong.example" 2>/dev/null &&
	printf 'subjectAltName=DNS:wrong.example\n' > "$tls/wrong.ext" &&
	openssl x509 -req -in "$tls/wrong.csr" -CA "$tls/good-ca.pem" -CAkey "$tls/good-ca.key" \
		-CAcreateserial -out "$tls/wrong.pem" -days 2 -extfile "$tls/wrong.ext" 2>/dev/null
}
if mkcert good && mkcert other && mkwrong; then
	ok "a test CA and server certificates made by openssl"
else
	notok "openssl could not make the certificates"
	
# ---- 4. sync_tables: its failure (critical, with the reason), its end ------
cfg "https://127.0.0.1:$GOOD/hook?k=1"
"$bin" sync_tables $C --tables d.nothere > "$work/sync1" 2>&1
"$bin" sync_tables $C --tables disabled > "$work/sync2" 2>&1 ||
	notok "sync_tables --tables disabled: $(tail -2 "$work/sync2")"
wait_for_record 'len(ev("sync_tables")) == 2'
check "sync_tables: a failure is critical, with its reason; the end is info" \
	'[x["level"] for x in ev("sync_tables")] == ["critical", "info"] and
	 ev("sync_tables")[0]["message"].startswith("sync tables for source src failed: ") and
	 "d.nothere" in ev("sync_tables")[0]["message"] and
	 ev("sync_tables")[1]["message"].startswith("sync tables for source src is complete") and
	 [x["body"]["data"]["level"] for x in rbev("sync_tables")] == ["critical", "info"]'
tap_done
	exit 1
fi

# serve NAME [notify_server.py options]: a receiver; its port in $PORT
serve() {
	_name=$1
	shift
	rm -f "$work/$_name.port"
	/usr/bin/python3 test/integ/notify_server.py "$work/$_name.port" "$@" \
		2> "$work/$_name.err" &
	SRV_PIDS="$SRV_PIDS $!"
	_wait_for 10 test -s "$work/$_name.port"
	PORT=$(cat "$work/$_name.port")
}
serve good --log "$work/good.jsonl" --cert "$tls/good.pem" --key "$tls/good.key"
GOOD=$PORT
serve other --log "$work/other.jsonl" --cert "$tls/other.pem" --key "$tls/other.key"
OTHER=$PORT
serve wrong --log "$work/wrong.jsonl" --cert "$tls/wrong.pem" --key "$tls/wrong.key"
WRONG=$PORT
serve hang --hang
HANG=$PORT

mariadb_sql -D mysql -e "CREATE DATABASE d;
	CREATE TABLE d.t1 (id INT PRIMARY KEY, v INT);
	CREATE TABLE d.t2 (id INT PRIMARY KEY, v INT);
	CREATE TABLE d.t3 (id INT PRIMARY KEY, v INT);
	CREATE TABLE d.u (id INT PRIMARY KEY, v VARCHAR(20));
	INSERT INTO d.t1 SELECT seq, seq FROM seq_1_to_100;
	INSERT INTO d.t2 SELECT seq, seq FROM seq_1_to_100;
	INSERT INTO d.t3 SELECT seq, seq FROM seq_1_to_100;
	INSERT INTO d.u SELECT seq, 'row' FROM seq_1_to_100"

# cfg HOOK-URL [ROLLBAR-PORT]: the configuration, the webhook at HOOK-URL,
# Rollbar at the good server (or at ROLLBAR-PORT)
cfg() {
	config_write "$work/cfg.yml" src d:d "pid_dir: $work/pid" "log_dir: $work/log" \
		"log_dest: stdout" "rollbar_key: test-token-1" "rollbar_env: integ" \
		"rollbar_url: https://127.0.0.1:${2:-$GOOD}/api/1/item/" \
		"notify_ca_file: $tls/good-ca.pem" "notify_timeout: 2" "  notify_webhook: $1"
}
cfg "https://127.0.0.1:$GOOD/hook?k=1"
C="--config $work/cfg.yml --source src"
"$bin" create_replica_schema --config "$work/cfg.yml" > "$work/out" 2>&1 &&
	"$bin" add_source $C >> "$work/out" 2>&1 &&
	"$bin" init_replica $C >> "$work/out" 2>&1 &&
	ok "init_replica" || { notok "init_replica: $(tail -3 "$work/out")"; tap_done; exit 1; }

# holds PYTHON-EXPRESSION: whether the expression holds for the records
# received by the good server: hook (the webhook's bodies), rb (Rollbar's
# requests), ev(EVENT) and rbev(EVENT) (those of one event)
holds() {
	/usr/bin/python3 - "$work/good.jsonl" "$1" <<'EOF'
import json, sys
try:
    r = [json.loads(l) for l in open(sys.argv[1])]
except OSError:
    r = []
hook = [x["body"] for x in r if x["path"] == "/hook?k=1"]
rb = [x for x in r if x["path"] == "/api/1/item/"]
def ev(name):
    return [h for h in hook if h["event"] == name]
def rbev(name):
    return [x for x in rb if x["body"]["data"]["body"]["message"]["event"] == name]
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)
EOF
}
# check NAME PYTHON-EXPRESSION: ok when it holds, else notok with the records
check() {
	if holds "$2"; then ok "$1"; else notok "$1"; sed 's/^/# /' "$work/good.jsonl" | tail -6; fi
}
wait_for_record() {	# wait_for_record PYTHON-EXPRESSION: until it holds, 10 s at most
	_i=0
	while [ $_i -lt 100 ]; do
		holds "$1" 2> /dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

wait_for_record 'ev("init_replica") and rbev("init_replica")'
check "init_replica's end: the webhook's JSON" \
	'len(ev("init_replica")) == 1 and ev("init_replica")[0]["level"] == "info" and
	 ev("init_replica")[0]["source"] == "src" and
	 ev("init_replica")[0]["message"].startswith("init replica for source src is complete") and
	 ev("init_replica")[0]["table"] is None and ":" in ev("init_replica")[0]["position"] and
	 ev("init_replica")[0]["time"].endswith("Z") and "text" in ev("init_replica")[0] and
	 sorted(ev("init_replica")[0]) == sorted(["event", "source", "level", "message",
	 "table", "position", "time", "text"])'
check "init_replica's end: Rollbar's item (token, environment, level, message)" \
	'len(rbev("init_replica")) == 1 and rbev("init_replica")[0]["token"] == "test-token-1" and
	 rbev("init_replica")[0]["type"] == "application/json" and
	 rbev("init_replica")[0]["body"]["access_token"] == "test-token-1" and
	 rbev("init_replica")[0]["body"]["data"]["environment"] == "integ" and
	 rbev("init_replica")[0]["body"]["data"]["level"] == "info" and
	 rbev("init_replica")[0]["body"]["data"]["body"]["message"]["body"].startswith(
	 "init replica for source src is complete")'

# PostgreSQL alone refuses v >= 1000: the row is refused, its table taken out
pg_sql -c "ALTER TABLE d.t1 ADD CONSTRAINT small CHECK (v < 1000);
	ALTER TABLE d.t2 ADD CONSTRAINT small CHECK (v < 1000);
	ALTER TABLE d.t3 ADD CONSTRAINT small CHECK (v < 1000)" > /dev/null

# start_replica ARGS: in the foreground (log_dest: stdout) in the
# background of this script, its output in $work/rep.log
start_replica() {
	"$bin" start_replica $C "$@" > "$work/rep.log" 2>&1 &
	REP_PID=$!
	_wait_for 30 grep -q 'streaming from' "$work/rep.log"
}
# stop_replica: SIGTERM, then the seconds it took to exit (in $STOP_S) and
# its status (in $STOP_RC)
stop_replica() {
	_t0=$(date +%s.%N)
	kill -TERM "$REP_PID"
	wait "$REP_PID"
	STOP_RC=$?
	STOP_S=$(awk -v a="$_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	REP_PID=""
}
pg_count() { pg_sql -At -c "SELECT count(*) FROM $1"; }

# ---- 1. the events of a run, at both destinations -------------------------
start_replica --rollbar-level error
mariadb_sql -D mysql -e "INSERT INTO d.t1 VALUES (1000, 5000); INSERT INTO d.u VALUES (1000, 'after')"
wait_for_record 'ev("table_disabled") and rbev("table_disabled")'
check "a table taken out of replication: the webhook's JSON (event, level, table)" \
	'len(ev("table_disabled")) == 1 and ev("table_disabled")[0]["level"] == "error" and
	 ev("table_disabled")[0]["table"] == "d.t1" and
	 "taken out of replication" in ev("table_disabled")[0]["message"] and
	 "small" in ev("table_disabled")[0]["message"]'
check "a table taken out of replication: Rollbar's item at level error" \
	'len(rbev("table_disabled")) == 1 and
	 rbev("table_disabled")[0]["body"]["data"]["level"] == "error" and
	 rbev("table_disabled")[0]["body"]["data"]["body"]["message"]["table"] == "d.t1"'
_wait_for 10 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.u')\" = 101 ]"
stop_replica
[ "$STOP_RC" = 0 ] && ok "SIGTERM stops the replica (exit 0)" || notok "replica exit $STOP_RC"
check "a replica stop: the webhook's JSON (info, the stop position)" \
	'len(ev("replica_stop")) == 1 and ev("replica_stop")[0]["level"] == "info" and
	 ev("replica_stop")[0]["position"] and
	 ev("replica_stop")[0]["position"] in ev("replica_stop")[0]["message"]'
check "--rollbar-level error: no info event went to Rollbar during the run" \
	'not rbev("replica_stop") and len(rb) == 2'

# ---- 2. a certificate of another CA ---------------------------------------
cfg "https://127.0.0.1:$OTHER/hook?k=1"
start_replica
mariadb_sql -D mysql -e "INSERT INTO d.t2 VALUES (1000, 5000); INSERT INTO d.u VALUES (2000, 'x')"
_wait_for 10 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.u')\" = 102 ]" &&
	ok "another CA's certificate: replication goes on" || notok "d.u: $(pg_count d.u) rows"
_wait_for 10 grep -q "webhook: 'table_disabled' not delivered" "$work/rep.log"
mariadb_sql -D mysql -e "INSERT INTO d.u VALUES (2001, 'y')"
_wait_for 10 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.u')\" = 103 ]"
stop_replica
if grep "webhook: 'table_disabled' not delivered" "$work/rep.log" |
	grep "certificate rejected" | grep -q "checked against notify_ca_file"; then
	ok "the refused certificate is said: $(grep -o 'certificate rejected: [a-z ]*' "$work/rep.log" | head -1 | sed 's/ *$//')"
else
	notok "no certificate refusal in the log"
	grep notify "$work/rep.log" | sed 's/^/# /'
fi
n=$(grep -c "webhook: .* not delivered" "$work/rep.log")
[ "$n" = 1 ] && ok "two failed deliveries (table_disabled, replica_stop), said once" ||
	notok "said $n times"
[ ! -s "$work/other.jsonl" ] && ok "nothing reached the server with the other CA's certificate" ||
	notok "the other server received: $(cat "$work/other.jsonl")"
check "meanwhile Rollbar (the good server) got the events" \
	'len(rbev("table_disabled")) == 2 and len(rbev("replica_stop")) == 1'

# ---- 3. a webhook that never answers; Rollbar with another name's certificate
cfg "http://127.0.0.1:$HANG/hook" "$WRONG"
start_replica
t0=$(date +%s.%N)
mariadb_sql -D mysql -e "INSERT INTO d.t3 VALUES (1000, 5000); INSERT INTO d.u VALUES (3000, 'z');
	INSERT INTO d.u SELECT 3000 + seq, 'more' FROM seq_1_to_500"
if _wait_for 10 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM d.u')\" = 604 ]"; then
	ok "a webhook that never answers: replication goes on ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s for the rows)"
else
	notok "d.u: $(pg_count d.u) rows"
fi
_wait_for 10 grep -q "webhook: 'table_disabled' not delivered" "$work/rep.log"
stop_replica
# the stop waits at most notify_timeout (2 s) for the queue, then gives up
if [ "$STOP_RC" = 0 ] && awk -v s="$STOP_S" 'BEGIN { exit !(s < 8) }'; then
	ok "the stop is prompt all the same ($STOP_S s, notify_timeout 2 s)"
else
	notok "stop: exit $STOP_RC after $STOP_S s"
fi
grep "notify" "$work/rep.log" | grep -q "no complete answer within\|timed out\|no answer" &&
	ok "the timeout is said in the log" || { notok "no timeout in the log"; grep notify "$work/rep.log" | sed 's/^/# /'; }
if grep "rollbar: 'table_disabled' not delivered" "$work/rep.log" | grep -q "does not name the host" &&
	! grep notify "$work/rep.log" | grep -q "ssl_" && [ ! -s "$work/wrong.jsonl" ]; then
	ok "a certificate of the right CA for another name is refused: $(grep -o "rejected: it does not name the host '[0-9.]*'" "$work/rep.log" | head -1)"
else
	notok "the name is not checked"
	grep notify "$work/rep.log" | sed 's/^/# /'
fi

# ---- 4. sync_tables: its failure (critical, with the reason), its end ------
cfg "https://127.0.0.1:$GOOD/hook?k=1"
"$bin" sync_tables $C --tables d.nothere > "$work/sync1" 2>&1
"$bin" sync_tables $C --tables disabled > "$work/sync2" 2>&1 ||
	notok "sync_tables --tables disabled: $(tail -2 "$work/sync2")"
wait_for_record 'len(ev("sync_tables")) == 2'
check "sync_tables: a failure is critical, with its reason; the end is info" \
	'[x["level"] for x in ev("sync_tables")] == ["critical", "info"] and
	 ev("sync_tables")[0]["message"].startswith("sync tables for source src failed: ") and
	 "d.nothere" in ev("sync_tables")[0]["message"] and
	 ev("sync_tables")[1]["message"].startswith("sync tables for source src is complete") and
	 [x["body"]["data"]["level"] for x in rbev("sync_tables")] == ["critical", "info"]'
tap_done
