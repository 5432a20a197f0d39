#!/bin/sh
# Integration, the acceptance test of DDL replication (issue 11,
# docs/ddl.md): a schema-change workload runs on a real MariaDB while
# start_replica streams it into PostgreSQL.  Every statement form that is
# translated (CREATE TABLE with types, keys and defaults, IF NOT EXISTS,
# LIKE, AS SELECT; ALTER TABLE with every clause; CREATE/DROP INDEX;
# RENAME TABLE with several pairs, between mapped schemas and out of and
# into them; DROP TABLE, temporary tables, TRUNCATE; generated and
# invisible columns, CHECK, foreign keys), each followed by row changes
# that depend on it; ADD COLUMN ... DEFAULT CURRENT_TIMESTAMP while the
# replica is down (PostgreSQL must get the statement's time); statements
# PostgreSQL cannot reproduce, whose table is copied again; a real
# pt-online-schema-change run while rows change and a gh-ost-style
# cut-over; statements that change no replicated table (XA included); a
# kill -9 of the replica in the middle of the DDL and another in the
# middle of a copy again; a second source with ddl_column_order: exact
# and limit_tables.  At the end every table has the source's columns and
# values (test/integ/compare.py --all, one line per table), no table is
# out of replication, and both replicas still run.
#
# usage: sh test/integ/t_ddl_replication.sh /abs/path/to/chameleon
#   KEEP_LOGS=DIR keeps the replicas' logs, the servers' logs, the binlogs
#   decoded, the comparison and PostgreSQL's schema in DIR.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
pid_src=""
pid_exa=""
bg_pid=""
killer=""
integ_begin 'kill $bg_pid $killer 2>/dev/null; stop_replicas; keep_logs'
export MY_SOCK PG_HOST PG_PORT

# ---- helpers ---------------------------------------------------------------

# KEEP_LOGS=DIR: everything useful to understand a failure, copied before
# the servers stop and the temporary directory goes
keep_logs() {
	[ -n "${KEEP_LOGS:-}" ] || return 0
	mkdir -p "$KEEP_LOGS" || return 0
	for f in "$work"/*.log "$work"/*.out "$work"/*.txt "$work"/cfg.yml; do
		[ -f "$f" ] && cp "$f" "$KEEP_LOGS/"
	done
	[ -f "$work/my/error.log" ] && cp "$work/my/error.log" "$KEEP_LOGS/mariadb-error.log"
	[ -f "$work/pg/server.log" ] && cp "$work/pg/server.log" "$KEEP_LOGS/postgresql.log"
	if [ -n "${MY_DIR:-}" ]; then
		mariadb-binlog --no-defaults --base64-output=decode-rows -vv \
			"$MY_DIR"/data/binlog.0* > "$KEEP_LOGS/binlog.txt" 2>/dev/null
	fi
	if [ -n "${PG_DIR:-}" ]; then
		"$PG_BIN/pg_dump" -h "$PG_HOST" -p "$PG_PORT" -U postgres --schema-only \
			postgres > "$KEEP_LOGS/postgresql-schema.sql" 2>/dev/null
		pg_sql -c "SELECT * FROM sch_chameleon.t_ddl_log ORDER BY ddl_id" \
			> "$KEEP_LOGS/t_ddl_log.txt" 2>&1
		pg_sql -x -c "SELECT * FROM sch_chameleon.t_error_log ORDER BY log_id" \
			> "$KEEP_LOGS/t_error_log.txt" 2>&1
	fi
	echo "# logs kept in $KEEP_LOGS"
}

stop_replicas() {
	for p in $pid_src $pid_exa; do
		kill "$p" 2>/dev/null
	done
	for p in $pid_src $pid_exa; do
		wait "$p" 2>/dev/null
	done
	pid_src="" pid_exa=""
}

# start_rep SOURCE: start_replica in the foreground (log_dest: stdout),
# in the background of this script; its pid in pid_SOURCE
start_rep() {
	echo "=== start_replica $(date +%T.%N)" >> "$work/rep_$1.log"
	"$bin" start_replica --config "$work/cfg.yml" --source "$1" >> "$work/rep_$1.log" 2>&1 &
	eval "pid_$1=\$!"
}

q() { pg_sql -At -F "|" -c "$1" 2>&1; }
ddl_applied() { q "SELECT ddl_applied FROM sch_chameleon.t_sources WHERE source_name = '$1'"; }

# caught_up SECONDS SOURCE...: each source's applied position reaches
# MariaDB's current one (the stream waits for the tables being copied
# again: they are done then); 1 after SECONDS
caught_up() {
	_t=$1
	shift
	_target=$(mariadb_sql -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
	_i=0
	while [ $_i -lt $((_t * 5)) ]; do
		_all=1
		for _s in "$@"; do
			_got=$(q "SELECT binlog_file || ':' || binlog_position
				FROM sch_chameleon.t_sources WHERE source_name = '$_s'")
			[ "$_got" = "$_target" ] || { _all=0; break; }
		done
		[ $_all = 1 ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	echo "# $_s: '$_got', MariaDB at $_target"
	return 1
}

# step NAME: the SQL on stdin runs on MariaDB in the database $db; a
# statement MariaDB refuses is a mistake of this test, reported
# at the end
nsteps=0
step() {
	nsteps=$((nsteps + 1))
	if ! mariadb_sql --comments -D "$db" > /dev/null 2> "$work/step.err"; then
		echo "$1: $(grep -v "^--------------" "$work/step.err" | tail -2 | tr '\n' ' ')" >> "$work/steps_failed.txt"
	fi
}

alive() {	# alive SOURCE: its replica process still runs
	eval "_p=\$pid_$1"
	[ -n "$_p" ] && kill -0 "$_p" 2>/dev/null
}

# ---- the servers, the schemas, the configuration --------------------------

# MariaDB runs in a time zone of its own (SYSTEM is UTC+05:30, a POSIX
# TZ string: no tzdata needed): what the binlog leaves to the server's
# zone must not be taken for UTC
TZ=IST-5:30
export TZ
servers_up --only-mariadb
unset TZ
servers_up --only-pg
db=mysql
step setup <<'SQL'
CREATE DATABASE ddl CHARACTER SET utf8mb4;
CREATE DATABASE ddl2 CHARACTER SET utf8mb4;
CREATE DATABASE scratch CHARACTER SET utf8mb4;
CREATE DATABASE other;
CREATE DATABASE ex CHARACTER SET utf8mb4;
USE ddl;
CREATE TABLE t_add (id INT PRIMARY KEY, v VARCHAR(20));
INSERT INTO t_add SELECT seq, CONCAT('v', seq) FROM seq_1_to_30;
CREATE TABLE t_mod (id INT PRIMARY KEY, n INT, s VARCHAR(10), d DECIMAL(5,2));
INSERT INTO t_mod SELECT seq, seq * 1000, CONCAT('s', seq), seq / 3 FROM seq_1_to_30;
CREATE TABLE t_chg (id INT PRIMARY KEY, n INT, old_name VARCHAR(10));
INSERT INTO t_chg SELECT seq, seq, IF(seq % 7, CONCAT('o', seq), NULL) FROM seq_1_to_30;
CREATE TABLE t_rc (id INT PRIMARY KEY, ren VARCHAR(10));
INSERT INTO t_rc SELECT seq, CONCAT('r', seq) FROM seq_1_to_30;
CREATE TABLE t_def (id INT PRIMARY KEY, s VARCHAR(20), df INT DEFAULT 1);
INSERT INTO t_def SELECT seq, CONCAT('s', seq), seq FROM seq_1_to_30;
CREATE TABLE t_enum (id INT PRIMARY KEY, e ENUM('a','b') DEFAULT 'a', st SET('x','y'));
INSERT INTO t_enum SELECT seq, IF(seq % 2, 'a', 'b'), IF(seq % 3, 'x', 'x,y') FROM seq_1_to_30;
CREATE TABLE t_opt (id INT PRIMARY KEY, s VARCHAR(20));
INSERT INTO t_opt SELECT seq, CONCAT('s', seq) FROM seq_1_to_30;
CREATE TABLE scratch.t_add (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE t_multi (id INT PRIMARY KEY, v INT);
INSERT INTO t_multi SELECT seq, seq FROM seq_1_to_10;
CREATE TABLE t_swapcol (id INT PRIMARY KEY, a INT, b INT);
INSERT INTO t_swapcol SELECT seq, seq, -seq FROM seq_1_to_10;
CREATE TABLE t_dropk (k INT NOT NULL, v INT, w INT, UNIQUE KEY uk (k));
INSERT INTO t_dropk SELECT seq, seq, seq FROM seq_1_to_10;
CREATE TABLE MixedCase (Id INT PRIMARY KEY, ColA INT, Other VARCHAR(5));
INSERT INTO MixedCase SELECT seq, seq, 'o' FROM seq_1_to_10;
CREATE TABLE t_reserved (id INT PRIMARY KEY);
INSERT INTO t_reserved SELECT seq FROM seq_1_to_10;
CREATE TABLE t_loose (id INT PRIMARY KEY, n INT, s VARCHAR(10));
INSERT INTO t_loose SELECT seq, IF(seq % 3, seq, NULL), CONCAT('long', seq) FROM seq_1_to_30;
CREATE TABLE t_dupe (id INT PRIMARY KEY, v VARCHAR(10));
INSERT INTO t_dupe SELECT seq, CONCAT('d', seq % 7) FROM seq_1_to_30;
CREATE TABLE t_part (id INT NOT NULL, v INT, PRIMARY KEY (id)) PARTITION BY RANGE (id)
  (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200),
   PARTITION p2 VALUES LESS THAN (300));
INSERT INTO t_part SELECT seq, seq FROM seq_1_to_250;
CREATE TABLE t_key (id INT NOT NULL, k INT NOT NULL, v VARCHAR(10), PRIMARY KEY (id));
INSERT INTO t_key SELECT seq, seq % 3, CONCAT('k', seq) FROM seq_1_to_30;
CREATE TABLE t_nokey (a INT, b VARCHAR(10));
INSERT INTO t_nokey SELECT seq, CONCAT('b', seq) FROM seq_1_to_30;
CREATE TABLE t_idx (id INT PRIMARY KEY, a INT, b VARCHAR(30), c INT);
INSERT INTO t_idx SELECT seq, seq, CONCAT('b', seq), seq FROM seq_1_to_30;
CREATE TABLE t_l1 (id INT PRIMARY KEY, s VARCHAR(20)) CHARACTER SET latin1;
INSERT INTO t_l1 VALUES (1, 'café'), (2, 'naïve');
CREATE TABLE t_ts (id INT PRIMARY KEY, v INT);
INSERT INTO t_ts SELECT seq, seq FROM seq_1_to_30;
CREATE TABLE t_ts6 (id INT PRIMARY KEY, v INT);
INSERT INTO t_ts6 SELECT seq, seq FROM seq_1_to_30;
CREATE TABLE t_cp1 (id INT PRIMARY KEY, s VARCHAR(10));
INSERT INTO t_cp1 SELECT seq, CAST(seq * 7 AS CHAR) FROM seq_1_to_30;
CREATE TABLE t_cp2 (v VARCHAR(10), w INT);
INSERT INTO t_cp2 SELECT CONCAT('w', seq), seq FROM seq_1_to_30;
CREATE TABLE t_cp3 (id INT PRIMARY KEY, v INT, ts TIMESTAMP(3) NULL DEFAULT NULL);
INSERT INTO t_cp3 SELECT seq, seq, FROM_UNIXTIME(1700000000 + seq * 86400.125) FROM seq_1_to_30;
CREATE TABLE t_tsys (id INT PRIMARY KEY, v INT);
INSERT INTO t_tsys SELECT seq, seq FROM seq_1_to_30;
CREATE TABLE t_gen (id INT PRIMARY KEY, a INT);
INSERT INTO t_gen SELECT seq, seq FROM seq_1_to_30;
CREATE TABLE t_ren1 (id INT PRIMARY KEY, v INT);
INSERT INTO t_ren1 SELECT seq, seq FROM seq_1_to_10;
CREATE TABLE t_ren2 (id INT PRIMARY KEY, v INT);
INSERT INTO t_ren2 SELECT seq, seq FROM seq_1_to_10;
CREATE TABLE t_swap_a (id INT PRIMARY KEY, a VARCHAR(5));
INSERT INTO t_swap_a SELECT seq, CONCAT('a', seq) FROM seq_1_to_10;
CREATE TABLE t_swap_b (id INT PRIMARY KEY, b INT, bb INT);
INSERT INTO t_swap_b SELECT seq, seq, -seq FROM seq_1_to_10;
CREATE TABLE t_drop1 (id INT PRIMARY KEY);
CREATE TABLE t_drop2 (id INT PRIMARY KEY, v INT);
CREATE TABLE t_drop3 (id INT PRIMARY KEY);
INSERT INTO t_drop1 VALUES (1); INSERT INTO t_drop2 VALUES (1, 1); INSERT INTO t_drop3 VALUES (1);
CREATE TABLE t_trunc (id INT PRIMARY KEY, v INT);
INSERT INTO t_trunc SELECT seq, seq FROM seq_1_to_50;
CREATE TABLE t_out (id INT PRIMARY KEY, v INT);
INSERT INTO t_out SELECT seq, seq FROM seq_1_to_10;
CREATE TABLE t_skip (id INT PRIMARY KEY, v INT);
INSERT INTO t_skip SELECT seq, seq FROM seq_1_to_10;
CREATE TABLE t_pt (id INT AUTO_INCREMENT PRIMARY KEY, v INT, s VARCHAR(20));
INSERT INTO t_pt (v, s) SELECT seq, CONCAT('s', seq) FROM seq_1_to_3000;
CREATE TABLE t_gh (id INT PRIMARY KEY, v INT, s VARCHAR(20));
INSERT INTO t_gh SELECT seq, seq, CONCAT('g', seq) FROM seq_1_to_1000;
CREATE TABLE `odd name "q"` (`col ``1`` x` INT PRIMARY KEY, `ü ß` VARCHAR(10));
INSERT INTO `odd name "q"` VALUES (1, 'ü'), (2, NULL);
CREATE TABLE scratch.t_in (id INT PRIMARY KEY, v VARCHAR(10));
INSERT INTO scratch.t_in SELECT seq, CONCAT('in', seq) FROM seq_1_to_10;
CREATE TABLE scratch.src (id INT PRIMARY KEY, z VARCHAR(5) DEFAULT 'z', n DECIMAL(6,2));
CREATE TABLE other.part (id INT NOT NULL, v INT, PRIMARY KEY (id)) PARTITION BY RANGE (id)
  (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200));
INSERT INTO other.part SELECT seq, seq FROM seq_1_to_150;
CREATE TABLE ex.e1 (id INT PRIMARY KEY, a INT, b VARCHAR(10));
INSERT INTO ex.e1 SELECT seq, seq, CONCAT('b', seq) FROM seq_1_to_10;
CREATE TABLE ex.e2 (id INT PRIMARY KEY, c INT);
INSERT INTO ex.e2 SELECT seq, seq FROM seq_1_to_10;
CREATE TABLE ex.e4 (id INT PRIMARY KEY, a INT, b VARCHAR(10), c INT);
INSERT INTO ex.e4 SELECT seq, seq, CONCAT('b', seq), seq FROM seq_1_to_10;
SQL
db=ddl

# source src: ddl and ddl2, ddl.t_skip never replicated; source exa: ex,
# with the source's column order, ex.e_unlisted (not in limit_tables) not
# replicated
config_write "$work/cfg.yml" src "ddl:ddl_pg ddl2:ddl2_pg" "pid_dir: $work/pid" \
	"log_dir: $work/logdir" "log_dest: stdout" "  skip_tables: [ddl.t_skip]"
cat >> "$work/cfg.yml" <<EOF
  exa:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: root, password: ''}
    schema_mappings:
      ex: ex_pg
    ddl_column_order: exact
    my_server_id: 101
    limit_tables: [ex.e1, ex.e2, ex.e3, ex.e4]
EOF
for s in src exa; do
	"$bin" init_replica --debug --config "$work/cfg.yml" --source $s > "$work/init_$s.log" 2>&1 ||
		{ notok "init_replica --source $s"; tail -3 "$work/init_$s.log" | sed 's/^/# /'; }
done
start_rep src
start_rep exa
if caught_up 30 src exa; then
	ok "init_replica of both sources, both replicas streaming"
else
	notok "the replicas did not start"; tail -5 "$work/rep_src.log" | sed 's/^/# /'
fi
t0=$(date +%s)

# ---- A: CREATE TABLE forms and ALTER TABLE ... ADD, while streaming --------

step "CREATE TABLE with every type, keys and defaults" <<'SQL'
CREATE TABLE c_types (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ti TINYINT DEFAULT -1, si SMALLINT UNSIGNED, mi MEDIUMINT, de DECIMAL(20,6) NOT NULL DEFAULT 0.5,
  fl FLOAT, db DOUBLE, dt DATE DEFAULT '2000-01-01', dtm DATETIME(6), ts TIMESTAMP(3) NULL DEFAULT NULL,
  tm TIME(2), y YEAR, ch CHAR(3) CHARACTER SET ascii, vc VARCHAR(300) NOT NULL DEFAULT 'it''s',
  tx TEXT, bn BINARY(4), vb VARBINARY(10), bl BLOB, en ENUM('p','q') NOT NULL DEFAULT 'q',
  se SET('r','s'), bt BIT(5) DEFAULT b'101',
  PRIMARY KEY (id), UNIQUE KEY u_vc (vc(50), ch), KEY (dt)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='every type';
INSERT INTO c_types (ti, si, mi, de, fl, db, dt, dtm, ts, tm, y, ch, vc, tx, bn, vb, bl, en, se, bt)
VALUES (-128, 65535, -8388608, -12345678901234.123456, 1.5, -2.25e-300, '2024-02-29',
  '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07.999', '-838:59:59.99', 2155, 'abc',
  'Zoë 😀', REPEAT('t', 1000), UNHEX('00FF00FF'), UNHEX(''), UNHEX('DEADBEEF'), 'p', 'r,s', b'11111');
INSERT INTO c_types () VALUES ();
INSERT INTO c_types (vc, ch) VALUES ('third', 'zz');
UPDATE c_types SET tx = 'updated', bt = b'00001' WHERE id = 1;
DELETE FROM c_types WHERE id = 2;
SQL
step "CREATE TABLE IF NOT EXISTS" <<'SQL'
CREATE TABLE IF NOT EXISTS c_types (x INT);
CREATE TABLE IF NOT EXISTS c_new (id INT PRIMARY KEY, v TEXT NOT NULL);
INSERT INTO c_new VALUES (1, 'one'), (2, 'two');
UPDATE c_new SET v = 'deux' WHERE id = 2;
INSERT INTO c_types (vc) VALUES ('after IF NOT EXISTS');
SQL
step "CREATE TABLE LIKE" <<'SQL'
CREATE TABLE c_like LIKE c_types;
INSERT INTO c_like SELECT * FROM c_types;
UPDATE c_like SET vc = 'like' WHERE id = 1;
CREATE TABLE c_like_ext LIKE scratch.src;
INSERT INTO c_like_ext VALUES (1, 'a', 1.25), (2, DEFAULT, NULL);
UPDATE c_like_ext SET n = 9.5 WHERE id = 2;
SQL
step "CREATE TABLE ... AS SELECT" <<'SQL'
CREATE TABLE c_as (PRIMARY KEY (id)) AS SELECT id, v, LENGTH(v) AS len FROM t_add WHERE id <= 10;
UPDATE c_as SET len = len * 10 WHERE id = 3;
DELETE FROM c_as WHERE id = 4;
CREATE TABLE c_as2 SELECT a, b FROM t_nokey WHERE a < 5;
UPDATE c_as2 SET b = 'as2' WHERE a = 1;
SQL
step "CREATE TABLE in another database than the default one, odd names" <<'SQL'
CREATE TABLE ddl2.c_q (id INT PRIMARY KEY, v INT);
INSERT INTO ddl2.c_q VALUES (1, 1), (2, 2);
CREATE TABLE `c odd ``tab`` "x"` (`k ``1`` "y"` INT PRIMARY KEY, `ü ß` VARCHAR(10) DEFAULT 'ü');
INSERT INTO `c odd ``tab`` "x"` VALUES (1, 'one'), (2, DEFAULT);
UPDATE `c odd ``tab`` "x"` SET `ü ß` = 'ß' WHERE `k ``1`` "y"` = 1;
ALTER TABLE `odd name "q"` ADD COLUMN `new ``col`` "z"` INT DEFAULT 3;
INSERT INTO `odd name "q"` VALUES (3, 'x', 4);
SQL
step "generated and invisible columns, CHECK, FOREIGN KEY" <<'SQL'
CREATE TABLE c_gen (id INT PRIMARY KEY, a INT NOT NULL, b INT AS (a * 2) VIRTUAL,
  c VARCHAR(20) AS (CONCAT('c', a)) STORED, h INT INVISIBLE DEFAULT 5,
  CONSTRAINT chk_a CHECK (a >= 0), CONSTRAINT chk_re CHECK (c REGEXP '^c'), KEY (c));
INSERT INTO c_gen (id, a) VALUES (1, 1), (2, 2), (3, 3);
INSERT INTO c_gen (id, a, h) VALUES (4, 4, 40);
UPDATE c_gen SET a = 10 WHERE id = 1;
DELETE FROM c_gen WHERE id = 2;
CREATE TABLE c_parent (id INT PRIMARY KEY, name VARCHAR(10)) ENGINE=InnoDB;
CREATE TABLE c_child (id INT PRIMARY KEY, pid INT, KEY (pid),
  CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES c_parent (id) ON DELETE RESTRICT ON UPDATE RESTRICT);
INSERT INTO c_parent VALUES (1, 'p1'), (2, 'p2');
INSERT INTO c_child VALUES (1, 1), (2, 2), (3, NULL);
DELETE FROM c_child WHERE id = 2;
DELETE FROM c_parent WHERE id = 2;
SQL
step "ALTER TABLE ADD COLUMN" <<'SQL'
ALTER TABLE t_add ADD COLUMN a1 INT;
INSERT INTO t_add VALUES (31, 'v31', 31);
UPDATE t_add SET a1 = id * 2 WHERE id <= 5;
SQL
step "ALTER TABLE ADD (list)" <<'SQL'
ALTER TABLE t_add ADD (a2 VARCHAR(10) DEFAULT 'd2', a3 DECIMAL(8,3) NOT NULL DEFAULT 1.5);
INSERT INTO t_add (id, v, a1, a3) VALUES (32, 'v32', 32, 2.125);
UPDATE t_add SET a2 = 'u' WHERE a1 = 4;
SQL
step "ALTER TABLE ADD COLUMN FIRST, AFTER" <<'SQL'
ALTER TABLE t_add ADD COLUMN a0 INT DEFAULT 0 FIRST, ADD COLUMN a15 CHAR(2) AFTER a1;
INSERT INTO t_add (a0, id, v, a15) VALUES (-1, 33, 'v33', 'xy');
UPDATE t_add SET a15 = 'zz' WHERE id = 1;
SQL
step "ADD COLUMN IF NOT EXISTS, executable comment, ALGORITHM/LOCK" <<'SQL'
ALTER TABLE t_add ADD COLUMN IF NOT EXISTS a1 INT, ADD COLUMN IF NOT EXISTS a4 INT DEFAULT 4;
ALTER TABLE t_add ADD COLUMN /*M!100100 IF NOT EXISTS */ a5 INT NOT NULL DEFAULT 7,
  ALGORITHM=INSTANT, LOCK=DEFAULT;
INSERT INTO t_add (id, v, a4, a5) VALUES (34, 'v34', 44, 55);
UPDATE t_add SET a5 = a5 + 1 WHERE id < 10;
SQL
step "ALTER TABLE DROP COLUMN" <<'SQL'
ALTER TABLE t_add DROP COLUMN a0, DROP COLUMN IF EXISTS nope;
ALTER TABLE t_add DROP a15;
INSERT INTO t_add (id, v) VALUES (35, 'v35');
DELETE FROM t_add WHERE id = 2;
SQL
step "invisible and generated columns added, CHECK added and dropped" <<'SQL'
ALTER TABLE t_add ADD COLUMN inv INT INVISIBLE DEFAULT 3;
INSERT INTO t_add VALUES (36, 'v36', 36, 'd', 1.0, 4, 5);
INSERT INTO t_add (id, v, inv) VALUES (37, 'v37', 77);
UPDATE t_add SET inv = 9 WHERE id = 1;
ALTER TABLE t_gen ADD COLUMN g INT AS (a * 10) VIRTUAL,
  ADD COLUMN gs VARCHAR(12) AS (CONCAT('g', a)) STORED;
INSERT INTO t_gen (id, a) VALUES (31, 31);
UPDATE t_gen SET a = a + 100 WHERE id <= 3;
ALTER TABLE t_add ADD CONSTRAINT chk_a5 CHECK (a5 > 0);
INSERT INTO t_add (id, v, a5) VALUES (38, 'v38', 8);
ALTER TABLE t_add DROP CONSTRAINT chk_a5;
INSERT INTO t_add (id, v, a5) VALUES (39, 'v39', -9);
SQL

# ---- B: MODIFY, CHANGE, keys, indexes; the replica is killed meanwhile ----

# kill -9 of the replica once it has applied a few of the statements below
caught_up 30 src > /dev/null
base=$(ddl_applied src)
(
	i=0
	while [ $i -lt 400 ]; do
		n=$(ddl_applied src)
		[ "$n" -ge $((base + 5)) ] 2>/dev/null && break
		sleep 0.05
		i=$((i + 1))
	done
	kill -9 "$pid_src" 2>/dev/null && echo "$((n - base))" > "$work/killed.txt"
) &
killer=$!

step "ALTER TABLE MODIFY (widening)" <<'SQL'
ALTER TABLE t_mod MODIFY n BIGINT, MODIFY s VARCHAR(100) NOT NULL, MODIFY d DECIMAL(12,4);
INSERT INTO t_mod (id, n, s, d) VALUES (31, 9000000000, REPEAT('s', 100), 12345678.1234);
UPDATE t_mod SET n = n * 1000000 WHERE id <= 3;
SQL
step "ALTER TABLE CHANGE" <<'SQL'
UPDATE t_chg SET old_name = '' WHERE old_name IS NULL;
ALTER TABLE t_chg CHANGE old_name new_name VARCHAR(40) NOT NULL DEFAULT '';
UPDATE t_chg SET new_name = CONCAT(new_name, ' renamed and wider') WHERE id % 5 = 0;
INSERT INTO t_chg (id, n) VALUES (31, 31);
ALTER TABLE t_chg CHANGE COLUMN n n BIGINT UNSIGNED;
UPDATE t_chg SET n = 18446744073709551615 WHERE id = 4;
SQL
step "ALTER TABLE RENAME COLUMN" <<'SQL'
ALTER TABLE t_rc RENAME COLUMN ren TO ren2;
UPDATE t_rc SET ren2 = 'r!' WHERE id = 7;
DELETE FROM t_rc WHERE ren2 = 'r8';
SQL
step "ALTER COLUMN SET/DROP DEFAULT" <<'SQL'
ALTER TABLE t_def ALTER COLUMN df SET DEFAULT 42;
INSERT INTO t_def (id, s) VALUES (32, 'default df');
ALTER TABLE t_def ALTER df DROP DEFAULT;
INSERT INTO t_def (id, s, df) VALUES (33, 'explicit df', 3);
SQL
step "ENUM and SET values appended" <<'SQL'
ALTER TABLE t_enum MODIFY e ENUM('a','b','c') DEFAULT 'a', MODIFY st SET('x','y','z');
INSERT INTO t_enum VALUES (34, 'c', 'x,z');
UPDATE t_enum SET e = 'c', st = 'z' WHERE id = 1;
SQL
step "table options" <<'SQL'
ALTER TABLE t_opt ENGINE=InnoDB, COMMENT='options', ROW_FORMAT=DYNAMIC, STATS_PERSISTENT=1;
ALTER TABLE t_opt FORCE;
ALTER TABLE t_opt AUTO_INCREMENT = 100, CHARACTER SET utf8mb4, COMMENT 'again';
INSERT INTO t_opt VALUES (35, 'after options');
SQL
step "DROP/ADD PRIMARY KEY" <<'SQL'
ALTER TABLE t_key DROP PRIMARY KEY;
INSERT INTO t_key VALUES (1, 9, 'dup id');
UPDATE t_key SET v = 'nokey upd' WHERE id = 2;
DELETE FROM t_key WHERE id = 3;
ALTER TABLE t_key ADD PRIMARY KEY (id, k);
UPDATE t_key SET v = 'pk2' WHERE id = 1 AND k = 9;
UPDATE t_key SET k = 7 WHERE id = 4;
DELETE FROM t_key WHERE id = 1 AND k = 1;
ALTER TABLE t_nokey ADD PRIMARY KEY (a);
UPDATE t_nokey SET b = 'pk' WHERE a = 5;
UPDATE t_nokey SET a = 100 WHERE a = 6;
DELETE FROM t_nokey WHERE a = 7;
ALTER TABLE t_nokey DROP PRIMARY KEY, ADD UNIQUE KEY ub (b);
UPDATE t_nokey SET a = 200 WHERE b = 'b9';
SQL
step "ADD/DROP INDEX, UNIQUE, IF [NOT] EXISTS, CREATE/DROP INDEX ON" <<'SQL'
ALTER TABLE t_idx ADD INDEX ia (a), ADD UNIQUE KEY ub (b), ADD KEY IF NOT EXISTS ia (a);
INSERT INTO t_idx VALUES (31, 31, 'b31', 31);
UPDATE t_idx SET b = 'b-one' WHERE a = 1;
ALTER TABLE t_idx DROP INDEX ia, DROP KEY IF EXISTS nope, ADD UNIQUE INDEX uca (c, a) USING BTREE;
CREATE INDEX ib5 ON t_idx (b(5)) COMMENT 'prefix';
CREATE UNIQUE INDEX uac ON t_idx (a, c);
DROP INDEX ub ON t_idx;
INSERT INTO t_idx VALUES (32, 32, 'b3', 32);
ALTER TABLE t_idx ADD FULLTEXT KEY ft (b);
DROP INDEX `PRIMARY` ON t_idx;
UPDATE t_idx SET c = c + 1 WHERE id = 5;
ALTER TABLE t_idx ADD PRIMARY KEY (id);
DELETE FROM t_idx WHERE id = 6;
SQL
step "FOREIGN KEY clauses" <<'SQL'
ALTER TABLE c_child ADD CONSTRAINT fk2 FOREIGN KEY (pid) REFERENCES c_parent (id) ON DELETE NO ACTION;
ALTER TABLE c_child DROP FOREIGN KEY fk_c;
INSERT INTO c_parent VALUES (3, 'p3');
INSERT INTO c_child VALUES (4, 3);
SQL
step "CONVERT TO CHARACTER SET" <<'SQL'
ALTER TABLE t_l1 CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
INSERT INTO t_l1 VALUES (3, 'emoji 😀');
UPDATE t_l1 SET s = CONCAT(s, ' ✓') WHERE id = 1;
SQL

wait $killer
killer=""
killed=$(cat "$work/killed.txt" 2>/dev/null)
if [ -n "$killed" ]; then
	ok "start_replica killed with SIGKILL after $killed of the DDL statements of section B"
else
	notok "the replica was not killed (DDL applied: $(ddl_applied src), before: $base)"
	kill -9 "$pid_src" 2>/dev/null
fi
wait "$pid_src" 2>/dev/null
pid_src=""

# ---- C: while the replica is down ------------------------------------------

# t_ts: whole seconds, the statement's time in its session time zone;
# t_ts6: fractions of a second
step "ADD COLUMN ... DEFAULT CURRENT_TIMESTAMP on a table with rows" <<'SQL'
SET time_zone = '+05:30';
ALTER TABLE t_ts ADD COLUMN cts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  ADD COLUMN cdt DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP;
INSERT INTO t_ts (id, v) VALUES (31, 31);
UPDATE t_ts SET v = v + 1 WHERE id = 1;
ALTER TABLE t_ts6 ADD COLUMN c6 DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6);
INSERT INTO t_ts6 (id, v) VALUES (31, 31);
ALTER TABLE t_ts6 ADD COLUMN d3 DATETIME(3) NOT NULL DEFAULT NOW(3);
INSERT INTO t_ts6 (id, v) VALUES (32, 32);
SQL
step "ADD COLUMN ... DEFAULT CURRENT_TIMESTAMP in the server's time zone (SYSTEM)" <<'SQL'
ALTER TABLE t_tsys ADD COLUMN cdt DATETIME DEFAULT CURRENT_TIMESTAMP,
  ADD COLUMN cts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP;
INSERT INTO t_tsys (id, v) VALUES (31, 31);
SQL
# PostgreSQL's clock is well past the statements' when the replica applies them
sleep 1.2
start_rep src
# a second kill -9, in the middle of the copy of t_cp2 (section D)
(
	i=0
	while [ $i -lt 1500 ]; do
		if grep -q "copying again from a new snapshot: .*ddl\.t_cp2" "$work/rep_src.log"; then
			kill -9 "$pid_src" 2>/dev/null && echo "killed" > "$work/killed2.txt"
			break
		fi
		sleep 0.02
		i=$((i + 1))
	done
) &
killer=$!

# ---- D: copied again, renames, drops, truncate, temporary tables -----------

step "statements that force a copy again" <<'SQL'
ALTER TABLE t_cp1 MODIFY s INT;
INSERT INTO t_cp1 VALUES (31, 31);
UPDATE t_cp1 SET s = s + 1 WHERE id <= 3;
ALTER TABLE t_cp2 ADD COLUMN id2 INT AUTO_INCREMENT UNIQUE;
INSERT INTO t_cp2 (v, w) VALUES ('new', 31);
UPDATE t_cp2 SET w = -w WHERE id2 = 3;
DELETE FROM t_cp2 WHERE id2 = 4;
ALTER TABLE t_cp3 ADD COLUMN u CHAR(36) DEFAULT (UUID());
INSERT INTO t_cp3 (id, v, ts) VALUES (31, 31, '2024-02-29 12:00:00.5');
UPDATE t_cp3 SET v = 0 WHERE id = 1;
SQL
step "ALTER TABLE RENAME TO / AS another mapped schema" <<'SQL'
ALTER TABLE t_ren1 RENAME TO t_ren1b;
INSERT INTO t_ren1b VALUES (11, 11);
UPDATE t_ren1b SET v = -1 WHERE id = 1;
ALTER TABLE t_ren2 RENAME AS ddl2.t_ren2;
INSERT INTO ddl2.t_ren2 VALUES (11, 11);
DELETE FROM ddl2.t_ren2 WHERE id = 2;
SQL
step "RENAME TABLE with several pairs (a swap), out of and into the mapped schemas" <<'SQL'
RENAME TABLE t_swap_a TO t_swap_tmp, t_swap_b TO t_swap_a, t_swap_tmp TO t_swap_b;
INSERT INTO t_swap_a VALUES (11, 11, 11);
INSERT INTO t_swap_b VALUES (11, 'x');
UPDATE t_swap_a SET bb = 0 WHERE id = 1;
RENAME TABLE t_out TO scratch.t_out;
INSERT INTO scratch.t_out VALUES (11, 11);
RENAME TABLE scratch.t_in TO ddl.t_in, ddl2.c_q TO ddl.c_q;
INSERT INTO t_in VALUES (11, 'in');
UPDATE c_q SET v = v + 10;
SQL
step "DROP TABLE several, IF EXISTS, temporary tables, TRUNCATE" <<'SQL'
DROP TABLE t_drop1, t_drop2;
DROP TABLE IF EXISTS t_drop3, no_such_table;
CREATE TEMPORARY TABLE t_tmp1 (id INT PRIMARY KEY, v INT);
INSERT INTO t_tmp1 VALUES (1, 1);
ALTER TABLE t_tmp1 ADD COLUMN w INT;
DROP TEMPORARY TABLE t_tmp1;
CREATE TEMPORARY TABLE t_trunc (x INT);
INSERT INTO t_trunc VALUES (1);
DROP TABLE t_trunc;
TRUNCATE TABLE t_trunc;
INSERT INTO t_trunc VALUES (100, 100), (101, 101);
CREATE TABLE t_drop4 (id INT PRIMARY KEY);
INSERT INTO t_drop4 VALUES (1);
CREATE TEMPORARY TABLE t_tmp2 (id INT);
DROP TABLE t_drop4, t_tmp2;
TRUNCATE t_ren1b;
INSERT INTO t_ren1b VALUES (1, 1);
SQL
step "DDL in an open transaction (an implicit commit)" <<'SQL'
BEGIN;
INSERT INTO t_add (id, v) VALUES (50, 'before commit');
ALTER TABLE t_add ADD COLUMN a8 INT DEFAULT 8;
INSERT INTO t_add (id, v, a8) VALUES (51, 'after', 88);
ROLLBACK;
SQL
step "a table of the same name in an unmapped database" <<'SQL'
ALTER TABLE scratch.t_add ADD COLUMN not_this INT, DROP COLUMN v;
CREATE TABLE scratch.c_types (id INT);
DROP TABLE scratch.c_types;
RENAME TABLE scratch.t_add TO scratch.t_add2;
SQL
db=scratch
step "mapped tables named from an unmapped default database" <<'SQL'
ALTER TABLE ddl.t_add ADD COLUMN a9 INT DEFAULT 9;
UPDATE ddl.t_add SET a9 = id WHERE id < 5;
CREATE TABLE ddl.c_from_scratch (id INT PRIMARY KEY, v INT);
INSERT INTO ddl.c_from_scratch VALUES (1, 1);
CREATE INDEX i_v ON ddl.c_from_scratch (v);
RENAME TABLE ddl2.t_ren2 TO ddl2.t_ren2b;
INSERT INTO ddl2.t_ren2b VALUES (12, 12);
SQL
db=ddl
step "ALTER TABLE with RENAME and ADD, DROP and ADD PRIMARY KEY, in one statement" <<'SQL'
ALTER TABLE t_multi ADD COLUMN c INT DEFAULT 3, RENAME TO t_multi2;
INSERT INTO t_multi2 VALUES (11, 11, 33);
ALTER TABLE t_multi2 DROP PRIMARY KEY, ADD PRIMARY KEY (id, v);
UPDATE t_multi2 SET c = 0 WHERE id = 1 AND v = 1;
UPDATE t_multi2 SET v = 100 WHERE id = 2;
SQL
step "CHANGE swapping two column names" <<'SQL'
ALTER TABLE t_swapcol CHANGE a b INT, CHANGE b a INT;
UPDATE t_swapcol SET a = a + 100 WHERE id = 1;
INSERT INTO t_swapcol (id, a, b) VALUES (11, 1, 2);
SQL
step "DROP COLUMN of the replica key (a unique key of one column)" <<'SQL'
ALTER TABLE t_dropk DROP COLUMN k;
UPDATE t_dropk SET w = -w WHERE v = 2;
DELETE FROM t_dropk WHERE v = 3;
INSERT INTO t_dropk VALUES (2, 2);
DELETE FROM t_dropk WHERE v = 2 LIMIT 1;
SQL
step "column names in another case than their definition" <<'SQL'
ALTER TABLE MixedCase RENAME COLUMN cola TO ColB, ADD COLUMN Extra INT DEFAULT 1, DROP COLUMN OTHER;
CREATE INDEX i_mc ON MixedCase (COLB);
ALTER TABLE MixedCase MODIFY colb BIGINT, ALTER COLUMN EXTRA SET DEFAULT 2;
INSERT INTO MixedCase (id, colb) VALUES (11, 11000000000);
UPDATE MixedCase SET colb = -colb, extra = 5 WHERE id = 1;
SQL
step "reserved words of PostgreSQL as column names" <<'SQL'
ALTER TABLE t_reserved ADD COLUMN `order` INT DEFAULT 1, ADD COLUMN `user` VARCHAR(5) DEFAULT 'u',
  ADD COLUMN `end` INT, ADD INDEX `select` (`order`);
UPDATE t_reserved SET `end` = id, `user` = 'x' WHERE id < 4;
ALTER TABLE t_reserved RENAME COLUMN `end` TO `from`;
INSERT INTO t_reserved VALUES (11, 2, 'y', 3);
SQL
step "non-strict sql_mode: NULL into NOT NULL, narrowed strings" <<'SQL'
SET SESSION sql_mode = '';
ALTER TABLE t_loose MODIFY n INT NOT NULL, MODIFY s VARCHAR(3);
INSERT INTO t_loose VALUES (31, 31, 'abcdef');
UPDATE t_loose SET s = 'z' WHERE id = 1;
SQL
step "ALTER IGNORE TABLE ADD UNIQUE: MariaDB removes the duplicates" <<'SQL'
ALTER IGNORE TABLE t_dupe ADD UNIQUE KEY u_v (v);
INSERT INTO t_dupe VALUES (100, 'unique');
UPDATE t_dupe SET v = 'd0!' WHERE v = 'd0';
SQL
step "long table names (56 characters) and 64-character index names that differ only at the end" <<'SQL'
CREATE TABLE `t_longlonglonglonglonglonglonglonglonglonglong_name_one1` (id INT PRIMARY KEY, e ENUM('a','b') DEFAULT 'a', v INT, KEY `k_indexindexindexindexindexindexindexindexindexindexindexindex` (v));
CREATE TABLE `t_longlonglonglonglonglonglonglonglonglonglong_name_two2` (id INT PRIMARY KEY, e ENUM('x','y') DEFAULT 'x', v INT, KEY `k_indexindexindexindexindexindexindexindexindexindexindexindex` (v));
INSERT INTO `t_longlonglonglonglonglonglonglonglonglonglong_name_one1` VALUES (1, 'b', 1);
INSERT INTO `t_longlonglonglonglonglonglonglonglonglonglong_name_two2` VALUES (1, 'y', 1);
ALTER TABLE `t_longlonglonglonglonglonglonglonglonglonglong_name_one1` MODIFY e ENUM('a','b','c') DEFAULT 'a';
ALTER TABLE `t_longlonglonglonglonglonglonglonglonglonglong_name_two2` MODIFY e ENUM('x','y','z') DEFAULT 'x', RENAME COLUMN v TO w;
INSERT INTO `t_longlonglonglonglonglonglonglonglonglonglong_name_one1` VALUES (2, 'c', 2);
INSERT INTO `t_longlonglonglonglonglonglonglonglonglonglong_name_two2` VALUES (2, 'z', 2);
SQL
step "partition maintenance of a replicated table (TRUNCATE/DROP PARTITION delete rows)" <<'SQL'
ALTER TABLE t_part ADD PARTITION (PARTITION p3 VALUES LESS THAN (400));
INSERT INTO t_part VALUES (350, 350);
ALTER TABLE t_part REORGANIZE PARTITION p3 INTO
  (PARTITION p3a VALUES LESS THAN (375), PARTITION p3b VALUES LESS THAN (400));
ALTER TABLE t_part ANALYZE PARTITION p1;
ALTER TABLE t_part REBUILD PARTITION p2;
ALTER TABLE t_part TRUNCATE PARTITION p0;
INSERT INTO t_part VALUES (5, 5);
ALTER TABLE t_part DROP PARTITION p1;
UPDATE t_part SET v = -v WHERE id > 200;
ALTER TABLE t_part REMOVE PARTITIONING;
INSERT INTO t_part VALUES (1000, 1000);
SQL
step "DROP DATABASE of a mapped schema, created again" <<'SQL'
DROP DATABASE ddl2;
CREATE DATABASE ddl2 CHARACTER SET utf8mb4;
CREATE TABLE ddl2.t_ren2b (id INT PRIMARY KEY, fresh VARCHAR(10));
INSERT INTO ddl2.t_ren2b VALUES (1, 'fresh');
SQL
step "skip_tables: DDL of a skipped table" <<'SQL'
ALTER TABLE t_skip ADD COLUMN w INT;
INSERT INTO t_skip VALUES (100, 1, 1);
SQL
step "SET STATEMENT ... FOR, an executable comment as the whole statement" <<'SQL'
SET STATEMENT max_statement_time = 60 FOR ALTER TABLE t_add ADD COLUMN a6 INT DEFAULT 6;
/*!40101 ALTER TABLE t_add ADD COLUMN a7 INT */;
UPDATE t_add SET a6 = 66, a7 = 77 WHERE id = 3;
SQL
db=ex
step "ddl_column_order: exact (source exa)" <<'SQL'
ALTER TABLE e1 ADD COLUMN f INT DEFAULT 1 FIRST;
INSERT INTO e1 (id, a, b, f) VALUES (11, 11, 'b11', 111);
ALTER TABLE e1 ADD COLUMN m VARCHAR(5) DEFAULT 'm' AFTER a, ADD COLUMN z INT;
UPDATE e1 SET m = 'mm' WHERE id = 1;
INSERT INTO e1 (id, a, b) VALUES (12, 12, 'b12');
DELETE FROM e1 WHERE id = 2;
ALTER TABLE e1 DROP COLUMN f, ADD COLUMN g INT AFTER id;
UPDATE e1 SET g = id;
ALTER TABLE e2 ADD COLUMN x INT DEFAULT 5 FIRST, ADD COLUMN y INT AFTER x;
INSERT INTO e2 VALUES (1, 2, 11, 11);
CREATE TABLE e3 (id INT PRIMARY KEY, v INT);
INSERT INTO e3 VALUES (1, 1);
ALTER TABLE e3 ADD COLUMN w INT DEFAULT 9 AFTER id;
INSERT INTO e3 VALUES (2, 2, 2);
ALTER TABLE e4 MODIFY b VARCHAR(20) FIRST;
ALTER TABLE e4 CHANGE a a2 BIGINT AFTER c;
INSERT INTO e4 (id, a2, b, c) VALUES (12, 12, 'b12', 12);
CREATE TABLE e_unlisted (id INT PRIMARY KEY);
INSERT INTO e_unlisted VALUES (1);
ALTER TABLE e_unlisted ADD COLUMN v INT FIRST;
SQL
db=ddl

wait $killer
killer=""
if [ -s "$work/killed2.txt" ]; then
	ok "start_replica killed with SIGKILL again, while it copied t_cp2 again"
else
	notok "the replica was not killed during the copy of t_cp2"
	kill -9 "$pid_src" 2>/dev/null
fi
wait "$pid_src" 2>/dev/null
start_rep src
if caught_up 60 src exa; then
	ok "caught up again after the kills and the statements that force a copy again"
else
	notok "not caught up after section D"; grep -E "ERROR|WARN" "$work/rep_src.log" | tail -5 | sed 's/^/# /'
fi

# ---- E: statements that change no replicated table ------------------------

ddl_before=$(ddl_applied src)
step "statements that change no replicated table" <<'SQL'
BEGIN;
INSERT INTO t_add (id, v) VALUES (40, 'sp');
SAVEPOINT sp1;
UPDATE t_add SET v = 'rolled back' WHERE id = 40;
ROLLBACK TO SAVEPOINT sp1;
RELEASE SAVEPOINT sp1;
COMMIT;
FLUSH TABLES;
FLUSH PRIVILEGES;
FLUSH STATUS;
FLUSH BINARY LOGS;
ANALYZE TABLE t_add, t_idx;
OPTIMIZE TABLE t_opt;
REPAIR TABLE t_idx;
CHECK TABLE t_idx;
CREATE VIEW v_add AS SELECT id, v FROM t_add;
CREATE OR REPLACE VIEW v_add AS SELECT id FROM t_add;
ALTER VIEW v_add AS SELECT v FROM t_add;
DROP VIEW v_add;
CREATE TRIGGER trg_idx BEFORE INSERT ON t_idx FOR EACH ROW SET NEW.c = COALESCE(NEW.c, -1);
INSERT INTO t_idx (id, a, b) VALUES (40, 40, 'trig');
DROP TRIGGER trg_idx;
CREATE USER 'u1'@'localhost' IDENTIFIED BY 'p';
GRANT SELECT, INSERT ON ddl.* TO 'u1'@'localhost';
ALTER USER 'u1'@'localhost' IDENTIFIED BY 'q';
REVOKE INSERT ON ddl.* FROM 'u1'@'localhost';
RENAME USER 'u1'@'localhost' TO 'u2'@'localhost';
SET PASSWORD FOR 'u2'@'localhost' = PASSWORD('r');
DROP USER 'u2'@'localhost';
CREATE ROLE r1;
DROP ROLE r1;
DELIMITER ;;
CREATE PROCEDURE p1() BEGIN SELECT 1; END;;
DELIMITER ;
DROP PROCEDURE p1;
CREATE FUNCTION f1() RETURNS INT DETERMINISTIC RETURN 1;
DROP FUNCTION f1;
CREATE EVENT ev1 ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM t_add WHERE id < 0;
DROP EVENT ev1;
CREATE DATABASE unm;
CREATE TABLE unm.x (id INT);
ALTER TABLE unm.x ADD COLUMN y INT;
DROP DATABASE unm;
ALTER DATABASE ddl CHARACTER SET utf8mb4;
CREATE SEQUENCE scratch.seq1;
DROP SEQUENCE scratch.seq1;
ALTER TABLE other.part ADD PARTITION (PARTITION p2 VALUES LESS THAN (300));
ALTER TABLE other.part TRUNCATE PARTITION p0;
ALTER TABLE other.part REORGANIZE PARTITION p2 INTO
  (PARTITION p2a VALUES LESS THAN (250), PARTITION p2b VALUES LESS THAN (300));
ALTER TABLE other.part ANALYZE PARTITION p1;
ALTER TABLE other.part DROP PARTITION p1;
ALTER TABLE other.part REMOVE PARTITIONING;
XA START 'x1';
INSERT INTO t_add (id, v) VALUES (41, 'xa');
XA END 'x1';
XA PREPARE 'x1';
XA COMMIT 'x1';
XA START 'x3';
UPDATE t_add SET v = 'xa one phase' WHERE id = 41;
XA END 'x3';
XA COMMIT 'x3' ONE PHASE;
INSERT INTO t_add (id, v) VALUES (42, 'after');
SQL
if caught_up 30 src && alive src && [ "$(ddl_applied src)" = "$ddl_before" ]; then
	ok "SAVEPOINT, FLUSH, ANALYZE/OPTIMIZE/REPAIR, views, triggers, users and grants, routines, events, unmapped databases, sequences, partition maintenance, XA: passed, no DDL applied"
else
	notok "statements that change no replicated table: DDL applied $ddl_before -> $(ddl_applied src), running: $(alive src && echo yes || echo no)"
	grep -E "ERROR|WARN" "$work/rep_src.log" | tail -5 | sed 's/^/# /'
fi

# ---- F: pt-online-schema-change while rows change, a gh-ost cut-over ------

(
	i=0
	while [ ! -e "$work/pt.done" ] && [ $i -lt 2000 ]; do
		mariadb_sql -D ddl -e "INSERT INTO t_pt (v) VALUES ($i);
			UPDATE t_pt SET v = v + 1 WHERE id = $((i * 13 % 3000 + 1));
			DELETE FROM t_pt WHERE id = $((i * 7 % 3000 + 1))" 2>> "$work/bg.log" &&
			echo $i > "$work/bg.txt"
		i=$((i + 1))
	done
) &
bg_pid=$!
sleep 0.3
if command -v pt-online-schema-change > /dev/null; then
	pt-online-schema-change --alter "ADD COLUMN note VARCHAR(30) NOT NULL DEFAULT 'n',
		MODIFY v BIGINT, ADD INDEX iv (v), DROP COLUMN s" \
		"D=ddl,t=t_pt,S=$MY_SOCK,u=root" --execute --recursion-method=none \
		--chunk-size=100 --sleep=0.03 --no-check-alter > "$work/pt-osc.log" 2>&1
	rc=$?
	touch "$work/pt.done"
	wait $bg_pid
	bg_pid=""
	if [ $rc = 0 ] && grep -q "Successfully altered" "$work/pt-osc.log"; then
		ok "pt-online-schema-change altered t_pt while $(cat "$work/bg.txt" 2>/dev/null) row changes ran"
	else
		notok "pt-online-schema-change: status $rc"; tail -5 "$work/pt-osc.log" | sed 's/^/# /'
	fi
else
	touch "$work/pt.done"
	wait $bg_pid
	bg_pid=""
	notok "pt-online-schema-change not installed (Debian package percona-toolkit)"
fi
step "gh-ost-style cut-over" <<'SQL'
CREATE TABLE _t_gh_ghc (id BIGINT AUTO_INCREMENT, last_update TIMESTAMP(6) NOT NULL
  DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), hint VARCHAR(64) NOT NULL,
  value VARCHAR(4096) NOT NULL, PRIMARY KEY (id), UNIQUE KEY hint_uidx (hint))
  AUTO_INCREMENT=256;
INSERT INTO _t_gh_ghc (id, hint, value) VALUES (2, 'state', 'GhostTableMigrated');
CREATE TABLE _t_gh_gho LIKE t_gh;
ALTER TABLE _t_gh_gho ADD COLUMN extra VARCHAR(10) NOT NULL DEFAULT 'gho', DROP COLUMN s, ADD KEY (v);
INSERT INTO _t_gh_gho (id, v) SELECT id, v FROM t_gh WHERE id <= 500;
UPDATE t_gh SET v = v + 1 WHERE id = 5;
REPLACE INTO _t_gh_gho (id, v) SELECT id, v FROM t_gh WHERE id = 5;
INSERT INTO _t_gh_gho (id, v) SELECT id, v FROM t_gh WHERE id > 500;
INSERT INTO _t_gh_ghc (id, hint, value) VALUES (1, 'heartbeat', NOW(6))
  ON DUPLICATE KEY UPDATE value = VALUES(value);
RENAME TABLE t_gh TO _t_gh_del, _t_gh_gho TO t_gh;
DROP TABLE IF EXISTS _t_gh_del;
DROP TABLE IF EXISTS _t_gh_ghc;
INSERT INTO t_gh (id, v) VALUES (1001, 1001);
UPDATE t_gh SET extra = 'after' WHERE id = 1;
DELETE FROM t_gh WHERE id = 2;
SQL

# ---- G: a last change to every table: replication goes on after the DDL --

step "row changes after the DDL" <<'SQL'
UPDATE t_add SET v = CONCAT(v, '.'), a3 = a3 + 1 WHERE id % 4 = 1;
UPDATE t_mod SET d = d + 1, n = 1 WHERE id % 4 = 1;
UPDATE t_chg SET n = n + 1 WHERE id % 4 = 1;
UPDATE t_rc SET ren2 = 'last' WHERE id % 4 = 1;
UPDATE t_def SET df = -df WHERE id % 4 = 1;
UPDATE t_enum SET e = 'b' WHERE id % 4 = 1;
UPDATE t_opt SET s = 'last' WHERE id % 4 = 1;
INSERT INTO t_key VALUES (100, 1, 'last');
INSERT INTO t_nokey VALUES (100, 'last');
UPDATE t_idx SET c = -c WHERE id % 4 = 1;
UPDATE t_l1 SET s = 'é' WHERE id = 2;
UPDATE t_ts SET v = -v WHERE id % 4 = 1;
UPDATE t_ts6 SET v = -v WHERE id % 4 = 1;
UPDATE t_cp1 SET s = -s WHERE id % 4 = 1;
UPDATE t_cp2 SET w = w + 1000 WHERE id2 % 4 = 1;
UPDATE t_cp3 SET v = v + 1000 WHERE id % 4 = 1;
UPDATE t_gen SET a = -a WHERE id % 4 = 1;
UPDATE t_swap_a SET b = b + 1;
UPDATE t_swap_b SET a = 'last';
INSERT INTO t_trunc VALUES (102, 102);
UPDATE t_pt SET note = 'last' WHERE id % 100 = 1;
UPDATE c_types SET vc = CONCAT(vc, '!');
UPDATE c_gen SET a = a + 1;
UPDATE c_as SET len = 0 WHERE id = 1;
UPDATE c_like SET ti = 0;
INSERT INTO c_new VALUES (3, 'trois');
UPDATE `odd name "q"` SET `ü ß` = 'last';
SQL

if caught_up 60 src exa; then
	ok "both replicas caught up at the end ($(($(date +%s) - t0)) s of workload, $nsteps steps)"
else
	notok "not caught up at the end"; grep -E "ERROR|WARN" "$work/rep_src.log" | tail -5 | sed 's/^/# /'
fi
if [ -s "$work/steps_failed.txt" ]; then
	notok "the workload ran on MariaDB: $(wc -l < "$work/steps_failed.txt") steps failed"
	sed 's/^/# /' "$work/steps_failed.txt"
else
	ok "the workload ran on MariaDB: $nsteps steps"
fi

# ---- the result ------------------------------------------------------------

# every table of every mapped schema: the same columns (set for append,
# the same order for exact) and the same values, one TAP line per table
compare_schema() {	# compare_schema MYSQL_SCHEMA PG_SCHEMA COLUMNS [--ignore T]
	_m=$1 _p=$2 _c=$3
	shift 3
	python3 test/integ/compare.py --all --columns "$_c" "$@" "$_m" "$_p" \
		> "$work/compare_$_m.txt" 2>&1
	_rc=$?
	while IFS= read -r _l; do
		case $_l in
		"ok "*) ok "$_m.${_l#ok } (columns: $_c)" ;;
		"differs "*) notok "$_m.${_l#differs }" ;;
		esac
	done < "$work/compare_$_m.txt"
	grep -q "^total" "$work/compare_$_m.txt" ||
		{ notok "compare.py $_m failed (status $_rc)"; tail -3 "$work/compare_$_m.txt" | sed 's/^/# /'; }
}
compare_schema ddl ddl_pg set --ignore t_skip
compare_schema ddl2 ddl2_pg set
compare_schema ex ex_pg exact --ignore e_unlisted

got=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'ddl_pg' AND c.relname IN ('t_skip', 't_out', '_t_pt_new', '_t_pt_old',
	'_t_gh_gho', '_t_gh_del', '_t_gh_ghc', 't_tmp1', 't_tmp2', 'unm', 'v_add')")
got=$((got + $(q "SELECT count(*) FROM pg_namespace WHERE nspname IN ('scratch', 'unm', 'other')
	") + $(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'ex_pg' AND c.relname = 'e_unlisted'")))
[ "$got" = 0 ] && ok "no skipped, unlisted, renamed-away, temporary, helper table, view or unmapped schema in PostgreSQL" ||
	notok "$got tables or schemas in PostgreSQL that should not be there"

# what CURRENT_TIMESTAMP gave the existing rows (those no UPDATE touched
# since): the statement's time, not PostgreSQL's (the replica was down)
my_ts=$(mariadb_sql -N -B -e "SET time_zone = '+00:00';
	SELECT CONCAT(UNIX_TIMESTAMP(MIN(cts)), ' ', COUNT(DISTINCT cts), ' ', DATE_FORMAT(MIN(cdt), '%Y-%m-%d %H:%i:%s.%f')) FROM ddl.t_ts WHERE id <= 30 AND id % 4 <> 1")
pg_ts=$(q "SELECT extract(epoch FROM min(cts))::bigint || ' ' || count(DISTINCT cts) || ' ' ||
	to_char(min(cdt), 'YYYY-MM-DD HH24:MI:SS.US') FROM ddl_pg.t_ts WHERE id <= 30 AND id % 4 <> 1")
[ -n "$my_ts" ] && [ "$my_ts" = "$pg_ts" ] &&
	ok "ADD COLUMN ... DEFAULT CURRENT_TIMESTAMP: the existing rows have the statement's time ($my_ts)" ||
	notok "CURRENT_TIMESTAMP: MariaDB '$my_ts', PostgreSQL '$pg_ts'"
n=$(grep "copying again from a new snapshot" "$work/rep_src.log" | grep -cw "ddl\.t_ts")
[ "$n" = 0 ] && ok "ddl.t_ts got the statement's time without a copy" ||
	notok "ddl.t_ts copied again $n times (the statement's time is in the QUERY event)"

# the tables copied again: each once (t_cp2 twice at most: the replica was
# killed during its copy), not disabled, not in a loop
for t in t_cp1 t_cp2 t_cp3; do
	n=$(grep "copying again from a new snapshot" "$work/rep_src.log" | grep -cw "ddl\.$t")
	{ [ "$n" = 1 ] || { [ $t = t_cp2 ] && [ "$n" = 2 ]; }; } && ok "ddl.$t copied again $n time(s)" ||
		{ notok "ddl.$t copied again $n times"; grep "again" "$work/rep_src.log" | tail -3 | sed 's/^/# /'; }
done

# every DDL recorded once, whatever the kill -9 made the replica read again
dup=$(q "SELECT count(*) - count(DISTINCT (binlog_file, binlog_position)) || '|' || count(*)
	FROM sch_chameleon.t_ddl_log WHERE source_name = 'src'")
n=${dup#*|}
[ "${dup%%|*}" = 0 ] && [ "$n" -ge 40 ] && ok "$n DDL statements in t_ddl_log, each once" ||
	notok "t_ddl_log: duplicates|count = $dup"

for s in src exa; do
	"$bin" show_status --config "$work/cfg.yml" --source $s --format json > "$work/status_$s.out" 2>&1
	st=$(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["sources"][0]
print(s["status"], len(s["disabled_tables"]), ",".join(t["schema"] + "." + t["table"] for t in s["disabled_tables"]))' \
		"$work/status_$s.out" 2>&1)
	if [ "${st% *}" = "running 0" ] && alive $s; then
		ok "show_status --source $s: running, no table out of replication; the replica still runs"
	else
		notok "show_status --source $s: $st; process alive: $(alive $s && echo yes || echo no)"
		q "SELECT table_name, left(error, 200) FROM sch_chameleon.t_error_log WHERE source_name = '$s'" |
			sed 's/^/# /'
	fi
done
"$bin" show_status --config "$work/cfg.yml" --source src > "$work/status_text.out" 2>&1
grep -q "^  DDL: *$n applied" "$work/status_text.out" && ok "show_status shows the $n DDL statements applied" ||
	{ notok "show_status text: $(grep DDL "$work/status_text.out")"; }
tap_done
