#!/bin/sh
# Initial copy benchmark (part of make bench): `chameleon init_replica` of a
# 5,001,000-row MariaDB database, beside, in the same run on the same rows:
#   - the ceiling: psql \copy (COPY ... FROM STDIN, text format) of the
#     same rows exported once to local files, over as many parallel
#     connections as init_replica's copy_workers, into the same empty tables
#     (the DDL init_replica produced), then the same primary keys and
#     indexes built over those connections: the same work minus reading
#     MariaDB and converting values;
#   - pgloader (Debian package 'pgloader') with its default load options;
#     only its Lisp heap is raised (--dynamic-space-size 4096, a runtime
#     option): with the packaged default heap it stops on this database
#     with "Heap exhausted, game over".
# Each is run 3 times, interleaved, each from an empty destination; the best
# wall time is kept, the maximum RSS comes from GNU time.  The generated
# database and its export are cached in build/bench/init-src-<hash>/ (the
# hash is that of the generating SQL).
#   INIT_BENCH_RUNS=N  runs of each (default 3)
set -eu
bin=${1:?usage: init.sh CHAMELEON}
. test/integ/lib.sh
runs=${INIT_BENCH_RUNS:-3}
workers=$(nproc)

gen_sql() {
	cat <<'SQL'
SET SESSION sql_log_bin = 0;
CREATE DATABASE ib CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE ib;
CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, customer_id BIGINT UNSIGNED NOT NULL,
  amount DECIMAL(12,2) NOT NULL, qty SMALLINT,
  status ENUM('new', 'paid', 'shipped', 'cancelled', 'returned') NOT NULL,
  note VARCHAR(80), created DATETIME(6) NOT NULL,
  updated TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, score DOUBLE,
  KEY (customer_id)) ENGINE=InnoDB;
CREATE TABLE customers (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL,
  email VARCHAR(120) NOT NULL, bio TEXT, balance DECIMAL(18,4), flags INT UNSIGNED,
  created DATETIME(6), UNIQUE KEY (email)) ENGINE=InnoDB;
CREATE TABLE events (ts TIMESTAMP NULL, kind ENUM('click', 'view', 'buy'),
  payload BLOB, value DOUBLE, ref BIGINT UNSIGNED, KEY (ts)) ENGINE=InnoDB;
CREATE TABLE docs (id INT NOT NULL PRIMARY KEY, title VARCHAR(200) NOT NULL, body TEXT,
  attachment BLOB, rating TINYINT UNSIGNED) ENGINE=InnoDB;
CREATE TABLE tags (id SMALLINT NOT NULL PRIMARY KEY, label VARCHAR(40) NOT NULL,
  weight DOUBLE) ENGINE=InnoDB;
INSERT INTO orders SELECT seq, 18446744073709551615 - (seq % 1000000) * 7919, seq % 100000 / 7,
  seq % 50, ELT(1 + seq % 5, 'new', 'paid', 'shipped', 'cancelled', 'returned'),
  IF(seq % 10 = 0, NULL, CONCAT('commande n°', seq, ' — café ', seq % 97,
    IF(seq % 1000 = 0, ' 🐘', ''))),
  '2020-01-01' + INTERVAL seq * 37 SECOND + INTERVAL seq % 1000000 MICROSECOND,
  FROM_UNIXTIME(1600000000 + seq * 11), SQRT(seq) / 3
  FROM seq_1_to_3500000;
INSERT INTO customers SELECT seq, CONCAT('Zoë Müller-', seq), CONCAT('user', seq, '@example.org'),
  IF(seq % 7 = 0, NULL, CONCAT('Bio of ', seq, '\tsecond field\nnew line \\ backslash ',
    REPEAT('lorem ipsum ', seq % 20))),
  (seq * 7919 % 10000000) / 10000 - 500, seq * 2654435761 % 4294967296,
  '2015-06-01' + INTERVAL seq MINUTE + INTERVAL seq % 999999 MICROSECOND
  FROM seq_1_to_1000000;
INSERT INTO events SELECT FROM_UNIXTIME(1500000000 + seq * 3), ELT(1 + seq % 3, 'click', 'view', 'buy'),
  UNHEX(SHA2(seq, 256)), seq / 1e3 * PI(), 9223372036854775808 + seq * 1000
  FROM seq_1_to_400000;
INSERT INTO docs SELECT seq, CONCAT('Dokument Nr. ', seq, ' – Überblick'),
  REPEAT(CONCAT('Ünïcödé text ', seq, '. '), 40), UNHEX(REPEAT(SHA2(seq, 512), 2)), seq % 256
  FROM seq_1_to_100000;
INSERT INTO tags SELECT seq, CONCAT('tag-', seq), seq / 3 FROM seq_1_to_1000;
ANALYZE TABLE orders, customers, events, docs, tags;
CREATE USER bench@'127.0.0.1' IDENTIFIED BY 'bench';
GRANT ALL PRIVILEGES ON *.* TO bench@'127.0.0.1';
SQL
}

# The export for the ceiling: PostgreSQL COPY text format, which is what
# SELECT ... INTO OUTFILE writes (tab, newline, backslash escaped, NULL as
# \N) once TIMESTAMP gets its zone and binary strings bytea hex.  The two
# large tables are split by key ranges so that the parallel COPY can
# balance; FILE, TABLE and SELECT per line.
export_list() {
	i=0
	while [ $i -lt 8 ]; do
		printf '%s\n' "orders.$i orders SELECT id, customer_id, amount, qty, status, note, created, CONCAT(updated, '+00'), score FROM ib.orders WHERE id > $((i * 437500)) AND id <= $(((i + 1) * 437500))"
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 4 ]; do
		printf '%s\n' "customers.$i customers SELECT * FROM ib.customers WHERE id > $((i * 250000)) AND id <= $(((i + 1) * 250000))"
		i=$((i + 1))
	done
	printf '%s\n' "events events SELECT CONCAT(ts, '+00'), kind, CONCAT('\\\\x', LOWER(HEX(payload))), value, ref FROM ib.events"
	printf '%s\n' "docs docs SELECT id, title, body, CONCAT('\\\\x', LOWER(HEX(attachment))), rating FROM ib.docs"
	printf '%s\n' "tags tags SELECT * FROM ib.tags"
}

hash=$( (gen_sql; export_list) | sha1sum | cut -c1-10)
src=build/bench/init-src-$hash
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
if [ ! -f "$src/ready" ]; then
	echo "generating the init_replica benchmark database (once) ..."
	rm -rf build/bench/init-src-*
	mariadb_start "$PWD/$src" --innodb-buffer-pool-size=1G > /dev/null
	gen_sql | mariadb_sql > /dev/null
	mkdir -p "$src/tsv"
	export_list | while read -r f t q; do
		mariadb_sql -e "SET time_zone = '+00:00'; $q INTO OUTFILE '$PWD/$src/tsv/$f'"
	done
	mariadb_stop
	touch "$src/ready"
fi
if ! command -v pgloader > /dev/null; then
	echo "installing the Debian package pgloader for the comparison ..."
	{ apt-get install -y pgloader || { apt-get update && apt-get install -y pgloader; }; } \
		> "$work/apt.log" 2>&1 || true
fi
has_pgloader=true
command -v pgloader > /dev/null || {
	has_pgloader=false
	echo "pgloader is missing and could not be installed (Debian package 'pgloader'): skipped" >&2
}

# the source in place (the benchmark only reads it), all of it in memory
# the server's binlog index names absolute paths: point them at this
# checkout's copy (the cache may have been made in another directory)
[ -f "$src/data/binlog.index" ] &&
	sed -i "s|^.*/\(binlog\.[0-9]*\)\$|$PWD/$src/data/\1|" "$src/data/binlog.index"
mariadb_start "$PWD/$src" --innodb-buffer-pool-size=2G > /dev/null
pg_start "$work/pg" > /dev/null
pg_sql -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '1h'" \
	-c "SELECT pg_reload_conf()" > /dev/null
cat > "$work/cfg.yml" <<EOC
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
sources:
  ib:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: bench, password: bench, ssl_mode: disabled}
    schema_mappings: {ib: ib}
    copy_workers: $workers
EOC
tables="orders customers events docs tags"
mariadb_sql -e "SELECT 1 FROM ib.orders, ib.customers, ib.docs, ib.events WHERE 0" > /dev/null
# warm the source's buffer pool, as for every run after the first
for t in $tables; do
	mariadb_sql -N -e "CHECKSUM TABLE ib.$t" > /dev/null
done
my_counts=$(for t in $tables; do echo "$t $(mariadb_sql -N -B -e "SELECT count(*) FROM ib.$t")"; done)
total=$(echo "$my_counts" | awk '{ s += $2 } END { print s }')

fresh() {
	pg_sql -c "DROP SCHEMA IF EXISTS ib CASCADE" -c "DROP SCHEMA IF EXISTS _ib_tmp CASCADE" \
		-c "CHECKPOINT" > /dev/null 2>&1
}
pg_counts() {
	for t in $tables; do echo "$t $(pg_sql -At -c "SELECT count(*) FROM ib.$t")"; done
}
pg_sums() {	# an order-independent digest of every row
	for t in $tables; do
		echo "$t $(pg_sql -At -c "SELECT count(*) || ' ' || coalesce(sum(hashtext(x::text)::bigint), 0) FROM ib.$t x")"
	done
}
timed() {	# timed OUT COMMAND...: "SECONDS RSS_KIB" of one run into OUT
	_o=$1
	shift
	_t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$work/rss" "$@" > "$work/last.out" 2> "$work/last.err" || {
		echo "failed: $*" >&2
		tail -5 "$work/last.err" >&2
		return 1
	}
	_t1=$(date +%s.%N)
	echo "$(python3 -c "print('%.3f' % ($_t1 - $_t0))") $(tail -1 "$work/rss")" >> "$_o"
}

# the ceiling, given the DDL init_replica made: tables, then the COPYs
# (largest first) over $workers connections, then the keys and indexes
# over $workers connections
ceiling() {
	pg_sql -f "$work/pre.sql" > /dev/null
	python3 - "$work" "$src/tsv" "$workers" "$PG_HOST" "$PG_PORT" <<'PY'
import os, re, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
work, tsv, workers, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
psql = ["/usr/bin/time", "-f", "%M", "-a", "-o", work + "/ceil.rss",
        "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "postgres"]
env = dict(os.environ, PGTZ="UTC", PGCLIENTENCODING="UTF8")
files = sorted(os.listdir(tsv), key=lambda f: -os.path.getsize(os.path.join(tsv, f)))
post = open(work + "/post.sql").read()
post = "\n".join(l for l in post.splitlines() if not l.startswith(("--", "\\")))
stmts = [s.strip() + ";" for s in re.split(r";\n", post)
         if s.strip().startswith(("ALTER TABLE", "CREATE"))]
def run(args):
    subprocess.run(psql + args, env=env, check=True, stdout=subprocess.DEVNULL)
t0 = time.monotonic()
with ThreadPoolExecutor(workers) as ex:
    list(ex.map(lambda f: run(["-c", "\\copy ib.%s FROM '%s'" % (f.split(".")[0], os.path.join(tsv, f))]), files))
with ThreadPoolExecutor(workers) as ex:
    list(ex.map(lambda s: run(["-c", s]), stmts))
print("%.3f" % (time.monotonic() - t0))
PY
}

echo "init_replica benchmark: $total rows in 5 tables, $runs runs of each (interleaved) ..."
: > "$work/init.m"
: > "$work/ceil.m"
: > "$work/pgl.m"
r=1
while [ $r -le "$runs" ]; do
	fresh
	timed "$work/init.m" "$bin" init_replica --debug --config "$work/cfg.yml" --source ib
	got=$(pg_counts)
	if [ "$got" != "$my_counts" ]; then
		echo "init_replica: row counts differ from MariaDB's:" >&2
		echo "$got" >&2
		exit 1
	fi
	if [ $r = 1 ]; then
		init_sums=$(pg_sums)
		"$PG_BIN/pg_dump" -h "$PG_HOST" -p "$PG_PORT" -U postgres -n ib -s \
			--section=pre-data postgres > "$work/pre.sql"
		"$PG_BIN/pg_dump" -h "$PG_HOST" -p "$PG_PORT" -U postgres -n ib -s \
			--section=post-data postgres > "$work/post.sql"
	fi
	fresh
	: > "$work/ceil.rss"
	s=$(ceiling)
	echo "$s $(sort -n "$work/ceil.rss" | tail -1)" >> "$work/ceil.m"
	if [ $r = 1 ] && [ "$(pg_sums)" != "$init_sums" ]; then
		echo "the COPY ceiling did not load the same rows as init_replica:" >&2
		pg_sums >&2
		echo "$init_sums" >&2
		exit 1
	fi
	if $has_pgloader; then
		fresh
		timed "$work/pgl.m" pgloader --dynamic-space-size 4096 --root-dir "$work/pgl" \
			"mysql://bench:bench@127.0.0.1:$MY_PORT/ib" \
			"postgresql://postgres@unix:$PG_HOST:$PG_PORT/postgres"
		got=$(pg_counts)
		if [ "$got" != "$my_counts" ]; then
			echo "pgloader: row counts differ from MariaDB's:" >&2
			echo "$got" >&2
			tail -30 "$work/last.out" >&2
			exit 1
		fi
	fi
	r=$((r + 1))
done
check="after each run of each, every table's row count in PostgreSQL equals MariaDB's; the COPY load's rows hash equal to init_replica's"
python3 - "$total" "$workers" "$runs" "$work/init.m" "$work/ceil.m" "$work/pgl.m" "$check" <<'PY'
import sys
total, workers, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def best(path):
    rows = [l.split() for l in open(path) if l.strip()]
    if not rows:
        return None
    return min(float(r[0]) for r in rows), max(int(r[1]) for r in rows)
init, ceil, pgl = best(sys.argv[4]), best(sys.argv[5]), best(sys.argv[6])
print()
print("init_replica benchmark: %s rows, 5 tables, MariaDB 10.11 -> PostgreSQL 15 on loopback, "
      "%d cores, best of %d" % ("{:,}".format(total), workers, runs))
print("%-50s %8s %12s %9s %9s %10s" % ("", "seconds", "rows/s", "max RSS", "vs COPY", "vs pgloader"))
for name, m in (("PostgreSQL COPY from local files (%d conns)" % workers, ceil),
                ("chameleon init_replica (copy_workers %d)" % workers, init),
                ("pgloader (defaults, 4 GB Lisp heap)", pgl)):
    if m is None:
        print("%-50s %8s" % (name, "skipped"))
        continue
    s, rss = m
    vp = "%9.2fx" % (pgl[0] / s) if pgl else "%10s" % "-"
    print("%-50s %8.3f %12s %6.1f MB %8.2fx %s" % (name, s, "{:,.0f}".format(total / s), rss / 1024,
                                                  ceil[0] / s, vp))
print("(vs COPY = COPY time / this time: target >= 0.70 for init_replica;"
      " vs pgloader = pgloader time / this time: target >= 2)")
print("(every run includes building the primary keys and indexes; COPY's RSS is psql's)")
print(sys.argv[7])
PY
