/*
 * The statements of row changes, read from a recording wire: what the
 * pipe would send to PostgreSQL (prepared statements, their parameters,
 * COPY data, sync points) for each operation, column type, key, NULLs and
 * batched form.  No server: replay/sql.c's text and parameters, rows.c's
 * batching and pipe.c's cache and sync points are all checked here.
 */
#include "base/arena.h"
#include "binlog/internal.h"
#include "replay/internal.h"
#include "test/lib/rec_wire.h"
#include "test/unit/test.h"

/* ---- tables and rows -------------------------------------------------- */

static struct bl_column column(const char *name, uint8_t type, uint16_t meta,
			       uint16_t coll, bool pk)
{
	struct bl_column c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.meta = meta;
	c.name = name;
	c.is_pk = pk;
	c.nullable = !pk;
	if (coll) {
		c.has_charset = true;
		c.collation = coll;
		c.cs_class = bl__cs_class(coll);
	}
	return c;
}

static struct bl_value v_int(int64_t i)
{
	struct bl_value v = {.kind = BLV_INT};
	v.i = i;
	return v;
}

static struct bl_value v_str(const char *s)
{
	struct bl_value v = {.kind = BLV_STRING};
	v.s = (struct bytes){(const uint8_t *)s, strlen(s)};
	return v;
}

static struct bl_value v_kind(uint8_t kind)
{
	struct bl_value v = {.kind = kind};
	return v;
}

/* shop.items (id INT PRIMARY KEY, name VARCHAR(20) utf8mb4, price DECIMAL(8,2)) */
static struct bl_column items_cols[3];
static struct bl_table items;

static void items_init(void)
{
	items_cols[0] = column("id", BL_TYPE_LONG, 0, 0, true);
	items_cols[1] = column("name", BL_TYPE_VARCHAR, 80, 45, false);
	items_cols[2] = column("price", BL_TYPE_NEWDECIMAL, 8 << 8 | 2, 0, false);
	memset(&items, 0, sizeof(items));
	items.table_id = 7;
	items.schema = "shop";
	items.name = "items";
	items.ncols = 3;
	items.cols = items_cols;
	items.has_names = true;
}

static struct bl_value v_dec(const char *s)
{
	struct bl_value v = v_str(s);
	v.kind = BLV_DECIMAL;
	return v;
}

/* An image of items: id, name (NULL: SQL NULL), price. */
static struct bl_value *item(struct arena *a, int64_t id, const char *name, const char *price)
{
	struct bl_value *v = arena_calloc(a, 3, sizeof(*v));
	v[0] = v_int(id);
	v[1] = name ? v_str(name) : v_kind(BLV_NULL);
	v[2] = price ? v_dec(price) : v_kind(BLV_NULL);
	return v;
}

static struct bl_event rows_event(const struct bl_table *t, enum bl_row_op op,
				  struct bl_row *rows, uint32_t n)
{
	struct bl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.h.type = op == BL_OP_INSERT ? BL_WRITE_ROWS_EVENT_V1
		    : op == BL_OP_UPDATE ? BL_UPDATE_ROWS_EVENT_V1
					 : BL_DELETE_ROWS_EVENT_V1;
	ev.pos = 1000;
	ev.end_pos = 1100;
	ev.rows.table = t;
	ev.rows.op = op;
	ev.rows.rows = rows;
	ev.rows.nrows = n;
	ev.rows.flags = 1;
	return ev;
}

/* ---- the apply path over a recording wire ------------------------------ */

struct fixture {
	struct rec_wire rec;
	struct rp__pipe pipe;
	struct rp__rows rows;
	struct rp_stats st;
	struct rp_convert_opts conv;
	struct arena a;
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	items_init();
	rec_wire_init(&f->rec);
	rp__pipe_init(&f->pipe, &rec_wire_ops, &f->rec);
	rp__rows_init(&f->rows, &f->conv, &f->st);
	arena_init(&f->a, 4096);
}

static void teardown(struct fixture *f)
{
	rp__rows_release(&f->rows);
	rp__pipe_release(&f->pipe);
	rec_wire_release(&f->rec);
	arena_release(&f->a);
}

/* Apply ev into schema "pg", drain, and return what was sent (then reset). */
static const char *apply(struct fixture *f, const struct bl_event *ev)
{
	struct err e = {0};
	static char out[1 << 20];
	buf_reset(&f->rec.log);
	int rc = rp__rows_apply(&f->rows, &f->pipe, ev, "pg", &e);
	if (rc)
		test_fail(__FILE__, __LINE__, "apply: %s", e.msg);
	rc = rp__pipe_drain(&f->pipe, &e);
	if (rc)
		test_fail(__FILE__, __LINE__, "drain: %s", e.msg);
	snprintf(out, sizeof(out), "%s", buf_cstr(&f->rec.log));
	return out;
}

/* Whether out starts with prefix (out printed when not). */
static bool starts(const char *out, const char *prefix)
{
	if (!strncmp(out, prefix, strlen(prefix)))
		return true;
	fprintf(stderr, "# got:\n%.*s\n", 2000, out);
	return false;
}

TEST(replay_sql, insert_one_row)
{
	struct fixture f;
	setup(&f);
	struct bl_row r = {NULL, item(&f.a, 1, "it's", "9.50")};
	struct bl_event ev = rows_event(&items, BL_OP_INSERT, &r, 1);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_0: INSERT INTO \"pg\".\"items\" (\"id\", \"name\", \"price\") "
		     "VALUES ($1, $2, $3)\n"
		     "E chm_0: '1', 'it's', '9.50'\n"
		     "S\n");
	ASSERT_UEQ(f.st.rows, 1);
	ASSERT_UEQ(f.st.inserts, 1);
	/* the same shape again: the prepared statement, parameters only */
	r.after = item(&f.a, 2, NULL, NULL);
	ASSERT_STREQ(apply(&f, &ev), "E chm_0: '2', NULL, NULL\nS\n");
	teardown(&f);
}

TEST(replay_sql, insert_runs_in_batches_of_64_16_4_1)
{
	struct fixture f;
	setup(&f);
	struct bl_row r[21];
	for (int i = 0; i < 21; i++)
		r[i] = (struct bl_row){NULL, item(&f.a, i + 1, "n", "1.00")};
	struct bl_event ev = rows_event(&items, BL_OP_INSERT, r, 21);
	const char *out = apply(&f, &ev);
	/* 16 + 4 + 1 rows: three statements, prepared once each */
	ASSERT(strstr(out, "P chm_0: INSERT INTO \"pg\".\"items\" (\"id\", \"name\", "
			   "\"price\") VALUES ($1, $2, $3), ($4, $5, $6), "));
	ASSERT(strstr(out, "($46, $47, $48)\nE chm_0: '1', 'n', '1.00', '2', "));
	ASSERT(strstr(out, "P chm_1: INSERT INTO \"pg\".\"items\" (\"id\", \"name\", "
			   "\"price\") VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9), "
			   "($10, $11, $12)\nE chm_1: '17', "));
	ASSERT(strstr(out, "P chm_2: INSERT INTO \"pg\".\"items\" (\"id\", \"name\", "
			   "\"price\") VALUES ($1, $2, $3)\nE chm_2: '21', 'n', '1.00'\nS\n"));
	ASSERT_UEQ(f.st.inserts, 21);
	teardown(&f);
}

TEST(replay_sql, insert_run_through_copy_escaped)
{
	struct fixture f;
	setup(&f);
	struct bl_row r[RP_COPY_MIN_ROWS];
	for (int i = 0; i < RP_COPY_MIN_ROWS; i++)
		r[i] = (struct bl_row){NULL, item(&f.a, i + 1, "x", "2.00")};
	r[0].after[1] = v_str("tab\there\nnew\\line\r");
	r[1].after[1] = v_kind(BLV_NULL);
	r[2].after[1] = v_str("\\N");
	struct bl_event ev = rows_event(&items, BL_OP_INSERT, r, RP_COPY_MIN_ROWS);
	const char *out = apply(&f, &ev);
	ASSERT(starts(out,
			"C: COPY \"pg\".\"items\" (\"id\", \"name\", \"price\") FROM STDIN\n"
			"D: 1\ttab\\there\\nnew\\\\line\\r\t2.00\n"
			"2\t\\N\t2.00\n"
			"3\t\\\\N\t2.00\n"
			"4\tx\t2.00\n"));
	/* COPY is outside the pipeline: no sync point */
	ASSERT(strstr(out, "63\tx\t2.00\n64\tx\t2.00\n.\n"));
	ASSERT_UEQ(f.st.inserts, RP_COPY_MIN_ROWS);
	teardown(&f);
}

TEST(replay_sql, absent_columns_and_names_without_metadata)
{
	struct fixture f;
	setup(&f);
	items.has_names = false;
	struct bl_row r = {NULL, item(&f.a, 5, "a", "1.00")};
	r.after[2] = v_kind(BLV_ABSENT);	/* MINIMAL image */
	struct bl_event ev = rows_event(&items, BL_OP_INSERT, &r, 1);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_0: INSERT INTO \"pg\".\"items\" (\"col1\", \"col2\") "
		     "VALUES ($1, $2)\nE chm_0: '5', 'a'\nS\n");
	teardown(&f);
}

TEST(replay_sql, update_and_delete_by_key)
{
	struct fixture f;
	setup(&f);
	/* composite key: no batching, WHERE on both key columns */
	items_cols[1].is_pk = true;
	struct bl_row r = {item(&f.a, 1, "a", "1.00"), item(&f.a, 1, "a", "2.00")};
	struct bl_event ev = rows_event(&items, BL_OP_UPDATE, &r, 1);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_0: UPDATE \"pg\".\"items\" SET \"id\" = $1, \"name\" = $2, "
		     "\"price\" = $3 WHERE \"id\" = $4 AND \"name\" = $5\n"
		     "E chm_0: '1', 'a', '2.00', '1', 'a'\nS\n");
	ev = rows_event(&items, BL_OP_DELETE, &r, 1);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_1: DELETE FROM \"pg\".\"items\" WHERE \"id\" = $1 AND \"name\" = $2\n"
		     "E chm_1: '1', 'a'\nS\n");
	ASSERT_UEQ(f.st.updates, 1);
	ASSERT_UEQ(f.st.deletes, 1);
	teardown(&f);
}

TEST(replay_sql, without_key_one_row_by_every_column)
{
	struct fixture f;
	setup(&f);
	items_cols[0].is_pk = false;
	struct bl_row r = {item(&f.a, 3, NULL, "1.00"), NULL};
	struct bl_event ev = rows_event(&items, BL_OP_DELETE, &r, 1);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_0: DELETE FROM \"pg\".\"items\" WHERE ctid = (SELECT ctid FROM "
		     "\"pg\".\"items\" WHERE \"id\" IS NOT DISTINCT FROM $1 AND \"name\" IS "
		     "NOT DISTINCT FROM $2 AND \"price\" IS NOT DISTINCT FROM $3 LIMIT 1)\n"
		     "E chm_0: '3', NULL, '1.00'\nS\n");
	/* an image without any identifying column is refused */
	struct bl_value *none = item(&f.a, 3, NULL, NULL);
	for (int i = 0; i < 3; i++)
		none[i] = v_kind(BLV_ABSENT);
	r.before = none;
	struct err e = {0};
	ASSERT_ERR(rp__rows_apply(&f.rows, &f.pipe, &ev, "pg", &e), ERR_UNSUPPORTED);
	ASSERT(strstr(e.msg, "holds no key column"));
	teardown(&f);
}

TEST(replay_sql, deletes_batched_by_single_key)
{
	struct fixture f;
	setup(&f);
	struct bl_row r[3] = {
		{item(&f.a, 1, "a", NULL), NULL},
		{item(&f.a, 2, "b", NULL), NULL},
		{item(&f.a, 3, "c", NULL), NULL},
	};
	r[1].before[0] = v_kind(BLV_NULL);	/* matches nothing, as '=' would */
	struct bl_event ev = rows_event(&items, BL_OP_DELETE, r, 3);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_0: DELETE FROM \"pg\".\"items\" WHERE \"id\" = ANY($1)\n"
		     "E chm_0: '{\"1\",NULL,\"3\"}'\nS\n");
	ASSERT_UEQ(f.st.deletes, 3);
	teardown(&f);
}

TEST(replay_sql, updates_batched_while_keys_stay)
{
	struct fixture f;
	setup(&f);
	struct bl_row r[4] = {
		{item(&f.a, 1, "a", "1.00"), item(&f.a, 1, "say \"hi\"", "1.50")},
		{item(&f.a, 2, "b", "2.00"), item(&f.a, 2, "back\\slash", NULL)},
		{item(&f.a, 3, "c", "3.00"), item(&f.a, 30, "c", "3.00")},	/* key changes */
		{item(&f.a, 4, "d", "4.00"), item(&f.a, 4, "d", "4.50")},
	};
	struct bl_event ev = rows_event(&items, BL_OP_UPDATE, r, 4);
	const char *out = apply(&f, &ev);
	ASSERT(starts(out,
		"P chm_0: UPDATE \"pg\".\"items\" AS d SET \"name\" = v.\"name\", \"price\" = "
		"v.\"price\" FROM unnest(COALESCE($1, (SELECT array_agg(\"id\") FROM "
		"\"pg\".\"items\" WHERE false)), COALESCE($2, (SELECT array_agg(\"name\") "
		"FROM \"pg\".\"items\" WHERE false)), COALESCE($3, (SELECT "
		"array_agg(\"price\") FROM \"pg\".\"items\" WHERE false))) AS v(\"id\", "
		"\"name\", \"price\") WHERE d.\"id\" = v.\"id\"\n"
		"E chm_0: '{\"1\",\"2\"}', '{\"say \\\"hi\\\"\",\"back\\\\slash\"}', "
		"'{\"1.50\",NULL}'\n"));
	/* the changed key goes alone, row by row; the next run is one row */
	ASSERT(strstr(out, "P chm_1: UPDATE \"pg\".\"items\" SET \"id\" = $1, \"name\" = "
			   "$2, \"price\" = $3 WHERE \"id\" = $4\n"
			   "E chm_1: '30', 'c', '3.00', '3'\n"
			   "E chm_1: '4', 'd', '4.50', '4'\nS\n"));
	ASSERT_UEQ(f.st.updates, 4);
	teardown(&f);
}

TEST(replay_sql, batched_updates_set_the_columns_that_change)
{
	struct fixture f;
	setup(&f);
	/* only price changes (in one row of two): name is not sent */
	struct bl_row r[2] = {
		{item(&f.a, 1, "a", "1.00"), item(&f.a, 1, "a", "1.50")},
		{item(&f.a, 2, "b", "2.00"), item(&f.a, 2, "b", "2.00")},
	};
	struct bl_event ev = rows_event(&items, BL_OP_UPDATE, r, 2);
	const char *out = apply(&f, &ev);
	ASSERT(starts(out,
		"P chm_0: UPDATE \"pg\".\"items\" AS d SET \"price\" = v.\"price\" FROM "
		"unnest(COALESCE($1, (SELECT array_agg(\"id\") FROM \"pg\".\"items\" WHERE "
		"false)), COALESCE($2, (SELECT array_agg(\"price\") FROM \"pg\".\"items\" "
		"WHERE false))) AS v(\"id\", \"price\") WHERE d.\"id\" = v.\"id\"\n"
		"E chm_0: '{\"1\",\"2\"}', '{\"1.50\",\"2.00\"}'\n"));
	/* a value that becomes NULL, or stops being NULL, changes */
	struct bl_row n[2] = {
		{item(&f.a, 1, "a", "1.50"), item(&f.a, 1, NULL, "1.50")},
		{item(&f.a, 2, NULL, "2.00"), item(&f.a, 2, "b", "2.00")},
	};
	ev = rows_event(&items, BL_OP_UPDATE, n, 2);
	out = apply(&f, &ev);
	ASSERT(strstr(out, "AS d SET \"name\" = v.\"name\" FROM"));
	ASSERT(strstr(out, "E chm_1: '{\"1\",\"2\"}', '{NULL,\"b\"}'\n"));
	/* nothing changes: every column, as before */
	struct bl_row same[2] = {
		{item(&f.a, 1, "a", "1.00"), item(&f.a, 1, "a", "1.00")},
		{item(&f.a, 2, "b", "2.00"), item(&f.a, 2, "b", "2.00")},
	};
	ev = rows_event(&items, BL_OP_UPDATE, same, 2);
	out = apply(&f, &ev);
	ASSERT(strstr(out, "AS d SET \"name\" = v.\"name\", \"price\" = v.\"price\" FROM"));
	ASSERT(strstr(out, "'{\"1\",\"2\"}', '{\"a\",\"b\"}', '{\"1.00\",\"2.00\"}'\n"));
	ASSERT_UEQ(f.st.updates, 6);
	teardown(&f);
}

TEST(replay_sql, same_value_is_certain_or_false)
{
	struct bl_value a = v_int(5), b = v_int(5), c = v_int(6);
	ASSERT(rp__same_value(&a, &b));
	ASSERT(!rp__same_value(&a, &c));
	struct bl_value u = {.kind = BLV_UINT};
	u.u = 5;
	ASSERT(!rp__same_value(&a, &u));	/* another kind */
	struct bl_value d1 = {.kind = BLV_DOUBLE}, d2 = {.kind = BLV_DOUBLE};
	d1.d = 0.0;
	d2.d = -0.0;
	ASSERT(!rp__same_value(&d1, &d2));	/* -0 is another value */
	d2.d = 0.0;
	ASSERT(rp__same_value(&d1, &d2));
	struct bl_value s1 = v_dec("1.50"), s2 = v_dec("1.500"), s3 = v_dec("1.50");
	ASSERT(!rp__same_value(&s1, &s2));
	ASSERT(rp__same_value(&s1, &s3));
	struct bl_value x1 = v_str("a\0b"), x2 = v_str("a\0c");
	x1.s.n = x2.s.n = 3;	/* bytes after a NUL count */
	ASSERT(!rp__same_value(&x1, &x2));
	struct bl_value t1 = {.kind = BLV_DATETIME, .fsp = 3}, t2 = t1;
	t1.t = (struct bl_time){.year = 2024, .month = 1, .day = 2, .usec = 1000};
	t2.t = t1.t;
	ASSERT(rp__same_value(&t1, &t2));
	t2.t.usec = 2000;
	ASSERT(!rp__same_value(&t1, &t2));	/* fractions count */
	t2.t.usec = 1000;
	t2.fsp = 6;
	ASSERT(!rp__same_value(&t1, &t2));	/* printed with other digits */
	struct bl_value n1 = v_kind(BLV_NULL), n2 = v_kind(BLV_NULL), ab = v_kind(BLV_ABSENT);
	ASSERT(rp__same_value(&n1, &n2));
	ASSERT(!rp__same_value(&n1, &a));
	ASSERT(!rp__same_value(&ab, &ab));	/* unknown: changed */
}

TEST(replay_sql, update_twice_the_same_key_is_not_batched)
{
	struct fixture f;
	setup(&f);
	struct bl_row r[2] = {
		{item(&f.a, 1, "a", "1.00"), item(&f.a, 1, "b", "1.00")},
		{item(&f.a, 1, "b", "1.00"), item(&f.a, 1, "c", "1.00")},
	};
	struct bl_event ev = rows_event(&items, BL_OP_UPDATE, r, 2);
	const char *out = apply(&f, &ev);
	ASSERT(strstr(out, "E chm_0: '1', 'b', '1.00', '1'\nE chm_0: '1', 'c', '1.00', '1'\n"));
	ASSERT(!strstr(out, "unnest"));
	teardown(&f);
}

TEST(replay_sql, partial_json_update)
{
	struct fixture f;
	setup(&f);
	struct bl_column cols[2] = {column("id", BL_TYPE_LONG, 0, 0, true),
				    column("doc", BL_TYPE_JSON, 4, 0, false)};
	struct bl_table t = {.schema = "s", .name = "docs", .ncols = 2, .cols = cols,
			     .has_names = true};
	static const char diff[] =
		"[{\"op\":\"replace\",\"path\":\"$.a\",\"value\":1},"
		"{\"op\":\"remove\",\"path\":\"$.b[0]\"},"
		"{\"op\":\"insert\",\"path\":\"$.c\",\"value\":\"x\"}]";
	struct bl_value before[2] = {v_int(9), v_kind(BLV_ABSENT)};
	struct bl_value after[2] = {v_kind(BLV_ABSENT), v_kind(BLV_JSON_DIFF)};
	after[1].s = (struct bytes){(const uint8_t *)diff, strlen(diff)};
	struct bl_row r = {before, after};
	struct bl_event ev = rows_event(&t, BL_OP_UPDATE, &r, 1);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_0: UPDATE \"pg\".\"docs\" SET \"doc\" = jsonb_insert((jsonb_set("
		     "\"doc\", $1::text[], $2::jsonb, false) #- $3::text[]), $4::text[], "
		     "$5::jsonb) WHERE \"id\" = $6\n"
		     "E chm_0: '{\"a\"}', '1', '{\"b\",\"0\"}', '{\"c\"}', '\"x\"', '9'\nS\n");
	teardown(&f);
}

TEST(replay_sql, zero_dates_counted_once_per_value)
{
	struct fixture f;
	setup(&f);
	struct bl_column cols[2] = {column("id", BL_TYPE_LONG, 0, 0, true),
				    column("d", BL_TYPE_DATE, 0, 0, false)};
	struct bl_table t = {.schema = "s", .name = "dates", .ncols = 2, .cols = cols,
			     .has_names = true};
	struct bl_value zero = v_kind(BLV_DATE);	/* 0000-00-00 */
	struct bl_value img[2] = {v_int(1), zero};
	struct bl_row r = {img, img};
	struct bl_event ev = rows_event(&t, BL_OP_INSERT, &r, 1);
	ASSERT_STREQ(apply(&f, &ev),
		     "P chm_0: INSERT INTO \"pg\".\"dates\" (\"id\", \"d\") VALUES ($1, $2)\n"
		     "E chm_0: '1', '-infinity'\nS\n");
	ASSERT_UEQ(f.st.zero_dates, 1);
	/* an update sets it (counted), its key is not a date */
	ev = rows_event(&t, BL_OP_UPDATE, &r, 1);
	apply(&f, &ev);
	ASSERT_UEQ(f.st.zero_dates, 2);
	teardown(&f);
}

TEST(replay_sql, sync_point_every_1000_statements)
{
	struct fixture f;
	setup(&f);
	items_cols[0].is_pk = false;	/* one DELETE per row */
	enum { N = RP_SYNC_EVERY + 5 };
	struct bl_row *r = arena_calloc(&f.a, N, sizeof(*r));
	for (int i = 0; i < N; i++)
		r[i].before = item(&f.a, i, "a", "1.00");
	struct bl_event ev = rows_event(&items, BL_OP_DELETE, r, N);
	const char *out = apply(&f, &ev);
	/* the prepare counts as a statement: a sync after 999 rows, one at the end */
	int syncs = 0;
	for (const char *p = out; (p = strstr(p, "\nS\n")); p += 3)
		syncs++;
	ASSERT_EQ(syncs, 2);
	ASSERT_UEQ(f.st.deletes, N);
	teardown(&f);
}

TEST(replay_sql, copy_stays_open_for_the_same_table_and_columns)
{
	struct fixture f;
	setup(&f);
	struct bl_row r[RP_COPY_MIN_ROWS];
	for (int i = 0; i < RP_COPY_MIN_ROWS; i++)
		r[i] = (struct bl_row){item(&f.a, i + 1, "x", "2.00"),
				       item(&f.a, i + 1, "x", "2.00")};
	struct bl_event ev = rows_event(&items, BL_OP_INSERT, r, RP_COPY_MIN_ROWS);
	struct bl_event one = rows_event(&items, BL_OP_INSERT, r, 1);
	struct bl_event del = rows_event(&items, BL_OP_DELETE, r, 1);
	struct err e = {0};
	buf_reset(&f.rec.log);
	ASSERT_EQ(rp__rows_apply(&f.rows, &f.pipe, &ev, "pg", &e), 0);
	/* a short run of the same table and columns joins the open COPY */
	ASSERT_EQ(rp__rows_apply(&f.rows, &f.pipe, &one, "pg", &e), 0);
	/* any other statement ends it first */
	ASSERT_EQ(rp__rows_apply(&f.rows, &f.pipe, &del, "pg", &e), 0);
	ASSERT_EQ(rp__pipe_drain(&f.pipe, &e), 0);
	const char *out = buf_cstr(&f.rec.log);
	ASSERT(strstr(out, "64\tx\t2.00\n1\tx\t2.00\n.\nP chm_0: DELETE FROM "));
	ASSERT_EQ(strstr(out, "C: ") == out, 1);
	ASSERT(!strstr(out + 1, "C: "));
	teardown(&f);
}
