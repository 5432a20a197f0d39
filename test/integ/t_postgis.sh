#!/bin/sh
# Integration: geometry into PostGIS.  A MariaDB table with every geometry
# type, with and without an SRID attribute (REF_SYSTEM_ID), copied by
# init_replica, then more rows, updates, deletes, an ALTER TABLE ADD
# COLUMN of a geometry type and a CREATE TABLE replicated: PostgreSQL's
# columns are geometry(<Type>[,<SRID>]) and ST_AsBinary / ST_SRID give
# back MariaDB's ST_AsBinary / ST_SRID, value by value.
bin=${1:-$CHAMELEON}
. test/integ/lib.sh
integ_begin 'kill $rep_pid 2>/dev/null'
rep_pid=""

servers_up
if ! pg_sql -c "CREATE EXTENSION postgis" > "$work/ext.out" 2>&1; then
	echo "ok 1 # SKIP PostGIS is not installed here (postgresql-15-postgis-3): $(head -1 "$work/ext.out")"
	echo "1..1"
	exit 0
fi

mariadb_sql <<'SQL'
CREATE DATABASE geo;
USE geo;
CREATE TABLE shapes (
	id INT PRIMARY KEY,
	g GEOMETRY,
	p POINT REF_SYSTEM_ID=4326,
	l LINESTRING,
	pg POLYGON REF_SYSTEM_ID=3857,
	mp MULTIPOINT,
	ml MULTILINESTRING,
	mpg MULTIPOLYGON REF_SYSTEM_ID=4326,
	gc GEOMETRYCOLLECTION,
	g4 GEOMETRY REF_SYSTEM_ID=4326 NOT NULL,
	SPATIAL KEY sp_g4 (g4)
);
INSERT INTO shapes VALUES
(1, ST_GeomFromText('POINT(1.5 -2.25)', 2154), ST_GeomFromText('POINT(2.35 48.85)', 4326),
 ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0.5)'),
 ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))', 3857),
 ST_GeomFromText('MULTIPOINT(1 1, 2 2, 3 3)'),
 ST_GeomFromText('MULTILINESTRING((0 0, 1 1), (2 2, 3 3, 4 5))'),
 ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))', 4326),
 ST_GeomFromText('GEOMETRYCOLLECTION EMPTY'),
 ST_GeomFromText('POINT(-73.98 40.75)', 4326)),
(2, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2), GEOMETRYCOLLECTION EMPTY, LINESTRING(0 0, 1e300 -1e-300))'),
 NULL, NULL, NULL, NULL, NULL, NULL,
 ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2), GEOMETRYCOLLECTION(POINT(3 4), MULTIPOINT(5 6)))'),
 ST_GeomFromText('POLYGON((0 0, 1 0, 0 1, 0 0))', 4326)),
(3, ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))', 3857), NULL,
 ST_GeomFromText('LINESTRING(0.1 0.2, 0.3 0.4)', 4326), NULL, NULL, NULL, NULL,
 ST_GeomFromText('GEOMETRYCOLLECTION(GEOMETRYCOLLECTION EMPTY)'),
 ST_GeomFromText('GEOMETRYCOLLECTION EMPTY', 4326));
CREATE TABLE track (name VARCHAR(10), path LINESTRING);
INSERT INTO track VALUES ('a', ST_GeomFromText('LINESTRING(0 0, 1 1)')),
	('b', ST_GeomFromText('LINESTRING(2 2, 3 3)'));
SQL
config_write "$work/cfg.yml" mysql "geo:geo_pg" "pid_dir: $work/pid" "log_dir: $work/log"

cols="id, HEX(ST_AsBinary(g)), ST_SRID(g), HEX(ST_AsBinary(p)), ST_SRID(p),
	HEX(ST_AsBinary(l)), ST_SRID(l), HEX(ST_AsBinary(pg)), ST_SRID(pg),
	HEX(ST_AsBinary(mp)), ST_SRID(mp), HEX(ST_AsBinary(ml)), ST_SRID(ml),
	HEX(ST_AsBinary(mpg)), ST_SRID(mpg), HEX(ST_AsBinary(gc)), ST_SRID(gc),
	HEX(ST_AsBinary(g4)), ST_SRID(g4)"
# PostgreSQL's side of the same: upper-case hex of ST_AsBinary
pgcols=$(echo "$cols" | sed 's/HEX(ST_AsBinary(\([a-z0-9]*\)))/upper(encode(ST_AsBinary(\1), '\''hex'\''))/g')
compare() {	# compare NAME [EXTRA-COLUMN]
	x=""
	px=""
	if [ -n "${2:-}" ]; then
		x=", HEX(ST_AsBinary($2)), ST_SRID($2)"
		px=", upper(encode(ST_AsBinary($2), 'hex')), ST_SRID($2)"
	fi
	cmp_tables "$1" geo "SELECT $cols$x FROM shapes ORDER BY id" \
		"SELECT $pgcols$px FROM geo_pg.shapes ORDER BY id"
}

if "$bin" init_replica --debug --config "$work/cfg.yml" --source mysql > "$work/init.out" 2> "$work/init.err"; then
	ok "init_replica: $(grep -o '[0-9]* tables, [0-9]* rows copied' "$work/init.err")"
else
	notok "init_replica"; tail -5 "$work/init.err" | sed 's/^/# /'
fi
grep -q "PostGIS 3.* in the target database: geometry columns become geometry" "$work/init.err" &&
	ok "init_replica says PostGIS was found" || notok "no PostGIS line in the log"
types=$(pg_sql -At -c "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
	FROM pg_attribute WHERE attrelid = 'geo_pg.shapes'::regclass AND attnum > 0")
want="id integer, g geometry, p geometry(Point,4326), l geometry(LineString), pg geometry(Polygon,3857), mp geometry(MultiPoint), ml geometry(MultiLineString), mpg geometry(MultiPolygon,4326), gc geometry(GeometryCollection), g4 geometry(Geometry,4326)"
[ "$types" = "$want" ] && ok "column types: $types" || notok "column types: '$types'"
compare init_replica
cmp_tables init_keyless geo "SELECT name, HEX(ST_AsBinary(path)), ST_SRID(path) FROM track ORDER BY name" \
	"SELECT name, upper(encode(ST_AsBinary(path), 'hex')), ST_SRID(path) FROM geo_pg.track ORDER BY name"
ix=$(pg_sql -At -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'geo_pg' AND indexname = 'idx_shapes_sp_g4'")
case $ix in *"USING gist (g4)") ok "SPATIAL index: $ix" ;; *) notok "SPATIAL index: '$ix'" ;; esac
# EWKB carried the SRID: PostGIS measures in the column's system
d=$(pg_sql -At -c "SELECT round(ST_Distance(p::geography, g4::geography)) FROM geo_pg.shapes WHERE id = 1")
[ "$d" = 5848844 ] && ok "Paris to New York on the spheroid: $d m" || notok "distance '$d'"

# replication: new rows, updates (one to an empty collection), a delete,
# a keyless table's update and delete (rows found by their geometry),
# ALTER TABLE ADD COLUMN of a geometry type, CREATE TABLE with geometry
mariadb_sql -D geo <<'SQL'
INSERT INTO shapes (id, g, p, l, gc, g4) VALUES
(4, ST_GeomFromText('MULTILINESTRING((1 2, 3 4))', 0), ST_GeomFromText('POINT(10 20)', 4326),
 ST_GeomFromText('LINESTRING EMPTY'), ST_GeomFromText('GEOMETRYCOLLECTION(POLYGON((0 0, 1 0, 0 1, 0 0)))'),
 ST_GeomFromText('MULTIPOINT(1 2)', 4326)),
(5, NULL, NULL, NULL, ST_GeomFromText('GEOMETRYCOLLECTION EMPTY'), ST_GeomFromText('POINT(0 0)', 4326));
UPDATE shapes SET g = ST_GeomFromText('GEOMETRYCOLLECTION EMPTY', 4326), p = ST_GeomFromText('POINT(-1 -1)', 4326) WHERE id = 1;
UPDATE shapes SET mpg = ST_GeomFromText('MULTIPOLYGON(((1 1, 2 1, 2 2, 1 1)))', 4326) WHERE id = 3;
DELETE FROM shapes WHERE id = 2;
UPDATE track SET path = ST_GeomFromText('LINESTRING(9 9, 8 8)') WHERE name = 'a';
DELETE FROM track WHERE name = 'b';
ALTER TABLE shapes ADD COLUMN extra MULTIPOLYGON REF_SYSTEM_ID=4326, ADD COLUMN any_g GEOMETRY;
INSERT INTO shapes (id, g4, extra, any_g) VALUES (6, ST_GeomFromText('POINT(1 1)', 4326),
	ST_GeomFromText('MULTIPOLYGON(((0 0, 2 0, 2 2, 0 0)), ((3 3, 4 3, 4 4, 3 3)))', 4326),
	ST_GeomFromText('GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(GEOMETRYCOLLECTION EMPTY))', 27700));
UPDATE shapes SET extra = ST_GeomFromText('MULTIPOLYGON(((5 5, 6 5, 6 6, 5 5)))', 4326) WHERE id = 1;
ALTER TABLE shapes MODIFY l GEOMETRY;
INSERT INTO shapes (id, l, g4) VALUES (7, ST_GeomFromText('POINT(7 7)'), ST_GeomFromText('POINT(7 7)', 4326));
CREATE TABLE places (id INT PRIMARY KEY, at POINT REF_SYSTEM_ID=4326 NOT NULL, area GEOMETRYCOLLECTION);
CREATE SPATIAL INDEX sp_at ON places (at);
INSERT INTO places VALUES (1, ST_GeomFromText('POINT(12.5 41.9)', 4326), ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')),
	(2, ST_GeomFromText('POINT(-0.12 51.5)', 4326), NULL);
SQL
"$bin" start_replica --config "$work/cfg.yml" --source mysql --debug >> "$work/rep.log" 2>&1 &
rep_pid=$!
target=$(mariadb_sql -N -B -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' ':')
i=0
while [ $i -lt 120 ]; do
	got=$(pg_sql -At -c "SELECT binlog_file || ':' || binlog_position FROM sch_chameleon.t_sources WHERE source_name = 'mysql'")
	[ "$got" = "$target" ] && break
	sleep 0.5
	i=$((i + 1))
done
kill $rep_pid 2>/dev/null
wait $rep_pid 2>/dev/null
rep_pid=""
[ "$(grep -c "PostGIS 3.* in the target database: GEOMETRY columns become geometry" "$work/rep.log")" = 1 ] &&
	ok "start_replica says once that PostGIS is there" ||
	{ notok "start_replica's PostGIS line"; grep -i postgis "$work/rep.log" | sed 's/^/# /'; }
[ "$got" = "$target" ] && ok "replication caught up at $got" || {
	notok "replication at '$got', source at $target"; tail -5 "$work/rep.log" | sed 's/^/# /'; }
types=$(pg_sql -At -c "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', '
	ORDER BY attrelid = 'geo_pg.places'::regclass, attnum)
	FROM pg_attribute WHERE attrelid IN ('geo_pg.shapes'::regclass, 'geo_pg.places'::regclass)
	AND attnum > 0 AND (attname IN ('l', 'extra', 'any_g') OR attrelid = 'geo_pg.places'::regclass)")
want="l geometry, extra geometry(MultiPolygon,4326), any_g geometry, id integer, at geometry(Point,4326), area geometry(GeometryCollection)"
[ "$types" = "$want" ] && ok "DDL column types: $types" || notok "DDL column types: '$types'"
compare replication extra
ix=$(pg_sql -At -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'geo_pg' AND indexname = 'idx_places_sp_at'")
case $ix in *"USING gist (at)") ok "CREATE SPATIAL INDEX: $ix" ;; *) notok "CREATE SPATIAL INDEX: '$ix'" ;; esac
grep -q 'DDL applied: ALTER TABLE `geo`.`shapes`: MODIFY COLUMN l (' "$work/rep.log" &&
	ok "MODIFY LINESTRING to GEOMETRY applied in place" ||
	{ notok "MODIFY: not applied in place"; grep -i "modify" "$work/rep.log" | head -3 | sed 's/^/# /'; }
cmp_tables any_g geo "SELECT id, HEX(ST_AsBinary(any_g)), ST_SRID(any_g) FROM shapes ORDER BY id" \
	"SELECT id, upper(encode(ST_AsBinary(any_g), 'hex')), ST_SRID(any_g) FROM geo_pg.shapes ORDER BY id"
cmp_tables keyless geo "SELECT name, HEX(ST_AsBinary(path)), ST_SRID(path) FROM track ORDER BY name" \
	"SELECT name, upper(encode(ST_AsBinary(path), 'hex')), ST_SRID(path) FROM geo_pg.track ORDER BY name"
cmp_tables created geo "SELECT id, HEX(ST_AsBinary(at)), ST_SRID(at), HEX(ST_AsBinary(area)) FROM places ORDER BY id" \
	"SELECT id, upper(encode(ST_AsBinary(at), 'hex')), ST_SRID(at), upper(encode(ST_AsBinary(area), 'hex')) FROM geo_pg.places ORDER BY id"
"$bin" show_status --config "$work/cfg.yml" --source mysql > "$work/st.out" 2>&1
grep -q "^PostGIS 3.*: geometry columns are PostGIS geometry" "$work/st.out" &&
	ok "show_status: $(grep PostGIS "$work/st.out")" || { notok "show_status"; sed 's/^/# /' "$work/st.out"; }
errs=$(pg_sql -At -c "SELECT count(*) FROM sch_chameleon.t_error_log")
[ "$errs" = 0 ] && ok "no replication error" ||
	{ notok "$errs errors"; pg_sql -At -c "SELECT error FROM sch_chameleon.t_error_log" | sed 's/^/# /'; }

# Without PostGIS (another database): bytea holding MySQL's bytes, SRID
# first, and the log says why
pg_sql -c "CREATE DATABASE nogis" > /dev/null
sed 's/database: postgres/database: nogis/' "$work/cfg.yml" > "$work/cfg2.yml"
if "$bin" init_replica --debug --config "$work/cfg2.yml" --source mysql > /dev/null 2> "$work/init2.err"; then
	ok "init_replica into a database without PostGIS"
else
	notok "init_replica without PostGIS"; tail -5 "$work/init2.err" | sed 's/^/# /'
fi
grep -q "no PostGIS in the target database: [0-9]* geometry column(s) become bytea" "$work/init2.err" &&
	ok "the log says: $(grep -o "no PostGIS.*" "$work/init2.err")" || { notok "no PostGIS line"; cat "$work/init2.err" | sed "s/^/# /"; }
t=$(pg_sql -d nogis -At -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
	WHERE attrelid = 'geo_pg.shapes'::regclass AND attname = 'p'")
mariadb_sql -N -B -D geo -e "SELECT id, HEX(p), HEX(gc) FROM shapes ORDER BY id" > "$work/raw.my"
pg_sql -d nogis -At -P null=NULL -F "	" -c "SELECT id, upper(encode(p, 'hex')), upper(encode(gc, 'hex'))
	FROM geo_pg.shapes ORDER BY id" > "$work/raw.pg"
[ "$t" = bytea ] && cmp -s "$work/raw.my" "$work/raw.pg" &&
	ok "bytea: MySQL's SRID and WKB, $(wc -l < "$work/raw.my") rows equal" ||
	{ notok "bytea: type '$t'"; diff "$work/raw.my" "$work/raw.pg" | head -5 | sed 's/^/# /'; }
st=$("$bin" show_status --config "$work/cfg2.yml" --source mysql 2>&1 | grep PostGIS)
[ "$st" = "no PostGIS in this database: geometry columns are bytea (MySQL's SRID and WKB)" ] &&
	ok "show_status without PostGIS: $st" || notok "show_status without PostGIS: '$st'"
tap_done
