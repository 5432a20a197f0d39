#!/bin/sh
# make demo: start a throwaway MariaDB on loopback, write a small sample
# database and workload, decode the binary log with chameleon, show the
# result, clean up.  (Replication into PostgreSQL joins the demo when the
# replica commands land.)
set -eu
bin=${1:?usage: demo.sh CHAMELEON}
. test/integ/lib.sh
work=$(mktemp -d)
trap 'servers_stop; rm -rf "$work"' EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting a throwaway MariaDB on 127.0.0.1 (binlog_format=ROW, binlog_row_metadata=FULL)"
mariadb_start "$work/mariadb"
echo "mariadbd listening on 127.0.0.1:$MY_PORT, data in $work/mariadb"

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

step "counts"
"$bin" decode_binlog --format none "$MY_DIR"/data/binlog.0*
printf 'rows in shop.orders by status (MariaDB): '
mariadb_sql -N -e 'SELECT GROUP_CONCAT(CONCAT(status, "=", n)) FROM (SELECT status, COUNT(*) n FROM shop.orders GROUP BY status) s'

step "done: the server is stopped and its files removed"
