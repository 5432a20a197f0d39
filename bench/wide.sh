#!/bin/sh
# Decode benchmark on a 10-column table of common types (part of make
# bench): BIGINT key, INT, VARCHAR(40), VARCHAR(100), DECIMAL(12,2),
# DATETIME(3), DATE, DOUBLE, TINYINT, TEXT; 1,000,000 inserts, 600,000
# full-image updates, 200,000 deletes (about 270 MB of binlog), generated
# once on a throwaway MariaDB and kept in build/bench/wide.binlog.
# chameleon decode_binlog --format json/text/none against mariadb-binlog
# -vv on the same file in the same run.
set -eu
bin=${1:?usage: wide.sh CHAMELEON}
. test/integ/lib.sh
dir=build/bench
mkdir -p "$dir"
binlog=$dir/wide.binlog
if [ ! -f "$binlog" ]; then
	echo "generating the 10-column benchmark binlog (once) ..."
	work=$(mktemp -d)
	trap 'servers_stop; rm -rf "$work"' EXIT INT TERM
	mariadb_start "$work/mariadb" --max-binlog-size=1G > /dev/null
	mariadb_sql <<'SQL'
CREATE DATABASE bench;
USE bench;
CREATE TABLE w (id BIGINT PRIMARY KEY, n INT, code VARCHAR(40), label VARCHAR(100),
  amount DECIMAL(12,2), at DATETIME(3), day DATE, ratio DOUBLE, flag TINYINT, body TEXT);
INSERT INTO w SELECT seq, seq % 100000, CONCAT('C-', seq * 7919 % 1000003),
  CONCAT('label of row ', seq, ' with some words in it'), (seq % 1000000) / 100,
  TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq * 1003000 MICROSECOND,
  '2020-01-01' + INTERVAL seq % 3000 DAY, seq / 7e0, seq % 100,
  REPEAT(CONCAT('text ', seq, ' '), 3) FROM seq_1_to_1000000;
UPDATE w SET n = n + 1, amount = amount + 0.5, ratio = ratio * 2, label = CONCAT(label, '!')
  WHERE id <= 600000;
DELETE FROM w WHERE id > 800000;
SQL
	mariadb_sql -e 'FLUSH BINARY LOGS'
	cp "$work/mariadb/data/binlog.000001" "$binlog"
	servers_stop
	rm -rf "$work"
	trap - EXIT INT TERM
fi
echo
sh bench/decode.sh "$bin" "$binlog" "wide-row decode benchmark: 10 columns of common types"
