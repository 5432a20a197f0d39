#!/bin/sh
# make demo: start a throwaway MariaDB and PostgreSQL on loopback, write a
# sample database and workload, decode the binary log with chameleon,
# replicate the live workload into PostgreSQL with start_replica, show both
# sides and the position, clean up.  (init_replica, which copies existing
# data, is not written yet: the replica here starts before the data is
# written and creates its tables from the binlog's table maps.)
set -eu
bin=${1:?usage: demo.sh CHAMELEON}
. test/integ/lib.sh
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting a throwaway MariaDB on 127.0.0.1 (binlog_format=ROW, binlog_row_metadata=FULL)"
mariadb_start "$work/mariadb"
echo "mariadbd listening on 127.0.0.1:$MY_PORT, data in $work/mariadb"

step "starting a throwaway PostgreSQL on 127.0.0.1"
pg_start "$work/pg"
echo "postgres listening on 127.0.0.1:$PG_PORT, data in $work/pg"
cat > "$work/demo.yml" <<EOC
log_dest: stdout
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: unused, database: postgres}
sources:
  mysql:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: root, password: ''}
    schema_mappings: {shop: shop}
EOC
step "chameleon check_source"
"$bin" check_source --config "$work/demo.yml" --source mysql 2>/dev/null || true

step "chameleon start_replica (following MariaDB from its current position)"
"$bin" start_replica --config "$work/demo.yml" --source mysql --create-tables \
	> "$work/replica.log" 2>&1 &
rpid=$!
sleep 1
cat "$work/replica.log"

step "creating a sample shop database and running a workload"
mariadb_sql <<'SQL'
SET SESSION sql_mode = '';
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE customers (id INT UNSIGNED PRIMARY KEY, name VARCHAR(80),
  city VARCHAR(40) CHARACTER SET latin1, since DATE);
CREATE TABLE orders (id BIGINT UNSIGNED PRIMARY KEY, customer INT UNSIGNED,
  total DECIMAL(12,2), placed DATETIME(3), status ENUM('new','paid','shipped'),
  notes JSON, FOREIGN KEY (customer) REFERENCES customers(id));
INSERT INTO customers VALUES (1, 'Zoë Müller', 'Zürich', '2019-03-01'),
  (2, 'Kenji 山田', 'Tokyo', '2020-11-30'), (3, 'Ana 😀', 'Lisboa', '0000-00-00');
INSERT INTO orders SELECT seq, 1 + seq % 3, seq * 10.25, '2024-05-01 10:00:00.123' + INTERVAL seq MINUTE,
  'new', JSON_OBJECT('gift', seq % 2 = 0) FROM seq_1_to_1000;
UPDATE orders SET status = 'paid', total = total - 0.01 WHERE id % 10 = 0;
DELETE FROM orders WHERE id > 995;
SQL
mariadb_sql -e 'FLUSH BINARY LOGS'
ls -l "$MY_DIR"/data/binlog.0*

step "chameleon decode_binlog (text, like mysqlbinlog -v): the first customer rows"
"$bin" decode_binlog "$MY_DIR/data/binlog.000001" | grep -A 6 'INSERT INTO `shop`.`customers`' | head -21

step "chameleon decode_binlog --format json: one object per row change"
"$bin" decode_binlog --format json "$MY_DIR/data/binlog.000001" | grep '"table":"customers"'
"$bin" decode_binlog --format json "$MY_DIR/data/binlog.000001" | grep '"op":"update"' | head -2

step "PostgreSQL side by side with MariaDB"
_wait_for 30 sh -c "[ \$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT count(*) FROM shop.orders\" 2>/dev/null || echo 0) = 995 ]" || true
sleep 2
kill -TERM $rpid
wait $rpid || true
tail -1 "$work/replica.log"
printf 'MariaDB    orders: %s rows, total %s\n' \
	"$(mariadb_sql -N -e 'SELECT COUNT(*) FROM shop.orders')" \
	"$(mariadb_sql -N -e 'SELECT SUM(total) FROM shop.orders')"
printf 'PostgreSQL orders: %s rows, total %s\n' \
	"$(pg_sql -At -c 'SELECT COUNT(*) FROM shop.orders')" \
	"$(pg_sql -At -c 'SELECT SUM(total) FROM shop.orders')"
pg_sql -c "SELECT id, name, city, since FROM shop.customers ORDER BY id"
echo "position stored in PostgreSQL (same transaction as the rows):"
pg_sql -c "SELECT source_name, binlog_file, binlog_position, rows_applied, zero_dates FROM sch_chameleon.t_sources"

step "counts"
"$bin" decode_binlog --format none "$MY_DIR"/data/binlog.0*
printf 'rows in shop.orders by status (MariaDB): '
mariadb_sql -N -e 'SELECT GROUP_CONCAT(CONCAT(status, "=", n)) FROM (SELECT status, COUNT(*) n FROM shop.orders GROUP BY status) s'

step "done: the server is stopped and its files removed"
