#!/bin/sh
# Integration: a real MySQL 8.0.22 binlog with a PARTIAL_UPDATE_ROWS event
# (binlog_row_value_options=PARTIAL_JSON) replayed into a real PostgreSQL:
# the partial JSON update is applied as jsonb expressions, and every
# document ends as MySQL holds it.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin

fx=fixtures/binlog/public/rust_mysql_common__json.binlog.000001
servers_up --only-pg
# binlog_row_metadata=MINIMAL: no column names in the table maps; the
# file's CREATE TABLE makes the table (t: id INT PRIMARY KEY, json_col
# JSON, and two generated columns) and the row images take its names
# by position
config_write "$work/cfg.yml" mysql8 mysql:my_pg
if "$bin" replay_binlog --config "$work/cfg.yml" --source mysql8 "$fx" \
	> "$work/out" 2> "$work/err"; then
	grep -q "applied 18 row changes (6 inserts, 12 updates" "$work/out" &&
		ok "replay_binlog applied the MySQL 8 file: $(cut -c1-60 "$work/out")..." ||
		notok "replay_binlog: $(cat "$work/out")"
else
	notok "replay_binlog failed"; tail -5 "$work/err" | sed 's/^/# /'
fi
# Expected, by hand: the inserts (ages 24, 32, 40), a full UPDATE adding one
# to age (25, 33, 41), then the partial update, one operation per row,
# {"op":"replace","path":"$.age","value":26|34|42}: JSON_REPLACE of $.age
# in the document as it was; the generated columns come whole in the
# after image.
cat > "$work/want.txt" <<'EOF'
1|{"age": 26, "data": "xxxxxxxxxx", "name": "Joe"}|Joe|26
2|{"age": 34, "data": "yyyyyyyyyy", "name": "Sue"}|Sue|34
3|{"age": 42, "data": "zzzzzzzzzz", "name": "Pete"}|Pete|42
4|{"age": 26, "data": "xxxxxxxxxx", "name": "Joe"}|Joe|26
5|{"age": 34, "data": "yyyyyyyyyy", "name": "Sue"}|Sue|34
6|{"age": 42, "data": "zzzzzzzzzz", "name": "Pete"}|Pete|42
EOF
pg_sql -At -c "SELECT id, json_col, name, age FROM my_pg.t ORDER BY id" > "$work/got.txt"
if cmp -s "$work/want.txt" "$work/got.txt"; then
	ok "partial JSON update applied: every document equals MySQL's"
else
	notok "documents differ"; diff "$work/want.txt" "$work/got.txt" | sed 's/^/# /'
fi
# the documents compare as jsonb too (key order and spacing aside)
same=$(pg_sql -At -c "SELECT count(*) FROM my_pg.t WHERE json_col = jsonb_build_object(
	'age', age, 'name', name, 'data', repeat(CASE id % 3 WHEN 1 THEN 'x'
	WHEN 2 THEN 'y' ELSE 'z' END, 10))")
[ "$same" = 6 ] && ok "jsonb values equal the expected documents" || notok "jsonb equality: $same of 6"
ddl=$(pg_sql -At -c "SELECT summary FROM sch_chameleon.t_ddl_log")
[ "$ddl" = 'CREATE TABLE `mysql`.`t`' ] &&
	ok "the file's CREATE TABLE applied and recorded in t_ddl_log" ||
	notok "DDL log: '$ddl'"

# A PostgreSQL table that does not match the row images (a column less),
# the run started after the CREATE TABLE: the table is taken out of
# replication at its first table map, no row is applied
pg_sql -c "TRUNCATE my_pg.t; ALTER TABLE my_pg.t DROP COLUMN age;
	UPDATE sch_chameleon.t_sources SET binlog_position = 845" > /dev/null
"$bin" replay_binlog --config "$work/cfg.yml" --source mysql8 "$fx" > "$work/out2" 2> "$work/err2"
rows=$(pg_sql -At -c "SELECT count(*) FROM my_pg.t")
err=$(pg_sql -At -c "SELECT error FROM sch_chameleon.t_error_log")
dis=$(pg_sql -At -c "SELECT schema_name || '.' || table_name FROM sch_chameleon.t_disabled_tables")
if [ "$rows" = 0 ] && [ "$dis" = mysql.t ] &&
	[ "$err" = "the row images have 4 columns, PostgreSQL's table my_pg.t has 3: the source table's structure differs" ]; then
	ok "a table with a column less is taken out of replication before any row: $err"
else
	notok "mismatch: $rows rows, disabled '$dis', error '$err'"
	tail -3 "$work/err2" | sed 's/^/# /'
fi

# The operations MySQL logs, applied the way apply.c writes them (nested
# jsonb_set / jsonb_insert / #-, paths from rp_json_path_to_pg) on
# documents whose MySQL results are known (MySQL's own json_diff tests
# and JSON_SET / JSON_REMOVE semantics).
check() {	# check DOC EXPR WANT
	got=$(pg_sql -At -v "ON_ERROR_STOP=1" -c "SELECT ($2) = '$3'::jsonb FROM (SELECT '$1'::jsonb AS c) d" 2>&1)
	[ "$got" = t ] && ok "$1 -> $3" || notok "$1 with $2: $got"
}
check '{"a":[1,2,4]}' "jsonb_insert(c, '{\"a\",\"2\"}', '3')" '{"a":[1,2,3,4]}'
check '{"a":[1]}' "jsonb_insert(c, '{\"a\",\"2\"}', '3')" '{"a":[1,3]}'
check '{"a":{"c":1}}' "jsonb_insert(c, '{\"a\",\"b\"}', '3')" '{"a":{"b":3,"c":1}}'
check '[1,2]' "jsonb_insert(c, '{\"-1\"}', '3')" '[1,3,2]'
check '[1,2]' "jsonb_insert(c, '{\"-5\"}', '3')" '[3,1,2]'
check '{"a":[1,2],"b":2}' "jsonb_set(c, '{\"a\",\"1\"}', '3', false)" '{"a":[1,3],"b":2}'
check '{"x y":{"k.1":[0,1,2]}}' "(c #- '{\"x y\",\"k.1\",\"-1\"}')" '{"x y":{"k.1":[0,1]}}'
check '{"a":1,"b":2}' "jsonb_insert(jsonb_set((c #- '{\"b\"}'), '{\"a\"}', '[]', false), '{\"a\",\"0\"}', '\"z\"')" '{"a":["z"]}'
tap_done
