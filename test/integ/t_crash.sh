#!/bin/sh
# Integration: a random workload over every column type (inserts, updates
# that change keys, deletes, a 100,000-row transaction, rollbacks,
# statements mixing InnoDB and MyISAM tables) runs on MariaDB while
# start_replica is killed with SIGKILL at random moments, 20 times, and
# started again each time.  After catching up, every table equals its
# source value by value: nothing lost, nothing applied twice.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
wl_pid=""
rep_pid=""
integ_begin 'kill $wl_pid $rep_pid 2>/dev/null'
servers_up
export MY_SOCK PG_HOST PG_PORT
mariadb_sql -D mysql <<'SQL'
SET sql_mode = '';
CREATE DATABASE w CHARACTER SET utf8mb4;
CREATE TABLE w.all_types (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT,
  mi MEDIUMINT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, d DECIMAL(30,10), f FLOAT, db DOUBLE,
  bt BIT(13), dt DATE, dtm DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME(4), y YEAR,
  c CHAR(5), vc VARCHAR(100), l1 VARCHAR(20) CHARACTER SET latin1, tx TEXT, bn BINARY(3),
  vb VARBINARY(20), bl BLOB, e ENUM('x','y','z'), st SET('p','q','r'), j JSON);
CREATE TABLE w.nokey (a INT, b VARCHAR(10));
CREATE TABLE w.myi (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=MyISAM;
CREATE TABLE w.big (id INT PRIMARY KEY, v VARCHAR(30));
SQL
config_write "$work/cfg.yml" mysql w:w "pid_dir: $work/pid" "log_dir: $work/log" \
	"  replay_max_rows: 3000"
"$bin" init_replica --debug --config "$work/cfg.yml" --source mysql > /dev/null 2> "$work/init.err" ||
	{ notok "init_replica"; tail -3 "$work/init.err" | sed 's/^/# /'; }

# the random workload (seeded: the same SQL every run), 300 rounds written
# by one python3 into 30 files of 10 rounds, one client run each
rounds() {	# rounds DIR
	python3 - "$1" <<'PY'
import random, sys
for k in range(300):
    r = random.Random(k)
    def val():
        i = r.randrange(1, 400)
        return ("(%d, %d, %d, %d, %d, %d, %d, %s, %s, %s, b'%s', %s, %s, %s, '%s', %d, %s, %s, %s, %s, "
                "UNHEX('%06x'), UNHEX('%s'), %s, '%s', '%s', %s)" % (
            i, r.randrange(-128, 128), r.randrange(256), r.randrange(-32768, 32768),
            r.randrange(16777216), r.randrange(-2**63, 2**63), r.choice([0, 2**64 - 1, r.randrange(2**64)]),
            r.choice(["'%d.%010d'" % (r.randrange(-10**19, 10**19), r.randrange(10**10)), "NULL"]),
            r.choice(["%g" % r.uniform(-1e6, 1e6), "NULL", "1.17549435e-38"]),
            r.choice(["%r" % r.uniform(-1e300, 1e300), "0.1", "NULL"]),
            format(r.randrange(8192), "b"),
            r.choice(["'2024-02-29'", "'0000-00-00'", "'1000-01-01'", "NULL"]),
            r.choice(["'9999-12-31 23:59:59.999999'", "'2020-01-01 00:00:00.000001'", "NULL"]),
            r.choice(["'2038-01-19 03:14:07.999'", "'1970-01-01 00:00:01.000'", "NULL"]),
            r.choice(["-838:59:59.0000", "12:34:56.7891", "00:00:00"]), r.choice([0, 1901, 2155]),
            r.choice(["'ab'", "''", "NULL"]),
            r.choice(["'Zoë 😀 \\\\ \\t tab'", "'NULL'", "NULL", "'%d'" % i]),
            r.choice(["'café €'", "NULL"]), r.choice(["REPEAT('long ', 300)", "NULL", "'\\n'"]),
            r.randrange(2**24), "%02x" % r.randrange(256) * r.randrange(0, 20),
            r.choice(["UNHEX('00ff00')", "NULL", "''"]), r.choice(["x", "y", "z"]),
            r.choice(["p,r", "", "q"]),
            r.choice(["'{\"a\": [1, 2.5, null, true], \"b\": \"é\"}'", "NULL", "'[]'"])))
    out = []
    for _ in range(r.randrange(5, 15)):
        op = r.random()
        if op < 0.35:
            out.append("REPLACE INTO w.all_types VALUES %s;" % val())
        elif op < 0.5:
            a = r.randrange(1, 400); b = r.randrange(1000, 2000)
            out.append("UPDATE IGNORE w.all_types SET id = %d WHERE id = %d;" % (b + k, a))
        elif op < 0.6:
            out.append("DELETE FROM w.all_types WHERE id %% 7 = %d LIMIT 3;" % r.randrange(7))
        elif op < 0.7:
            out.append("BEGIN; REPLACE INTO w.all_types VALUES %s; ROLLBACK;" % val())
        elif op < 0.8:
            out.append("INSERT INTO w.nokey VALUES (%d, 'k%d'), (%d, 'k%d');" % (k % 5, k, k % 5, k))
            out.append("DELETE FROM w.nokey WHERE a = %d LIMIT 1;" % r.randrange(5))
        elif op < 0.9:
            # a statement on MyISAM inside an InnoDB transaction
            out.append("BEGIN; REPLACE INTO w.myi VALUES (%d, 'm%d'); UPDATE w.all_types SET vc = 'mixed %d' WHERE id %% 11 = %d; COMMIT;"
                       % (r.randrange(50), k, k, r.randrange(11)))
        else:
            out.append("UPDATE w.all_types SET j = JSON_SET(COALESCE(j, '{}'), '$.k', %d), d = d + 1 WHERE id %% 5 = %d;" % (k, r.randrange(5)))
    with open("%s/chunk_%02d.sql" % (sys.argv[1], k // 10), "a") as f:
        f.write("SET sql_mode = ''; SET time_zone = '+00:00';\n" + "\n".join(out) + "\n")
PY
}
mkdir -p "$work/wl"
rounds "$work/wl"
workload() {
	k=0
	while [ $k -lt 30 ]; do
		mariadb_sql --force < "$work/wl/chunk_$(printf %02d $k).sql" 2>> "$work/wl.err" || true
		if [ $k = 12 ]; then
			# one transaction of 100,000 rows
			mariadb_sql -D w -e "BEGIN; INSERT INTO w.big SELECT seq, CONCAT('row ', seq) FROM seq_1_to_100000;
				UPDATE w.big SET v = 'updated' WHERE id % 1000 = 0; COMMIT;"
		fi
		k=$((k + 1))
	done
}
workload &
wl_pid=$!
# kill -9 the replica at random moments while the workload runs
kills=0
while [ $kills -lt 20 ]; do
	"$bin" start_replica --config "$work/cfg.yml" --source mysql --debug >> "$work/rep.log" 2>&1 &
	rep_pid=$!
	sleep "0.$(( $(od -An -N2 -tu2 /dev/urandom) % 900 + 100 ))"
	kill -9 $rep_pid 2>/dev/null && kills=$((kills + 1))
	wait $rep_pid 2>/dev/null
	rep_pid=""
done
wait $wl_pid
wl_pid=""
"$bin" start_replica --config "$work/cfg.yml" --source mysql --debug >> "$work/rep.log" 2>&1 &
rep_pid=$!
target=$(mariadb_sql -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
i=0
while [ $i -lt 240 ]; do
	got=$(pg_sql -At -c "SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'mysql'")
	[ "$got" = "$target" ] && break
	sleep 0.5
	i=$((i + 1))
done
kill $rep_pid 2>/dev/null
wait $rep_pid 2>/dev/null
rep_pid=""
[ "$got" = "$target" ] && ok "caught up after $kills kill -9 during the workload" ||
	{ notok "not caught up: $got, source $target"; grep -E "ERROR|chameleon:" "$work/rep.log" | tail -3 | sed 's/^/# /'; }
dis=$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_disabled_tables")
[ "$dis" = 0 ] || pg_sql -At -c "SELECT table_name, error FROM sch_chameleon.t_error_log" | head -3 | sed 's/^/# /'
if [ "$dis" = 0 ] && python3 test/integ/compare.py w w > "$work/cmp" 2>&1; then
	ok "every table equal value by value after $kills kills: $(grep total "$work/cmp")"
else
	notok "tables differ ($dis disabled)"; grep -v "rows equal" "$work/cmp" | head -3 | sed 's/^/# /'
fi
rows=$(mariadb_sql -N -e "SELECT COUNT(*) FROM w.all_types")
[ "$rows" -gt 50 ] && ok "the workload left $rows rows of every type (and 100,000 in one transaction)" ||
	notok "workload too small: $rows rows"
tap_done
