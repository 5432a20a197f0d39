/*
 * The PostgreSQL statements of a snapshot load, from a table description
 * (replay/load_ddl.c, replay/catalog_init.c's builders): no server.
 */
#include "base/arena.h"
#include "replay/replay.h"
#include "test/unit/test.h"

/* One column by its information_schema description. */
static struct rp_column_def col(const char *name, const char *dt, const char *ct,
				bool nullable, const char *def)
{
	struct rp_column_def c;
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.data_type = dt;
	c.column_type = ct;
	c.nullable = nullable;
	c.def = def;
	c.extra = "";
	const char *len = strchr(ct, '(');
	unsigned long char_len = strstr(dt, "char") && len ? strtoul(len + 1, NULL, 10) : 0;
	ASSERT_EQ(rp_type_of_mysql(dt, ct, char_len, &c.pg), 0);
	if (!strcmp(dt, "date") || !strcmp(dt, "datetime"))
		c.cv.kind = RP_CV_DATE;
	else if (!strcmp(c.pg.name, "bytea"))
		c.cv.kind = RP_CV_BYTES;
	else if (strstr(dt, "char") || !strcmp(dt, "text"))
		c.cv.kind = RP_CV_TEXT;
	return c;
}

static const char *built(struct buf *b)
{
	static char out[4096];
	snprintf(out, sizeof(out), "%s", buf_cstr(b));
	buf_reset(b);
	return out;
}

TEST(replay, load_enum_labels)
{
	struct buf b;
	buf_init(&b, 0);
	rp_load_enum_labels(&b, "enum('a','it''s')");
	ASSERT_STREQ(built(&b), "'a', 'it''s', ''");
	/* '' already a label: not added twice */
	rp_load_enum_labels(&b, "enum('','x')");
	ASSERT_STREQ(built(&b), "'', 'x'");
	/* a label starting with a quote is not the empty one */
	rp_load_enum_labels(&b, "enum('''q','b')");
	ASSERT_STREQ(built(&b), "'''q', 'b', ''");
	/* MySQL shows a backslash doubled */
	rp_load_enum_labels(&b, "enum('a\\\\b','c,d')");
	ASSERT_STREQ(built(&b), "'a\\b', 'c,d', ''");
	rp_load_enum_labels(&b, "enum()");
	ASSERT_STREQ(built(&b), "''");
	rp_load_enum_labels(&b, "int");
	ASSERT_STREQ(built(&b), "");
	buf_release(&b);
}

TEST(replay, load_create_table)
{
	struct rp_column_def cols[3] = {
		col("id", "int", "int(11)", false, NULL),
		col("e", "enum", "enum('été','hiver')", true, "'été'"),
		col("n", "varchar", "varchar(30)", true, NULL),
	};
	cols[2].comment = "the name's";
	struct rp_table_def t = {
		.schema = "lat", .name = "names", .pg_schema = "lat_pg",
		.load_schema = "_lat_pg_tmp", .comment = "names, latin1", .fillfactor = 70,
		.ncols = 3, .cols = cols,
	};
	struct buf b;
	buf_init(&b, 0);
	rp_load_create_sql(&b, &t);
	ASSERT_STREQ(built(&b),
		     "CREATE TYPE \"_lat_pg_tmp\".\"enum_names_e\" AS ENUM ('été', 'hiver', '');\n"
		     "CREATE TABLE \"_lat_pg_tmp\".\"names\" (\"id\" integer NOT NULL, "
		     "\"e\" \"_lat_pg_tmp\".\"enum_names_e\", \"n\" character varying(30)) "
		     "WITH (fillfactor = 70);\n"
		     "COMMENT ON TABLE \"_lat_pg_tmp\".\"names\" IS 'names, latin1';\n"
		     "COMMENT ON COLUMN \"_lat_pg_tmp\".\"names\".\"n\" IS 'the name''s';\n");
	rp_load_drop_sql(&b, &t);
	ASSERT_STREQ(built(&b), "DROP TABLE IF EXISTS \"lat_pg\".\"names\" CASCADE;\n"
				"DROP TYPE IF EXISTS \"lat_pg\".\"enum_names_e\";\n");
	const struct rp_table_def *v[2] = {&t, &t};
	rp_load_truncate_sql(&b, v, 2);
	ASSERT_STREQ(built(&b), "TRUNCATE \"lat_pg\".\"names\", \"lat_pg\".\"names\";\n");
	rp_load_truncate_sql(&b, v, 0);
	ASSERT_STREQ(built(&b), "");
	buf_release(&b);
}

TEST(replay, load_schema_swap)
{
	struct arena a;
	arena_init(&a, 256);
	ASSERT_STREQ(rp_load_schema_name(&a, "fx\"pg"), "_fx\"pg_tmp");
	struct buf b;
	buf_init(&b, 0);
	rp_load_schema_sql(&b, "fx", "_fx_tmp");
	ASSERT_STREQ(built(&b), "DROP SCHEMA IF EXISTS \"_fx_tmp\" CASCADE;\n"
				"CREATE SCHEMA \"_fx_tmp\";\n");
	rp_load_schema_sql(&b, "fx", "fx");
	ASSERT_STREQ(built(&b), "CREATE SCHEMA IF NOT EXISTS \"fx\";\n");
	rp_load_swap_sql(&b, "fx", "_fx_tmp");
	ASSERT_STREQ(built(&b), "DROP SCHEMA IF EXISTS \"fx\" CASCADE;\n"
				"ALTER SCHEMA \"_fx_tmp\" RENAME TO \"fx\";\n");
	rp_load_grant_sql(&b, "fx", "reader");
	ASSERT_STREQ(built(&b), "GRANT USAGE ON SCHEMA \"fx\" TO \"reader\";\n"
				"GRANT SELECT ON ALL TABLES IN SCHEMA \"fx\" TO \"reader\";\n");
	buf_release(&b);
	arena_release(&a);
}

TEST(replay, load_indexes)
{
	struct rp_column_def cols[1] = {col("id", "int", "int(11)", false, NULL)};
	struct rp_index_def idx[3] = {
		{"PRIMARY", true, true, 1, {"id"}, false},
		{"u_ab", true, false, 2, {"a", "b"}, false},
		{"a_rather_long_index_name_beyond_28", false, false, 1, {"s"}, false},
	};
	struct rp_table_def t = {
		.schema = "fx", .name = "wide", .pg_schema = "fx_pg", .load_schema = "_fx_pg_tmp",
		.ncols = 1, .cols = cols, .nidx = 3, .idx = idx,
	};
	struct buf b;
	buf_init(&b, 0);
	rp_load_index_sql(&b, &t, &idx[0]);
	ASSERT_STREQ(built(&b), "ALTER TABLE \"_fx_pg_tmp\".\"wide\" ADD PRIMARY KEY (\"id\")");
	rp_load_index_sql(&b, &t, &idx[1]);
	ASSERT_STREQ(built(&b), "CREATE UNIQUE INDEX \"idx_wide_u_ab\" ON "
				"\"_fx_pg_tmp\".\"wide\" (\"a\", \"b\")");
	rp_load_index_sql(&b, &t, &idx[2]);
	ASSERT_STREQ(built(&b), "CREATE INDEX \"idx_wide_a_rather_long_index_name_beyond_28\" ON "
				"\"_fx_pg_tmp\".\"wide\" (\"s\")");
	buf_release(&b);
}

/* Names over 63 bytes: PostgreSQL would cut two tables' names alike */
TEST(replay, load_fit_names)
{
	static const char one[] = "t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_one1";
	static const char two[] = "t_longlonglonglonglonglonglonglonglonglonglonglonglong_name_two2";
	char a[RP_PG_NAME_MAX], b[RP_PG_NAME_MAX];
	rp_load_fit_name(a, "enum_", "t", "e");
	ASSERT_STREQ(a, "enum_t_e");
	rp_load_fit_name(a, "enum_", one, "e");
	rp_load_fit_name(b, "enum_", two, "e");
	ASSERT_EQ(strlen(a), 63);
	ASSERT_EQ(strlen(b), 63);
	ASSERT(!strncmp(a, "enum_t_longlonglonglonglonglonglonglonglonglonglonglon_", 55));
	ASSERT(strcmp(a, b));
	/* the same name each time */
	char c[RP_PG_NAME_MAX];
	rp_load_fit_name(c, "enum_", one, "e");
	ASSERT_STREQ(a, c);
	/* 63 bytes exactly: as is; 64: cut */
	rp_load_fit_name(a, "idx_", "t", "123456789012345678901234567890123456789012345678901234567");
	ASSERT_EQ(strlen(a), 63);
	ASSERT(!strcmp(a + 6, "123456789012345678901234567890123456789012345678901234567"));
	rp_load_fit_name(a, "idx_", "t", "1234567890123456789012345678901234567890123456789012345678");
	ASSERT_EQ(strlen(a), 63);
	ASSERT_EQ(a[54], '_');
	/* never half a character: é is 2 bytes, the cut falls in one */
	rp_load_fit_name(a, "enum_",
			 "tttttttttttttttttttttttttttttttttttttttttttttttt"
			 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
			 "col");
	ASSERT_EQ(strlen(a), 62);
	ASSERT(!strncmp(a + 52, "t_", 2));
	rp_load_fit_name(a, "enum_",
			 "ttttttttttttttttttttttttttttttttttttttttttttttt"
			 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
			 "col");
	ASSERT_EQ(strlen(a), 63);
	ASSERT(!strncmp(a + 52, "\xc3\xa9_", 3));
	/* the index builder agrees */
	char x[RP_INDEX_NAME_MAX], y[RP_INDEX_NAME_MAX];
	rp_load_index_name(x, one, "k_indexindexindexindexindexindexindexindexindexindexindexindex");
	rp_load_index_name(y, two, "k_indexindexindexindexindexindexindexindexindexindexindexindex");
	ASSERT(strcmp(x, y));
	ASSERT_EQ(strlen(x), 63);
	struct buf q;
	buf_init(&q, 0);
	rp_load_enum_name(&q, "s", one, "e");
	rp_load_fit_name(a, "enum_", one, "e");
	ASSERT(!strncmp(buf_cstr(&q), "\"s\".\"", 5));
	ASSERT(!strncmp(buf_cstr(&q) + 5, a, 63));
	buf_release(&q);
}

/* The default of a column as PostgreSQL SQL, or "-" when left out. */
static const char *dflt_with(struct rp_column_def c, bool mariadb,
			     const struct rp_convert_opts *o)
{
	static char out[256];
	struct buf b;
	buf_init(&b, 0);
	bool kept = rp_load_default_sql(&b, &c, mariadb, o);
	snprintf(out, sizeof(out), "%s", kept ? buf_cstr(&b) : "-");
	if (!kept)
		ASSERT_EQ(b.n, 0);
	buf_release(&b);
	return out;
}

static const char *dflt(struct rp_column_def c, bool mariadb)
{
	return dflt_with(c, mariadb, NULL);
}

TEST(replay, load_defaults)
{
	ASSERT_STREQ(dflt(col("q", "int", "int(11)", false, "7"), true), "7");
	ASSERT_STREQ(dflt(col("q", "decimal", "decimal(5,2)", false, "-1.50"), false), "-1.50");
	ASSERT_STREQ(dflt(col("q", "int", "int(11)", true, "NULL"), true), "-");
	ASSERT_STREQ(dflt(col("q", "int", "int(11)", true, NULL), true), "-");
	/* numbers in text and ENUM columns are strings */
	ASSERT_STREQ(dflt(col("s", "varchar", "varchar(5)", true, "12"), false), "'12'");
	ASSERT_STREQ(dflt(col("e", "enum", "enum('1','2')", true, "1"), false), "'1'");
	/* MariaDB quotes strings and shows expressions bare */
	ASSERT_STREQ(dflt(col("s", "varchar", "varchar(10)", true, "'it''s'"), true),
		     "'it''s'");
	ASSERT_STREQ(dflt(col("s", "varchar", "varchar(10)", true, "'a\\nb\\\\'"), true),
		     "'a\nb\\'");
	ASSERT_STREQ(dflt(col("s", "varchar", "varchar(10)", true, "'\\''"), true), "''''");
	ASSERT_STREQ(dflt(col("s", "varchar", "varchar(10)", true, "concat('a','b')"), true),
		     "-");
	/* MySQL shows literals bare */
	ASSERT_STREQ(dflt(col("s", "varchar", "varchar(10)", true, "it's"), false), "'it''s'");
	ASSERT_STREQ(dflt(col("t", "datetime", "datetime", true, "current_timestamp()"), true),
		     "CURRENT_TIMESTAMP");
	ASSERT_STREQ(dflt(col("t", "timestamp", "timestamp(3)", true, "CURRENT_TIMESTAMP(3)"),
			  false), "CURRENT_TIMESTAMP");
	ASSERT_STREQ(dflt(col("t", "date", "date", true, "current_timestamp()"), true), "-");
	/* a date default PostgreSQL cannot hold: what the rows taking it
	 * get, -infinity by default; none under zero_dates null or error */
	ASSERT_STREQ(dflt(col("d", "date", "date", true, "'0000-00-00'"), true), "'-infinity'");
	ASSERT_STREQ(dflt(col("d", "date", "date", true, "2020-00-15"), false), "'-infinity'");
	ASSERT_STREQ(dflt(col("d", "datetime", "datetime", false, "'2020-02-30 00:00:00'"), true),
		     "'-infinity'");
	struct rp_convert_opts null = {RP_ZERO_DATE_NULL, RP_TEXT_NUL_REPLACE, false};
	struct rp_convert_opts error = {RP_ZERO_DATE_ERROR, RP_TEXT_NUL_REPLACE, false};
	ASSERT_STREQ(dflt_with(col("d", "date", "date", true, "'0000-00-00'"), true, &null), "-");
	ASSERT_STREQ(dflt_with(col("d", "date", "date", true, "'0000-00-00'"), true, &error),
		     "-");
	/* an expression is not a date literal: not -infinity (and MariaDB's
	 * expressions are not translated) */
	ASSERT_STREQ(dflt(col("d", "date", "date", true, "curdate()"), true), "-");
	/* bits, bytes and generated defaults are left out */
	ASSERT_STREQ(dflt(col("d", "date", "date", true, "'2020-01-15'"), true), "'2020-01-15'");
	ASSERT_STREQ(dflt(col("b", "bit", "bit(3)", true, "b'101'"), true), "-");
	ASSERT_STREQ(dflt(col("b", "varbinary", "varbinary(4)", true, "'ab'"), true), "-");
	struct rp_column_def g = col("x", "int", "int(11)", true, "(1 + 1)");
	g.extra = "DEFAULT_GENERATED";
	ASSERT_STREQ(dflt(g, false), "-");
}

TEST(replay, load_set_default)
{
	struct rp_column_def c = col("qty", "int", "int(11)", false, "7");
	struct rp_table_def t = {.schema = "lat", .name = "names", .pg_schema = "lat_pg",
				 .load_schema = "_lat_pg_tmp", .ncols = 1, .cols = &c};
	struct buf b;
	buf_init(&b, 0);
	rp_load_set_default_sql(&b, &t, &c, "7");
	ASSERT_STREQ(built(&b), "ALTER TABLE \"_lat_pg_tmp\".\"names\" ALTER COLUMN \"qty\" "
				"SET DEFAULT 7");
	buf_release(&b);
}

TEST(replay, load_foreign_keys)
{
	const char *cols[2] = {"a", "b"}, *ref[2] = {"x", "y"};
	struct rp_fkey k = {.schema = "fx", .table = "child", .name = "fk_it's",
			    .ref_schema = "fx", .ref_table = "parent", .cols = cols,
			    .ref_cols = ref, .n = 2, .on_update = "RESTRICT",
			    .on_delete = "cascade"};
	struct buf b;
	buf_init(&b, 0);
	/* in the loading schemas */
	rp_load_fkey_sql(&b, "_s_tmp", "_s_tmp", &k);
	ASSERT_STREQ(built(&b),
		     "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
		     "'fk_it''s' AND conrelid = '\"_s_tmp\".\"child\"'::regclass) THEN ALTER "
		     "TABLE \"_s_tmp\".\"child\" ADD CONSTRAINT \"fk_it's\" FOREIGN KEY (\"a\", "
		     "\"b\") REFERENCES \"_s_tmp\".\"parent\" (\"x\", \"y\") ON UPDATE RESTRICT "
		     "ON DELETE CASCADE NOT VALID; END IF; END$$;\n");
	rp_fk_drop_sql(&b, "s", "child", "fk");
	ASSERT_STREQ(built(&b), "ALTER TABLE IF EXISTS \"s\".\"child\" DROP CONSTRAINT IF "
				"EXISTS \"fk\"");
	buf_release(&b);
}

TEST(replay, load_catalog_rows)
{
	struct rp_column_def cols[2] = {
		col("a", "int", "int(11)", false, NULL),
		col("b", "varchar", "varchar(3)", true, NULL),
	};
	struct rp_index_def pk = {"PRIMARY", true, true, 1, {"a"}, false};
	struct rp_table_def t = {.schema = "fx", .name = "t", .pg_schema = "fx_pg",
				 .load_schema = "fx_pg", .ncols = 2, .cols = cols,
				 .nidx = 1, .idx = &pk, .key = NULL, .key_kind = "all"};
	struct rp_load_record r = {.kind = RP_LOAD_INIT, .source = "my'src",
				   .file = "binlog.000002", .pos = 4711, .gtid = "",
				   .server_id = 7, .server_uuid = "", .rows = 12,
				   .seconds = 1.25};
	struct buf b;
	buf_init(&b, 0);
	rp_load_record_begin_sql(&b, &r);
	ASSERT_STREQ(built(&b), "DELETE FROM sch_chameleon.t_disabled_tables WHERE "
				"source_name = 'my''src';\nDELETE FROM sch_chameleon.t_tables "
				"WHERE source_name = 'my''src';\n");
	rp_load_record_table_sql(&b, &r, &t, 12);
	const char *row = built(&b);
	ASSERT(strstr(row, "VALUES ('my''src', 'fx', 't', 'fx_pg', ARRAY['a','b']::text[], "
			   "'all', 12, now(), NULL, NULL) ON CONFLICT"));
	t.key = &pk;
	t.key_kind = "primary";
	r.kind = RP_LOAD_SYNC;
	rp_load_record_table_sql(&b, &r, &t, 5);
	row = built(&b);
	const char *out = "DELETE FROM sch_chameleon.t_disabled_tables WHERE source_name = "
			  "'my''src' AND schema_name = 'fx' AND table_name = 't';\n";
	ASSERT(!strncmp(row, out, strlen(out)));
	ASSERT(strstr(row, "ARRAY['a']::text[], 'primary', 5, now(), 'binlog.000002', 4711)"));
	rp_load_record_begin_sql(&b, &r);
	rp_load_record_end_sql(&b, &r);
	ASSERT_STREQ(built(&b), "");
	r.kind = RP_LOAD_INIT;
	rp_load_record_end_sql(&b, &r);
	ASSERT_STREQ(built(&b),
		     "UPDATE sch_chameleon.t_sources SET init_progress = 'done: 12 rows copied "
		     "in 1.2 s', status = 'initialised', error = NULL, status_at = now(), "
		     "init_finished_at = now(), source_server_id = 7, "
		     "source_server_uuid = NULL, binlog_file = 'binlog.000002', "
		     "binlog_position = 4711, gtid = NULL WHERE source_name = 'my''src';\n");
	r.gtid = "0-1-5";
	r.server_uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
	rp_load_record_end_sql(&b, &r);
	row = built(&b);
	ASSERT(strstr(row, "gtid = '0-1-5' WHERE"));
	ASSERT(strstr(row, "source_server_id = 7, source_server_uuid = "
				 "'3e11fa47-71ca-11e1-9e33-c80aa9429562', binlog_file"));
	r.kind = RP_LOAD_SCHEMA;
	rp_load_record_table_sql(&b, &r, &t, 5);
	ASSERT_STREQ(built(&b), "");
	buf_release(&b);
}
