#!/bin/sh
# Integration: replay_binlog over real MySQL 8.x / 9.x binlog files
# (fixtures/binlog/public/, see MANIFEST.md there) into a real PostgreSQL.
# The expected rows are written here by hand from each file's reference
# decode (FILE.mariadb-binlog.txt, FILE.payload-expanded.mariadb-binlog.txt)
# or, where mariadb-binlog cannot decode MySQL JSON, from the values the
# file's origin project asserts (quoted in MANIFEST.md); never from
# chameleon's own output.
#   binlog_row_metadata=FULL (column names known): --create-tables
#     binlog-invisible-columns (8.0.26): INVISIBLE columns, signed INT,
#       TEXT, BLOB, BIGINT UNSIGNED; INSERT x2 and UPDATE, no primary key
#     mysql-enum-string-set (8.0.28): CHAR(128) utf8mb4 (>255 bytes),
#       VARCHAR(300), ENUM, SET, TEXT; INSERT, UPDATE, then DELETE
#     mysql_type_bit (8.0.26): BIT(3), BIT(8), TEXT
#     json-opaque (9.0.1): JSON documents holding OPAQUE scalars
#   no column names (MINIMAL metadata): --create-tables refuses them,
#   naming binlog_row_metadata=FULL; into tables created beforehand with
#   positional column names col1..colN they apply:
#     transaction_compression (8.0.32) and mysql-bin.compressed (8.0.28):
#       TRANSACTION_PAYLOAD (zstd)
#     minimal_row_metadata (8.0.40): binlog_row_image=MINIMAL (columns
#       1, 3, 5 only), INT UNSIGNED 3230202323
#     json.binlog (8.0.22): JSON, and a PARTIAL_UPDATE_ROWS_EVENT, which
#       the apply refuses for now with a clear error
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
fx=$PWD/fixtures/binlog/public
integ_begin
check() {	# check NAME EXPECTED_FILE SQL: the query's rows equal the file
	pg_sql -At -F '|' -c "$3" > "$work/got" 2> "$work/sqlerr"
	if cmp -s "$2" "$work/got"; then
		ok "$1"
	else
		notok "$1"
		diff "$2" "$work/got" | head -8 | sed 's/^/# /'
		head -3 "$work/sqlerr" | sed 's/^/# /'
	fi
}
replay() {	# replay CONFIG [options] FILE...: output in $work/out, $work/err
	cfg=$1
	shift
	"$bin" replay_binlog --config "$work/$cfg.yml" --source m "$@" > "$work/out" 2> "$work/err"
}

servers_up --only-pg
cfg() {	# cfg NAME MYSQL_SCHEMA PG_SCHEMA
	config_write "$work/$1.yml" m "$2:$3"
}
fresh() {	# a new PostgreSQL database state for the next file
	pg_sql -c "DROP SCHEMA IF EXISTS sch_chameleon CASCADE" > /dev/null 2>&1
	for s in "$@"; do
		pg_sql -c "DROP SCHEMA IF EXISTS $s CASCADE" > /dev/null 2>&1
	done
}

# ---- binlog-invisible-columns: mysql.t1 (f1 INT UNSIGNED INVISIBLE,
# f2 INT UNSIGNED INVISIBLE, f3 INT, f4 TEXT, f5 BLOB, f6 BIGINT UNSIGNED
# INVISIBLE); reference: INSERT (1,2,-3,'4',x'05',6000000000), INSERT
# (NULL,NULL,-33,'44','U',NULL), UPDATE of the second row to
# (111,222,-333,'444','U',NULL)
cfg inv mysql inv
fresh inv
f=$fx/rust_mysql_common__binlog-invisible-columns.000001
if replay inv --create-tables "$f"; then
	grep -q "applied 3 row changes (2 inserts, 1 updates, 0 deletes)" "$work/out" &&
		ok "invisible columns (MySQL 8.0.26): replayed, 3 row changes" ||
		notok "invisible columns: $(cat "$work/out")"
else
	notok "invisible columns: replay_binlog failed"; head -3 "$work/err" | sed 's/^/# /'
fi
cat > "$work/exp" <<'EOF'
1|2|-3|4|\x05|6000000000
111|222|-333|444|\x55|<null>
EOF
check "invisible columns: every value of both rows (signed INT -3/-333, TEXT, BLOB bytes, BIGINT UNSIGNED, NULL)" "$work/exp" \
	"SELECT coalesce(f1::text, '<null>'), coalesce(f2::text, '<null>'), f3, f4, f5,
	 coalesce(f6::text, '<null>') FROM inv.t1 ORDER BY f3 DESC"
# INT UNSIGNED must hold 4294967295: bigint; BIGINT UNSIGNED: numeric(20)
cat > "$work/exp" <<'EOF'
f1|bigint
f2|bigint
f3|integer
f4|text
f5|bytea
f6|numeric
EOF
check "invisible columns: the created table keeps every column, unsigned types widened" "$work/exp" \
	"SELECT column_name, data_type FROM information_schema.columns
	 WHERE table_schema = 'inv' AND table_name = 't1' ORDER BY ordinal_position"

# ---- mysql-enum-string-set: mysql.t (f1 CHAR(128), f2 VARCHAR(300),
# f3 ENUM('var1','variant2','foo'), f4 SET('one','two','three','four'),
# f5 TEXT); INSERT, UPDATE (ends at offset 2659), DELETE.  First up to the
# end of the UPDATE's transaction (a copy of the file cut at that event
# boundary), then the whole file: the stored position skips what was
# applied and the DELETE empties the table.
cfg ess mysql ess
fresh ess
f=$fx/rust_mysql_common__mysql-enum-string-set.000001
head -c 2659 "$f" > "$work/ess.000001"
d=0123456789
long="$d$d$d$d$d$d$d$d$d$d$d$d"012345678
long="$long$long$d$d$d$d"	# the 298 characters of f2, then f5
if replay ess --create-tables "$work/ess.000001"; then
	ok "ENUM, SET, CHAR > 255 bytes (MySQL 8.0.28): INSERT and UPDATE replayed"
else
	notok "ENUM/SET: replay_binlog failed"; head -3 "$work/err" | sed 's/^/# /'
fi
printf 'field1|field_2|variant2|two,four|%s\n' "$long" > "$work/exp"
check "ENUM/SET: the updated row (ENUM index 2 = variant2, SET bits 0b1010 = two,four, 298-character TEXT)" "$work/exp" \
	"SELECT f1, f2, f3, f4, f5 FROM ess.t"
cat > "$work/exp" <<'EOF'
1
EOF
check "ENUM/SET: one row after the UPDATE" "$work/exp" "SELECT count(*) FROM ess.t"
cp "$f" "$work/ess.000001"	# the whole file under the same name
if replay ess --create-tables "$work/ess.000001" && grep -q "applied 1 row changes (0 inserts, 0 updates, 1 deletes)" "$work/out"; then
	ok "ENUM/SET: the whole file again applies only the DELETE"
else
	notok "ENUM/SET second run: $(cat "$work/out")"; head -3 "$work/err" | sed 's/^/# /'
fi
echo 0 > "$work/exp"
check "ENUM/SET: the DELETE matched the row by every column (table empty)" "$work/exp" \
	"SELECT count(*) FROM ess.t"

# ---- mysql_type_bit: mysql.foo (a BIT(3), b TEXT, c BIT(8));
# reference: INSERT (b'100', 'foo', b'00100000')
cfg bit mysql bitt
fresh bitt
f=$fx/rust_mysql_common__mysql_type_bit.000001
replay bit --create-tables "$f" || { notok "BIT: replay_binlog failed"; head -3 "$work/err" | sed 's/^/# /'; }
echo '100|foo|00100000|bit|bit' > "$work/exp"
check "BIT(3) and BIT(8) (MySQL 8.0.26): b'100', 'foo', b'00100000' as bit(n)" "$work/exp" \
	"SELECT a, b, c, pg_typeof(a), pg_typeof(c) FROM bitt.foo"

# ---- json-opaque: foo.test (a JSON); 8 inserts in one transaction.
# mariadb-binlog cannot decode MySQL JSON; the origin project asserts
# {"a":"base64:type15:VQ=="}, {"b":"2012-03-18"},
# {"c":"2012-03-18 11:30:45.000000"}, {"c":"87:31:46.654321"},
# {"d":"123.456"}, {"e":"9.00"}, {"e":[0,1,true,false]}, {"e":null}
# (DECIMAL opaques as their digits: MySQL shows them as JSON numbers, as
# here; a DATE/DATETIME/TIME opaque as a string; a VARCHAR opaque as
# base64:typeN:...)
cfg js foo js
fresh js
f=$fx/rust_mysql_common__json-opaque.binlog
if replay js --create-tables "$f" && grep -q "applied 8 row changes" "$work/out"; then
	ok "JSON with opaque values (MySQL 9.0.1): 8 rows replayed"
else
	notok "JSON opaque: $(cat "$work/out")"; head -3 "$work/err" | sed 's/^/# /'
fi
cat > "$work/exp" <<'EOF'
{"a": "base64:type15:VQ=="}
{"b": "2012-03-18"}
{"c": "2012-03-18 11:30:45.000000"}
{"c": "87:31:46.654321"}
{"d": 123.456}
{"e": 9.00}
{"e": [0, 1, true, false]}
{"e": null}
EOF
check "JSON opaque: the 8 documents, DECIMAL digits kept (9.00), as jsonb" "$work/exp" \
	"SELECT a FROM js.test ORDER BY a::text COLLATE \"C\""

# ---- files without column names: a clear error with --create-tables
for spec in "rust_mysql_common__transaction_compression.000001 test tb1" \
	"mbcj__mysql-bin.compressed demo movies" \
	"rust_mysql_common__minimal_row_metadata.000001 noria t1" \
	"rust_mysql_common__json.binlog.000001 mysql t"; do
	set -- $spec
	cfg nn "$2" nn
	fresh nn
	if replay nn --create-tables "$fx/$1"; then
		notok "$1 without column names: replay_binlog --create-tables succeeded"
	elif grep -q "binlog_row_metadata=FULL" "$work/err" && grep -q "$2.*$3" "$work/err"; then
		ok "$1: --create-tables refused, naming $2.$3 and binlog_row_metadata=FULL"
	else
		notok "$1: error message: $(head -2 "$work/err")"
	fi
done

# ---- TRANSACTION_PAYLOAD (zstd) into tables created beforehand
# transaction_compression: test.tb1, one INT column; reference
# (payload-expanded): INSERT (1)
cfg tc test tc
fresh tc
pg_sql -c "CREATE SCHEMA tc; CREATE TABLE tc.tb1 (col1 integer)" > /dev/null
replay tc "$fx/rust_mysql_common__transaction_compression.000001" ||
	{ notok "payload: replay_binlog failed"; head -3 "$work/err" | sed 's/^/# /'; }
echo 1 > "$work/exp"
check "TRANSACTION_PAYLOAD (zstd, MySQL 8.0.32): the row inside the payload applied" "$work/exp" \
	"SELECT col1 FROM tc.tb1"
# mysql-bin.compressed: demo.movies, 11 columns, one UPDATE inside the
# payload (reference, payload-expanded): genre 'Western' -> 'Western|Action'
cfg mv demo mv
fresh mv
pg_sql > /dev/null <<'SQL'
CREATE SCHEMA mv;
CREATE TABLE mv.movies (col1 integer, col2 text, col3 integer, col4 text, col5 text,
  col6 text, col7 text, col8 text, col9 text, col10 text, col11 text);
INSERT INTO mv.movies VALUES (1, 'Once Upon a Time in the West', 1968, 'Italy', 'Western',
  'Claudia Cardinale|Charles Bronson|Henry Fonda|Gabriele Ferzetti|Frank Wolff|Al Mulock|Jason Robards|Woody Strode|Jack Elam|Lionel Stander|Paolo Stoppa|Keenan Wynn|Aldo Sambrell',
  'Sergio Leone', 'Ennio Morricone', 'Sergio Leone|Sergio Donati|Dario Argento|Bernardo Bertolucci',
  'Tonino Delli Colli', 'Paramount Pictures');
SQL
if replay mv "$fx/mbcj__mysql-bin.compressed" && grep -q "applied 1 row changes (0 inserts, 1 updates" "$work/out"; then
	ok "TRANSACTION_PAYLOAD (MySQL 8.0.28): the UPDATE inside the payload replayed"
else
	notok "payload UPDATE: $(cat "$work/out")"; head -3 "$work/err" | sed 's/^/# /'
fi
echo '1#Once Upon a Time in the West#1968#Western|Action#Paramount Pictures' > "$work/exp"
check "TRANSACTION_PAYLOAD: the row after the UPDATE (col5 'Western|Action', others kept)" "$work/exp" \
	"SELECT concat_ws('#', col1, col2, col3, col5, col11) FROM mv.movies"

# ---- binlog_row_image=MINIMAL: noria.t1, 5 columns, the INSERT carries
# columns 1, 3, 5 only; reference: @1=1 @3='a' @5=3230202323 (unsigned)
cfg mi noria mi
fresh mi
# (column types from the table map: INT, BLOB, CHAR(8) utf8mb4, INT, INT UNSIGNED)
pg_sql -c "CREATE SCHEMA mi; CREATE TABLE mi.t1 (col1 integer, col2 bytea DEFAULT '\\x00ff',
	col3 text, col4 integer DEFAULT 42, col5 bigint)" > /dev/null
replay mi "$fx/rust_mysql_common__minimal_row_metadata.000001" ||
	{ notok "minimal image: replay_binlog failed"; head -3 "$work/err" | sed 's/^/# /'; }
echo '1|\\x00ff|a|42|3230202323' > "$work/exp"
check "binlog_row_image=MINIMAL (MySQL 8.0.40): columns 1, 3, 5 written, the others keep their defaults, INT UNSIGNED 3230202323" \
	"$work/exp" "SELECT col1, col2, col3, col4, col5 FROM mi.t1"

# ---- json.binlog: mysql.t (id INT PRIMARY KEY, json_col JSON, name
# VARCHAR(100) and age INT generated from json_col), 4 inserts, an UPDATE,
# then a PARTIAL_UPDATE_ROWS_EVENT (binlog_row_value_options=PARTIAL_JSON).
# The partial update is applied as a jsonb expression: the values are
# checked against hand-derived documents in t_json.sh; here the run over
# the whole file succeeds and the table holds the file's rows.
cfg pj mysql pj
fresh pj
pg_sql -c "CREATE SCHEMA pj; CREATE TABLE pj.t (col1 integer PRIMARY KEY, col2 jsonb, col3 text, col4 integer)" > /dev/null
if replay pj "$fx/rust_mysql_common__json.binlog.000001"; then
	c=$(pg_sql -At -c "SELECT count(*) FROM pj.t")
	[ "$c" -gt 0 ] && ok "PARTIAL_UPDATE_ROWS_EVENT (MySQL 8.0.22): the file applies, $c rows" ||
		notok "partial JSON file: no rows"
else
	notok "PARTIAL_UPDATE_ROWS_EVENT: replay_binlog failed"
	head -3 "$work/err" | sed 's/^/# /'
fi
tap_done
