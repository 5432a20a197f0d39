#!/bin/sh
# make demo: the whole pg_chameleon workflow on throwaway servers.
# Starts MariaDB and PostgreSQL on loopback in a temporary directory, loads
# a sample shop database (several tables, common types, foreign keys, a few
# hundred thousand rows), then runs what a user runs against their own
# servers: create_replica_schema, add_source, init_replica, start_replica,
# a live workload and a schema change on MariaDB, show_status, a side-by-side check, and
# detach_replica; then cleans up.  Every chameleon command is printed
# before it runs.
set -eu
bin=${1:?usage: demo.sh CHAMELEON}
. test/integ/lib.sh
work=$(mktemp -d)
wl_pid=""
trap '[ -n "$wl_pid" ] && kill $wl_pid 2>/dev/null; "$bin" stop_replica --config "$work/demo.yml" --source mysql > /dev/null 2>&1; servers_stop; rm -rf "$work"' EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[36m$ chameleon %s\033[0m\n' "$*" | sed "s|$work|\$DEMO|g"; "$bin" "$@"; }

step "starting a throwaway MariaDB on 127.0.0.1 (binlog_format=ROW, binlog_row_metadata=FULL)"
mariadb_start "$work/mariadb"
echo "mariadbd listening on 127.0.0.1:$MY_PORT"
step "starting a throwaway PostgreSQL on 127.0.0.1"
pg_start "$work/pg"
echo "postgres listening on 127.0.0.1:$PG_PORT"
export MY_SOCK PG_HOST PG_PORT

step "loading a sample shop database into MariaDB"
mariadb_sql <<'SQL'
SET SESSION sql_mode = '';
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE customers (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(80) NOT NULL,
  city VARCHAR(40) CHARACTER SET latin1, email VARCHAR(120), since DATE,
  vip BOOLEAN NOT NULL DEFAULT 0, UNIQUE KEY (email)) COMMENT 'people who buy';
CREATE TABLE products (id INT AUTO_INCREMENT PRIMARY KEY, sku CHAR(12) NOT NULL,
  title VARCHAR(200), price DECIMAL(10,2) NOT NULL, weight FLOAT, photo BLOB,
  kind ENUM('book','music','toy') NOT NULL DEFAULT 'book', tags SET('new','sale','gift'),
  attrs JSON, UNIQUE KEY (sku));
CREATE TABLE orders (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, customer INT UNSIGNED NOT NULL,
  placed DATETIME(3) NOT NULL, paid_at TIMESTAMP(6) NULL, total DECIMAL(14,2),
  status ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new', KEY (placed),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer) REFERENCES customers (id) ON DELETE CASCADE);
CREATE TABLE order_items (order_id BIGINT UNSIGNED NOT NULL, line SMALLINT UNSIGNED NOT NULL,
  product INT NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, PRIMARY KEY (order_id, line),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_items_product FOREIGN KEY (product) REFERENCES products (id));
CREATE TABLE audit_log (at DATETIME(6), who VARCHAR(40), what TEXT) ENGINE=MyISAM;
INSERT INTO customers (name, city, email, since, vip)
  SELECT CONCAT(ELT(1 + seq % 5, 'Zoë', 'Kenji 山田', 'Ana 😀', 'Łukasz', 'Chloé'), ' #', seq),
         ELT(1 + seq % 4, 'Zürich', 'Tokyo', 'Lisboa', 'Kraków'), CONCAT('c', seq, '@example.org'),
         IF(seq % 97 = 0, '0000-00-00', '2015-01-01' + INTERVAL seq % 3000 DAY), seq % 10 = 0
  FROM seq_1_to_20000;
INSERT INTO products (sku, title, price, weight, photo, kind, tags, attrs)
  SELECT CONCAT('SKU-', LPAD(seq, 8, '0')), CONCAT('Product "', seq, '" ', REPEAT('*', seq % 5)),
         seq % 500 + 0.99, seq / 7, UNHEX(SHA2(seq, 256)), ELT(1 + seq % 3, 'book', 'music', 'toy'),
         IF(seq % 4 = 0, 'new,gift', 'sale'), JSON_OBJECT('color', ELT(1 + seq % 3, 'red', 'green', 'blue'), 'n', seq)
  FROM seq_1_to_2000;
INSERT INTO orders (customer, placed, paid_at, total, status)
  SELECT 1 + seq % 20000, '2024-01-01 08:00:00.000' + INTERVAL seq * 37 SECOND,
         IF(seq % 3 = 0, NULL, '2024-01-01 09:00:00.123456' + INTERVAL seq * 37 SECOND),
         seq % 1000 + 0.5, ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled')
  FROM seq_1_to_150000;
INSERT INTO order_items SELECT o.id, l.seq, 1 + (o.id * 7 + l.seq) % 2000, 1 + l.seq, 9.99
  FROM orders o JOIN seq_1_to_2 l;
INSERT INTO audit_log VALUES (NOW(6), 'loader', 'initial load');
SQL
mariadb_sql -N -e "SELECT CONCAT(TABLE_NAME, ': ', TABLE_ROWS, ' rows (', ENGINE, ')') FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop'"

step "the configuration (pg_chameleon's YAML; see docs/configuration.md)"
cat > "$work/demo.yml" <<EOC
pid_dir: $work/pid
log_dir: $work/log
log_level: info
pg_conn:
  host: $PG_HOST
  port: $PG_PORT
  user: postgres
  password: unused
  database: postgres
sources:
  mysql:
    db_conn:
      host: 127.0.0.1
      port: $MY_PORT
      user: root
      password: ''
    schema_mappings:
      shop: shop
    replay_max_rows: 10000
EOC
sed "s|$work|\$DEMO|g" "$work/demo.yml"

step "1. check the source"
run check_source --config "$work/demo.yml" --source mysql 2>/dev/null || true

step "2. the catalog in PostgreSQL, and the source"
run create_replica_schema --config "$work/demo.yml"
run add_source --config "$work/demo.yml" --source mysql

step "3. init_replica: consistent snapshot, parallel COPY, indexes, swap"
run init_replica --debug --config "$work/demo.yml" --source mysql 2>&1 | grep -v -e " INFO  mysql:" -e " DEBUG "

step "4. start_replica (in the background, pid file and log in \$DEMO)"
run start_replica --config "$work/demo.yml" --source mysql

step "5. a live workload on MariaDB for 10 seconds (orders, payments, cancellations)"
workload() {
	i=0
	end=$(( $(date +%s) + 10 ))
	while [ "$(date +%s)" -lt $end ]; do
		mariadb_sql -D shop -e "
			INSERT INTO orders (customer, placed, total) VALUES (1 + $i * 13 % 20000, NOW(3), $i + 0.25);
			INSERT INTO order_items VALUES (LAST_INSERT_ID(), 1, 1 + $i % 2000, 2, 4.50);
			UPDATE orders SET status = 'paid', paid_at = NOW(6) WHERE id = 1 + $i * 11 % 150000;
			DELETE FROM orders WHERE id = 2 + $i * 17 % 150000 AND status = 'cancelled';
			UPDATE customers SET vip = 1, city = 'Montréal' WHERE id = 1 + $i % 20000;
			INSERT INTO audit_log VALUES (NOW(6), 'app', CONCAT('tick ', $i));" || return
		i=$((i + 1))
	done
	echo "workload: $i rounds of 6 statements"
}
workload &
wl_pid=$!
sleep 4
run show_status --config "$work/demo.yml" --source mysql
echo "a schema change on MariaDB while the workload runs (replicated as DDL):"
sql="ALTER TABLE orders ADD COLUMN note VARCHAR(100) NOT NULL DEFAULT 'n/a' AFTER status, ADD INDEX by_status (status, placed)"
echo "  $sql"
mariadb_sql -D shop -e "$sql"
wait $wl_pid
wl_pid=""

step "6. catching up, then show_status"
target=$(mariadb_sql -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
_wait_for 60 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources\")\" = '$target' ]" ||
	echo "(not caught up within 60 s)"
run show_status --config "$work/demo.yml" --source mysql

step "7. PostgreSQL side by side with MariaDB"
for t in customers products orders order_items audit_log; do
	printf '%-12s MariaDB %7s rows   PostgreSQL %7s rows\n' "$t" \
		"$(mariadb_sql -N -e "SELECT COUNT(*) FROM shop.$t")" \
		"$(pg_sql -At -c "SELECT COUNT(*) FROM shop.$t")"
done
printf 'sum(orders.total): MariaDB %s   PostgreSQL %s\n' \
	"$(mariadb_sql -N -e 'SELECT SUM(total) FROM shop.orders')" \
	"$(pg_sql -At -c 'SELECT SUM(total) FROM shop.orders')"
echo "value by value, every column of every table (test/integ/compare.py):"
python3 test/integ/compare.py shop shop
pg_sql -c "SELECT id, name, city, since, vip FROM shop.customers WHERE id IN (1, 2, 3, 97) ORDER BY id"
echo "the column and the index the ALTER TABLE added, in PostgreSQL:"
pg_sql -c "SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders' AND column_name = 'note'"
pg_sql -At -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'shop' AND tablename = 'orders' AND indexdef LIKE '%(status, placed)%'"

step "8. detach_replica: stop the replica, sequences and foreign keys, PostgreSQL on its own"
run detach_replica --config "$work/demo.yml" --source mysql --yes 2>&1 | grep -v " INFO  mysql:"
pg_sql -At -c "SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'shop'::regnamespace ORDER BY 1"
printf 'a new order in PostgreSQL gets id %s\n' \
	"$(pg_sql -At -c "INSERT INTO shop.orders (customer, placed) VALUES (1, now()) RETURNING id")"

step "done: the servers are stopped and their files removed"
