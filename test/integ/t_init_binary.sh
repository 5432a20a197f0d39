#!/bin/sh
# Integration: init_replica reads rows with the binary protocol (prepared
# statements, copy_protocol: binary, the default) and with the text
# protocol (copy_protocol: text), from the same MariaDB, into two
# destination schemas: every row of every table (every column type and
# edge value: the decoder fixtures' workload, and a table of the numbers,
# dates and times whose binary form differs most from their text) is the
# same in both, compared row by row through their text in PostgreSQL.
# A table with a composite primary key is split into ranges of its first
# column: every row arrives once.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin
servers_up
mariadb_sql -D mysql < fixtures/mariadb-workload.sql > /dev/null 2>&1
mariadb_sql -D fx > /dev/null <<'SQL'
SET sql_mode = '';
SET time_zone = '+00:00';
CREATE TABLE edge (id INT PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT,
  mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,
  z INT(6) UNSIGNED ZEROFILL, y YEAR,
  f FLOAT, f2 FLOAT(7,3), d DOUBLE, d2 DOUBLE(12,4),
  dec65 DECIMAL(65,30), dec0 DECIMAL(65,0),
  da DATE, dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), dt3 DATETIME(3),
  dt4 DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6),
  ts0 TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL,
  t0 TIME, t1 TIME(1), t3 TIME(3), t6 TIME(6),
  b1 BIT(1), b64 BIT(64), e ENUM('a', 'b'), s SET('x', 'y'), j JSON, g GEOMETRY,
  v VARCHAR(20), bl BLOB);
INSERT INTO edge VALUES
  (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
   -9223372036854775808, 18446744073709551615, 42, 0,
   3.40282e38, -1234.567, 1.7976931348623157e308, -12345678.9876,
   99999999999999999999999999999999999.999999999999999999999999999999,
   -99999999999999999999999999999999999999999999999999999999999999999,
   '0000-00-00', '0000-00-00 00:00:00', '2020-00-15 00:00:00.1', '2020-01-00 10:00:00.01',
   '1000-01-01 00:00:00.001', '9999-12-31 23:59:59.9999', '2024-02-29 12:00:00.00001',
   '2024-02-29 23:59:59.999999',
   '0000-00-00 00:00:00', '1970-01-01 00:00:01.001', '2038-01-19 03:14:07.999999',
   '-838:59:59', '-00:00:00.1', '100:00:00.001', '838:59:59.000000',
   b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
   'b', 'x,y', '{"k": [1, 2.5e10, "\\u00e9", null]}', ST_GeomFromText('POINT(1 2)'),
   'tab\there\nnl \\ bs', UNHEX('00FF5C0A09')),
  (2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2155,
   -0.0, 0, -0.0, 0, 0, 0,
   '2024-02-29', '2024-02-29 00:00:00', '2024-02-29 00:00:00.0', '2024-02-29 00:00:00.00',
   '2024-02-29 00:00:00.000', '2024-02-29 00:00:00.0000', '2024-02-29 00:00:00.00000',
   '2024-02-29 00:00:00.000000', '2024-02-29 00:00:00', '2024-02-29 00:00:00.000',
   '2024-02-29 00:00:00.000001', '00:00:00', '00:00:00.0', '-00:00:00.001',
   '-00:00:00.000001', b'0', b'0', 'a', '', '[]', NULL, '', ''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO edge (id, f, d, d2, t6, dt6) VALUES
  (4, 1.17549435e-38, 2.2250738585072014e-308, 0.0001, '-838:59:59.999999', '0001-01-01 00:00:00.000001'),
  (5, 0.1, 5e-324, -0.0001, '24:00:00.5', '2000-01-01 00:00:00.5'),
  (6, 16777217, -1.2345678901234567e-308, 99999999.9999, '-24:00:00', NULL),
  (7, 1e-45, 0.1, 1.5, NULL, NULL),
  (8, -3.4028234e38, 123456789012345680000, 2.5, NULL, NULL);
-- many rows of random doubles and floats, split into key ranges
CREATE TABLE many (id INT PRIMARY KEY, d DOUBLE, f FLOAT, u BIGINT UNSIGNED,
  dt DATETIME(6), t TIME(3));
INSERT INTO many SELECT seq, (RAND(seq) - 0.5) * POW(10, CAST(seq % 600 AS SIGNED) - 300),
  (RAND(seq + 1) - 0.5) * POW(10, CAST(seq % 70 AS SIGNED) - 35), seq * 2654435761 * 17,
  '1970-01-01' + INTERVAL seq * 7919 SECOND + INTERVAL seq % 999999 MICROSECOND,
  SEC_TO_TIME(CAST(seq % 6000000 AS SIGNED) - 3000000 + (seq % 1000) / 1000)
  FROM seq_1_to_300000;
-- a composite primary key: split into ranges of its first column
CREATE TABLE comp (a INT NOT NULL, b VARCHAR(12) NOT NULL, v DOUBLE, PRIMARY KEY (a, b));
INSERT INTO comp SELECT seq DIV 3, CONCAT('k', seq % 3, '-', seq), seq / 7 FROM seq_1_to_300000;
ANALYZE TABLE many, comp;
SQL
for p in text binary; do
	config_write "$work/$p.yml" "src_$p" "fx:fx_$p" "pid_dir: $work/pid" "log_dir: $work/log" \
		"  copy_workers: 2" "  copy_protocol: $p"
	if "$bin" init_replica --debug --config "$work/$p.yml" --source "src_$p" > "$work/$p.out" 2> "$work/$p.err"; then
		ok "init_replica with copy_protocol: $p: $(grep -o '[0-9]* tables, [0-9]* rows copied' "$work/$p.err")"
	else
		notok "init_replica with copy_protocol: $p"; tail -5 "$work/$p.err" | sed 's/^/# /'
	fi
done
grep -q "read with the text protocol" "$work/binary.err" &&
	{ notok "copy_protocol: binary fell back to the text protocol"; grep "read with the text" "$work/binary.err" | head -3 | sed 's/^/# /'; } ||
	ok "copy_protocol: binary read every table with the binary protocol"
# every row, as PostgreSQL's text of it, the same in both schemas
tables=$(pg_sql -At -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'fx_text' ORDER BY 1")
ntab=0
bad=""
for t in $tables; do
	q="SELECT x::text FROM %s.\"$t\" x ORDER BY 1"
	a=$(pg_sql -At -c "$(printf "$q" fx_text)" | md5sum)
	b=$(pg_sql -At -c "$(printf "$q" fx_binary)" | md5sum)
	n=$(pg_sql -At -c "SELECT count(*) FROM fx_text.\"$t\"")
	[ "$a" = "$b" ] && [ -n "$n" ] || bad="$bad $t"
	ntab=$((ntab + 1))
done
nmany=$(pg_sql -At -c "SELECT count(*) FROM fx_binary.many")
[ -z "$bad" ] && [ $ntab -ge 10 ] && [ "$nmany" = 300000 ] &&
	ok "every row of $ntab tables is the same through both protocols" ||
	{ notok "rows differ between the protocols in:$bad ($ntab tables, $nmany rows in many)"
	  for t in $bad; do
		pg_sql -At -c "(SELECT 'text', x::text FROM fx_text.\"$t\" x EXCEPT SELECT 'text', y::text FROM fx_binary.\"$t\" y)
			UNION ALL (SELECT 'binary', y::text FROM fx_binary.\"$t\" y EXCEPT SELECT 'binary', x::text FROM fx_text.\"$t\" x)" | head -6 | sed 's/^/# /'
	  done; }
# the composite key's ranges: every row once
my=$(mariadb_sql -N -B -e "SELECT count(*), sum(a), sum(length(b)) FROM fx.comp" | tr '\t' ' ')
for p in text binary; do
	pg=$(pg_sql -At -F ' ' -c "SELECT count(*), sum(a), sum(length(b)) FROM fx_$p.comp")
	[ "$pg" = "$my" ] && grep -q '`fx`.`comp`: copied in [0-9]* ranges of a' "$work/$p.err" && ok "a table with a composite key, split into ranges of its first column ($p): every row once" ||
		notok "composite key ($p): PostgreSQL '$pg', MariaDB '$my'"
done
# and the values are the source's: a few spot checks of the edge table
got=$(pg_sql -At -c "SELECT bu, z, y, dec0, t0, t3, dt6, ts6 FROM fx_binary.edge WHERE id = 1")
want='18446744073709551615|42|0|-99999999999999999999999999999999999999999999999999999999999999999|-838:59:59|100:00:00.001|2024-02-29 23:59:59.999999|2038-01-19 03:14:07.999999+00'
[ "$got" = "$want" ] && ok "edge values through the binary protocol" ||
	{ notok "edge values: got '$got'"; echo "# want '$want'"; }
tap_done
