#!/bin/sh
# make bench: decoder throughput against mariadb-binlog, measured in the
# same run on the same file; then the apply (bench/apply.sh, bench/apply_wide.sh), memory for
# one huge source transaction (bench/memory.sh) and replication lag under
# sysbench (bench/lag.sh) benchmarks.  The binlog (>= 1,000,000 row events: inserts,
# updates, deletes over INT, BIGINT, VARCHAR, DECIMAL, DATETIME columns) is
# generated once on a throwaway MariaDB and kept in build/bench/.
set -eu
bin=${1:?usage: run.sh CHAMELEON}
# the whole run's output is kept in build/bench/last-run.txt, and issue
# 15's figures are gathered from it into one closing table (summary.py)
if [ -z "${BENCH_INNER:-}" ]; then
	mkdir -p build/bench
	out=build/bench/last-run.txt
	{ BENCH_INNER=1 sh "$0" "$@" && rc=0 || rc=$?; echo "$rc" > "$out.rc"; } | tee "$out"
	python3 bench/summary.py < "$out"
	exit "$(cat "$out.rc")"
fi
. test/integ/lib.sh
dir=build/bench
mkdir -p "$dir"
binlog=$dir/decode.binlog
if [ ! -f "$binlog" ]; then
	echo "generating the benchmark binlog (once) ..."
	work=$(mktemp -d)
	trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
	mariadb_start "$work/mariadb" --max-binlog-size=1G
	mariadb_sql <<'SQL'
CREATE DATABASE bench;
USE bench;
CREATE TABLE t (id INT PRIMARY KEY, a BIGINT, name VARCHAR(64), amount DECIMAL(12,2),
  created DATETIME, qty INT, note VARCHAR(32));
INSERT INTO t SELECT seq, seq * 1000003, CONCAT('customer-', seq), seq / 7,
  '2024-01-01 00:00:00' + INTERVAL seq SECOND, seq % 1000, 'n' FROM seq_1_to_700000;
UPDATE t SET amount = amount + 1.25, qty = qty + 1 WHERE id % 2 = 0;
DELETE FROM t WHERE id % 7 = 0;
SQL
	mariadb_sql -e 'FLUSH BINARY LOGS'
	cp "$work/mariadb/data/binlog.000001" "$binlog"
	servers_stop
	rm -rf "$work"
	trap - EXIT INT TERM
fi
rows=$("$bin" decode_binlog --format none "$binlog" | sed -n 's/.*row changes: \([0-9]*\).*/\1/p')
size=$(wc -c < "$binlog")
runs=3
sh bench/decode.sh "$bin" "$binlog" "decode benchmark (MariaDB, 7 columns)"
sh bench/wide.sh "$bin"

# ---- live stream: the same binlog served by a real MariaDB ----------------
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
# (in a directory of their own: mariadb_start makes the data directory anew)
mkdir -p "$work/binlogs"
cp "$binlog" "$work/binlogs/bench.000001"
echo "$work/binlogs/bench.000001" > "$work/binlogs/bench.index"
mariadb_start "$work/my" --log-bin="$work/binlogs/bench" > /dev/null
mariadb_sql -e "CREATE USER bench@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO bench@'127.0.0.1'"
cat > "$work/bench.yml" <<EOC
pg_conn: {host: localhost, user: x, password: x, database: x}
sources:
  src:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: bench, password: bench, ssl_mode: disabled}
    schema_mappings: {bench: bench}
    my_server_id: 777
EOC
set -- $(python3 bench/measure.py $runs mariadb-binlog --no-defaults --read-from-remote-server \
	--host=127.0.0.1 --port="$MY_PORT" --user=bench --password=bench \
	--base64-output=decode-rows -vv bench.000001)
rm_s=$1 rm_rss=$2
set -- $(python3 bench/measure.py $runs "$bin" decode_binlog --config "$work/bench.yml" --source src \
	--start-file bench.000001 --stop-at-end --format none)
ln_s=$1 ln_rss=$2
set -- $(python3 bench/measure.py $runs "$bin" decode_binlog --config "$work/bench.yml" --source src \
	--start-file bench.000001 --stop-at-end --format json)
lj_s=$1 lj_rss=$2
sh bench/apply.sh "$bin" && true
sh bench/apply_wide.sh "$bin" && true
python3 - "$rows" "$size" "$rm_s" "$rm_rss" "$ln_s" "$ln_rss" "$lj_s" "$lj_rss" <<'PY'
import sys
rows, size = int(sys.argv[1]), int(sys.argv[2])
m = list(map(float, sys.argv[3:]))
print()
print("live stream benchmark: the same %d row events served by MariaDB over TCP (loopback), best of 3" % rows)
print("%-46s %8s %12s %8s %9s %8s" % ("", "seconds", "rows/s", "MB/s", "max RSS", "ratio"))
for name, (s, rss) in (("mariadb-binlog --read-from-remote-server -vv", m[0:2]),
                       ("chameleon decode_binlog --source (decode only)", m[2:4]),
                       ("chameleon decode_binlog --source --format json", m[4:6])):
    print("%-46s %8.3f %12s %8.1f %7.1f MB %7.1fx" % (name, s, "{:,.0f}".format(rows / s), size / 1e6 / s, rss / 1024, m[0] / s))
PY
sh bench/memory.sh "$bin"
sh bench/lag.sh "$bin"

# ---- initial copy: init_replica against COPY and pgloader (bench/init.sh) --
sh bench/init.sh "$bin"
