#!/bin/sh
# Integration: replication's COPY of inserted rows in binary format
# (copy_format: binary, the default) and in text (copy_format: text) from
# the same MariaDB binlog into two schemas: every row of every table (a
# table per type family with edge values and NULLs, zero dates, unsigned
# BIGINT, NUL bytes in text, latin1 text, blobs, the 10-column bench
# table, types without a binary form, and a run that falls back to text
# midway) is the same in both, compared through PostgreSQL's text of each
# row.  PostgreSQL's statement log shows which COPY format each table got.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin
servers_up
pg_sql -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" > /dev/null
mariadb_sql -D mysql > /dev/null <<'SQL'
SET sql_mode = '';
SET time_zone = '+00:00';
CREATE DATABASE stage CHARACTER SET utf8mb4;
CREATE DATABASE cb CHARACTER SET utf8mb4;
USE stage;
CREATE TABLE nums (id INT, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
  mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,
  y YEAR, f FLOAT, d DOUBLE, dec65 DECIMAL(65,30), dec0 DECIMAL(65,0), dec2 DECIMAL(12,2),
  dec5 DECIMAL(10,5), bo TINYINT(1));
INSERT INTO nums VALUES
  (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
   -9223372036854775808, 18446744073709551615, 2155, 3.40282e38, 1.7976931348623157e308,
   99999999999999999999999999999999999.999999999999999999999999999999,
   -99999999999999999999999999999999999999999999999999999999999999999, -1234567890.12,
   0.00001, 1),
  (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0, -0.0, -0.0,
   0, 0, 0.00, -0.00001, 0),
  (3, 0, 1, -1, 1, -1, 1, -1, 1, -1, 1, 1901, 1.17549435e-38, 5e-324,
   -0.000000000000000000000000000001, 10000, 100.10, 12345.6789, 0),
  (4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10000, 2024, 0.1, 0.1, 1.5, 1, 0.01, -1.5, 1),
  (5, -1, 3, 10000, 9999, 0, 16777214, 100000000, 4000000000, 1000000000000000000,
   9223372036854775808, 1999, 16777217, 2.2250738585072014e-308, -12345678901234567890.5, 100000000,
   99999999.99, 99999.99999, NULL),
  (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL);
CREATE TABLE times (id INT, da DATE, dt0 DATETIME, dt1 DATETIME(1), dt3 DATETIME(3),
  dt6 DATETIME(6), ts0 TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL);
INSERT INTO times VALUES
  (1, '0000-00-00', '0000-00-00 00:00:00', '2020-00-15 00:00:00.1', '2020-01-00 10:00:00.01',
   '0000-00-00 00:00:00', '0000-00-00 00:00:00', '1970-01-01 00:00:01.000001'),
  (2, '0001-01-01', '0001-01-01 00:00:00', '1000-01-01 00:00:00.1', '1999-12-31 23:59:59.999',
   '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '2038-01-19 03:14:07.999999'),
  (3, '9999-12-31', '2000-01-01 00:00:00', '2000-01-01 00:00:00.0', '2000-01-01 00:00:00.001',
   '2000-01-01 00:00:00.000001', '2000-01-01 00:00:00', '2000-01-01 00:00:00.5'),
  (4, '2024-02-29', '1969-12-31 23:59:59', '1900-02-28 12:34:56.7', '1582-10-10 01:02:03.456',
   '1752-09-10 00:00:00.123456', '2024-02-29 12:00:00', '2024-02-29 23:59:59.100000'),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE texts (id INT, v VARCHAR(20), l VARCHAR(20) CHARACTER SET latin1, c CHAR(5),
  t TEXT, bl BLOB, vb VARBINARY(10), bn BINARY(4));
INSERT INTO texts VALUES
  (1, 'tab\there\nnl', 'café ÿ', 'ab', CONCAT('a', CHAR(0), 'b\\c'), UNHEX('00FF5C0A09'),
   UNHEX('0D0A'), 'x'),
  (2, '', '', '', '', '', '', ''),
  (3, 'emoji 😀', '\\N', ' sp ', '\\.', UNHEX('5C2E'), UNHEX('FFFFFFFF'), UNHEX('00000000')),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE other (id INT, tm TIME(3), j JSON, e ENUM('a', 'b'), s SET('x', 'y'), bt BIT(8),
  v VARCHAR(10));
INSERT INTO other VALUES (1, '-838:59:59.999', '{"k": [1, "é"]}', 'b', 'x,y', b'10100101', 'v'),
  (2, NULL, NULL, NULL, NULL, NULL, NULL);
SQL
# the replicated tables: each staged row many times (key r, id), so that
# the rows of an event start a COPY (64 rows or more)
mariadb_sql -D cb > /dev/null <<'SQL'
SET sql_mode = '';
SET time_zone = '+00:00';
CREATE TABLE nums (r INT, id INT, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT,
  su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT,
  bu BIGINT UNSIGNED, y YEAR, f FLOAT, d DOUBLE, dec65 DECIMAL(65,30), dec0 DECIMAL(65,0),
  dec2 DECIMAL(12,2), dec5 DECIMAL(10,5), bo TINYINT(1), PRIMARY KEY (r, id));
INSERT INTO nums SELECT s.seq, e.* FROM stage.nums e, seq_1_to_100 s;
CREATE TABLE times (r INT, id INT, da DATE, dt0 DATETIME, dt1 DATETIME(1), dt3 DATETIME(3),
  dt6 DATETIME(6), ts0 TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL, PRIMARY KEY (r, id));
INSERT INTO times SELECT s.seq, e.* FROM stage.times e, seq_1_to_100 s;
CREATE TABLE texts (r INT, id INT, v VARCHAR(20), l VARCHAR(20) CHARACTER SET latin1,
  c CHAR(5), t TEXT, bl BLOB, vb VARBINARY(10), bn BINARY(4), PRIMARY KEY (r, id));
INSERT INTO texts SELECT s.seq, e.* FROM stage.texts e, seq_1_to_100 s;
CREATE TABLE other (r INT, id INT, tm TIME(3), j JSON, e ENUM('a', 'b'), s SET('x', 'y'),
  bt BIT(8), v VARCHAR(10), PRIMARY KEY (r, id));
INSERT INTO other SELECT s.seq, e.* FROM stage.other e, seq_1_to_100 s;
-- the 10-column table of the apply benchmark
CREATE TABLE wide (id BIGINT PRIMARY KEY, n INT, a VARCHAR(40), b VARCHAR(100),
  amount DECIMAL(12,2), at DATETIME(3), day DATE, score DOUBLE, k SMALLINT, note TEXT);
INSERT INTO wide SELECT seq, CAST(seq AS SIGNED) * 7919 % 1000003 - 500000, CONCAT('name ', seq),
  REPEAT(CHAR(65 + seq % 26), seq % 100), (CAST(seq AS SIGNED) * 104729 % 100000000) / 100 - 500000,
  '2024-01-01 00:00:00' + INTERVAL seq * 37 SECOND + INTERVAL seq % 1000 * 1000 MICROSECOND,
  '1990-01-01' + INTERVAL seq % 20000 DAY, (RAND(seq) - 0.5) * POW(10, CAST(seq AS SIGNED) % 40 - 20),
  CAST(seq AS SIGNED) % 65536 - 32768, IF(seq % 5, CONCAT('note\t', seq, '\n'), NULL)
  FROM seq_1_to_20000;
-- PostgreSQL's dt is timestamptz (made so below): a DATETIME's text has
-- no offset, so only its zero dates (-infinity) have a binary form and
-- the run goes on as text from row 100
CREATE TABLE fb (id INT PRIMARY KEY, dt DATETIME(6), v VARCHAR(10));
INSERT INTO fb SELECT seq, IF(seq < 100, '0000-00-00', '2020-01-01 10:00:00' + INTERVAL seq SECOND),
  CONCAT('v', seq) FROM seq_1_to_300;
SQL
mariadb_sql -e "FLUSH BINARY LOGS"
files=$(ls "$MY_DIR"/data/binlog.0*)
for p in binary text; do
	pg_on_create "cb_$p.fb" "ALTER TABLE cb_$p.fb ALTER dt TYPE timestamptz" 2> /dev/null
	config_write "$work/$p.yml" "src_$p" "cb:cb_$p" "pid_dir: $work/pid" "log_dir: $work/log" \
		"  copy_format: $p"
	if "$bin" replay_binlog --config "$work/$p.yml" --source "src_$p" --create-tables $files \
		> "$work/$p.out" 2> "$work/$p.err"; then
		ok "replay_binlog with copy_format: $p: $(cut -c1-60 "$work/$p.out")"
	else
		notok "replay_binlog with copy_format: $p"; tail -5 "$work/$p.err" | sed 's/^/# /'
	fi
done
pg_on_create_off
ty=$(pg_sql -At -c "SELECT string_agg(format_type(atttypid, atttypmod), ',') FROM pg_attribute
	WHERE attname = 'dt' AND attrelid IN ('cb_binary.fb'::regclass, 'cb_text.fb'::regclass)")
[ "$ty" = "timestamp with time zone,timestamp with time zone" ] &&
	ok "fb.dt is timestamptz in PostgreSQL" || notok "fb.dt: $ty"
# which COPY each table got (PostgreSQL's statement log)
log=$work/pg/server.log
copies() {	# copies SCHEMA TABLE: its COPY statements, "binary" or "text" each
	grep -o "COPY \"$1\"\.\"$2\" ([^)]*) FROM STDIN[ (FORMAT binary)]*" "$log" |
		sed 's/.*STDIN (FORMAT binary).*/binary/; s/.*STDIN$/text/' | sort | uniq -c | tr -s ' ' | tr '\n' ';'
}
bad=""
for t in nums times texts wide; do
	c=$(copies cb_binary $t)
	case $c in " "[0-9]*" binary;") ;; *) bad="$bad $t:$c" ;; esac
	c=$(copies cb_text $t)
	case $c in " "[0-9]*" text;") ;; *) bad="$bad $t(text):$c" ;; esac
done
[ -z "$bad" ] && ok "nums, times, texts, wide: binary COPY with copy_format: binary, text COPY with text" ||
	notok "COPY formats:$bad"
c=$(copies cb_binary other)
case $c in " "[0-9]*" text;") ok "a table with types without a binary form: text COPY ($c)" ;;
	*) notok "other: $c" ;; esac
c=$(copies cb_binary fb)
case $c in " 1 binary; 1 text;") ok "a value without a binary form: the rest of the run as text ($c)" ;;
	*) notok "fb: $c" ;; esac
# every row, as PostgreSQL's text of it, the same in both schemas
n=0
bad=""
for t in nums times texts other wide fb; do
	q="SELECT x::text FROM %s.\"$t\" x ORDER BY 1"
	pg_sql -At -c "$(printf "$q" cb_binary)" > "$work/$t.bin"
	pg_sql -At -c "$(printf "$q" cb_text)" > "$work/$t.txt"
	rows=$(wc -l < "$work/$t.txt")
	if [ "$rows" -ge 100 ] && cmp -s "$work/$t.bin" "$work/$t.txt"; then
		n=$((n + rows))
	else
		bad="$bad $t"
		diff "$work/$t.bin" "$work/$t.txt" | head -4 | sed 's/^/# /'
	fi
done
[ -z "$bad" ] && ok "every row of 6 tables ($n rows) is the same through binary and text COPY" ||
	notok "rows differ between binary and text COPY in:$bad"
# zero dates counted once per value either way
zb=$(grep -o '[0-9]* zero dates' "$work/binary.out" "$work/binary.err" | head -1)
zt=$(grep -o '[0-9]* zero dates' "$work/text.out" "$work/text.err" | head -1)
[ "${zb#*:}" = "${zt#*:}" ] && ok "zero dates replaced: the same count (${zb#*:})" ||
	notok "zero dates: binary '$zb', text '$zt'"
# and the values are the source's: spot checks through the binary COPY
got=$(pg_sql -At -c "SELECT bu, dec65, dec0, dec5, f, d FROM cb_binary.nums WHERE r = 7 AND id = 1")
want='18446744073709551615|99999999999999999999999999999999999.999999999999999999999999999999|-99999999999999999999999999999999999999999999999999999999999999999|0.00001|3.40282e+38|1.7976931348623157e+308'
[ "$got" = "$want" ] && ok "edge numbers through binary COPY" || { notok "edge numbers: got '$got'"; echo "# want '$want'"; }
got=$(pg_sql -At -c "SELECT da, dt0, dt6, ts0, ts6 FROM cb_binary.times WHERE r = 3 AND id IN (1, 2) ORDER BY id" | tr '\n' ';')
want='-infinity|-infinity|-infinity|-infinity|1970-01-01 00:00:01.000001+00;0001-01-01|0001-01-01 00:00:00|9999-12-31 23:59:59.999999|1970-01-01 00:00:01+00|2038-01-19 03:14:07.999999+00;'
[ "$got" = "$want" ] && ok "edge dates and times through binary COPY" || { notok "edge times: got '$got'"; echo "# want '$want'"; }
got=$(pg_sql -At -c "SELECT v, l, c, encode(convert_to(t, 'UTF8'), 'hex'), encode(bl, 'hex'), encode(bn, 'hex') FROM cb_binary.texts WHERE r = 9 AND id = 1")
want=$(printf 'tab\there\nnl|café ÿ|ab|61efbfbd625c63|00ff5c0a09|78000000')
[ "$got" = "$want" ] && ok "text, latin1, NUL bytes and blobs through binary COPY" || { notok "texts: got '$got'"; echo "# want '$want'"; }
[ -n "${KEEP_LOG:-}" ] && cp "$log" "$KEEP_LOG"
tap_done
