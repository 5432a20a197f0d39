#!/bin/sh
# Memory benchmark (part of make bench): the maximum RSS of replay_binlog
# applying ONE source transaction of 10,000,000 inserted rows, beside the
# same for a transaction of 1,000,000 rows, measured in the same run.  The
# apply path keeps a bounded pipeline whatever the size of the source
# transaction (the PostgreSQL transaction stays open until the source's
# XID), so both figures should be about the same.
# The two binlogs (narrow rows: INT primary key, BIGINT, VARCHAR(16)) are
# generated once on a throwaway MariaDB and kept in build/bench/ (about
# 370 MB for the 10M-row one; the generation needs about 3 GB of disk for
# the server's data and binlog cache while it runs).
set -eu
bin=${1:?usage: memory.sh CHAMELEON}
. test/integ/lib.sh
dir=build/bench
big=$dir/txn10m.binlog
small=$dir/txn1m.binlog
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
if [ ! -f "$big" ] || [ ! -f "$small" ]; then
	echo "generating the one-transaction binlogs (once; a few minutes) ..."
	mkdir -p "$dir"
	mariadb_start "$work/gen" --max-binlog-size=1G --innodb-buffer-pool-size=512M \
		--innodb-log-file-size=512M > /dev/null
	# each transaction alone in its own binlog file: binlog.000002 holds
	# the 1M-row one, binlog.000003 the 10M-row one
	mariadb_sql -D mysql <<'SQL'
CREATE DATABASE mem;
CREATE TABLE mem.t1m (id INT PRIMARY KEY, a BIGINT, s VARCHAR(16));
CREATE TABLE mem.t10m (id INT PRIMARY KEY, a BIGINT, s VARCHAR(16));
FLUSH BINARY LOGS;
BEGIN;
INSERT INTO mem.t1m SELECT seq, seq * 7, CONCAT('r', seq) FROM seq_1_to_1000000;
COMMIT;
FLUSH BINARY LOGS;
BEGIN;
INSERT INTO mem.t10m SELECT seq, seq * 7, CONCAT('r', seq) FROM seq_1_to_10000000;
COMMIT;
FLUSH BINARY LOGS;
SQL
	cp "$work/gen/data/binlog.000002" "$small"
	cp "$work/gen/data/binlog.000003" "$big"
	servers_stop
	rm -rf "$work/gen"
fi
pg_start "$work/pg" > /dev/null
cat > "$work/cfg.yml" <<EOC
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
sources:
  m:
    db_conn: {host: 127.0.0.1, user: root, password: ''}
    schema_mappings: {mem: mem}
EOC
fresh() {
	pg_sql -c "DROP SCHEMA IF EXISTS mem CASCADE; DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
		> /dev/null 2>&1
	pg_sql -c "CHECKPOINT" > /dev/null
}
run() {	# run ROWS TABLE FILE: one timed apply, then check the row count;
	# sets secs and rss
	fresh
	set -- "$1" "$2" "$3" $(python3 bench/measure.py 1 "$bin" replay_binlog \
		--config "$work/cfg.yml" --source m --create-tables "$3")
	[ $# = 5 ] || { echo "memory benchmark: replay_binlog of $3 failed" >&2; exit 1; }
	got=$(pg_sql -At -c "SELECT count(*) FROM mem.$2")
	[ "$got" = "$1" ] || { echo "memory benchmark: mem.$2 has $got rows, expected $1" >&2; exit 1; }
	secs=$4 rss=$5
}
run 1000000 t1m "$small"
s1=$secs r1=$rss
run 10000000 t10m "$big"
s10=$secs r10=$rss
python3 - "$s1" "$r1" "$s10" "$r10" "$(nproc)" "$(wc -c < "$small")" "$(wc -c < "$big")" <<'PY'
import sys
s1, r1, s10, r10 = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
cores, z1, z10 = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
print()
print("memory benchmark: replay_binlog of ONE source transaction into PostgreSQL 15, %d cores" % cores)
print("%-44s %9s %8s %12s %10s" % ("", "binlog", "seconds", "rows/s", "max RSS"))
print("%-44s %6.0f MB %8.3f %12s %7.1f MB" % ("1 transaction of 1,000,000 inserts", z1 / 1e6, s1, "{:,.0f}".format(1e6 / s1), r1 / 1024))
print("%-44s %6.0f MB %8.3f %12s %7.1f MB" % ("1 transaction of 10,000,000 inserts", z10 / 1e6, s10, "{:,.0f}".format(1e7 / s10), r10 / 1024))
print("(max RSS from GNU time; 10M / 1M max RSS ratio %.2f: flat means about 1)" % (r10 / r1))
PY
