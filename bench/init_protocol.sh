#!/bin/sh
# init_replica's row reads, text protocol against binary protocol, on the
# database bench/init.sh generates (run it once first: it is cached in
# build/bench/init-src-*/).  The two runs alternate, each from an empty
# destination; per run: the wall time, chameleon's CPU time (user + sys,
# GNU time) and the MariaDB server's (utime + stime of mariadbd from
# /proc, before and after), the figure the binary protocol lowers.
#   sh bench/init_protocol.sh CHAMELEON [RUNS]   (default 3 runs of each)
#   INIT_PERF=1: one more run of each with perf recording mariadbd, and
#   its top functions (self time) for each protocol
set -eu
bin=${1:?usage: init_protocol.sh CHAMELEON [RUNS]}
runs=${2:-3}
. test/integ/lib.sh
src=$(ls -d build/bench/init-src-*/ 2>/dev/null | head -1)
[ -n "$src" ] && [ -f "$src/ready" ] || { echo "run bench/init.sh first (it generates the database)" >&2; exit 1; }
src=${src%/}
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
mariadb_start "$PWD/$src" --innodb-buffer-pool-size=2G > /dev/null
pg_start "$work/pg" > /dev/null
pg_sql -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '1h'" \
	-c "SELECT pg_reload_conf()" > /dev/null
tables="orders customers events docs tags"
for t in $tables; do
	mariadb_sql -N -e "CHECKSUM TABLE ib.$t" > /dev/null
done
for p in text binary; do
	cat > "$work/$p.yml" <<EOC
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
sources:
  ib:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: bench, password: bench, ssl_mode: disabled}
    schema_mappings: {ib: ib}
    copy_workers: $(nproc)
    copy_protocol: $p
EOC
done
tick=$(getconf CLK_TCK)
my_cpu() {	# mariadbd's CPU seconds so far
	awk -v t="$tick" '{ printf "%.2f\n", ($14 + $15) / t }' "/proc/$MY_PID/stat"
}
sums() {
	for t in $tables; do
		echo "$t $(pg_sql -At -c "SELECT count(*) || ' ' || coalesce(sum(hashtext(x::text)::bigint), 0) FROM ib.$t x")"
	done
}
: > "$work/m"
r=1
while [ $r -le "$runs" ]; do
	for p in text binary; do
		pg_sql -c "DROP SCHEMA IF EXISTS ib CASCADE" -c "DROP SCHEMA IF EXISTS _ib_tmp CASCADE" \
			-c "CHECKPOINT" > /dev/null 2>&1
		c0=$(my_cpu)
		t0=$(date +%s.%N)
		/usr/bin/time -f '%U %S %M' -o "$work/time" "$bin" init_replica --debug \
			--config "$work/$p.yml" --source ib > /dev/null 2> "$work/err" ||
			{ echo "init_replica ($p) failed:" >&2; tail -5 "$work/err" >&2; exit 1; }
		t1=$(date +%s.%N)
		c1=$(my_cpu)
		set -- $(tail -1 "$work/time")
		echo "$p $(echo "$t1 - $t0" | bc) $(echo "$1 + $2" | bc) $(echo "$c1 - $c0" | bc) $3" >> "$work/m"
		if [ $r = 1 ]; then
			sums > "$work/sums.$p"
		fi
	done
	r=$((r + 1))
done
if [ "${INIT_PERF:-0}" = 1 ]; then
	for p in text binary; do
		pg_sql -c "DROP SCHEMA IF EXISTS ib CASCADE" -c "DROP SCHEMA IF EXISTS _ib_tmp CASCADE" \
			-c "CHECKPOINT" > /dev/null 2>&1
		perf record -q -g -p "$MY_PID" -o "$work/perf.$p" > /dev/null 2>&1 &
		perf_pid=$!
		sleep 1
		perf record -q -o "$work/perf.cham.$p" "$bin" init_replica --debug \
			--config "$work/$p.yml" --source ib > /dev/null 2>&1
		kill -INT $perf_pid
		wait $perf_pid || true
		echo "mariadbd, $p protocol: top functions (self)"
		perf report -i "$work/perf.$p" --no-children -g none --sort symbol --stdio 2> /dev/null |
			grep -E '^ +[0-9]' | head -15
		echo "chameleon, $p protocol: top functions (self)"
		perf report -i "$work/perf.cham.$p" --no-children -g none --sort symbol --stdio 2> /dev/null |
			grep -E '^ +[0-9]' | head -15
	done
fi
if cmp -s "$work/sums.text" "$work/sums.binary"; then
	same="every table's rows hash equal through both protocols"
else
	same="ROWS DIFFER between the protocols"
fi
python3 - "$work/m" "$runs" "$same" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("init_replica, text against binary protocol: %s runs of each, alternated" % sys.argv[2])
print("%-8s %10s %10s %12s %12s %10s" % ("protocol", "wall s", "(best)", "chameleon s", "mariadbd s", "max RSS"))
for p in ("text", "binary"):
    r = [x for x in rows if x[0] == p]
    for x in r:
        print("%-8s %10s %10s %12s %12s %7.1f MB" % (p, x[1], "", x[2], x[3], int(x[4]) / 1024))
    print("%-8s %10s %10.3f %12.2f %12.2f   (best of each)" % (p, "", min(float(x[1]) for x in r),
          min(float(x[2]) for x in r), min(float(x[3]) for x in r)))
print(sys.argv[3])
PY
[ "$same" = "every table's rows hash equal through both protocols" ]
