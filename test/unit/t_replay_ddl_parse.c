/*
 * The DDL parser (replay/ddl_lex.c, replay/ddl_parse*.c): targeted cases
 * asserting the fields of replay/ddl_int.h.  The corpus and the
 * truncation sweep are in t_replay_ddl_corpus.c.
 */
#include "replay/ddl_parse_int.h"
#include "test/unit/test.h"

static struct arena arena;
static bool arena_ready;

/* Parse q; the result lives until the next call. */
static const struct rp__ddl_stmt *parse_mode(const char *q, bool ansi)
{
	static struct rp__ddl_stmt st;
	if (arena_ready)
		arena_release(&arena);
	arena_init(&arena, 4096);
	arena_ready = true;
	struct err e = {0};
	int rc = rp__ddl_parse(q, strlen(q), ansi, &arena, &st, &e);
	if (rc)
		test_fail(__FILE__, __LINE__, "rc %d (%s) for: %s", rc, e.msg, q);
	return &st;
}

static const struct rp__ddl_stmt *parse(const char *q)
{
	return parse_mode(q, false);
}

/* The statement parses as kind k; fail with the parser's message if not. */
static const struct rp__ddl_stmt *parse_ok(const char *q, enum rp__ddl_kind k)
{
	const struct rp__ddl_stmt *st = parse(q);
	if (st->kind != k)
		test_fail(__FILE__, __LINE__, "'%s': kind %s, want %s (%s at %zu)", q,
			  rp__ddl_kind_name(st->kind), rp__ddl_kind_name(k),
			  st->error ? st->error : "", st->error_off);
	return st;
}

static const struct rp__ddl_column *one_column(const char *def)
{
	static char q[1024];
	snprintf(q, sizeof(q), "CREATE TABLE t (%s)", def);
	const struct rp__ddl_stmt *st = parse_ok(q, RP__DS_CREATE_TABLE);
	ASSERT_EQ(st->ncols, 1);
	return &st->cols[0];
}

TEST(replay_ddl_parse, classify)
{
	static const struct {
		const char *q;
		enum rp__ddl_kind kind;
		const char *what;
	} cases[] = {
		{"", RP__DS_OTHER, ""},
		{"  /* nothing */ -- at all\n", RP__DS_OTHER, ""},
		{"BEGIN", RP__DS_OTHER, "begin"},
		{"insert into t values (1)", RP__DS_OTHER, "insert"},
		{"(SELECT 1) UNION (SELECT 2)", RP__DS_OTHER, "select"},
		{"CREATE TABLE t (a int)", RP__DS_CREATE_TABLE, "create table"},
		{"create temporary table t (a int)", RP__DS_CREATE_TABLE, "create table"},
		{"CREATE OR REPLACE TABLE t (a int)", RP__DS_CREATE_TABLE, "create table"},
		{"ALTER ONLINE IGNORE TABLE t ADD b int", RP__DS_ALTER_TABLE, "alter table"},
		{"RENAME TABLE a TO b", RP__DS_RENAME_TABLE, "rename table"},
		{"RENAME USER a TO b", RP__DS_OTHER, "rename user"},
		{"DROP TEMPORARY TABLE IF EXISTS t", RP__DS_DROP_TABLE, "drop table"},
		{"TRUNCATE t", RP__DS_TRUNCATE, "truncate table"},
		{"CREATE UNIQUE INDEX i ON t (a)", RP__DS_CREATE_INDEX, "create index"},
		{"DROP INDEX i ON t", RP__DS_DROP_INDEX, "drop index"},
		{"CREATE SCHEMA IF NOT EXISTS s", RP__DS_CREATE_DATABASE, "create database"},
		{"DROP DATABASE s", RP__DS_DROP_DATABASE, "drop database"},
		{"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER "
		 "VIEW v AS SELECT 1", RP__DS_OTHER, "create view"},
		{"CREATE DEFINER='u'@'%' TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x=1",
		 RP__DS_OTHER, "create trigger"},
		{"CREATE DEFINER=CURRENT_USER() PROCEDURE p() BEGIN END", RP__DS_OTHER,
		 "create procedure"},
		{"CREATE OR REPLACE AGGREGATE FUNCTION f() RETURNS int RETURN 1", RP__DS_OTHER,
		 "create function"},
		{"ALTER DEFINER=root@localhost VIEW v AS SELECT 2", RP__DS_OTHER, "alter view"},
		{"ALTER DATABASE d CHARACTER SET utf8mb4", RP__DS_OTHER, "alter database"},
		{"ALTER USER 'u'@'%' IDENTIFIED BY 'x'", RP__DS_OTHER, "alter user"},
		{"CREATE SEQUENCE s START WITH 1", RP__DS_OTHER, "create sequence"},
		{"DROP SEQUENCE IF EXISTS s", RP__DS_OTHER, "drop sequence"},
		{"CREATE TABLESPACE ts ADD DATAFILE 'ts.ibd'", RP__DS_OTHER, "create tablespace"},
		{"GRANT SELECT ON *.* TO u", RP__DS_OTHER, "grant"},
		{"FLUSH PRIVILEGES", RP__DS_OTHER, "flush"},
		{"ANALYZE TABLE t", RP__DS_OTHER, "analyze"},
		{"OPTIMIZE TABLE t", RP__DS_OTHER, "optimize"},
		{"REPAIR TABLE t", RP__DS_OTHER, "repair"},
		{"CHECK TABLE t", RP__DS_OTHER, "check"},
		{"SAVEPOINT sp1", RP__DS_OTHER, "savepoint"},
		{"ROLLBACK TO SAVEPOINT sp1", RP__DS_OTHER, "rollback"},
		{"XA START 'x'", RP__DS_OTHER, "xa"},
		{"SET STATEMENT max_statement_time=60 FOR ALTER TABLE t FORCE",
		 RP__DS_ALTER_TABLE, "alter table"},
		{"SET STATEMENT a=1, b='FOR', c=(1) FOR DROP TABLE t", RP__DS_DROP_TABLE,
		 "drop table"},
		{"SET STATEMENT x=1", RP__DS_OTHER, "set statement"},
		{"SET @a = 1", RP__DS_OTHER, "set"},
		{"/*!40000 ALTER TABLE `t` DISABLE KEYS */", RP__DS_ALTER_TABLE, "alter table"},
		{"/*M!100100 DROP TABLE t */", RP__DS_DROP_TABLE, "drop table"},
		{"/*!99999 CREATE TABLE t (a int) */", RP__DS_CREATE_TABLE, "create table"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rp__ddl_stmt *st = parse(cases[i].q);
		if (st->kind != cases[i].kind || strcmp(st->what, cases[i].what) != 0)
			test_fail(__FILE__, __LINE__, "'%s': %s '%s', want %s '%s' (%s)",
				  cases[i].q, rp__ddl_kind_name(st->kind), st->what,
				  rp__ddl_kind_name(cases[i].kind), cases[i].what,
				  st->error ? st->error : "");
	}
	ASSERT_STREQ(rp__ddl_kind_name(RP__DS_OTHER), "");
	ASSERT_STREQ(rp__ddl_kind_name(RP__DS_CREATE_TABLE), "CREATE TABLE");
}

/* The tokens of q as "kind:value" words. */
static const char *tokens(const char *q, bool ansi)
{
	static char out[1024];
	struct rp__lex l;
	struct rp__tok t;
	size_t k = 0;
	if (arena_ready)
		arena_release(&arena);
	arena_init(&arena, 4096);
	arena_ready = true;
	rp__lex_init(&l, q, strlen(q), ansi, &arena);
	out[0] = 0;
	for (int i = 0; i < 40; i++) {
		rp__lex_next(&l, &t);
		static const char kinds[] = "EWNSnxbPB";
		char v[128];
		size_t n = t.n < sizeof(v) - 1 ? t.n : sizeof(v) - 1;
		for (size_t j = 0; j < n; j++)
			v[j] = t.s[j] ? t.s[j] : '@';	/* NUL shown as @ */
		v[n] = 0;
		k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%c:%s", k ? " " : "",
				      kinds[t.kind], v);
		if (t.intro_n)
			k += (size_t)snprintf(out + k, sizeof(out) - k, "/%.*s", (int)t.intro_n,
					      q + t.intro_off);
		if (t.kind == RP__TK_END || t.kind == RP__TK_BAD)
			break;
	}
	return out;
}

TEST(replay_ddl_parse, lexer)
{
	ASSERT_STREQ(tokens("a `b``c` \"d\" x 'e'", false), "W:a N:b`c S:d W:x S:e E:");
	ASSERT_STREQ(tokens("a `b` \"d\"\"x\" 'e'", true), "W:a N:b N:d\"x S:e E:");
	/* escapes: \% and \_ keep their backslash */
	ASSERT_STREQ(tokens("'\\0\\'\\\"\\b\\n\\r\\t\\Z\\\\\\%\\_\\q'''", false),
		     "S:@'\"\b\n\r\t\x1a\\\\%\\_q' E:");
	ASSERT_STREQ(tokens("'a' 'b'\n\"c\" x", false), "S:abc W:x E:");
	ASSERT_STREQ(tokens("'a' /* c */ 'b'", false), "S:ab E:");
	ASSERT_STREQ(tokens("_utf8mb4'x' N'y' _binary 0x41 _latin1 X'42' n'z'", false),
		     "S:x/_utf8mb4 S:y/N x:41/_binary x:42/_latin1 S:z/n E:");
	ASSERT_STREQ(tokens("_id int", false), "W:_id W:int E:");
	ASSERT_STREQ(tokens("12 1.5 .5 1e3 1.5E-3 0x1F X'1f' b'101' 0b11 1abc 0xg 3e", false),
		     "n:12 n:1.5 n:.5 n:1e3 n:1.5E-3 x:1F x:1f b:101 b:11 W:1abc W:0xg W:3e E:");
	ASSERT_STREQ(tokens("t.5 a.b", false), "W:t P:. n:5 W:a P:. W:b E:");
	ASSERT_STREQ(tokens("a<=>b->>c<=d:=e!=f||g", false),
		     "W:a P:<=> W:b P:->> W:c P:<= W:d P::= W:e P:!= W:f P:|| W:g E:");
	ASSERT_STREQ(tokens("a -- c\nb #x\nc --d /* e */ f", false),
		     "W:a W:b W:c P:- P:- W:d W:f E:");
	ASSERT_STREQ(tokens("a /*!50100 b */ c /*M!100100 d*/ /*!e*/ /*+ hint */ f", false),
		     "W:a W:b W:c W:d W:e W:f E:");
	ASSERT_STREQ(tokens("a 'b", false), "W:a B:unterminated string");
	ASSERT_STREQ(tokens("a `b", false), "W:a B:unterminated quoted name");
	ASSERT_STREQ(tokens("a /* b", false), "W:a B:unterminated comment");
	ASSERT_STREQ(tokens("x'4", false), "B:unterminated string");
	ASSERT_STREQ(tokens("--", false), "E:");
}

TEST(replay_ddl_parse, lexer_offsets)
{
	const char *q = "  ALTER /*!50100 TABLE*/ `t` ADD _utf8'x'";
	struct rp__lex l;
	struct rp__tok t;
	struct arena a;
	arena_init(&a, 1024);
	rp__lex_init(&l, q, strlen(q), false, &a);
	static const size_t offs[][2] = {{2, 7}, {17, 22}, {25, 28}, {29, 32}, {33, 41}};
	for (size_t i = 0; i < 5; i++) {
		rp__lex_next(&l, &t);
		ASSERT_UEQ(t.off, offs[i][0]);
		ASSERT_UEQ(t.end, offs[i][1]);
	}
	rp__lex_next(&l, &t);
	ASSERT_EQ(t.kind, RP__TK_END);
	ASSERT_UEQ(t.off, strlen(q));
	arena_release(&a);
}

TEST(replay_ddl_parse, types)
{
	static const struct {
		const char *def, *dt, *ct;
		unsigned long len;
	} cases[] = {
		{"INT", "int", "int", 0},
		{"int(11)", "int", "int(11)", 0},
		{"INTEGER(10) UNSIGNED", "int", "int(10) unsigned", 0},
		{"int unsigned zerofill", "int", "int(10) unsigned zerofill", 0},
		{"INT4 SIGNED", "int", "int", 0},
		{"TINYINT(1)", "tinyint", "tinyint(1)", 0},
		{"BOOL", "tinyint", "tinyint(1)", 0},
		{"boolean", "tinyint", "tinyint(1)", 0},
		{"INT1", "tinyint", "tinyint", 0},
		{"INT2", "smallint", "smallint", 0},
		{"MIDDLEINT", "mediumint", "mediumint", 0},
		{"INT8 UNSIGNED", "bigint", "bigint unsigned", 0},
		{"bigint(20) unsigned", "bigint", "bigint(20) unsigned", 0},
		{"SERIAL", "bigint", "bigint unsigned", 0},
		{"DECIMAL", "decimal", "decimal(10,0)", 0},
		{"DEC(5)", "decimal", "decimal(5,0)", 0},
		{"NUMERIC(12,4) UNSIGNED", "decimal", "decimal(12,4) unsigned", 0},
		{"FIXED(3,1)", "decimal", "decimal(3,1)", 0},
		{"FLOAT", "float", "float", 0},
		{"FLOAT(7,4)", "float", "float(7,4)", 0},
		{"FLOAT(20)", "float", "float", 0},
		{"FLOAT(30)", "double", "double", 0},
		{"FLOAT4", "float", "float", 0},
		{"FLOAT8", "double", "double", 0},
		{"REAL", "double", "double", 0},
		{"DOUBLE PRECISION", "double", "double", 0},
		{"DOUBLE(10,2) UNSIGNED", "double", "double(10,2) unsigned", 0},
		{"BIT", "bit", "bit(1)", 0},
		{"BIT(3)", "bit", "bit(3)", 0},
		{"CHAR", "char", "char(1)", 1},
		{"CHARACTER(10)", "char", "char(10)", 10},
		{"NCHAR(5)", "char", "char(5)", 5},
		{"NATIONAL CHAR(5)", "char", "char(5)", 5},
		{"VARCHAR(40)", "varchar", "varchar(40)", 40},
		{"CHARACTER VARYING(30)", "varchar", "varchar(30)", 30},
		{"CHAR VARYING(30)", "varchar", "varchar(30)", 30},
		{"NVARCHAR(7)", "varchar", "varchar(7)", 7},
		{"NATIONAL VARCHAR(7)", "varchar", "varchar(7)", 7},
		{"NCHAR VARCHAR(7)", "varchar", "varchar(7)", 7},
		{"VARCHARACTER(9)", "varchar", "varchar(9)", 9},
		{"VARCHAR(10) BINARY", "varchar", "varchar(10)", 10},
		{"BINARY", "binary", "binary(1)", 0},
		{"BINARY(16)", "binary", "binary(16)", 0},
		{"CHAR(4) BYTE", "binary", "binary(4)", 0},
		{"VARBINARY(255)", "varbinary", "varbinary(255)", 0},
		{"CHAR BYTE", "binary", "binary(1)", 0},
		{"VARCHAR(5) CHARACTER SET binary", "varbinary", "varbinary(5)", 0},
		{"TEXT CHARSET BINARY", "blob", "blob", 0},
		{"TINYTEXT", "tinytext", "tinytext", 255},
		{"TEXT", "text", "text", 65535},
		{"TEXT(100)", "text", "text", 65535},
		{"TEXT(10)", "tinytext", "tinytext", 255},
		{"TEXT(20000)", "mediumtext", "mediumtext", 16777215},
		{"MEDIUMTEXT", "mediumtext", "mediumtext", 16777215},
		{"LONGTEXT", "longtext", "longtext", 4294967295ul},
		{"LONG", "mediumtext", "mediumtext", 16777215},
		{"LONG VARCHAR", "mediumtext", "mediumtext", 16777215},
		{"LONG VARBINARY", "mediumblob", "mediumblob", 0},
		{"TINYBLOB", "tinyblob", "tinyblob", 0},
		{"BLOB", "blob", "blob", 0},
		{"BLOB(300)", "blob", "blob", 0},
		{"MEDIUMBLOB", "mediumblob", "mediumblob", 0},
		{"LONGBLOB", "longblob", "longblob", 0},
		{"DATE", "date", "date", 0},
		{"TIME", "time", "time", 0},
		{"TIME(0)", "time", "time", 0},
		{"TIME(6)", "time", "time(6)", 0},
		{"DATETIME(3)", "datetime", "datetime(3)", 0},
		{"TIMESTAMP", "timestamp", "timestamp", 0},
		{"YEAR", "year", "year", 0},
		{"YEAR(4)", "year", "year(4)", 0},
		{"ENUM('a','it''s','b\\\\c')", "enum", "enum('a','it''s','b\\c')", 0},
		{"SET('x', \"y\")", "set", "set('x','y')", 0},
		{"JSON", "json", "json", 0},
		{"GEOMETRY", "geometry", "geometry", 0},
		{"POINT", "point", "point", 0},
		{"LINESTRING", "linestring", "linestring", 0},
		{"POLYGON", "polygon", "polygon", 0},
		{"MULTIPOINT", "multipoint", "multipoint", 0},
		{"MULTILINESTRING", "multilinestring", "multilinestring", 0},
		{"MULTIPOLYGON", "multipolygon", "multipolygon", 0},
		{"GEOMETRYCOLLECTION", "geometrycollection", "geometrycollection", 0},
		{"GEOMCOLLECTION", "geomcollection", "geomcollection", 0},
		{"VECTOR(3)", "vector", "vector(3)", 0},
		{"INET6", "inet6", "inet6", 0},
		{"INET4", "inet4", "inet4", 0},
		{"UUID", "uuid", "uuid", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char def[256];
		snprintf(def, sizeof(def), "c %s", cases[i].def);
		const struct rp__ddl_column *c = one_column(def);
		if (strcmp(c->type.data_type, cases[i].dt) || strcmp(c->type.column_type, cases[i].ct) ||
		    c->type.char_length != cases[i].len)
			test_fail(__FILE__, __LINE__, "%s: %s / %s / %lu, want %s / %s / %lu",
				  cases[i].def, c->type.data_type, c->type.column_type,
				  c->type.char_length, cases[i].dt, cases[i].ct, cases[i].len);
	}
	const struct rp__ddl_column *c = one_column("e ENUM('a', 'b') CHARACTER SET latin1");
	ASSERT_EQ(c->type.nlabels, 2);
	ASSERT_STREQ(c->type.labels[1], "b");
	ASSERT_STREQ(c->type.charset, "latin1");
	c = one_column("s SERIAL");
	ASSERT(c->not_null && c->auto_increment && c->unique && c->type.is_unsigned);
	c = one_column("z SMALLINT(4) ZEROFILL");
	ASSERT(c->type.zerofill && c->type.is_unsigned);
	ASSERT_STREQ(c->type.column_type, "smallint(4) unsigned zerofill");
	c = one_column("n NATIONAL VARCHAR(3)");
	ASSERT_STREQ(c->type.charset, "utf8mb3");
	c = one_column("v VARCHAR(3) CHARSET utf8mb4 COLLATE 'utf8mb4_bin'");
	ASSERT_STREQ(c->type.charset, "utf8mb4");
	ASSERT_STREQ(c->type.collation, "utf8mb4_bin");
	c = one_column("g POINT NOT NULL SRID 4326");
	ASSERT(c->type.has_srid);
	ASSERT_UEQ(c->type.srid, 4326);
	c = one_column("g GEOMETRY REF_SYSTEM_ID=3857");
	ASSERT_UEQ(c->type.srid, 3857);
}

TEST(replay_ddl_parse, defaults)
{
	static const struct {
		const char *def;
		enum rp__ddl_default kind;
		const char *val;
		unsigned fsp;
	} cases[] = {
		{"c int", RP__DEF_NONE, NULL, 0},
		{"c int DEFAULT NULL", RP__DEF_NULL, NULL, 0},
		{"c int DEFAULT '0'", RP__DEF_LITERAL, "0", 0},
		{"c int NOT NULL DEFAULT -5", RP__DEF_LITERAL, "-5", 0},
		{"c int DEFAULT +5", RP__DEF_LITERAL, "5", 0},
		{"c decimal(5,2) DEFAULT 1.50", RP__DEF_LITERAL, "1.50", 0},
		{"c double DEFAULT 1e3", RP__DEF_LITERAL, "1e3", 0},
		{"c varchar(9) DEFAULT 'it''s \\'x\\''", RP__DEF_LITERAL, "it's 'x'", 0},
		{"c varchar(9) DEFAULT _utf8mb4'caf\xc3\xa9'", RP__DEF_LITERAL, "caf\xc3\xa9", 0},
		{"c varchar(9) DEFAULT N'x' 'y'", RP__DEF_LITERAL, "xy", 0},
		{"c tinyint(1) DEFAULT TRUE", RP__DEF_LITERAL, "1", 0},
		{"c bool DEFAULT false", RP__DEF_LITERAL, "0", 0},
		{"c bit(3) DEFAULT b'101'", RP__DEF_LITERAL, "5", 0},
		{"c int DEFAULT 0x1f", RP__DEF_LITERAL, "31", 0},
		{"c varbinary(4) DEFAULT 0x4142", RP__DEF_LITERAL, "AB", 0},
		{"c char(1) DEFAULT X'41'", RP__DEF_LITERAL, "A", 0},
		{"c binary(1) DEFAULT b'1000001'", RP__DEF_LITERAL, "A", 0},
		{"c date DEFAULT DATE '2020-01-02'", RP__DEF_LITERAL, "2020-01-02", 0},
		{"c timestamp DEFAULT CURRENT_TIMESTAMP", RP__DEF_NOW, "CURRENT_TIMESTAMP", 0},
		{"c timestamp(3) DEFAULT CURRENT_TIMESTAMP(3)", RP__DEF_NOW,
		 "CURRENT_TIMESTAMP(3)", 3},
		{"c datetime DEFAULT current_timestamp()", RP__DEF_NOW, "CURRENT_TIMESTAMP", 0},
		{"c datetime(6) DEFAULT NOW(6)", RP__DEF_NOW, "CURRENT_TIMESTAMP(6)", 6},
		{"c datetime DEFAULT LOCALTIME", RP__DEF_NOW, "CURRENT_TIMESTAMP", 0},
		{"c datetime DEFAULT LOCALTIMESTAMP()", RP__DEF_NOW, "CURRENT_TIMESTAMP", 0},
		{"c datetime DEFAULT (now())", RP__DEF_NOW, "CURRENT_TIMESTAMP", 0},
		{"c datetime(2) DEFAULT (CURRENT_TIMESTAMP(2))", RP__DEF_NOW,
		 "CURRENT_TIMESTAMP(2)", 2},
		{"c int DEFAULT (1 + 2)", RP__DEF_EXPR, "1 + 2", 0},
		{"c json DEFAULT (JSON_ARRAY())", RP__DEF_EXPR, "JSON_ARRAY()", 0},
		{"c binary(16) DEFAULT (uuid_to_bin(uuid()))", RP__DEF_EXPR,
		 "uuid_to_bin(uuid())", 0},
		{"c date DEFAULT CURRENT_DATE", RP__DEF_EXPR, "CURRENT_DATE", 0},
		{"c int DEFAULT 1+1 NOT NULL", RP__DEF_EXPR, "1+1", 0},
		{"c char(36) DEFAULT uuid() COMMENT 'x'", RP__DEF_EXPR, "uuid()", 0},
		{"c bigint DEFAULT NEXT VALUE FOR s1", RP__DEF_EXPR, "NEXT VALUE FOR s1", 0},
		{"c datetime DEFAULT CURRENT_TIMESTAMP + INTERVAL 1 DAY", RP__DEF_EXPR,
		 "CURRENT_TIMESTAMP + INTERVAL 1 DAY", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rp__ddl_column *c = one_column(cases[i].def);
		bool ok = c->def_kind == cases[i].kind && c->def_fsp == cases[i].fsp &&
			  (cases[i].val ? c->def && !strcmp(c->def, cases[i].val) : !c->def);
		if (!ok)
			test_fail(__FILE__, __LINE__, "%s: kind %d '%s' fsp %u", cases[i].def,
				  c->def_kind, c->def ? c->def : "(null)", c->def_fsp);
	}
	const struct rp__ddl_column *c = one_column("c varchar(5) DEFAULT 'a\\0b'");
	ASSERT_UEQ(c->def_len, 3);
	ASSERT_MEM_EQ(c->def, "a\0b", 3);
	c = one_column("c binary(2) DEFAULT 0x0001");
	ASSERT_UEQ(c->def_len, 2);
	ASSERT_MEM_EQ(c->def, "\0\1", 2);
	c = one_column("c bit(12) DEFAULT b'100000001'");
	ASSERT_STREQ(c->def, "257");
	c = one_column("c timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP");
	ASSERT(c->on_update_now);
	ASSERT(c->not_null);
	c = one_column("c datetime(3) ON UPDATE now(3)");
	ASSERT(c->on_update_now);
	ASSERT_EQ(c->def_kind, RP__DEF_NONE);
}

TEST(replay_ddl_parse, column_attributes)
{
	const struct rp__ddl_column *c =
		one_column("`id` int(10) unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY COMMENT 'the id'");
	ASSERT_STREQ(c->name, "id");
	ASSERT(c->not_null && c->auto_increment && c->primary && !c->unique);
	ASSERT_STREQ(c->comment, "the id");
	c = one_column("a int KEY");
	ASSERT(c->primary && c->not_null);
	c = one_column("a int NULL UNIQUE KEY");
	ASSERT(!c->not_null && c->unique && !c->primary);
	c = one_column("a int GENERATED ALWAYS AS (b * 2) STORED NOT NULL");
	ASSERT_STREQ(c->generated, "b * 2");
	ASSERT(c->stored && c->not_null);
	c = one_column("a varchar(10) AS (concat(x, ')', \"(\")) VIRTUAL");
	ASSERT_STREQ(c->generated, "concat(x, ')', \"(\")");
	ASSERT(!c->stored);
	c = one_column("a int AS (b+1) PERSISTENT");
	ASSERT(c->stored);
	c = one_column("a int INVISIBLE");
	ASSERT(c->invisible);
	c = one_column("a int CHECK (a > 0)");
	ASSERT_STREQ(c->check, "a > 0");
	c = one_column("a int CONSTRAINT pos CHECK (a >= 0) NOT ENFORCED");
	ASSERT_STREQ(c->check, "a >= 0");
	ASSERT_STREQ(c->check_name, "pos");
	ASSERT(c->check_not_enforced);
	c = one_column("a int REFERENCES p (id) ON DELETE CASCADE");
	ASSERT(c->references != NULL);
	ASSERT_STREQ(c->references->ref.name, "p");
	ASSERT_STREQ(c->references->cols[0], "a");
	ASSERT_STREQ(c->references->on_delete, "CASCADE");
	c = one_column("a int COLUMN_FORMAT FIXED STORAGE DISK ENGINE_ATTRIBUTE '{}' "
		       "SECONDARY_ENGINE_ATTRIBUTE='{}'");
	ASSERT_STREQ(c->type.data_type, "int");
	c = one_column("a blob COMPRESSED=zlib WITHOUT SYSTEM VERSIONING");
	ASSERT_STREQ(c->type.data_type, "blob");
	c = one_column("a int SERIAL DEFAULT VALUE");
	ASSERT(c->not_null && c->auto_increment && c->unique);
	c = one_column("s bigint unsigned GENERATED ALWAYS AS ROW START INVISIBLE");
	ASSERT(c->generated == NULL && c->invisible);
}

/* Forms found unparsed by the corpus (fixtures/ddl/), one case each. */
TEST(replay_ddl_parse, table_options_corpus)
{
	/* mysqldump's CREATE DATABASE of MySQL 8.0.16+ */
	const struct rp__ddl_stmt *st =
		parse_ok("CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT "
			 "CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci */ /*!80016 DEFAULT "
			 "ENCRYPTION='N' */", RP__DS_CREATE_DATABASE);
	ASSERT_STREQ(st->database, "shop");
	ASSERT(st->if_not_exists);
	ASSERT_STREQ(st->charset, "utf8mb4");
	ASSERT_STREQ(st->collation, "utf8mb4_0900_ai_ci");
	/* MariaDB's SHOW CREATE TABLE backquotes engine-defined options */
	st = parse_ok("CREATE TABLE t (a int) ENGINE=InnoDB DEFAULT CHARSET=latin1 "
		      "`PAGE_COMPRESSED`='ON' `PAGE_COMPRESSION_LEVEL`=6", RP__DS_CREATE_TABLE);
	ASSERT_STREQ(st->engine, "InnoDB");
	ASSERT_STREQ(st->charset, "latin1");
	st = parse_ok("ALTER TABLE t `ENCRYPTED`=YES", RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 1);
	ASSERT_EQ(st->alter[0].op, RP__AL_OPTION);
	/* DEFAULT is read before ENCRYPTION only */
	st = parse("CREATE TABLE t (a int) DEFAULT ROW_FORMAT=DYNAMIC");
	ASSERT_EQ(st->kind, RP__DS_UNPARSED);
}

TEST(replay_ddl_parse, mariadb_periods)
{
	/* the period clause ends where it ends: the next clause is read */
	const struct rp__ddl_stmt *st =
		parse_ok("ALTER TABLE c ADD PERIOD FOR promo(s, e), ADD COLUMN note TEXT",
			 RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 2);
	ASSERT_EQ(st->alter[0].op, RP__AL_OPTION);
	ASSERT_STREQ(st->alter[0].name, "promo");
	ASSERT_EQ(st->alter[1].op, RP__AL_ADD_COLUMN);
	ASSERT_STREQ(st->alter[1].col.name, "note");
	st = parse_ok("ALTER TABLE c ADD PERIOD IF NOT EXISTS FOR p (s, e)", RP__DS_ALTER_TABLE);
	ASSERT(st->alter[0].if_not_exists);
	st = parse_ok("ALTER TABLE c ADD COLUMN ts TIMESTAMP(6) AS ROW START, ADD COLUMN te "
		      "TIMESTAMP(6) AS ROW END, ADD PERIOD FOR SYSTEM_TIME(ts, te), ADD SYSTEM "
		      "VERSIONING, ADD COLUMN z INT", RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 5);
	ASSERT_STREQ(st->alter[2].name, "SYSTEM_TIME");
	ASSERT_EQ(st->alter[3].op, RP__AL_OPTION);
	ASSERT_EQ(st->alter[4].op, RP__AL_ADD_COLUMN);
	st = parse_ok("ALTER TABLE c DROP PERIOD IF EXISTS FOR p, DROP SYSTEM VERSIONING, DROP x",
		      RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 3);
	ASSERT(st->alter[0].if_exists);
	ASSERT_STREQ(st->alter[0].name, "p");
	ASSERT_EQ(st->alter[2].op, RP__AL_DROP_COLUMN);
	/* a column named period is still a column */
	st = parse_ok("ALTER TABLE c ADD period INT, DROP period", RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->alter[0].op, RP__AL_ADD_COLUMN);
	ASSERT_STREQ(st->alter[0].col.name, "period");
	ASSERT_EQ(st->alter[1].op, RP__AL_DROP_COLUMN);
	parse_ok("ALTER TABLE c ADD PERIOD FOR p (s)", RP__DS_UNPARSED);
	/* application-time periods in a unique key */
	st = parse_ok("CREATE TABLE c (id INT, s DATE, e DATE, PERIOD FOR p (s, e), "
		      "UNIQUE (id, p WITHOUT OVERLAPS))", RP__DS_CREATE_TABLE);
	ASSERT_EQ(st->nidx, 1);
	ASSERT(st->idx[0].without_overlaps);
	ASSERT_EQ(st->idx[0].ncols, 2);
	ASSERT_STREQ(st->idx[0].cols[1].name, "p");
	st = parse_ok("ALTER TABLE c ADD UNIQUE (id)", RP__DS_ALTER_TABLE);
	ASSERT(!st->alter[0].idx.without_overlaps);
}

TEST(replay_ddl_parse, vector_index)
{
	const struct rp__ddl_stmt *st =
		parse_ok("CREATE TABLE t (id INT PRIMARY KEY, v VECTOR(3) NOT NULL, "
			 "VECTOR INDEX (v) M=8 DISTANCE=cosine, vector VECTOR(2))",
			 RP__DS_CREATE_TABLE);
	ASSERT_EQ(st->ncols, 3);
	ASSERT_STREQ(st->cols[2].name, "vector");
	ASSERT_STREQ(st->cols[2].type.column_type, "vector(2)");
	ASSERT_EQ(st->nidx, 1);
	ASSERT(st->idx[0].vector && !st->idx[0].fulltext && !st->idx[0].spatial);
	ASSERT_STREQ(st->idx[0].cols[0].name, "v");
	st = parse_ok("CREATE VECTOR INDEX vi ON t (v) M=16", RP__DS_CREATE_INDEX);
	ASSERT(st->idx[0].vector);
	ASSERT_STREQ(st->idx[0].name, "vi");
	st = parse_ok("ALTER TABLE t ADD VECTOR KEY IF NOT EXISTS vi2 (v) DISTANCE=euclidean, "
		      "ADD vector INT", RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 2);
	ASSERT_EQ(st->alter[0].op, RP__AL_ADD_INDEX);
	ASSERT(st->alter[0].idx.vector && st->alter[0].if_not_exists);
	ASSERT_EQ(st->alter[1].op, RP__AL_ADD_COLUMN);
	/* M and DISTANCE belong to vector indexes only */
	parse_ok("CREATE INDEX i ON t (v) M=16", RP__DS_UNPARSED);
	parse_ok("CREATE VECTOR TABLE t (a int)", RP__DS_OTHER);
}

/* ALTER IGNORE TABLE deletes the rows a new unique key refuses */
TEST(replay_ddl_parse, alter_ignore)
{
	const struct rp__ddl_stmt *st =
		parse_ok("ALTER ONLINE IGNORE TABLE t ADD UNIQUE KEY u (v)", RP__DS_ALTER_TABLE);
	ASSERT(st->ignore);
	ASSERT_EQ(st->nalter, 1);
	ASSERT_EQ(st->alter[0].op, RP__AL_ADD_INDEX);
	ASSERT(st->alter[0].idx.unique);
	st = parse_ok("alter ignore table t add primary key (id)", RP__DS_ALTER_TABLE);
	ASSERT(st->ignore);
	st = parse_ok("ALTER TABLE t ADD UNIQUE (v)", RP__DS_ALTER_TABLE);
	ASSERT(!st->ignore);
	st = parse_ok("ALTER TABLE ignore ADD c INT", RP__DS_ALTER_TABLE);
	ASSERT(!st->ignore);
	ASSERT_STREQ(st->table.name, "ignore");
}

/* Partitioning after the last ALTER TABLE clause, without a comma, ends
 * a column's default: it was read into the default expression. */
TEST(replay_ddl_parse, default_before_partitioning)
{
	const struct rp__ddl_stmt *st =
		parse_ok("ALTER TABLE logs ADD COLUMN level TINYINT NOT NULL DEFAULT 0 PARTITION "
			 "BY LIST (level) (PARTITION pi VALUES IN (0, 1))", RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 2);
	ASSERT_EQ(st->alter[0].col.def_kind, RP__DEF_LITERAL);
	ASSERT_STREQ(st->alter[0].col.def, "0");
	ASSERT_EQ(st->alter[1].op, RP__AL_OPTION);
	st = parse_ok("ALTER TABLE logs MODIFY level SMALLINT DEFAULT 1 REMOVE PARTITIONING",
		      RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 2);
	ASSERT_STREQ(st->alter[0].col.def, "1");
	st = parse_ok("ALTER TABLE t ADD c INT DEFAULT remove + 1", RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->alter[0].col.def_kind, RP__DEF_EXPR);
	ASSERT_STREQ(st->alter[0].col.def, "remove + 1");
}

/* MySQL reads a column name qualified with its table (and database) in
 * a column definition; it was unparsed. */
TEST(replay_ddl_parse, qualified_column_name)
{
	const struct rp__ddl_stmt *st =
		parse_ok("CREATE TABLE `db`.`t` (`db`.`t`.`a` INT, t.b INT, c INT)",
			 RP__DS_CREATE_TABLE);
	ASSERT_EQ(st->ncols, 3);
	ASSERT_STREQ(st->cols[0].name, "a");
	ASSERT_STREQ(st->cols[1].name, "b");
	ASSERT_STREQ(st->cols[0].type.data_type, "int");
	st = parse_ok("ALTER TABLE t ADD COLUMN t.d INT, CHANGE a t.e INT", RP__DS_ALTER_TABLE);
	ASSERT_STREQ(st->alter[0].col.name, "d");
	ASSERT_STREQ(st->alter[1].col.name, "e");
	parse_ok("CREATE TABLE t (a.b.c.d INT)", RP__DS_UNPARSED);
}

/* BINARY after the column's CHARACTER SET (MySQL's opt_bin_mod) was
 * unparsed; it names the charset's binary collation. */
TEST(replay_ddl_parse, charset_binary)
{
	const struct rp__ddl_column *c = one_column("a CHAR(10) CHARACTER SET latin1 BINARY NOT NULL");
	ASSERT_STREQ(c->type.charset, "latin1");
	ASSERT_STREQ(c->type.data_type, "char");
	ASSERT(c->not_null);
	c = one_column("a VARCHAR(5) CHARSET utf8mb4 BINARY DEFAULT 'x'");
	ASSERT_STREQ(c->type.charset, "utf8mb4");
	ASSERT_STREQ(c->def, "x");
	c = one_column("a VARCHAR(5) BINARY CHARACTER SET ascii");
	ASSERT_STREQ(c->type.charset, "ascii");
	/* CHARACTER SET binary still makes a binary type */
	c = one_column("a VARCHAR(5) CHARACTER SET binary");
	ASSERT_STREQ(c->type.column_type, "varbinary(5)");
}

/* A MERGE table's UNION list may be empty or hold qualified names; both
 * were unparsed. */
TEST(replay_ddl_parse, merge_union)
{
	const struct rp__ddl_stmt *st =
		parse_ok("CREATE TABLE m (a INT) ENGINE=MRG_MyISAM UNION=(db1.t1, `db2`.`t2`, t3) "
			 "INSERT_METHOD=LAST", RP__DS_CREATE_TABLE);
	ASSERT_STREQ(st->engine, "MRG_MyISAM");
	st = parse_ok("ALTER TABLE m UNION=()", RP__DS_ALTER_TABLE);
	ASSERT_EQ(st->nalter, 1);
	ASSERT_EQ(st->alter[0].op, RP__AL_OPTION);
	parse_ok("ALTER TABLE m UNION (t1,)", RP__DS_UNPARSED);
}
