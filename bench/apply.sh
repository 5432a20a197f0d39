#!/bin/sh
# Apply benchmark (part of make bench): rows per second applied by
# replay_binlog from captured binlogs into PostgreSQL, beside PostgreSQL
# COPY of the same rows into the same table, measured in the same run.
#   insert-only: 1,000,000 inserts in transactions of 10,000 rows
#   mixed: bench/run.sh's binlog (700,000 inserts, 350,000 updates,
#          100,000 deletes)
# For quick iterations: APPLY_ONLY=insert or APPLY_ONLY=mixed measures only
# that part (beside COPY), e.g. APPLY_ONLY=insert sh bench/apply.sh BIN;
# APPLY_RUNS=N keeps the best of N runs instead of 3 (noisy machines).
set -eu
only=${APPLY_ONLY:-}
case $only in ""|insert|mixed) ;; *) echo "APPLY_ONLY: insert or mixed" >&2; exit 2 ;; esac
runs=${APPLY_RUNS:-3}
bin=${1:?usage: apply.sh CHAMELEON}
. test/integ/lib.sh
dir=build/bench
ins=$dir/insert.binlog
mixed=$dir/decode.binlog
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
if [ ! -f "$ins" ]; then
	echo "generating the insert-only binlog (once) ..."
	mariadb_start "$work/gen" --max-binlog-size=1G > /dev/null
	mariadb_sql -D mysql -e "CREATE DATABASE bench; CREATE TABLE bench.t (id INT PRIMARY KEY,
		a BIGINT, name VARCHAR(64), amount DECIMAL(12,2), created DATETIME, qty INT,
		note VARCHAR(32)); FLUSH BINARY LOGS"
	for k in $(seq 0 99); do
		echo "INSERT INTO bench.t SELECT $k * 10000 + seq, ($k * 10000 + seq) * 1000003,
			CONCAT('customer-', $k * 10000 + seq), ($k * 10000 + seq) / 7,
			'2024-01-01 00:00:00' + INTERVAL ($k * 10000 + seq) SECOND,
			($k * 10000 + seq) % 1000, 'n' FROM seq_1_to_10000;"
	done | mariadb_sql -D mysql
	mariadb_sql -e "FLUSH BINARY LOGS"
	cp "$work/gen/data/binlog.000002" "$ins"
	servers_stop
fi
pg_start "$work/pg" > /dev/null
cat > "$work/cfg.yml" <<EOC
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
sources:
  m:
    db_conn: {host: 127.0.0.1, user: root, password: ''}
    schema_mappings: {bench: bench}
    replay_max_rows: 10000
EOC
fresh() {
	pg_sql -c "DROP SCHEMA IF EXISTS bench CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
		> /dev/null 2>&1
	pg_sql -c "CREATE SCHEMA bench; CREATE TABLE bench.t (id integer PRIMARY KEY, a bigint,
		name varchar(64), amount numeric(12,2), created timestamp, qty integer,
		note varchar(32))" > /dev/null
}
best() {	# best of $runs wall times of "$@", each after fresh
	b=""
	for i in $(seq "$runs"); do
		fresh
		t0=$(date +%s.%N)
		"$@" > /dev/null 2> "$work/best.err" ||
			{ echo "failed: $*" >&2; tail -3 "$work/best.err" >&2; exit 1; }
		t1=$(date +%s.%N)
		b=$(python3 -c "import sys; t=$t1-$t0; b='$b'; print(t if not b else min(t, float(b)))")
	done
	echo "$b"
}
python3 - "$work/rows.csv" <<'PY'
import sys, datetime
base = datetime.datetime(2024, 1, 1)
with open(sys.argv[1], "w") as f:
    for i in range(1, 1000001):
        f.write("%d,%d,customer-%d,%.2f,%s,%d,n\n" % (i, i * 1000003, i, i / 7,
                (base + datetime.timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S"), i % 1000))
PY
copy_s=$(best pg_sql -c "\\copy bench.t FROM '$work/rows.csv' CSV")
ins_s=0
mixed_s=0
[ "$only" = mixed ] || ins_s=$(best "$bin" replay_binlog --config "$work/cfg.yml" --source m "$ins")
[ "$only" = insert ] || mixed_s=$(best "$bin" replay_binlog --config "$work/cfg.yml" --source m "$mixed")
python3 - "$copy_s" "$ins_s" "$mixed_s" "$(nproc)" "$runs" <<'PY'
import sys
copy_s, ins_s, mixed_s, cores = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print()
print("apply benchmark: replay_binlog into PostgreSQL 15 on loopback, one connection, %d cores, best of %s" % (cores, sys.argv[5]))
print("%-52s %8s %12s %8s" % ("", "seconds", "rows/s", "ratio"))
print("%-52s %8.3f %12s %7.2fx" % ("PostgreSQL COPY of the 1,000,000 rows (CSV)", copy_s, "{:,.0f}".format(1e6 / copy_s), 1.0))
if ins_s:
    print("%-52s %8.3f %12s %7.2fx" % ("replay_binlog, 1,000,000 inserts", ins_s, "{:,.0f}".format(1e6 / ins_s), copy_s / ins_s))
if mixed_s:
    print("%-52s %8.3f %12s" % ("replay_binlog, 1,150,000 mixed changes (60/30/10)", mixed_s, "{:,.0f}".format(1.15e6 / mixed_s)))
print("(ratio = COPY time / this time)")
PY
