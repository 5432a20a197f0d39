#!/bin/sh
# Integration: start_replica as a container's sidecar runs it: in the
# foreground (--debug) with JSON log lines on stderr, the passwords from
# the environment (${NAME} in the configuration), the metrics and health
# endpoint (/metrics equal to show_status, /readyz 503 while PostgreSQL
# is down and 200 again after), SIGTERM ending it with status 0.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin '[ -n "${rp:-}" ] && kill -9 "$rp" 2>/dev/null; [ -n "${idle:-}" ] && kill "$idle" 2>/dev/null'
servers_up
secret='Sidecar-S3cret-7f1x'
mariadb_sql -e "CREATE USER rep@'127.0.0.1' IDENTIFIED BY '$secret';
	GRANT ALL ON *.* TO rep@'127.0.0.1'; CREATE DATABASE d;
	CREATE TABLE d.t (id INT PRIMARY KEY, v INT); CREATE TABLE d.u (id INT PRIMARY KEY)"
mport=$(free_port)
cat > "$work/cfg.yml" <<CFG
pid_dir: $work/pid
log_dir: $work/log
log_format: json
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: '\${SC_PG_PASSWORD}', database: postgres}
sources:
  src:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: rep, password: '\${SC_MY_PASSWORD}'}
    schema_mappings: {d: d}
    metrics_listen: '127.0.0.1:$mport'
CFG
url=http://127.0.0.1:$mport
# the HTTP status of GET url/PATH (0: no answer); get PATH: the body
cat > "$work/get.py" <<'PY'
import sys, urllib.request as u
try:
    r = u.urlopen(sys.argv[1], timeout=3)
    code, body = r.status, r.read()
except u.HTTPError as e:
    code, body = e.code, e.read()
except Exception:
    code, body = 0, b""
print(code if sys.argv[2] == "code" else body.decode(), end="")
PY
code() { python3 "$work/get.py" "$url$1" code; }
get() { python3 "$work/get.py" "$url$1" body; }
pg_n() { psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U postgres -c "$1" 2>/dev/null; }
# wait_pg SECONDS SQL VALUE: until PostgreSQL answers SQL with VALUE
wait_pg() {
	_wait_for "$1" sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c '$2' 2>/dev/null)\" = '$3' ]"
}
wait_code() {	# wait_code SECONDS PATH CODE
	_wait_for "$1" sh -c "[ \"\$(python3 '$work/get.py' '$url$2' code)\" = $3 ]"
}

# an unset variable: a clear error naming the key and the variable
env -u SC_MY_PASSWORD SC_PG_PASSWORD=x "$bin" start_replica --config "$work/cfg.yml" \
	--source src --debug > "$work/unset.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "sources.src.db_conn.password: environment variable 'SC_MY_PASSWORD' is not set" "$work/unset.out"; then
	ok "an unset \${SC_MY_PASSWORD} is an error naming the key and the variable"
else
	notok "unset variable: exit $rc: $(cat "$work/unset.out")"
fi
export SC_MY_PASSWORD="$secret" SC_PG_PASSWORD="$secret"
"$bin" show_config --config "$work/cfg.yml" > "$work/show.out" 2>&1
if grep -q "password: '\*\*\*'" "$work/show.out" && ! grep -q "$secret" "$work/show.out"; then
	ok "show_config hides the passwords taken from the environment"
else
	notok "show_config shows: $(grep password "$work/show.out")"
fi

"$bin" start_replica --config "$work/cfg.yml" --source src --debug --create-tables \
	2> "$work/err" > "$work/out" &
rp=$!
if wait_code 20 /readyz 200; then
	ok "/readyz 200 once both servers are connected and the stream applies"
else
	notok "/readyz: $(code /readyz)"
	tail -5 "$work/err" | sed 's/^/# /'
fi
[ "$(code /healthz)" = 200 ] && [ "$(code /nothing)" = 404 ] && ok "/healthz 200, other paths 404" ||
	notok "/healthz $(code /healthz), /nothing $(code /nothing)"
mariadb_sql -D d -e "INSERT INTO t SELECT seq, seq FROM seq_1_to_1000;
	UPDATE t SET v = 0 WHERE id <= 10; DELETE FROM t WHERE id > 995;
	INSERT INTO u VALUES (1), (2), (3)"
wait_pg 20 "SELECT count(*) + sum(v) FROM d.t" $((995 + 495455)) &&
	ok "the workload is applied" || notok "workload: $(pg_n 'SELECT count(*), sum(v) FROM d.t')"

# /metrics and show_status --format json say the same (once caught up)
cat > "$work/same.py" <<'PY'
import json, re, subprocess, sys, urllib.request
bin, cfg, url = sys.argv[1:4]
text = urllib.request.urlopen(url + "/metrics", timeout=3).read().decode()
m = {}
for line in text.splitlines():
    if not line.startswith("#"):
        k, v = line.rsplit(" ", 1)
        m[k] = v
st = json.loads(subprocess.run([bin, "show_status", "--config", cfg, "--format", "json"],
                               capture_output=True, check=True).stdout)["sources"][0]
want = {"chameleon_transactions_applied_total": str(st["transactions_applied"]),
        'chameleon_binlog_position{file="%s"}' % st["applied"]["file"]: str(st["applied"]["position"]),
        "chameleon_tables_disabled": str(len(st["disabled_tables"])),
        "chameleon_read_lag_seconds": "%.3f" % st["read_lag"],
        "chameleon_replica_lag_seconds": "%.3f" % st["replay_lag"]}
for t in st["tables"]:
    for op, key in (("insert", "inserts"), ("update", "updates"), ("delete", "deletes")):
        want['chameleon_rows_applied_total{schema="%s",table="%s",op="%s"}'
             % (t["schema"], t["table"], op)] = str(t[key])
bad = [(k, v, m.get(k)) for k, v in sorted(want.items()) if m.get(k) != v]
# the metrics every scrape has, with HELP and TYPE
for name in ("chameleon_replica_lag_seconds", "chameleon_read_lag_seconds",
             "chameleon_rows_applied_total", "chameleon_transactions_applied_total",
             "chameleon_bytes_received_total", "chameleon_source_connected",
             "chameleon_target_connected", "chameleon_reconnects_total",
             "chameleon_tables_disabled", "chameleon_errors_total", "chameleon_binlog_position"):
    if "# HELP %s " % name not in text or not re.search("# TYPE %s (gauge|counter)\n" % name, text):
        bad.append((name, "HELP and TYPE", None))
if int(m.get("chameleon_bytes_received_total", "0")) <= 0 or m.get("chameleon_source_connected") != "1":
    bad.append(("bytes, source", m.get("chameleon_bytes_received_total"), m.get("chameleon_source_connected")))
if not st["caught_up"] or len(st["tables"]) != 2:
    bad.append(("caught up, 2 tables", st["caught_up"], len(st["tables"])))
if bad:
    print(" ".join("%s=%s (want %s)" % (k, g, v) for k, v, g in bad))
else:
    print("%d values equal, %s transactions, d.t: %s inserts" % (
        len(want), st["transactions_applied"],
        m['chameleon_rows_applied_total{schema="d",table="t",op="insert"}']))
sys.exit(1 if bad else 0)
PY
if _wait_for 15 python3 "$work/same.py" "$bin" "$work/cfg.yml" "$url"; then
	ok "/metrics and show_status --format json agree: $(python3 "$work/same.py" "$bin" "$work/cfg.yml" "$url")"
else
	notok "/metrics and show_status differ: $(python3 "$work/same.py" "$bin" "$work/cfg.yml" "$url" 2>&1 | tail -1)"
fi

# clients that connect and send nothing (or half a request) fill every
# slot: replication goes on, and the endpoint answers again once their
# deadline passes
python3 -c "
import socket, time
s = [socket.create_connection(('127.0.0.1', $mport)) for _ in range(40)]
s[0].send(b'GET /metr')
time.sleep(6)" &
idle=$!
sleep 0.5
t0=$(date +%s)
mariadb_sql -D d -e "INSERT INTO u SELECT seq + 10 FROM seq_1_to_100"
wait_pg 10 "SELECT count(*) FROM d.u" 103
applied=$(pg_n "SELECT count(*) FROM d.u")
t1=$(date +%s)
c=$(code /healthz)
t2=$(date +%s)
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null
idle=
[ "$applied" = 103 ] && [ "$c" = 200 ] &&
	ok "40 idle clients: rows still applied ($((t1 - t0)) s), /healthz answered ($((t2 - t1)) s)" ||
	notok "with idle clients: $applied rows, /healthz $c"

# PostgreSQL stops: not ready; back: ready again
_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop > /dev/null 2>&1
if wait_code 15 /readyz 503; then
	ok "/readyz 503 while PostgreSQL is down ($(get /readyz))"
else
	notok "/readyz with PostgreSQL down: $(code /readyz)"
fi
[ "$(code /healthz)" = 200 ] && get /metrics | grep -qx "chameleon_target_connected 0" &&
	ok "meanwhile /healthz 200 and chameleon_target_connected 0" ||
	notok "PostgreSQL down: /healthz $(code /healthz), $(get /metrics | grep '^chameleon_target')"
_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
	-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null 2>&1
if wait_code 30 /readyz 200; then
	ok "/readyz 200 again after PostgreSQL restarted"
else
	notok "/readyz after PostgreSQL restarted: $(code /readyz)"
fi
get /metrics | grep -qx 'chameleon_reconnects_total{side="target"} [1-9][0-9]*' &&
	ok "the reconnection is counted" || notok "$(get /metrics | grep reconnects_total)"

# SIGTERM in the middle of a workload: exit 0 within 10 s, what is
# complete committed with its position, nothing lost at the next start
mariadb_sql -D d -e "UPDATE t SET v = v + 1 WHERE id <= 100"
wait_pg 10 "SELECT sum(v) FROM d.t" $((495455 + 100))
(
	for k in $(seq 1 20); do
		mariadb_sql -D d -e "INSERT INTO u SELECT 1000 * $k + seq FROM seq_1_to_200" 2>/dev/null
	done
) &
wl=$!
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$rp"
i=0
while kill -0 "$rp" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait "$rp"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $i -lt 100 ] && [ $rc = 0 ]; then
	ok "SIGTERM during a workload: exit 0 after $ms ms"
else
	notok "SIGTERM: exit $rc after $ms ms"
	kill -9 "$rp" 2>/dev/null
fi
rp=
wait $wl
st=$(pg_n "SELECT status FROM sch_chameleon.t_sources")
[ "$st" = stopped ] && ok "status stopped after SIGTERM" || notok "after SIGTERM: status $st"
# started again (text log this time): it resumes from the committed
# position, and PostgreSQL ends equal to MariaDB
want=$(mariadb_sql -N -B -e "SELECT COUNT(*), SUM(id) FROM d.u" | tr '\t' ' ')
"$bin" start_replica --config "$work/cfg.yml" --source src --debug --log-format text \
	> /dev/null 2> "$work/err2" &
rp=$!
_wait_for 30 sh -c "[ \"\$(psql -X -At -F ' ' -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*), sum(id) FROM d.u' 2>/dev/null)\" = '$want' ]"
got=$(pg_n "SELECT count(*) || ' ' || sum(id) FROM d.u")
kill -INT "$rp"
wait "$rp"
rc=$?
rp=
[ "$got" = "$want" ] && [ $rc = 0 ] && ok "resumed after SIGTERM: d.u equal ($got), SIGINT exit 0" ||
	notok "after the restart: PostgreSQL $got, MariaDB $want, SIGINT exit $rc"
grep -q "INFO  replica: resuming at" "$work/err2" && ok "--log-format text overrides log_format: json" ||
	notok "text log: $(head -2 "$work/err2")"

# every stderr line is a JSON object with the fields that matter; no secret
if python3 - "$work/err" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    assert all(k in o for k in ("time", "level", "component", "message")), line
    assert o.get("source") == "src", line
    n += 1
assert n > 5, n
PY
then
	ok "every stderr line is a JSON object with time, level, component, message, source ($(wc -l < "$work/err") lines)"
else
	notok "stderr is not JSON lines"
	head -3 "$work/err" | sed 's/^/# /'
fi
grep -q '"position": "' "$work/err" && grep -q '"lag": ' "$work/err" &&
	ok "log lines carry the position and the lag" || notok "no position or lag in the log lines"
if grep -q "$secret" "$work/err" "$work/err2" "$work/out" "$work/unset.out"; then
	notok "the password appears in the output"
else
	ok "the password appears nowhere in the output (debug level)"
fi
tap_done
