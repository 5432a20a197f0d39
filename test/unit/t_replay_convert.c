/* Type mapping and exact value conversion for PostgreSQL. */
#include "base/arena.h"
#include "binlog/internal.h"
#include "replay/replay.h"
#include "test/unit/test.h"

static struct bl_column col(uint8_t type, uint16_t meta, bool uns, uint16_t coll)
{
	struct bl_column c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.meta = meta;
	c.is_unsigned = uns;
	if (coll) {
		c.has_charset = true;
		c.collation = coll;
	}
	return c;
}

static const char *pgtype(struct bl_column c)
{
	static struct rp_pg_type t;
	ASSERT_EQ(rp_type_of_column(&c, &t), 0);
	return t.name;
}

TEST(replay, type_mapping_from_binlog)
{
	ASSERT_STREQ(pgtype(col(BL_TYPE_TINY, 0, true, 0)), "smallint");
	ASSERT_STREQ(pgtype(col(BL_TYPE_SHORT, 0, true, 0)), "integer");
	ASSERT_STREQ(pgtype(col(BL_TYPE_LONG, 0, true, 0)), "bigint");
	ASSERT_STREQ(pgtype(col(BL_TYPE_LONG, 0, false, 0)), "integer");
	ASSERT_STREQ(pgtype(col(BL_TYPE_LONGLONG, 0, true, 0)), "numeric(20)");
	ASSERT_STREQ(pgtype(col(BL_TYPE_NEWDECIMAL, 65 << 8 | 30, false, 0)), "numeric(65,30)");
	ASSERT_STREQ(pgtype(col(BL_TYPE_FLOAT, 4, false, 0)), "real");
	ASSERT_STREQ(pgtype(col(BL_TYPE_DATETIME2, 3, false, 0)),
		     "timestamp(3) without time zone");
	ASSERT_STREQ(pgtype(col(BL_TYPE_TIMESTAMP2, 6, false, 0)),
		     "timestamp(6) with time zone");
	ASSERT_STREQ(pgtype(col(BL_TYPE_TIME2, 2, false, 0)), "interval(2)");
	ASSERT_STREQ(pgtype(col(BL_TYPE_VARCHAR, 400, false, 45)), "character varying(100)");
	ASSERT_STREQ(pgtype(col(BL_TYPE_VARCHAR, 50, false, 8)), "character varying(50)");
	ASSERT_STREQ(pgtype(col(BL_TYPE_VARCHAR, 50, false, 63)), "bytea");
	ASSERT_STREQ(pgtype(col(BL_TYPE_VARCHAR, 50, false, 0)), "text");
	ASSERT_STREQ(pgtype(col(BL_TYPE_BLOB, 2, false, 63)), "bytea");
	ASSERT_STREQ(pgtype(col(BL_TYPE_BLOB, 2, false, 45)), "text");
	ASSERT_STREQ(pgtype(col(BL_TYPE_BIT, 1 << 8 | 2, false, 0)), "bit(10)");
	ASSERT_STREQ(pgtype(col(BL_TYPE_JSON, 4, false, 0)), "jsonb");
	ASSERT_STREQ(pgtype(col(BL_TYPE_VECTOR, 4, false, 0)), "real[]");
}

TEST(replay, type_mapping_from_information_schema)
{
	struct rp_pg_type t;
	ASSERT_EQ(rp_type_of_mysql("bigint", "bigint(20) unsigned", 0, &t), 0);
	ASSERT_STREQ(t.name, "numeric(20)");
	ASSERT_EQ(rp_type_of_mysql("int", "int(10) unsigned", 0, &t), 0);
	ASSERT_STREQ(t.name, "bigint");
	ASSERT_EQ(rp_type_of_mysql("decimal", "decimal(10,2)", 0, &t), 0);
	ASSERT_STREQ(t.name, "numeric(10,2)");
	ASSERT_EQ(rp_type_of_mysql("datetime", "datetime(6)", 0, &t), 0);
	ASSERT_STREQ(t.name, "timestamp(6) without time zone");
	ASSERT_EQ(rp_type_of_mysql("varchar", "varchar(255)", 255, &t), 0);
	ASSERT_STREQ(t.name, "character varying(255)");
	ASSERT_EQ(rp_type_of_mysql("enum", "enum('a','b')", 1, &t), 0);
	ASSERT(t.is_enum);
	ASSERT_EQ(rp_type_of_mysql("multipolygon", "multipolygon", 0, &t), 0);
	ASSERT_STREQ(t.name, "bytea");
	ASSERT_ERR(rp_type_of_mysql("nosuchtype", "x", 0, &t), ERR_UNSUPPORTED);
}

static const char *conv(struct bl_column c, struct bl_value v, int *rc, bool *isnull)
{
	static struct buf b;
	buf_release(&b);
	buf_init(&b, 0);
	struct rp_convert_opts o = {RP_ZERO_DATE_NULL, RP_TEXT_NUL_ERROR, false};
	struct err e = {0};
	*rc = rp_value_text(&b, &c, &v, &o, isnull, &e);
	return buf_cstr(&b);
}

TEST(replay, exact_values)
{
	int rc;
	bool isnull;
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	v.kind = BLV_UINT;
	v.u = UINT64_MAX;
	ASSERT_STREQ(conv(col(BL_TYPE_LONGLONG, 0, true, 0), v, &rc, &isnull),
		     "18446744073709551615");
	v.kind = BLV_DECIMAL;
	v.s.p = (const uint8_t *)"-12345.6700";
	v.s.n = 11;
	ASSERT_STREQ(conv(col(BL_TYPE_NEWDECIMAL, 10 << 8 | 4, false, 0), v, &rc, &isnull),
		     "-12345.6700");
	v.kind = BLV_FLOAT;
	v.d = (float)0.1f;
	ASSERT_STREQ(conv(col(BL_TYPE_FLOAT, 4, false, 0), v, &rc, &isnull), "0.1");
	v.kind = BLV_DATETIME;
	v.fsp = 6;
	v.t = (struct bl_time){2024, 2, 29, 23, 59, 58, 12, false};
	ASSERT_STREQ(conv(col(BL_TYPE_DATETIME2, 6, false, 0), v, &rc, &isnull),
		     "2024-02-29 23:59:58.000012");
	v.kind = BLV_TIMESTAMP;
	v.i = 1700000000;
	v.t.usec = 500000;
	ASSERT_STREQ(conv(col(BL_TYPE_TIMESTAMP2, 1, false, 0), v, &rc, &isnull),
		     "2023-11-14 22:13:20.500000+00");
	v.kind = BLV_TIME;
	v.fsp = 0;
	v.t = (struct bl_time){0, 0, 0, 838, 59, 59, 0, true};
	ASSERT_STREQ(conv(col(BL_TYPE_TIME2, 0, false, 0), v, &rc, &isnull), "-838:59:59");
	/* bytes stay bytes */
	v.kind = BLV_BINARY;
	v.s.p = (const uint8_t *)"\x00\xff";
	v.s.n = 2;
	ASSERT_STREQ(conv(col(BL_TYPE_BLOB, 2, false, 63), v, &rc, &isnull), "\\x00ff");
	/* latin1 is cp1252 */
	v.kind = BLV_STRING;
	v.s.p = (const uint8_t *)"\x80";
	v.s.n = 1;
	ASSERT_STREQ(conv(col(BL_TYPE_VARCHAR, 10, false, 8), v, &rc, &isnull),
		     "\xe2\x82\xac");
	/* 'NULL' the string is a string */
	v.s.p = (const uint8_t *)"NULL";
	v.s.n = 4;
	ASSERT_STREQ(conv(col(BL_TYPE_VARCHAR, 10, false, 45), v, &rc, &isnull), "NULL");
	ASSERT(!isnull);
	/* BIT keeps its width */
	v.kind = BLV_BIT;
	v.u = 5;
	v.fsp = 10;
	ASSERT_STREQ(conv(col(BL_TYPE_BIT, 1 << 8 | 2, false, 0), v, &rc, &isnull),
		     "0000000101");
}

TEST(replay, refused_and_zero_dates)
{
	int rc;
	bool isnull;
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	/* a NUL in text cannot be stored: refused, not cut */
	v.kind = BLV_STRING;
	v.s.p = (const uint8_t *)"a\0b";
	v.s.n = 3;
	conv(col(BL_TYPE_VARCHAR, 10, false, 45), v, &rc, &isnull);
	ASSERT_ERR(rc, ERR_PROTO);
	/* invalid UTF-8: refused */
	v.s.p = (const uint8_t *)"\xc3\x28";
	v.s.n = 2;
	conv(col(BL_TYPE_VARCHAR, 10, false, 45), v, &rc, &isnull);
	ASSERT_ERR(rc, ERR_PROTO);
	/* zero dates: NULL under zero_dates: null, counted */
	v.kind = BLV_DATE;
	v.t = (struct bl_time){2020, 0, 15, 0, 0, 0, 0, false};
	conv(col(BL_TYPE_DATE, 0, false, 0), v, &rc, &isnull);
	ASSERT_EQ(rc, RP_ZERO_DATE_REPLACED);
	ASSERT(isnull);
	struct buf b;
	buf_init(&b, 0);
	struct rp_convert_opts o = {RP_ZERO_DATE_ERROR, RP_TEXT_NUL_ERROR, false};
	struct err e = {0};
	struct bl_column c = col(BL_TYPE_DATE, 0, false, 0);
	ASSERT_ERR(rp_value_text(&b, &c, &v, &o, &isnull, &e), ERR_UNSUPPORTED);
	buf_release(&b);
	/* ENUM without labels is an error, with labels the label */
	v.kind = BLV_ENUM;
	v.u = 2;
	conv(col(BL_TYPE_ENUM, 1, false, 0), v, &rc, &isnull);
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
	struct bytes labels[2] = {{(const uint8_t *)"small", 5}, {(const uint8_t *)"large", 5}};
	struct bl_column ce = col(BL_TYPE_ENUM, 1, false, 45);
	ce.strings = labels;
	ce.n_strings = 2;
	ASSERT_STREQ(conv(ce, v, &rc, &isnull), "large");
	v.kind = BLV_SET;
	v.u = 3;
	ASSERT_STREQ(conv(ce, v, &rc, &isnull), "small,large");
}

TEST(replay, pg_chameleon_filters)
{
	static const char *const limit[] = {"shop.orders", "shop.items"};
	static const char *const skip[] = {"crm.secrets"};
	static const char *const no_delete[] = {"shop"};
	static const char *const no_update[] = {"crm.log"};
	struct rp_opts o;
	memset(&o, 0, sizeof(o));
	o.limit_tables = (struct rp_names){2, limit};
	o.skip_tables = (struct rp_names){1, skip};
	o.skip_delete = (struct rp_names){1, no_delete};
	o.skip_update = (struct rp_names){1, no_update};
	/* a schema named in limit_tables keeps only its listed tables */
	ASSERT(rp_table_included(&o, "shop", "orders"));
	ASSERT(!rp_table_included(&o, "shop", "customers"));
	ASSERT(!rp_table_included(&o, "shop", "order"));
	/* other schemas replicate fully, but for skip_tables */
	ASSERT(rp_table_included(&o, "crm", "people"));
	ASSERT(!rp_table_included(&o, "crm", "secrets"));
	ASSERT(rp_table_included(&o, "crmx", "secrets"));
	/* skip_events by schema or by table */
	ASSERT(rp_event_skipped(&o, BL_OP_DELETE, "shop", "orders"));
	ASSERT(!rp_event_skipped(&o, BL_OP_INSERT, "shop", "orders"));
	ASSERT(rp_event_skipped(&o, BL_OP_UPDATE, "crm", "log"));
	ASSERT(!rp_event_skipped(&o, BL_OP_UPDATE, "crm", "logs"));
	ASSERT(!rp_event_skipped(&o, BL_OP_DELETE, "shopx", "orders"));
}

/* One field of the initial copy as COPY text, the row line so far kept. */
static const char *cfield(struct buf *line, enum rp_copy_kind kind, uint16_t coll,
			  const char *p, size_t n, bool is_null, enum rp_zero_date zd, int *rc)
{
	static struct buf tmp;
	struct rp_copy_col c;
	memset(&c, 0, sizeof(c));
	c.kind = kind;
	if (coll) {
		c.col.has_charset = true;
		c.col.collation = coll;
	}
	struct rp_convert_opts o = {zd, RP_TEXT_NUL_ERROR, false};
	struct err e = {0};
	*rc = rp_copy_field(line, &tmp, &c, (const uint8_t *)p, n, is_null, &o, &e);
	return buf_cstr(line);
}

TEST(replay, copy_fields)
{
	struct buf l;
	buf_init(&l, 0);
	int rc;
	ASSERT_STREQ(cfield(&l, RP_CV_ASIS, 0, "-12.50", 6, false, RP_ZERO_DATE_NULL, &rc), "-12.50");
	ASSERT_EQ(rc, 0);
	buf_putc(&l, '\t');
	/* the line so far is kept; NULL is \N */
	ASSERT_STREQ(cfield(&l, RP_CV_ASIS, 0, NULL, 0, true, RP_ZERO_DATE_NULL, &rc), "-12.50\t\\N");
	buf_reset(&l);
	/* JSON read as is still has its delimiters escaped */
	ASSERT_STREQ(cfield(&l, RP_CV_ASIS, 0, "{\"a\": \"x\\ty\"}\n", 15, false,
			    RP_ZERO_DATE_NULL, &rc), "{\"a\": \"x\\\\ty\"}\\n");
	buf_reset(&l);
	ASSERT_STREQ(cfield(&l, RP_CV_TEXT, 45, "a\tb\nc\rd\\e é", 12, false,
			    RP_ZERO_DATE_NULL, &rc), "a\\tb\\nc\\rd\\\\e é");
	buf_reset(&l);
	/* latin1 converted, then escaped */
	ASSERT_STREQ(cfield(&l, RP_CV_TEXT, 8, "\xe9\\", 2, false, RP_ZERO_DATE_NULL, &rc),
		     "\xc3\xa9\\\\");
	buf_reset(&l);
	/* refused: invalid UTF-8, a NUL; the line is left as it was */
	buf_putl(&l, "1\t");
	cfield(&l, RP_CV_TEXT, 45, "\xc3\x28", 2, false, RP_ZERO_DATE_NULL, &rc);
	ASSERT_ERR(rc, ERR_PROTO);
	cfield(&l, RP_CV_TEXT, 45, "a\0b", 3, false, RP_ZERO_DATE_NULL, &rc);
	ASSERT_ERR(rc, ERR_PROTO);
	ASSERT_EQ(l.n, 2);
	buf_reset(&l);
	/* bytes: bytea hex, its backslash escaped */
	ASSERT_STREQ(cfield(&l, RP_CV_BYTES, 0, "\x00\xff\t", 3, false, RP_ZERO_DATE_NULL, &rc),
		     "\\\\x00ff09");
	buf_reset(&l);
	ASSERT_STREQ(cfield(&l, RP_CV_BYTES, 0, "", 0, false, RP_ZERO_DATE_NULL, &rc), "\\\\x");
	buf_reset(&l);
	ASSERT_STREQ(cfield(&l, RP_CV_TIMESTAMP, 0, "2024-02-29 23:59:59.000001", 26, false,
			    RP_ZERO_DATE_NULL, &rc), "2024-02-29 23:59:59.000001+00");
	buf_reset(&l);
	ASSERT_STREQ(cfield(&l, RP_CV_DATE, 0, "2024-02-29", 10, false, RP_ZERO_DATE_NULL, &rc),
		     "2024-02-29");
	buf_reset(&l);
	/* zero dates per the policy */
	ASSERT_STREQ(cfield(&l, RP_CV_DATE, 0, "0000-00-00 00:00:00", 19, false,
			    RP_ZERO_DATE_NULL, &rc), "\\N");
	ASSERT_EQ(rc, RP_ZERO_DATE_REPLACED);
	buf_reset(&l);
	ASSERT_STREQ(cfield(&l, RP_CV_TIMESTAMP, 0, "0000-00-00 00:00:00", 19, false,
			    RP_ZERO_DATE_INFINITY, &rc), "-infinity");
	ASSERT_EQ(rc, RP_ZERO_DATE_REPLACED);
	buf_reset(&l);
	cfield(&l, RP_CV_DATE, 0, "2024-00-01", 10, false, RP_ZERO_DATE_ERROR, &rc);
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
	ASSERT_EQ(l.n, 0);
	ASSERT_STREQ(cfield(&l, RP_CV_BIT, 0, "\x01\x02", 2, false, RP_ZERO_DATE_NULL, &rc),
		     "0");
	/* a delimiter at every position of a long value (the word-wise scan),
	 * among bytes close to the delimiters */
	const char specials[] = "\\\n\r\t";
	for (int k = 0; k < 4; k++) {
		for (size_t pos = 0; pos < 21; pos++) {
			char v[21], want[40];
			for (size_t j = 0; j < sizeof(v); j++)
				v[j] = (char)("\x0b\x08\x5d\x8c\xdc\x0c"[j % 6]);
			v[pos] = specials[k];
			memcpy(want, v, pos);
			want[pos] = '\\';
			want[pos + 1] = "\\nrt"[k];
			memcpy(want + pos + 2, v + pos + 1, sizeof(v) - pos - 1);
			want[sizeof(v) + 1] = 0;
			buf_reset(&l);
			ASSERT_STREQ(cfield(&l, RP_CV_ASIS, 0, v, sizeof(v), false,
					    RP_ZERO_DATE_NULL, &rc), want);
		}
	}
	buf_release(&l);
}

/* Dates and times at their edges, through the formatter shared with
 * decode_binlog (bl_put_date / bl_put_time / bl_put_frac / bl_put_utc). */
TEST(replay, temporal_edges)
{
	int rc;
	bool isnull;
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	/* year 0 is a zero date: the policy (null here), not "0000-..." */
	v.kind = BLV_DATE;
	v.t = (struct bl_time){0, 1, 1, 0, 0, 0, 0, false};
	ASSERT_STREQ(conv(col(BL_TYPE_DATE, 0, false, 0), v, &rc, &isnull), "");
	ASSERT(isnull);
	ASSERT_EQ(rc, RP_ZERO_DATE_REPLACED);
	v.t = (struct bl_time){1, 1, 1, 0, 0, 0, 0, false};
	ASSERT_STREQ(conv(col(BL_TYPE_DATE, 0, false, 0), v, &rc, &isnull),
		     "0001-01-01");
	ASSERT(!isnull);
	/* every precision: six digits whenever there is a fraction, none
	 * when it is zero, whatever the column's precision */
	static const uint32_t usec[] = {0, 100000, 120000, 123000, 123400,
					123450, 123456};
	static const char *const dt[] = {
		"2024-02-29 23:59:58",		"2024-02-29 23:59:58.100000",
		"2024-02-29 23:59:58.120000",	"2024-02-29 23:59:58.123000",
		"2024-02-29 23:59:58.123400",	"2024-02-29 23:59:58.123450",
		"2024-02-29 23:59:58.123456",
	};
	for (unsigned fsp = 0; fsp <= 6; fsp++) {
		v.kind = BLV_DATETIME;
		v.fsp = (uint8_t)fsp;
		v.t = (struct bl_time){2024, 2, 29, 23, 59, 58, usec[fsp], false};
		ASSERT_STREQ(conv(col(BL_TYPE_DATETIME2, (uint16_t)fsp, false, 0), v,
				  &rc, &isnull), dt[fsp]);
	}
	v.fsp = 6;
	v.t.usec = 0;
	ASSERT_STREQ(conv(col(BL_TYPE_DATETIME2, 6, false, 0), v, &rc, &isnull),
		     "2024-02-29 23:59:58");
	/* negative TIME: sign first, hours as wide as needed */
	v.kind = BLV_TIME;
	v.fsp = 3;
	v.t = (struct bl_time){0, 0, 0, 5, 3, 4, 7000, true};
	ASSERT_STREQ(conv(col(BL_TYPE_TIME2, 3, false, 0), v, &rc, &isnull),
		     "-05:03:04.007000");
	v.t = (struct bl_time){0, 0, 0, 0, 0, 0, 500000, true};
	ASSERT_STREQ(conv(col(BL_TYPE_TIME2, 3, false, 0), v, &rc, &isnull),
		     "-00:00:00.500000");
	/* TIMESTAMP 0 is the zero timestamp; 0 with a fraction is the epoch */
	v.kind = BLV_TIMESTAMP;
	v.fsp = 6;
	v.i = 0;
	v.t = (struct bl_time){0};
	ASSERT_STREQ(conv(col(BL_TYPE_TIMESTAMP2, 6, false, 0), v, &rc, &isnull), "");
	ASSERT(isnull);
	v.t.usec = 1;
	ASSERT_STREQ(conv(col(BL_TYPE_TIMESTAMP2, 6, false, 0), v, &rc, &isnull),
		     "1970-01-01 00:00:00.000001+00");
	ASSERT(!isnull);
	v.i = 4294967295;	/* the last 32-bit second */
	v.t.usec = 0;
	ASSERT_STREQ(conv(col(BL_TYPE_TIMESTAMP2, 6, false, 0), v, &rc, &isnull),
		     "2106-02-07 06:28:15+00");
}

/* One value through replication's conversion with the default policies
 * (no options), or NULL on error. */
static const char *repl_default(struct bl_column c, struct bl_value v, int *rc)
{
	static struct buf b;
	buf_release(&b);
	buf_init(&b, 0);
	bool isnull = false;
	struct err e = {0};
	*rc = rp_value_text(&b, &c, &v, NULL, &isnull, &e);
	return *rc < 0 ? NULL : isnull ? "NULL" : buf_cstr(&b);
}

/* One field through the copy's conversion with opts (NULL: defaults). */
static const char *copy_with(enum rp_copy_kind kind, uint16_t coll, const char *p, size_t n,
			     const struct rp_convert_opts *o, int *rc)
{
	static struct buf line, tmp;
	buf_release(&line);
	buf_init(&line, 0);
	struct rp_copy_col c;
	memset(&c, 0, sizeof(c));
	c.kind = kind;
	if (coll) {
		c.col.has_charset = true;
		c.col.collation = coll;
	}
	struct err e = {0};
	*rc = rp_copy_field(&line, &tmp, &c, (const uint8_t *)p, n, false, o, &e);
	return *rc < 0 ? NULL : buf_cstr(&line);
}

TEST(replay, legacy_dates)
{
	/* the days PostgreSQL can hold */
	ASSERT(rp_date_valid(2024, 2, 29));
	ASSERT(rp_date_valid(2000, 2, 29));
	ASSERT(rp_date_valid(1, 1, 1));
	ASSERT(rp_date_valid(9999, 12, 31));
	ASSERT(!rp_date_valid(2023, 2, 29));
	ASSERT(!rp_date_valid(1900, 2, 29));
	ASSERT(!rp_date_valid(2024, 2, 30));
	ASSERT(!rp_date_valid(2024, 4, 31));
	ASSERT(!rp_date_valid(2024, 0, 10));
	ASSERT(!rp_date_valid(2024, 1, 0));
	ASSERT(!rp_date_valid(2024, 13, 1));
	ASSERT(!rp_date_valid(0, 1, 1));
	ASSERT(rp_date_text_valid("2024-01-15", 10));
	ASSERT(rp_date_text_valid("'2024-01-15 10:00:00'", 21));
	ASSERT(!rp_date_text_valid("2024-02-30", 10));
	ASSERT(!rp_date_text_valid("'0000-00-00 00:00:00'", 21));
	ASSERT(!rp_date_text_valid("2024-01-0", 9));
	ASSERT(!rp_date_text_valid("2024-0a-01", 10));
	ASSERT(!rp_date_text_valid("current_timestamp()", 19));

	/* by default every date PostgreSQL cannot hold is -infinity, the same
	 * from a row image (replication) and from the text protocol (copy) */
	static const struct {
		int y;
		unsigned m, d;
		const char *text;
	} bad[] = {
		{0, 0, 0, "0000-00-00 00:00:00"},
		{2024, 0, 10, "2024-00-10 00:00:00"},
		{2024, 1, 0, "2024-01-00 00:00:00"},
		{2024, 2, 30, "2024-02-30 00:00:00"},
		{2023, 2, 29, "2023-02-29 00:00:00"},
		{0, 6, 1, "0000-06-01 00:00:00"},
	};
	int rc;
	struct bl_value v;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.kind = BLV_DATETIME;
		v.t = (struct bl_time){bad[i].y, (uint8_t)bad[i].m, (uint8_t)bad[i].d,
				       0, 0, 0, 0, false};
		ASSERT_STREQ(repl_default(col(BL_TYPE_DATETIME2, 0, false, 0), v, &rc),
			     "-infinity");
		ASSERT_EQ(rc, RP_ZERO_DATE_REPLACED);
		v.kind = BLV_DATE;
		ASSERT_STREQ(repl_default(col(BL_TYPE_DATE, 0, false, 0), v, &rc),
			     "-infinity");
		ASSERT_STREQ(copy_with(RP_CV_DATE, 0, bad[i].text, 19, NULL, &rc),
			     "-infinity");
		ASSERT_EQ(rc, RP_ZERO_DATE_REPLACED);
		ASSERT_STREQ(copy_with(RP_CV_DATE, 0, bad[i].text, 10, NULL, &rc),
			     "-infinity");
	}
	/* a zero TIMESTAMP: 0 in the row image, zeros in the text */
	memset(&v, 0, sizeof(v));
	v.kind = BLV_TIMESTAMP;
	ASSERT_STREQ(repl_default(col(BL_TYPE_TIMESTAMP2, 0, false, 0), v, &rc), "-infinity");
	ASSERT_STREQ(copy_with(RP_CV_TIMESTAMP, 0, "0000-00-00 00:00:00", 19, NULL, &rc),
		     "-infinity");
	/* a valid leap day is kept */
	v.kind = BLV_DATE;
	v.t = (struct bl_time){2024, 2, 29, 0, 0, 0, 0, false};
	ASSERT_STREQ(repl_default(col(BL_TYPE_DATE, 0, false, 0), v, &rc), "2024-02-29");
	ASSERT_EQ(rc, 0);
	ASSERT_STREQ(copy_with(RP_CV_DATE, 0, "2024-02-29", 10, NULL, &rc), "2024-02-29");
	/* null: \N in the copy, NULL in replication; error: refused in both */
	struct rp_convert_opts null = {RP_ZERO_DATE_NULL, RP_TEXT_NUL_REPLACE, false};
	struct rp_convert_opts error = {RP_ZERO_DATE_ERROR, RP_TEXT_NUL_REPLACE, false};
	ASSERT_STREQ(copy_with(RP_CV_DATE, 0, "2024-02-30", 10, &null, &rc), "\\N");
	ASSERT_EQ(copy_with(RP_CV_DATE, 0, "2024-02-30", 10, &error, &rc), NULL);
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
}

TEST(replay, text_nul_policies)
{
	struct rp_convert_opts strip = {RP_ZERO_DATE_INFINITY, RP_TEXT_NUL_STRIP, false};
	struct rp_convert_opts error = {RP_ZERO_DATE_INFINITY, RP_TEXT_NUL_ERROR, false};
	int rc;
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	v.kind = BLV_STRING;
	v.s.p = (const uint8_t *)"\0a\0\0b\0";
	v.s.n = 6;
	struct bl_column c = col(BL_TYPE_VARCHAR, 40, false, 45);
	/* default: replace, U+FFFD for each NUL, in replication and the copy */
	ASSERT_STREQ(repl_default(c, v, &rc),
		     "\xef\xbf\xbd" "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd");
	ASSERT_STREQ(copy_with(RP_CV_TEXT, 45, "\0a\0\0b\0", 6, NULL, &rc),
		     "\xef\xbf\xbd" "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd");
	/* strip: removed; the copy still escapes what follows */
	ASSERT_STREQ(copy_with(RP_CV_TEXT, 45, "a\0\tb\0", 5, &strip, &rc), "a\\tb");
	struct buf b;
	buf_init(&b, 0);
	bool isnull;
	struct err e = {0};
	ASSERT_EQ(rp_value_text(&b, &c, &v, &strip, &isnull, &e), 0);
	ASSERT_STREQ(buf_cstr(&b), "ab");
	/* error: refused, nothing written */
	buf_reset(&b);
	ASSERT_ERR(rp_value_text(&b, &c, &v, &error, &isnull, &e), ERR_PROTO);
	ASSERT_EQ(b.n, 0);
	ASSERT_EQ(copy_with(RP_CV_TEXT, 45, "a\0", 2, &error, &rc), NULL);
	/* latin1 text: converted first, then the NUL replaced */
	ASSERT_STREQ(copy_with(RP_CV_TEXT, 8, "\xe9\0", 2, NULL, &rc), "\xc3\xa9\xef\xbf\xbd");
	/* bytes are not text: a NUL stays a byte */
	v.kind = BLV_BINARY;
	v.s.p = (const uint8_t *)"a\0";
	v.s.n = 2;
	ASSERT_STREQ(repl_default(col(BL_TYPE_BLOB, 2, false, 63), v, &rc), "\\x6100");
	ASSERT_STREQ(copy_with(RP_CV_BYTES, 0, "a\0", 2, &error, &rc), "\\\\x6100");
	buf_release(&b);
}
