#!/bin/sh
# Integration: a legacy MySQL schema, created and filled under sql_mode=''
# and ALLOW_INVALID_DATES (zero dates, month 0, day 0, 2024-02-30, zero
# TIMESTAMPs, zero defaults on NOT NULL columns, NUL bytes in VARCHAR and
# TEXT), copied by init_replica and then replicated, DDL included, and
# compared with MariaDB value by value under each policy (docs/types.md):
# zero_dates infinity (default), null and error; text_nul replace
# (default), strip and error.  A table PostgreSQL refuses a row of (a
# type_override that does not fit) is set aside: the others are copied
# and replicate, show_errors has the statement, row and reason, the
# command exits 3, and sync_tables --tables disabled copies it once the
# cause is fixed.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
rep_pid=""
integ_begin 'kill $rep_pid 2>/dev/null'
servers_up
export MY_SOCK PG_HOST PG_PORT

# every date/time type NOT NULL and nullable, with and without zero
# defaults; rows 1-5 zero, month 0, day 0, invalid days, valid values
mariadb_sql <<'SQL'
SET SESSION sql_mode = 'ALLOW_INVALID_DATES', time_zone = '+00:00';
CREATE DATABASE leg;
USE leg;
CREATE TABLE leg.dates (id INT PRIMARY KEY,
  d_nn DATE NOT NULL DEFAULT '0000-00-00', d DATE NULL,
  d_nd DATE NOT NULL,
  dt_nn DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', dt DATETIME(3) NULL,
  dt_nd DATETIME(6) NOT NULL,
  ts_nn TIMESTAMP NOT NULL DEFAULT '0000-00-00 00:00:00', ts TIMESTAMP(6) NULL DEFAULT NULL,
  dt_inv DATETIME NOT NULL DEFAULT '2024-02-30 10:00:00');
INSERT INTO leg.dates (id) VALUES (1);
INSERT INTO leg.dates VALUES
  (2, '2024-00-10', '2024-01-00', '0000-00-00', '2024-00-10 01:02:03', '2024-01-00 23:59:59.5',
   '2024-02-30 12:00:00.000001', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '2023-02-29 00:00:00'),
  (3, '2024-02-30', '2024-04-31', '2023-02-29', '2024-02-31 00:00:00', '2024-06-31 10:00:00.125',
   '0000-01-01 00:00:00', '2024-02-29 12:00:00', '1970-01-01 00:00:01.000001', '2024-02-29 00:00:00'),
  (4, '2024-02-29', NULL, '1000-01-01', '9999-12-31 23:59:59', NULL,
   '2000-02-29 00:00:00.999999', '2038-01-19 03:14:07', NULL, '2024-12-31 00:00:00'),
  (5, '0000-00-00', '0000-00-00', '2024-01-01', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000',
   '0000-00-00 00:00:00', '2024-01-01 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00');
CREATE TABLE leg.texts (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL, t TEXT,
  l VARCHAR(10) CHARACTER SET latin1, b VARBINARY(10));
INSERT INTO leg.texts VALUES (1, 'a\0b', 'x\0\0y', '\0é', 'a\0'), (2, '\0', '\0', NULL, '\0'),
  (3, 'plain', NULL, 'été', NULL), (4, 'tab\tnl\n\0\\', 'end\0', '\0\0', 'z');
CREATE TABLE leg.fine (id INT PRIMARY KEY, v INT, note VARCHAR(10));
INSERT INTO leg.fine SELECT seq, seq * 2, 'fine' FROM seq_1_to_200;
CREATE TABLE leg.bad (id INT PRIMARY KEY, v INT NOT NULL);
INSERT INTO leg.bad VALUES (1, 7), (2, 100000), (3, 9);
INSERT INTO leg.bad SELECT seq, seq % 1000 FROM seq_10_to_30000;
SQL
cfg="$work/cfg.yml"
config_write "$cfg" legacy "leg:leg_pg" "pid_dir: $work/pid" "log_dir: $work/log" \
	"  copy_workers: 2"
# a type_override that does not fit leg.bad's 100000 (row 2 of 29,994:
# PostgreSQL refuses it while the copy is still sending)
cat >> "$cfg" <<'EOF'
type_override:
  "int(11)":
    override_to: smallint
    override_tables:
      - leg.bad
EOF
C="--config $cfg --source legacy"

# ---- default policies: zero_dates infinity, text_nul replace ----
"$bin" init_replica --debug $C > "$work/init.out" 2> "$work/init.err"
rc=$?
dis=$(pg_sql -At -c "SELECT string_agg(schema_name || '.' || table_name, ',') FROM sch_chameleon.t_disabled_tables")
st=$(pg_sql -At -c "SELECT status || ': ' || error FROM sch_chameleon.t_sources")
[ $rc = 3 ] && [ "$dis" = leg.bad ] &&
	grep -q "^init_replica: 1 table(s) set aside.*: leg.bad$" "$work/init.err" &&
	case "$st" in "initialised: tables set aside "*": leg.bad") true ;; *) false ;; esac &&
	ok "init_replica: leg.bad set aside (type_override smallint, 100000), named last and in the source's error; exit 3" ||
	{ notok "init_replica: exit $rc, disabled '$dis', source '$st'"; grep -v INFO "$work/init.err" | tail -n 3 | sed 's/^/# /'; }
id=$(pg_sql -At -c "SELECT log_id FROM sch_chameleon.t_error_log WHERE table_name = 'bad'")
"$bin" show_errors $C --id "${id:-0}" > "$work/err.out" 2>&1
grep -q 'out of range for type smallint' "$work/err.out" && grep -q 'COPY "leg_pg"."bad" FROM STDIN' "$work/err.out" &&
	grep -q '"id": "2", "v": "100000"' "$work/err.out" &&
	ok "show_errors: the reason, the COPY statement and the refused row {id 2, v 100000}" ||
	{ notok "show_errors --id $id"; head -n 12 "$work/err.out" | sed 's/^/# /'; }
n=$(pg_sql -At -c "SELECT count(*) FROM leg_pg.bad")
[ "$n" = 0 ] && ok "the table set aside is in PostgreSQL, empty" || notok "leg_pg.bad holds $n rows"
nn=$(pg_sql -At -c "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'leg_pg' AND table_name = 'dates' AND is_nullable = 'NO'")
def=$(pg_sql -At -c "SELECT column_default FROM information_schema.columns WHERE table_schema = 'leg_pg' AND table_name = 'dates' AND column_name = 'dt_nn'")
[ "$nn" = 7 ] && [ "$def" = "'-infinity'::timestamp without time zone" ] &&
	ok "NOT NULL kept on the 6 date columns and the key; zero default '-infinity'" ||
	notok "dates: $nn NOT NULL columns, dt_nn default '$def'"
if python3 test/integ/compare.py --all --ignore bad leg leg_pg > "$work/cmp1" 2>&1; then
	ok "copy equal value by value: $(tail -n 1 "$work/cmp1")"
else
	notok "copy differs"; grep -v "^ok" "$work/cmp1" | head -n 5 | sed 's/^/# /'
fi

# ---- replication of more legacy rows, DDL included ----
"$bin" start_replica $C --debug >> "$work/rep.log" 2>&1 &
rep_pid=$!
mariadb_sql <<'SQL'
SET SESSION sql_mode = 'ALLOW_INVALID_DATES', time_zone = '+00:00';
INSERT INTO leg.dates (id, d) VALUES (10, '2025-00-00');
INSERT INTO leg.dates VALUES
  (11, '2024-02-30', '0000-00-00', '2024-13-00', '2024-00-10 01:02:03', '2025-02-29 00:00:00.001',
   '2024-01-00 00:00:00.5', '0000-00-00 00:00:00', '2001-02-03 04:05:06.7', '2024-09-31 00:00:00');
UPDATE leg.dates SET d = '0000-00-00', ts = '0000-00-00 00:00:00' WHERE id = 4;
UPDATE leg.dates SET d_nn = '2024-05-05', dt_nn = '2024-05-05 05:05:05' WHERE id = 1;
DELETE FROM leg.dates WHERE id = 2;
INSERT INTO leg.texts VALUES (10, 'n\0l', '\0\0\0', 'x\0', 'b\0b'), (11, 'ok', 'no nul', '', '');
UPDATE leg.texts SET t = 'again\0' WHERE id = 3;
DELETE FROM leg.texts WHERE v = 'a\0b';
INSERT INTO leg.fine VALUES (201, 1, 'new');
INSERT INTO leg.bad VALUES (4, 5);
ALTER TABLE leg.dates ADD COLUMN added DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00';
INSERT INTO leg.dates (id, added) VALUES (12, '2024-02-30 00:00:00');
CREATE TABLE leg.later (id INT PRIMARY KEY, d DATE NOT NULL DEFAULT '0000-00-00', s TEXT);
INSERT INTO leg.later VALUES (1, '0000-00-00', 'a\0'), (2, '2024-02-30', NULL), (3, '2024-03-01', 'b');
INSERT INTO leg.later (id) VALUES (4);
SQL
target=$(mariadb_sql -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources\")\" = '$target' ]" ||
	notok "the replica did not reach $target"
if python3 test/integ/compare.py --all --ignore bad leg leg_pg > "$work/cmp2" 2>&1; then
	ok "replication equal value by value (rows, updates, ADD COLUMN and CREATE TABLE with zero defaults): $(tail -n 1 "$work/cmp2")"
else
	notok "replication differs"; grep -v "^ok" "$work/cmp2" | head -n 5 | sed 's/^/# /'; grep -i "warn\|error" "$work/rep.log" | tail -n 3 | sed 's/^/# /'
fi
n=$(pg_sql -At -c "SELECT count(*) FROM leg_pg.bad")
dis=$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_disabled_tables")
[ "$n" = 0 ] && [ "$dis" = 1 ] && ok "the table set aside is not replicated; no other table was taken out" ||
	notok "leg_pg.bad: $n rows, $dis disabled tables"
"$bin" stop_replica $C > /dev/null 2>&1
wait $rep_pid 2>/dev/null
rep_pid=""

# ---- the cause fixed at the source, the table copied again ----
mariadb_sql -e "UPDATE leg.bad SET v = 2 WHERE id = 2"
"$bin" sync_tables --debug $C --tables disabled > /dev/null 2> "$work/sync.err"
rc=$?
dis=$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_disabled_tables")
n=$(pg_sql -At -c "SELECT count(*) || ' ' || sum(v) FILTER (WHERE id < 10) FROM leg_pg.bad")
[ $rc = 0 ] && [ "$dis" = 0 ] && [ "$n" = "29995 23" ] &&
	ok "sync_tables --tables disabled after the fix: leg.bad copied (29995 rows), back in replication; exit 0" ||
	{ notok "sync_tables: exit $rc, $dis disabled, rows $n"; grep -v INFO "$work/sync.err" | tail -n 3 | sed 's/^/# /'; }
"$bin" start_replica $C --debug >> "$work/rep.log" 2>&1 &
rep_pid=$!
mariadb_sql -e "INSERT INTO leg.bad VALUES (5, 32767); SET SESSION sql_mode = 'ALLOW_INVALID_DATES'; INSERT INTO leg.dates (id) VALUES (13)"
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM leg_pg.bad WHERE id = 5')\" = 1 ]" &&
	_wait_for 10 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM leg_pg.dates WHERE id = 13')\" = 1 ]" &&
	python3 test/integ/compare.py --all leg leg_pg > "$work/cmp3" 2>&1 &&
	ok "leg.bad replicates again; every table equal: $(tail -n 1 "$work/cmp3")" ||
	{ notok "after the retry"; grep -v "^ok" "$work/cmp3" | head -n 3 | sed 's/^/# /'; }
"$bin" stop_replica $C > /dev/null 2>&1
wait $rep_pid 2>/dev/null
rep_pid=""

# ---- zero_dates: null, text_nul: strip (the source's keys) ----
config_write "$work/cfg2.yml" nul "leg:leg_null" "pid_dir: $work/pid" "log_dir: $work/log" \
	"  zero_dates: null" "  text_nul: strip"
"$bin" init_replica --debug --config "$work/cfg2.yml" --source nul > /dev/null 2> "$work/init2.err"
rc=$?
nn=$(pg_sql -At -c "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'leg_null' AND table_name = 'dates' AND is_nullable = 'NO'")
# (the copied rows are compared with the replicated ones below)
if [ $rc = 0 ] && [ "$nn" = 1 ]; then
	ok "zero_dates null, text_nul strip: copied, the date columns without NOT NULL"
else
	notok "null/strip copy: exit $rc, $nn NOT NULL"; grep -v INFO "$work/init2.err" | tail -n 2 | sed 's/^/# /'
fi
"$bin" start_replica --config "$work/cfg2.yml" --source nul >> "$work/rep2.log" 2>&1 &
rep_pid=$!
mariadb_sql <<'SQL'
SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
INSERT INTO leg.dates (id, d, dt_nd) VALUES (20, '2024-02-30', '2024-00-00 00:00:00');
INSERT INTO leg.texts VALUES (20, 'x\0y', '\0', '\0', '\0');
ALTER TABLE leg.later ADD COLUMN z DATE NOT NULL;
SQL
target=$(mariadb_sql -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'nul'\")\" = '$target' ]" ||
	notok "the null/strip replica did not reach $target"
python3 test/integ/compare.py --all --zero-dates null --text-nul strip leg leg_null > "$work/cmp5" 2>&1 &&
	ok "zero_dates null, text_nul strip: copy and replication equal: $(tail -n 1 "$work/cmp5")" ||
	{ notok "null/strip replication differs"; grep -v "^ok" "$work/cmp5" | head -n 3 | sed 's/^/# /'; }
"$bin" stop_replica --config "$work/cfg2.yml" --source nul > /dev/null 2>&1
wait $rep_pid 2>/dev/null
rep_pid=""

# ---- zero_dates: error, text_nul: error: refusals set tables aside ----
config_write "$work/cfg3.yml" strict "leg:leg_err" "pid_dir: $work/pid" "log_dir: $work/log"
"$bin" init_replica --debug --config "$work/cfg3.yml" --source strict --zero-dates error --text-nul error \
	> /dev/null 2> "$work/init3.err"
rc=$?
dis=$(pg_sql -At -c "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM sch_chameleon.t_disabled_tables WHERE source_name = 'strict'")
why=$(pg_sql -At -c "SELECT string_agg(table_name || ': ' || error, '; ' ORDER BY table_name) FROM sch_chameleon.t_error_log WHERE source_name = 'strict'")
cnt=$(pg_sql -At -c "SELECT (SELECT count(*) FROM leg_err.bad) || ',' || (SELECT count(*) FROM leg_err.fine) || ',' || (SELECT count(*) FROM leg_err.dates)")
if [ $rc = 3 ] && [ "$dis" = "dates,later,texts" ] && [ "$cnt" = "29996,201,0" ] &&
	echo "$why" | grep -q "dates: .*zero_dates: error" && echo "$why" | grep -q "texts: .*text_nul: error"; then
	ok "zero_dates error, text_nul error: dates, later, texts set aside ($why); bad and fine copied; exit 3"
else
	notok "error policies: exit $rc, set aside '$dis', '$why', rows $cnt"; grep -v INFO "$work/init3.err" | tail -n 3 | sed 's/^/# /'
fi

# ---- detach_replica of the default-policy source: -infinity stays ----
# caught up first (the rows and the ADD COLUMN z DATE NOT NULL above:
# MySQL's implicit zero date for the existing rows is -infinity here)
"$bin" start_replica $C >> "$work/rep.log" 2>&1 &
rep_pid=$!
target=$(mariadb_sql -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'legacy'\")\" = '$target' ]" ||
	notok "the replica did not reach $target"
"$bin" stop_replica $C > /dev/null 2>&1
wait $rep_pid 2>/dev/null
rep_pid=""
python3 test/integ/compare.py --all leg leg_pg > "$work/cmp6" 2>&1 &&
	ok "default policies, caught up again: $(tail -n 1 "$work/cmp6")" ||
	{ notok "default policies after ADD COLUMN z"; grep -v "^ok" "$work/cmp6" | head -n 3 | sed 's/^/# /'; }
if "$bin" detach_replica $C --yes > "$work/detach.out" 2> "$work/detach.err"; then
	inf=$(pg_sql -At -c "SELECT count(*) FROM leg_pg.dates WHERE d_nn = '-infinity'")
	pg_sql -c "INSERT INTO leg_pg.dates (id, d_nd, dt_nd) VALUES (99, '2024-01-01', '2024-01-01')" > /dev/null 2>&1
	d=$(pg_sql -At -c "SELECT d_nn::text || ' ' || dt_nn::text || ' ' || ts_nn::text FROM leg_pg.dates WHERE id = 99")
	[ "$inf" -gt 0 ] && [ "$d" = "-infinity -infinity -infinity" ] &&
		ok "detach_replica: zero dates stay -infinity; the zero defaults work in PostgreSQL" ||
		notok "after detach: $inf -infinity, new row '$d'"
else
	notok "detach_replica"; tail -n 3 "$work/detach.err" | sed 's/^/# /'
fi
tap_done
