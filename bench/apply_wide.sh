#!/bin/sh
# Apply benchmark on the 10-column table of issue 15 (part of make bench):
# start_replica follows a real MariaDB that serves captured binlogs and
# applies them to PostgreSQL, timed from the launch of start_replica
# (connections, catalog reads and prepared statements included) to the
# last change visible in PostgreSQL; beside the set-based SQL that a
# loader knowing every row in advance would run, measured in the same run
# on the same server:
#   insert-only: 1,000,000 inserts (100 transactions of 10,000 rows)
#                against one COPY of the same rows (CSV);
#   mixed 60/20/20: 20 rounds of 30,000 inserts, 10,000 deletes, 10,000
#                full-image updates (60 transactions) against one
#                transaction of COPY (inserts), COPY into a temporary table
#                + UPDATE ... FROM (updates), DELETE ... = ANY (deletes).
# Table: BIGINT key, INT, VARCHAR(40), VARCHAR(100), DECIMAL(12,2),
# DATETIME(3), DATE, DOUBLE, TINYINT, TEXT.  The binlogs are generated
# once on a throwaway MariaDB and kept in build/bench/; the CSV files
# (bench/wide_rows.py) are computed as MariaDB computes the rows.  After
# each run PostgreSQL's table must equal the baseline's: row count and an
# MD5 over every row in key order (else the benchmark fails).
# APPLY_ONLY=insert|mixed runs one part; APPLY_RUNS=N keeps the best of N
# (default 3); APPLY_COPY_FORMAT=text|binary sets the source's copy_format
# (default binary); APPLY_PERF=DIR records `perf record -g` of chameleon into
# DIR/bench.data (inserts) and DIR/mix.data (mixed), on the last run.
set -eu
only=${APPLY_ONLY:-}
case $only in "" | insert | mixed) ;; *) echo "APPLY_ONLY: insert or mixed" >&2; exit 2 ;; esac
runs=${APPLY_RUNS:-3}
perfdir=${APPLY_PERF:-}
bin=${1:?usage: apply_wide.sh CHAMELEON}
. test/integ/lib.sh
dir=build/bench
mkdir -p "$dir"
ins=$dir/wide_insert.binlog
mix=$dir/wide_mixed.binlog
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
cols="id BIGINT PRIMARY KEY, n INT, code VARCHAR(40), label VARCHAR(100), amount DECIMAL(12,2),
	at DATETIME(3), day DATE, ratio DOUBLE, flag TINYINT, body TEXT"
vals() {	# vals SEQ-EXPRESSION: the values of wide_rows.py's row()
	echo "$1, ($1) % 100000, CONCAT('C-', ($1) * 7919 % 1000003),
	CONCAT('label of row ', $1, ' with some words in it'), (($1) % 1000000) / 100,
	TIMESTAMP'2024-01-01 00:00:00' + INTERVAL ($1) * 1003000 MICROSECOND,
	'2020-01-01' + INTERVAL ($1) % 3000 DAY, ($1) / 7e0, ($1) % 100,
	REPEAT(CONCAT('text ', $1, ' '), 3)"
}
if [ ! -f "$ins" ] || [ ! -f "$mix" ]; then
	echo "generating the 10-column apply binlogs (once) ..."
	mariadb_start "$work/gen" --max-binlog-size=1G > /dev/null
	mariadb_sql -e "CREATE DATABASE bench; CREATE TABLE bench.w ($cols);
		CREATE DATABASE mix; CREATE TABLE mix.w ($cols); FLUSH BINARY LOGS"
	for k in $(seq 0 99); do
		echo "INSERT INTO bench.w SELECT $(vals "$k * 10000 + seq") FROM seq_1_to_10000;"
	done | mariadb_sql -D bench
	mariadb_sql -e "FLUSH BINARY LOGS"
	for k in $(seq 0 19); do
		echo "INSERT INTO mix.w SELECT $(vals "$k * 30000 + seq") FROM seq_1_to_30000;"
		echo "DELETE FROM mix.w WHERE id > $k * 30000 + 20000;"
		echo "UPDATE mix.w SET n = n + 1, amount = amount + 0.5, ratio = ratio * 2,
			label = CONCAT(label, '!'), flag = -flag - 1 WHERE id > $k * 30000
			AND id <= $k * 30000 + 10000;"
	done | mariadb_sql -D mix
	mariadb_sql -e "FLUSH BINARY LOGS"
	cp "$work/gen/data/binlog.000002" "$ins"
	cp "$work/gen/data/binlog.000003" "$mix"
	mariadb_stop
	rm -rf "$work/gen"
fi
python3 bench/wide_rows.py insert "$work/ins.csv"
python3 bench/wide_rows.py mixed "$work/mins.csv" "$work/mupd.csv" "$work/mdel.txt"

# the source: a MariaDB serving the two binlogs (bench.000001: inserts,
# bench.000002: the mixed workload), in a directory of their own
# (mariadb_start makes the data directory anew)
mkdir -p "$work/binlogs"
cp "$ins" "$work/binlogs/bench.000001"
cp "$mix" "$work/binlogs/bench.000002"
printf '%s\n' "$work/binlogs/bench.000001" "$work/binlogs/bench.000002" \
	> "$work/binlogs/bench.index"
mariadb_start "$work/my" --log-bin="$work/binlogs/bench" > /dev/null
mariadb_sql -e "CREATE USER bench@'127.0.0.1' IDENTIFIED BY 'bench';
	GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO bench@'127.0.0.1'"
pg_start "$work/pg" > /dev/null
pgcols="id bigint PRIMARY KEY, n integer, code varchar(40), label varchar(100),
	amount numeric(12,2), at timestamp(3), day date, ratio double precision, flag smallint,
	body text"
cfg() {	# cfg SCHEMA
	cat > "$work/cfg.yml" <<EOC
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
pid_dir: $work
log_dir: $work
sources:
  src:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: bench, password: bench, ssl_mode: disabled}
    schema_mappings: {$1: $1}
    my_server_id: 778
    copy_format: ${APPLY_COPY_FORMAT:-binary}
EOC
	chmod 600 "$work/cfg.yml"	# it holds passwords (else a warning per command)
}
fresh() {	# fresh SCHEMA: an empty table, no catalog
	pg_sql -c "DROP SCHEMA IF EXISTS $1 CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
		> /dev/null 2>&1
	pg_sql -c "CREATE SCHEMA $1; CREATE TABLE $1.w ($pgcols)" > /dev/null
	pg_sql -c "CHECKPOINT" > /dev/null
}
digest() {	# digest SCHEMA: row count and MD5 over the rows in key order
	pg_sql -At -c "SELECT count(*) || ' ' || md5(string_agg(md5(w::text), '' ORDER BY id))
		FROM $1.w w"
}
# replica SCHEMA FILE LAST-CHANGE-QUERY: seconds from the launch of
# start_replica (from FILE:4, stored in the catalog beforehand as
# init_replica would) until the query returns 1
replica() {
	fresh "$1"
	cfg "$1"
	"$bin" create_replica_schema --config "$work/cfg.yml" > /dev/null
	"$bin" add_source --config "$work/cfg.yml" --source src > /dev/null
	pg_sql -c "UPDATE sch_chameleon.t_sources SET binlog_file = '$2', binlog_position = 4,
		status = 'ready'" > /dev/null
	pg_sql -c "CHECKPOINT" > /dev/null
	python3 - "$work" "$3" "$bin" start_replica --config "$work/cfg.yml" --source src \
		--debug <<'PY'
import os, signal, subprocess, sys, time
work, query, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
perf = os.environ.get("PERF_OUT")
if perf:
    cmd = ["perf", "record", "-g", "-q", "-o", perf, "--"] + cmd
poll = subprocess.Popen(["psql", "-X", "-At", "-h", os.environ["PG_HOST"], "-p",
                         os.environ["PG_PORT"], "-U", "postgres"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True, bufsize=1)
poll.stdin.write("SELECT pg_backend_pid();\n")
poll.stdin.flush()
ppid = poll.stdout.readline().strip()
def cpu(pid):	# seconds of CPU used by a process so far
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
log = open(work + "/replica.log", "w")
t0 = time.monotonic()
rep = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
while True:
    poll.stdin.write(query + ";\n")
    poll.stdin.flush()
    if poll.stdout.readline().strip() == "1":
        break
    if rep.poll() is not None:
        sys.exit("start_replica ended (see replica.log)")
    time.sleep(0.01)
t1 = time.monotonic()
pollcpu = cpu(ppid)
rep.send_signal(signal.SIGTERM if not perf else signal.SIGINT)
_, _, ru = os.wait4(rep.pid, 0)
poll.stdin.close()
poll.wait()
print("%.3f %.3f %.3f" % (t1 - t0, ru.ru_utime + ru.ru_stime, pollcpu))
PY
}
pgcpu() {	# CPU seconds used so far by the PostgreSQL server and its exited children
	python3 - "$(head -1 "$PG_DIR/data/postmaster.pid")" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK")
def ticks(pid, fields):
    try:
        f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(f[i - 3]) for i in fields)
pm = sys.argv[1]
t = ticks(pm, (14, 15, 16, 17))
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            ppid = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1]
        except OSError:
            continue
        if ppid == pm:
            t += ticks(p, (14, 15))
print(t / hz)
PY
}
best() {	# best SCHEMA FILE QUERY: best of $runs, the table checked after each
	b=""
	for i in $(seq "$runs"); do
		PERF_OUT=""
		[ -n "$perfdir" ] && [ "$i" = "$runs" ] && PERF_OUT=$perfdir/$1.data
		export PERF_OUT
		c0=$(pgcpu)
		r=$(replica "$@") || { tail -5 "$work/replica.log" >&2; exit 1; }
		sleep 0.3	# the backend exits and is counted
		c1=$(pgcpu)
		set -- "$@" $r
		t=$4
		echo "  $1 run $i: $t s, chameleon CPU $5 s, PostgreSQL CPU" \
			"$(python3 -c "print(round($c1 - $c0 - $6, 2))") s (the poller's backend not" \
			"counted)" >&2
		set -- "$1" "$2" "$3"
		got=$(digest "$1")
		[ "$got" = "$want" ] || {
			echo "apply_wide: $1: PostgreSQL has '$got', expected '$want'" >&2
			tail -5 "$work/replica.log" >&2
			exit 1
		}
		b=$(python3 -c "print(min($t, ${b:-$t}))")
	done
	echo "$b"
}
timed() {	# timed SCHEMA SQL-FILE: seconds of the psql run, best of $runs
	b=""
	for i in $(seq "$runs"); do
		fresh "$1"
		c0=$(pgcpu)
		t0=$(date +%s.%N)
		pg_sql -v ON_ERROR_STOP=1 -f "$2" > /dev/null
		t1=$(date +%s.%N)
		sleep 0.3
		c1=$(pgcpu)
		echo "  $1 SQL run $i: $(python3 -c "print(round($t1 - $t0, 3))") s, PostgreSQL CPU" \
			"$(python3 -c "print(round($c1 - $c0, 2))") s" >&2
		b=$(python3 -c "t = $t1 - $t0; print(min(t, ${b:-t}))")
	done
	echo "$b"
}
[ -n "$perfdir" ] && mkdir -p "$perfdir"
copy_s=0 ins_s=0 ceil_s=0 mix_s=0
if [ "$only" != mixed ]; then
	printf '%s\n' "\\copy bench.w FROM '$work/ins.csv' CSV" > "$work/copy.sql"
	copy_s=$(timed bench "$work/copy.sql")
	want=$(digest bench); echo "COPY: $copy_s s, $want" >&2
	ins_s=$(best bench bench.000001 "SELECT count(*) FROM bench.w WHERE id = 1000000")
fi
if [ "$only" != insert ]; then
	cat > "$work/ceil.sql" <<EOS
BEGIN;
\\copy mix.w FROM '$work/mins.csv' CSV
CREATE TEMPORARY TABLE u (LIKE mix.w) ON COMMIT DROP;
\\copy u FROM '$work/mupd.csv' CSV
UPDATE mix.w AS d SET n = u.n, code = u.code, label = u.label, amount = u.amount, at = u.at,
	day = u.day, ratio = u.ratio, flag = u.flag, body = u.body FROM u WHERE d.id = u.id;
DELETE FROM mix.w WHERE id = ANY ('$(cat "$work/mdel.txt")'::bigint[]);
COMMIT;
EOS
	ceil_s=$(timed mix "$work/ceil.sql")
	want=$(digest mix); echo "SQL: $ceil_s s, $want" >&2
	mix_s=$(best mix bench.000002 "SELECT count(*) FROM mix.w WHERE id = 570001 AND flag < 0")
fi
python3 - "$copy_s" "$ins_s" "$ceil_s" "$mix_s" "$(nproc)" "$runs" <<'PY'
import sys
copy_s, ins_s, ceil_s, mix_s = map(float, sys.argv[1:5])
print()
print("apply benchmark, 10 columns of common types: start_replica following MariaDB into "
      "PostgreSQL 15 on loopback, %s cores, best of %s" % (sys.argv[5], sys.argv[6]))
print("%-60s %8s %12s %8s" % ("", "seconds", "rows/s", "ratio"))
def line(name, s, rows, base):
    print("%-60s %8.3f %12s %7.2fx" % (name, s, "{:,.0f}".format(rows / s), base / s))
if copy_s:
    line("COPY of the 1,000,000 rows (CSV), one transaction", copy_s, 1e6, copy_s)
    line("start_replica, 1,000,000 inserts (launch to last row)", ins_s, 1e6, copy_s)
if ceil_s:
    line("set-based SQL: COPY, UPDATE ... FROM, DELETE = ANY, one tx", ceil_s, 1e6, ceil_s)
    line("start_replica, 1,000,000 changes 60/20/20 (launch to last)", mix_s, 1e6, ceil_s)
print("(ratio = the baseline's time / this time; the baseline is the line above)")
PY
