#!/bin/sh
# Integration: the catalog commands (create/upgrade/drop_replica_schema,
# add/drop_source, enable_replica), the upgrade of a version-1 catalog with
# its data, show_status (text and JSON: lag 0 once caught up on an idle
# source, counts equal to the rows applied) and show_errors after a
# refused change.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
rpid=""
integ_begin '[ -n "$rpid" ] && kill -9 $rpid 2>/dev/null'
check() {	# check DESCRIPTION COMMAND...: ok when the command succeeds
	_d=$1
	shift
	if "$@"; then ok "$_d"; else notok "$_d"; fi
}

servers_up
config_write "$work/cfg.yml" src shop:shop_pg "pid_dir: $work/pid" "log_dir: $work/log" \
	"log_dest: file"
config_write "$work/exit.yml" src shop:shop_pg "pid_dir: $work/pid" "log_dir: $work/log" \
	"log_dest: file" "  on_error_replay: exit"
C="--config $work/cfg.yml"
q() { pg_sql -At -c "$1" 2>&1; }
# one line on stderr, non-zero exit
fails_with() {	# fails_with PATTERN COMMAND...
	_p=$1
	shift
	"$@" > "$work/o" 2> "$work/e" && return 1
	[ "$(wc -l < "$work/e")" = 1 ] && grep -q "$_p" "$work/e"
}

# --- create, upgrade, drop
check "show_status without a catalog: one line, non-zero" \
	fails_with "create_replica_schema" "$bin" show_status $C
# the latest version, as created (version 4 brought the received position)
"$bin" create_replica_schema $C > "$work/o" 2>&1
latest=$(sed -n 's/^created .* version \([0-9]*\)$/\1/p' "$work/o")
[ -n "$latest" ] && [ "$latest" -ge 4 ] &&
	ok "create_replica_schema: $(cat "$work/o")" || notok "create_replica_schema: $(cat "$work/o")"
"$bin" create_replica_schema $C > "$work/o" 2>&1 && grep -q "already at version $latest" "$work/o" &&
	ok "create_replica_schema again: already at version $latest" || notok "create again: $(cat "$work/o")"
"$bin" upgrade_replica_schema $C > "$work/o" 2>&1 && grep -q "nothing to do" "$work/o" &&
	ok "upgrade_replica_schema on a current catalog: nothing to do, exit 0" ||
	notok "upgrade current: $(cat "$work/o")"
check "drop_replica_schema without a terminal nor --yes is refused, catalog kept" \
	sh -c "! '$bin' drop_replica_schema $C < /dev/null 2> '$work/e' &&
		grep -q -- --yes '$work/e' &&
		[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT to_regclass('sch_chameleon.t_sources') IS NOT NULL\")\" = t ]"
"$bin" drop_replica_schema $C --yes > "$work/o" 2>&1 &&
	[ "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = 'sch_chameleon'")" = 0 ] &&
	ok "drop_replica_schema --yes drops sch_chameleon" || notok "drop_replica_schema: $(cat "$work/o")"

# --- a version-1 catalog as the first replication code created it, with data
pg_sql -v ON_ERROR_STOP=1 > /dev/null <<'SQL'
CREATE SCHEMA IF NOT EXISTS sch_chameleon;
CREATE TABLE IF NOT EXISTS sch_chameleon.t_version (version integer NOT NULL);
INSERT INTO sch_chameleon.t_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM sch_chameleon.t_version);
CREATE TABLE IF NOT EXISTS sch_chameleon.t_sources (source_name text PRIMARY KEY,
  status text NOT NULL DEFAULT 'ready', binlog_file text NOT NULL DEFAULT '',
  binlog_position bigint NOT NULL DEFAULT 0, gtid text, applied_at timestamptz,
  rows_applied bigint NOT NULL DEFAULT 0, transactions_applied bigint NOT NULL DEFAULT 0,
  zero_dates bigint NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sch_chameleon.t_disabled_tables (source_name text NOT NULL,
  schema_name text NOT NULL, table_name text NOT NULL,
  disabled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_name, schema_name, table_name));
CREATE TABLE IF NOT EXISTS sch_chameleon.t_error_log (log_id bigserial PRIMARY KEY,
  source_name text NOT NULL, schema_name text, table_name text, error text NOT NULL,
  statement text, binlog_file text, binlog_position bigint,
  logged_at timestamptz NOT NULL DEFAULT now());
UPDATE sch_chameleon.t_version SET version = 1;
INSERT INTO sch_chameleon.t_sources (source_name, binlog_file, binlog_position, rows_applied)
  VALUES ('old', 'binlog.000007', 4711, 42);
INSERT INTO sch_chameleon.t_disabled_tables VALUES ('old', 'shop', 'gone', now());
INSERT INTO sch_chameleon.t_error_log (source_name, schema_name, table_name, error, statement)
  VALUES ('old', 'shop', 'gone', 'ERROR:  boom', 'INSERT ...');
SQL
"$bin" upgrade_replica_schema $C > "$work/o" 2>&1 && grep -q "from version 1 to $latest" "$work/o" &&
	[ "$(q "SELECT version FROM sch_chameleon.t_version")" = "$latest" ] &&
	[ "$(q "SELECT binlog_file || ':' || binlog_position || ' ' || rows_applied || ' ' || status FROM sch_chameleon.t_sources")" = "binlog.000007:4711 42 ready" ] &&
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_disabled_tables d JOIN sch_chameleon.t_error_log USING (source_name)")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_tables")" = 0 ] &&
	ok "upgrade_replica_schema: a version-1 catalog goes to $latest with its position, counts, disabled table and error kept" ||
	{ notok "upgrade from version 1: $(cat "$work/o")"; q "SELECT * FROM sch_chameleon.t_sources" | sed 's/^/# /'; }
"$bin" show_errors $C > "$work/o" 2>&1 && grep -q "old .*shop.gone .*boom" "$work/o" &&
	ok "show_errors lists the entry kept through the upgrade" || notok "show_errors after upgrade: $(cat "$work/o")"
"$bin" drop_replica_schema $C --yes > /dev/null 2>&1

# --- sources
"$bin" create_replica_schema $C > /dev/null 2>&1
"$bin" add_source $C --source src > "$work/o" 2>&1 &&
	[ "$(q "SELECT status || ' ' || schema_mappings::text FROM sch_chameleon.t_sources WHERE source_name = 'src'")" = 'ready {"shop": "shop_pg"}' ] &&
	ok "add_source: status ready, schema_mappings stored as jsonb" || notok "add_source: $(cat "$work/o")"
check "add_source of a registered source: one line, non-zero" \
	fails_with "already" "$bin" add_source $C --source src
check "add_source of a source not configured: one line, non-zero" \
	fails_with "no source 'nope'" "$bin" add_source $C --source nope
check "drop_source without a terminal nor --yes is refused" \
	fails_with "yes" "$bin" drop_source $C --source src
"$bin" drop_source $C --source src --yes > "$work/o" 2>&1 &&
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_sources")" = 0 ] &&
	ok "drop_source --yes removes the source" || notok "drop_source: $(cat "$work/o")"
check "drop_source of a missing source: one line, non-zero" \
	fails_with "no source 'src'" "$bin" drop_source $C --source src --yes
"$bin" add_source $C --source src > /dev/null 2>&1

# --- replication, then show_status
mariadb_sql -D mysql <<'SQL'
CREATE DATABASE shop;
USE shop;
CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40), qty INT);
CREATE TABLE `we"ird\name` (id INT PRIMARY KEY, v TEXT);
SQL
"$bin" start_replica $C --source src --debug --create-tables > "$work/rep.log" 2>&1 &
rpid=$!
_wait_for 20 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c \"SELECT status FROM sch_chameleon.t_sources WHERE source_name = 'src'\")\" = running ]" &&
	ok "start_replica sets the status running" || notok "status running"
# it starts at the source's position when it connects: the workload after that
_wait_for 30 grep -q "streaming from" "$work/rep.log"
mariadb_sql -D shop <<'SQL'
INSERT INTO items SELECT seq, CONCAT('n', seq), seq FROM seq_1_to_1000;
UPDATE items SET qty = qty + 1 WHERE id <= 100;
DELETE FROM items WHERE id > 950;
INSERT INTO `we"ird\name` VALUES (1, 'a'), (2, 'b');
UPDATE `we"ird\name` SET v = 'c' WHERE id = 2;
SQL
_wait_for 30 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM shop_pg.items' 2>/dev/null)\" = 950 ]"
# caught up: the next heartbeat reports it; then idle for a while
status_json() { "$bin" show_status $C --source src --format json; }
lag0() {
	status_json | python3 -c '
import json, sys
s = json.load(sys.stdin)["sources"][0]
sys.exit(0 if s["caught_up"] and s["read_lag"] == 0 and s["replay_lag"] == 0 else 1)'
}
_wait_for 15 lag0
sleep 4
status_json > "$work/status.json" 2> "$work/e"
python3 - "$work/status.json" > "$work/check" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["sources"][0]
t = {(x["schema"], x["table"]): x for x in s["tables"]}
items = t[("shop", "items")]
weird = t[("shop", 'we"ird\\name')]
problems = []
if s["status"] != "running": problems.append("status %s" % s["status"])
if not s["caught_up"] or s["read_lag"] != 0 or s["replay_lag"] != 0:
    problems.append("lag %s/%s caught_up %s" % (s["read_lag"], s["replay_lag"], s["caught_up"]))
if (items["inserts"], items["updates"], items["deletes"]) != (1000, 100, 50):
    problems.append("items counts %s" % items)
if (weird["inserts"], weird["updates"], weird["deletes"]) != (2, 1, 0):
    problems.append("weird counts %s" % weird)
if s["rows_applied"] != 1153: problems.append("rows_applied %s" % s["rows_applied"])
if s["transactions_applied"] != 5: problems.append("transactions %s" % s["transactions_applied"])
if s["received"]["file"] != s["applied"]["file"] or s["received"]["position"] != s["applied"]["position"]:
    problems.append("received %s applied %s" % (s["received"], s["applied"]))
if s["schema_mappings"] != {"shop": "shop_pg"}: problems.append("mappings")
print("; ".join(problems) if problems else "ok")
PY
[ "$(cat "$work/check")" = ok ] &&
	ok "show_status json (parsed): idle and caught up 4 s later, read and replay lag 0; counts equal the rows applied (1000/100/50, 2/1/0, 1153 rows, 5 transactions)" ||
	{ notok "show_status json: $(cat "$work/check")"; head -c 600 "$work/status.json" | sed 's/^/# /'; }
"$bin" show_status $C > "$work/o" 2>&1 && grep -q "read lag: *0.0 s (caught up)" "$work/o" &&
	grep -q "shop.items -> shop_pg.items *0 *1000 *100 *50" "$work/o" &&
	ok "show_status text: lag 0 (caught up) and the per-table counts" ||
	{ notok "show_status text"; sed 's/^/# /' "$work/o"; }

# --- a change PostgreSQL refuses: the table out of replication, show_errors
pg_sql -c "ALTER TABLE shop_pg.items ADD CHECK (qty < 5000)" > /dev/null
mariadb_sql -D shop -e "INSERT INTO items VALUES (7000, 'too \"many\"', 7000); INSERT INTO \`we\"ird\\name\` VALUES (3, 'd')"
_wait_for 20 sh -c "[ \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT count(*) FROM shop_pg.\"we\"\"ird\\name\"' 2>/dev/null)\" = 3 ]"
"$bin" show_errors $C --source src > "$work/o" 2>&1 &&
	[ "$(grep -c 'shop.items .*check constraint' "$work/o")" = 1 ] &&
	ok "show_errors lists the refused change: $(tail -1 "$work/o" | cut -c1-90)..." ||
	{ notok "show_errors list"; sed 's/^/# /' "$work/o"; }
id=$(q "SELECT max(log_id) FROM sch_chameleon.t_error_log")
_wait_for 5 sh -c "[ -n \"\$(psql -X -At -h '$PG_HOST' -p '$PG_PORT' -U postgres -c 'SELECT row_data FROM sch_chameleon.t_error_log WHERE log_id = $id')\" ]"
"$bin" show_errors $C --id "$id" > "$work/o" 2>&1 &&
	grep -q "statement: INSERT INTO \"shop_pg\".\"items\"" "$work/o" &&
	grep -q '"after":{"id":7000,"name":"too \\"many\\"","qty":7000}' "$work/o" &&
	grep -q "position: *binlog" "$work/o" &&
	ok "show_errors --id $id: the statement, the refused row as JSON, the position" ||
	{ notok "show_errors --id"; sed 's/^/# /' "$work/o"; }
check "show_errors --id of a missing entry: one line, non-zero" \
	fails_with "no error log entry 999" "$bin" show_errors $C --id 999
status_json > "$work/status.json"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["sources"][0]
d = s["disabled_tables"]
ok = len(d) == 1 and d[0]["table"] == "items" and d[0]["error_log_id"] == int(sys.argv[2]) \
    and "check constraint \"items_qty_check\"" in d[0]["error"]
sys.exit(0 if ok else 1)' "$work/status.json" "$id" &&
	ok "show_status json lists the disabled table with its error (quotes escaped)" ||
	{ notok "disabled tables in show_status"; head -c 800 "$work/status.json" | sed 's/^/# /'; }
kill -TERM $rpid
wait $rpid
rc=$?
rpid=""
[ $rc = 0 ] && [ "$(q "SELECT status FROM sch_chameleon.t_sources WHERE source_name = 'src'")" = stopped ] &&
	ok "a clean stop sets the status stopped" || notok "stop: exit $rc, status $(q "SELECT status FROM sch_chameleon.t_sources")"

# --- on_error_replay: exit: status error, start refused, enable_replica
pg_sql -c "ALTER TABLE shop_pg.\"we\"\"ird\\name\" ADD CHECK (id < 100)" > /dev/null
mariadb_sql -D shop -e "INSERT INTO \`we\"ird\\name\` VALUES (500, 'e')"
"$bin" start_replica --config "$work/exit.yml" --source src --debug > "$work/rep2.log" 2>&1
rc=$?
st=$(q "SELECT status || ' ' || (error LIKE '%check constraint%') FROM sch_chameleon.t_sources WHERE source_name = 'src'")
[ $rc != 0 ] && [ "$st" = "error true" ] && ok "stopped on a refused change (on_error_replay: exit): status error with the message" ||
	notok "error status: exit $rc, '$st'"
check "start_replica refuses a source in error, naming enable_replica" \
	fails_with "enable_replica" "$bin" start_replica --config "$work/exit.yml" --source src --debug
"$bin" enable_replica $C --source src > "$work/o" 2>&1 && grep -q "was error" "$work/o" &&
	[ "$(q "SELECT status || ' ' || coalesce(error, '-') FROM sch_chameleon.t_sources WHERE source_name = 'src'")" = "stopped -" ] &&
	ok "enable_replica: status stopped, error cleared" || notok "enable_replica: $(cat "$work/o")"
check "--help of every catalog command exits 0" sh -c "
	for c in create_replica_schema drop_replica_schema upgrade_replica_schema add_source \
		drop_source enable_replica show_status show_errors; do
		'$bin' \$c --help | grep -q usage || exit 1
	done"
check "a bad option: one line, exit 2" sh -c "'$bin' show_status --bogus 2> '$work/e'; [ \$? = 2 ] && [ \$(wc -l < '$work/e') = 1 ]"

# --- detach_replica and update_schema_mappings: a second source with odd
# names, on a source whose binlog files are numbered past 999999
check "detach_replica --timeout abc: one line naming --timeout, exit 2" \
	sh -c "'$bin' detach_replica $C --source src --yes --timeout abc 2> '$work/e'; [ \$? = 2 ] &&
		[ \$(wc -l < '$work/e') = 1 ] && grep -q -- --timeout '$work/e'"
mariadb_stop
last=$(tail -n 1 "$MY_DIR/data/binlog.index")
mv "$last" "${last%.*}.999999"
sed -i "s|${last##*/}\$|binlog.999999|" "$MY_DIR/data/binlog.index"
mariadb_start_again
mariadb_sql -e "SHOW MASTER STATUS" > "$work/o" 2>&1
grep -q "binlog.1000000" "$work/o" && ok "the source writes binlog.1000000 after binlog.999999" ||
	notok "binlog renumbering: $(cat "$work/o")"
cat > "$work/det.yml" <<EOC
pid_dir: $work/pid
log_dir: $work/log
log_dest: file
pg_conn: {host: $PG_HOST, port: $PG_PORT, user: postgres, password: x, database: postgres}
sources:
  det:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: root, password: ''}
    schema_mappings: {'o\$\$dd': 'o\$\$dd_pg'}
EOC
chmod 600 "$work/det.yml"
D="--config $work/det.yml"
mariadb_sql <<'SQL'
CREATE DATABASE `o$$dd`;
CREATE TABLE `o$$dd`.`pa"rent` (id INT AUTO_INCREMENT PRIMARY KEY, n TEXT) ENGINE=InnoDB;
CREATE TABLE `o$$dd`.`ch'ild` (`i d` BIGINT AUTO_INCREMENT PRIMARY KEY, `pa"rent_id` INT,
  CONSTRAINT `fk$$"x` FOREIGN KEY (`pa"rent_id`) REFERENCES `pa"rent` (id) ON DELETE CASCADE)
  ENGINE=InnoDB;
SQL
streamed() { [ "$(grep -c 'streaming from' "$work/det.log")" -ge "$1" ]; }
start_det() {	# start_det N: the Nth start of the replica of det
	"$bin" start_replica $D --source det --debug --create-tables >> "$work/det.log" 2>&1 &
	rpid=$!
	_wait_for 30 streamed "$1"
}
count_is() { [ "$(q "SELECT count(*) FROM $2")" = "$1" ]; }
start_det 1
mariadb_sql <<'SQL'
INSERT INTO `o$$dd`.`pa"rent` (n) VALUES ('a'), ('b'), ('c');
INSERT INTO `o$$dd`.`ch'ild` (`pa"rent_id`) VALUES (1), (1), (2);
SQL
_wait_for 30 count_is 3 "\"o\$\$dd_pg\".\"ch'ild\"" &&
	ok "a source with odd names replicated (binlog.1000000)" || notok "odd names not replicated: $(tail -3 "$work/det.log")"
check "update_schema_mappings is refused while the replica runs" \
	fails_with "stop_replica first" "$bin" update_schema_mappings $D --source det
kill -TERM $rpid
wait $rpid
rpid=""
sed -i "s|'o\\\$\\\$dd_pg'|'o\$\$dd \"2\"'|" "$work/det.yml"
"$bin" update_schema_mappings $D --source det > "$work/o" 2> "$work/e" &&
	grep -q "^o\$\$dd: o\$\$dd_pg renamed to o\$\$dd \"2\"" "$work/o" &&
	[ "$(q "SELECT count(*) FROM \"o\$\$dd \"\"2\"\"\".\"pa\"\"rent\"")" = 3 ] &&
	[ "$(q "SELECT string_agg(DISTINCT pg_schema, ',') FROM sch_chameleon.t_tables WHERE source_name = 'det'")" = 'o$$dd "2"' ] &&
	[ "$(q "SELECT schema_mappings->>'o\$\$dd' FROM sch_chameleon.t_sources WHERE source_name = 'det'")" = 'o$$dd "2"' ] &&
	ok "update_schema_mappings renames o\$\$dd_pg to o\$\$dd \"2\": schema, tables and mappings in the catalog" ||
	{ notok "update_schema_mappings: $(cat "$work/o" "$work/e")"; }
# applied in binlog.999999, the source in binlog.1000000: behind (strcmp
# put binlog.999999 after binlog.1000000 and detached)
real=$(q "SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'det'")
q "UPDATE sch_chameleon.t_sources SET binlog_file = 'binlog.999999', binlog_position = 4 WHERE source_name = 'det'" > /dev/null
! "$bin" detach_replica $D --source det --yes > "$work/o" 2> "$work/e" &&
	grep -q "is behind (applied binlog.999999:4, source at binlog.1000000:" "$work/e" &&
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_sources WHERE source_name = 'det'")" = 1 ] &&
	ok "detach_replica of a replica behind (binlog.999999 < binlog.1000000) and not running is refused" ||
	notok "detach_replica behind: $(cat "$work/o" "$work/e")"
q "UPDATE sch_chameleon.t_sources SET binlog_file = '${real%:*}', binlog_position = ${real##*:} WHERE source_name = 'det'" > /dev/null
start_det 2
mariadb_sql -e 'INSERT INTO `o$$dd`.`pa"rent` (n) VALUES ("d"); INSERT INTO `o$$dd`.`ch'"'"'ild` (`pa"rent_id`) VALUES (4)'
if "$bin" detach_replica $D --source det --yes --timeout 60 > "$work/o" 2> "$work/e"; then
	wait $rpid
	rpid=""
	ok "detach_replica waits for the running replica and stops it: $(cat "$work/o")"
	S='"o$$dd ""2"""'
	pid=$(q "INSERT INTO $S.\"pa\"\"rent\" (n) VALUES ('pg') RETURNING id")
	cid=$(q "INSERT INTO $S.\"ch'ild\" (\"pa\"\"rent_id\") VALUES (4) RETURNING \"i d\"")
	[ "$pid" = 5 ] && [ "$cid" = 5 ] && ok "sequences continue after the maximum (parent $pid, child $cid)" ||
		notok "sequences: parent $pid child $cid"
	v=$(q "SELECT convalidated::text || ' ' || confdeltype::text FROM pg_constraint WHERE conname = 'fk\$\$\"x'")
	bad=$(q "INSERT INTO $S.\"ch'ild\" (\"pa\"\"rent_id\") VALUES (99)")
	[ "$v" = "true c" ] && echo "$bad" | grep -q "foreign key" &&
		ok "foreign key fk\$\$\"x created and validated" || notok "foreign key: '$v' $bad"
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_sources WHERE source_name = 'det'")" = 0 ] &&
		[ "$(q "SELECT count(*) FROM sch_chameleon.t_tables WHERE source_name = 'det'")" = 0 ] &&
		ok "the source is removed from the catalog" || notok "source det still in the catalog"
else
	notok "detach_replica: $(tail -n 3 "$work/e")"
fi
tap_done
