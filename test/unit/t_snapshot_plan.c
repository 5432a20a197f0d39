/*
 * The snapshot's pure parts: key ranges from MIN/MAX and the estimate,
 * which keys can split a table, the SELECT of a copy job, and how each
 * column's values are converted.  No server.
 */
#include <limits.h>

#include "snapshot/internal.h"
#include "test/unit/test.h"

TEST(snapshot, ranges_cover_the_key_once)
{
	long long r[2 * 65];
	/* 1M rows, 2 workers: 5 chunks (est / 250000 + 1), capped at 16 */
	int n = sn__plan_ranges(1, 1000000, 1000000, 2, r, 65);
	ASSERT_EQ(n, 5);
	ASSERT_EQ(r[0], 1);
	ASSERT_EQ(r[1], 200002);
	for (int k = 1; k < n; k++)
		ASSERT_EQ(r[2 * k], r[2 * k - 1]);	/* [lo, hi) then the next */
	ASSERT_EQ(r[2 * (n - 1) + 1], 1000000);		/* the last one inclusive */
	/* capped at 8 per worker */
	n = sn__plan_ranges(0, 99999999, 100000000, 2, r, 65);
	ASSERT_EQ(n, 16);
	ASSERT_EQ(r[31], 99999999);
	/* a sparse key: ranges follow the values, not the row count */
	n = sn__plan_ranges(-500, 10000000000LL, 300000, 4, r, 65);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(r[0], -500);
	ASSERT_EQ(r[3], 10000000000LL);
}

TEST(snapshot, ranges_not_worth_it)
{
	long long r[2 * 65];
	ASSERT_EQ(sn__plan_ranges(1, 1000000, 250000, 4, r, 65), 0);	/* small table */
	ASSERT_EQ(sn__plan_ranges(1, 1000000, 1000000, 1, r, 65), 0);	/* one worker */
	ASSERT_EQ(sn__plan_ranges(5, 5, 1000000, 4, r, 65), 0);		/* one key value */
	ASSERT_EQ(sn__plan_ranges(7, 3, 1000000, 4, r, 65), 0);
	/* a key span smaller than the chunk count */
	int n = sn__plan_ranges(1, 3, 2000000, 4, r, 65);
	ASSERT(n >= 1 && n <= 3);
	ASSERT_EQ(r[2 * (n - 1) + 1], 3);
}

TEST(snapshot, ranges_at_the_ends_of_bigint)
{
	long long r[2 * 65];
	int n = sn__plan_ranges(LLONG_MIN, LLONG_MAX, 100000000, 4, r, 65);
	ASSERT_EQ(n, 32);
	ASSERT_EQ(r[0], LLONG_MIN);
	ASSERT_EQ(r[2 * n - 1], LLONG_MAX);
	for (int k = 1; k < n; k++)
		ASSERT(r[2 * k] == r[2 * k - 1] && r[2 * k] > r[2 * k - 2]);
	/* more ranges than the caller has room for: not split at all
	 * rather than rows left out */
	ASSERT_EQ(sn__plan_ranges(0, 1000000, 100000000, 4, r, 3), 0);
}

/* A table of one key column. */
static void keyed(struct sn_table *t, struct rp_column_def *c, struct rp_index_def *x,
		  const char *dt, const char *ct)
{
	memset(t, 0, sizeof(*t));
	memset(c, 0, sizeof(*c));
	memset(x, 0, sizeof(*x));
	c->name = "id";
	c->data_type = dt;
	c->column_type = ct;
	c->extra = "";
	x->name = "PRIMARY";
	x->primary = true;
	x->ncols = 1;
	x->cols[0] = "id";
	t->def.schema = "s";
	t->def.name = "t";
	t->def.ncols = 1;
	t->def.cols = c;
	t->def.nidx = 1;
	t->def.idx = x;
	t->def.key = x;
}

TEST(snapshot, range_keys)
{
	struct sn_table t;
	struct rp_column_def c;
	struct rp_index_def x;
	keyed(&t, &c, &x, "int", "int(11)");
	ASSERT(sn__range_key(&t) == &c);
	keyed(&t, &c, &x, "bigint", "bigint(20)");
	ASSERT(sn__range_key(&t) == &c);
	keyed(&t, &c, &x, "int", "int(10) unsigned");
	ASSERT(sn__range_key(&t) == &c);
	/* beyond a long long */
	keyed(&t, &c, &x, "bigint", "bigint(20) unsigned");
	ASSERT(sn__range_key(&t) == NULL);
	keyed(&t, &c, &x, "varchar", "varchar(10)");
	ASSERT(sn__range_key(&t) == NULL);
	/* a composite key: ranges of its first column */
	keyed(&t, &c, &x, "int", "int(11)");
	x.ncols = 2;
	x.cols[1] = "b";
	ASSERT(sn__range_key(&t) == &c);
	/* not when its first column is not an integer, or may be NULL */
	keyed(&t, &c, &x, "varchar", "varchar(10)");
	x.ncols = 2;
	x.cols[1] = "b";
	ASSERT(sn__range_key(&t) == NULL);
	keyed(&t, &c, &x, "int", "int(11)");
	c.nullable = true;
	ASSERT(sn__range_key(&t) == NULL);
	keyed(&t, &c, &x, "int", "int(11)");
	t.def.key = NULL;
	ASSERT(sn__range_key(&t) == NULL);
}

TEST(snapshot, select_of_a_job)
{
	struct rp_column_def c[3];
	memset(c, 0, sizeof(c));
	c[0].name = "id";
	c[0].data_type = "int";
	c[1].name = "f`x";
	c[1].data_type = "FLOAT";
	c[2].name = "s";
	c[2].data_type = "varchar";
	struct rp_index_def pk = {"PRIMARY", true, true, 1, {"id"}, false};
	struct sn_table t;
	memset(&t, 0, sizeof(t));
	t.def.schema = "fx";
	t.def.name = "wide";
	t.def.ncols = 3;
	t.def.cols = c;
	t.def.key = &pk;
	struct sn_job j = {&t, false, 0, 0, false, NULL};
	struct buf b;
	buf_init(&b, 0);
	sn__select_sql(&b, &j);
	ASSERT_STREQ(buf_cstr(&b), "SELECT `id`, `f``x` + 0e0, `s` FROM `fx`.`wide`");
	buf_reset(&b);
	j.ranged = true;
	j.lo = -5;
	j.hi = 100;
	sn__select_sql(&b, &j);
	ASSERT(strstr(buf_cstr(&b), "FROM `fx`.`wide` WHERE `id` >= -5 AND `id` < 100"));
	buf_reset(&b);
	j.last = true;
	sn__select_sql(&b, &j);
	ASSERT(strstr(buf_cstr(&b), "WHERE `id` >= -5 AND `id` <= 100"));
	buf_release(&b);
}

static enum rp_copy_kind kind(const char *dt, const char *ct, const char *pg, bool coll)
{
	struct rp_column_def c;
	memset(&c, 0, sizeof(c));
	c.data_type = dt;
	c.column_type = ct;
	snprintf(c.pg.name, sizeof(c.pg.name), "%s", pg);
	sn__copy_kind(&c, coll, 45);
	if (c.cv.kind == RP_CV_BIT)
		ASSERT_EQ(c.cv.bits, strcmp(ct, "bit(12)") ? 1 : 12);
	if (c.cv.kind == RP_CV_TEXT)
		ASSERT(c.cv.col.has_charset && c.cv.col.collation == 45);
	return c.cv.kind;
}

TEST(snapshot, copy_kinds)
{
	ASSERT_EQ(kind("date", "date", "date", false), RP_CV_DATE);
	ASSERT_EQ(kind("DATETIME", "datetime(3)", "timestamp(3)", false), RP_CV_DATE);
	ASSERT_EQ(kind("timestamp", "timestamp", "timestamp with time zone", false),
		  RP_CV_TIMESTAMP);
	ASSERT_EQ(kind("float", "float", "real", false), RP_CV_ASIS);
	ASSERT_EQ(kind("bit", "bit(12)", "bit(12)", false), RP_CV_BIT);
	ASSERT_EQ(kind("bit", "bit", "bit(1)", false), RP_CV_BIT);
	ASSERT_EQ(kind("vector", "vector(3)", "real[]", false), RP_CV_VECTOR);
	ASSERT_EQ(kind("varbinary", "varbinary(4)", "bytea", false), RP_CV_BYTES);
	ASSERT_EQ(kind("varchar", "varchar(4)", "character varying(4)", true), RP_CV_TEXT);
	ASSERT_EQ(kind("int", "int(11)", "integer", false), RP_CV_ASIS);
}
