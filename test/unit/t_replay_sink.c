/*
 * The sink over a recording wire: which events it skips (positions),
 * where PostgreSQL transactions begin and commit (source boundaries), and
 * what it does when PostgreSQL refuses a change (quarantine, RP_RESTART).
 */
#include "base/arena.h"
#include "replay/internal.h"
#include "test/lib/rec_wire.h"
#include "test/unit/test.h"

static struct bl_column t_cols[2];
static struct bl_table t_tab;
static struct bl_value t_vals[2];
static struct bl_row t_row;
static const struct rp_mapping t_map = {"shop", "pg"};

struct sink_fx {
	struct rec_wire rec;
	struct rp_sink *s;
	struct err e;
};

/* shop.t (id INT PRIMARY KEY, n INT) mapped to pg, one row (1, 2). */
static void sink_setup(struct sink_fx *f)
{
	memset(f, 0, sizeof(*f));
	memset(t_cols, 0, sizeof(t_cols));
	t_cols[0].type = t_cols[1].type = BL_TYPE_LONG;
	t_cols[0].name = "id";
	t_cols[0].is_pk = true;
	t_cols[1].name = "n";
	t_tab = (struct bl_table){.table_id = 1, .schema = "shop", .name = "t", .ncols = 2,
				  .cols = t_cols, .has_names = true};
	t_vals[0] = (struct bl_value){.kind = BLV_INT, .i = 1};
	t_vals[1] = (struct bl_value){.kind = BLV_INT, .i = 2};
	t_row = (struct bl_row){NULL, t_vals};
	rec_wire_init(&f->rec);
	struct rp_opts o;
	memset(&o, 0, sizeof(o));
	o.source = "src";
	o.mappings = &t_map;
	o.n_mappings = 1;
	o.max_rows = 1;	/* commit at every boundary */
	f->s = rp__sink_new(&o, &rec_wire_ops, &f->rec);
}

static void sink_teardown(struct sink_fx *f)
{
	rp_sink_close(f->s);
	rec_wire_release(&f->rec);
}

static struct bl_event ev_insert(uint64_t pos)
{
	struct bl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.h.type = BL_WRITE_ROWS_EVENT_V1;
	ev.pos = pos;
	ev.end_pos = pos + 50;
	ev.rows.table = &t_tab;
	ev.rows.op = BL_OP_INSERT;
	ev.rows.rows = &t_row;
	ev.rows.nrows = 1;
	ev.rows.flags = 1;
	return ev;
}

static struct bl_event ev_query(uint64_t pos, const char *q)
{
	struct bl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.h.type = BL_QUERY_EVENT;
	ev.pos = pos;
	ev.end_pos = pos + 50;
	ev.query.query = (struct bytes){(const uint8_t *)q, strlen(q)};
	ev.query.schema = (struct bytes){(const uint8_t *)"shop", 4};
	return ev;
}

static struct bl_event ev_xid(uint64_t pos)
{
	struct bl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.h.type = BL_XID_EVENT;
	ev.pos = pos;
	ev.end_pos = pos + 31;
	return ev;
}

static int feed(struct sink_fx *f, struct bl_event ev, const char *file)
{
	return rp_sink_event(f->s, &ev, file, &f->e);
}

TEST(replay_sink, skips_by_numeric_file_order)
{
	struct sink_fx f;
	sink_setup(&f);
	bl_pos_set(&f.s->stored, "mysql-bin.999999", 500);
	/* at or before the stored position: applied already */
	ASSERT_EQ(feed(&f, ev_insert(400), "mysql-bin.999999"), 0);
	ASSERT_UEQ(f.s->st.skipped, 1);
	ASSERT_UEQ(f.s->st.rows, 0);
	/* the next file is after it, though strcmp sorts it first */
	ASSERT_EQ(feed(&f, ev_insert(4), "mysql-bin.1000000"), 0);
	ASSERT_UEQ(f.s->st.skipped, 1);
	ASSERT_UEQ(f.s->st.rows, 1);
	ASSERT_EQ(rp_sink_finish(f.s, &f.e), 0);
	const char *file;
	uint64_t pos;
	rp_sink_position(f.s, &file, &pos);
	ASSERT_STREQ(file, "mysql-bin.1000000");
	ASSERT_UEQ(pos, 54);
	sink_teardown(&f);
}

TEST(replay_sink, commit_at_source_boundaries)
{
	struct sink_fx f;
	sink_setup(&f);
	ASSERT_EQ(feed(&f, ev_query(100, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(150), "b.000001"), 0);
	/* a savepoint stays inside the transaction: nothing committed */
	ASSERT_EQ(feed(&f, ev_query(200, "SAVEPOINT s1"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(250), "b.000001"), 0);
	ASSERT(!strstr(buf_cstr(&f.rec.log), "COMMIT"));
	ASSERT_EQ(feed(&f, ev_xid(300), "b.000001"), 0);
	const char *log = buf_cstr(&f.rec.log);
	ASSERT(!strncmp(log, "Q: BEGIN\n", 9));
	ASSERT(strstr(log, "Q: COMMIT\nS\n"));
	ASSERT(strstr(log, "UPDATE sch_chameleon.t_sources SET binlog_file = $1"));
	ASSERT(strstr(log, " <- 'b.000001', '331', '2', 'src'"));
	/* committed once PostgreSQL says so */
	ASSERT_EQ(rp_sink_finish(f.s, &f.e), 0);
	ASSERT_UEQ(f.s->st.commits, 1);
	ASSERT_STREQ(f.s->stored.file, "b.000001");
	ASSERT_UEQ(f.s->stored.pos, 331);
	sink_teardown(&f);
}

/* The catalog's answer to the error log INSERT: log_id 42. */
static bool answer_log_id(void *arg, const char *sql, struct rp__res *r)
{
	static const char *const id[1] = {"42"};
	(void)arg;
	if (!strstr(sql, "RETURNING log_id"))
		return false;
	r->nrows = r->ncols = 1;
	r->v = id;
	return true;
}

TEST(replay_sink, idle_commit_waits_for_the_one_in_flight)
{
	struct sink_fx f;
	sink_setup(&f);
	f.s->o.max_rows = 1000;	/* commits only when the source is idle */
	bl_pos_set(&f.s->stored, "b.000001", 100);
	f.s->boundary = f.s->sent_at = f.s->stored;
	ASSERT(!rp_sink_commit_ready(f.s));
	ASSERT_EQ(feed(&f, ev_query(100, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(150), "b.000001"), 0);
	/* inside a source transaction: nothing to commit yet */
	ASSERT(!rp_sink_commit_ready(f.s));
	ASSERT_EQ(feed(&f, ev_xid(200), "b.000001"), 0);
	ASSERT(rp_sink_commit_ready(f.s));
	/* no COMMIT unconfirmed: nothing to wait for */
	ASSERT_EQ(rp_sink_await_commit(f.s, &f.e), 0);
	ASSERT_EQ(rp_sink_commit_idle(f.s, &f.e), 0);
	ASSERT(!rp_sink_commit_ready(f.s));
	/* sent, not read: the position is not the committed one yet */
	ASSERT_UEQ(f.s->st.commits, 0);
	ASSERT_UEQ(f.s->stored.pos, 100);
	/* the next transaction, while the COMMIT is in flight */
	ASSERT_EQ(feed(&f, ev_query(231, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(281), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_xid(331), "b.000001"), 0);
	ASSERT(rp_sink_commit_ready(f.s));
	size_t before = f.rec.log.n;
	ASSERT_EQ(rp_sink_await_commit(f.s, &f.e), 0);
	/* confirmed, and nothing sent for it (the open transaction stays
	 * open) */
	ASSERT_UEQ(f.s->st.commits, 1);
	ASSERT_UEQ(f.s->stored.pos, 231);
	ASSERT_UEQ(f.rec.log.n, before);
	ASSERT(rp_sink_commit_ready(f.s));
	ASSERT_EQ(rp_sink_commit_idle(f.s, &f.e), 0);
	ASSERT_EQ(rp_sink_await_commit(f.s, &f.e), 0);
	ASSERT_UEQ(f.s->st.commits, 2);
	ASSERT_UEQ(f.s->stored.pos, 362);
	ASSERT_EQ(rp_sink_finish(f.s, &f.e), 0);
	sink_teardown(&f);
}

TEST(replay_sink, refused_change_takes_its_table_out)
{
	struct sink_fx f;
	sink_setup(&f);
	bl_pos_set(&f.s->stored, "b.000001", 100);
	f.s->boundary = f.s->sent_at = f.s->stored;
	/* BEGIN, PREPARE, EXECUTE: the third statement is refused */
	f.rec.fail_at = 3;
	f.rec.fail_msg = "duplicate key value";
	f.rec.answer = answer_log_id;
	ASSERT_EQ(feed(&f, ev_query(100, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(150), "b.000001"), 0);
	/* the refusal is read with the commit's results, at the latest when
	 * the input ends */
	int rc = feed(&f, ev_xid(200), "b.000001");
	if (!rc)
		rc = rp_sink_finish(f.s, &f.e);
	ASSERT_EQ(rc, RP_RESTART);
	ASSERT(strstr(f.e.msg, "table shop.t taken out of replication: duplicate key value"));
	const char *log = buf_cstr(&f.rec.log);
	ASSERT(strstr(log, "Q: ROLLBACK\nS\n"));
	ASSERT(strstr(log, "Q: DEALLOCATE ALL\nS\n"));
	ASSERT(strstr(log, "INSERT INTO sch_chameleon.t_disabled_tables"));
	ASSERT(strstr(log, "RETURNING log_id <- 'src', 'shop', 't', 'duplicate key value', "
			   "'INSERT INTO \"pg\".\"t\" (\"id\", \"n\") VALUES ($1, $2)', "
			   "'b.000001', '100'\nS\n"));
	ASSERT(rp__is_disabled(f.s, "shop", "t"));
	ASSERT_UEQ(f.s->st.disabled, 1);
	ASSERT_UEQ(f.s->st.commits, 0);
	/* fed again from the stored position: the refused row is captured,
	 * the table's changes are not applied */
	buf_reset(&f.rec.log);
	ASSERT_EQ(feed(&f, ev_query(100, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(150), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_xid(200), "b.000001"), 0);
	log = buf_cstr(&f.rec.log);
	ASSERT(strstr(log, "UPDATE sch_chameleon.t_error_log SET row_data = $1 WHERE "
			   "log_id = $2 <- '{"));
	ASSERT(!strstr(log, "INSERT INTO \"pg\""));
	/* nothing applied, the position moves when idle */
	ASSERT_UEQ(f.s->st.commits, 0);
	ASSERT_EQ(rp_sink_commit_idle(f.s, &f.e), 0);
	ASSERT_EQ(rp_sink_finish(f.s, &f.e), 0);
	ASSERT_UEQ(f.s->st.commits, 1);
	ASSERT_UEQ(f.s->stored.pos, 231);
	sink_teardown(&f);
}

/* A refusal for lack of resources (SQLSTATE class 53: the disk full) is
 * not the table's: it stays in replication, the error goes to the
 * caller with its SQLSTATE. */
TEST(replay_sink, disk_full_takes_no_table_out)
{
	struct sink_fx f;
	sink_setup(&f);
	bl_pos_set(&f.s->stored, "b.000001", 100);
	f.s->boundary = f.s->sent_at = f.s->stored;
	f.rec.fail_at = 3;
	f.rec.fail_msg = "could not extend file \"base/5/16385\": No space left on device";
	f.rec.fail_state = "53100";
	f.rec.answer = answer_log_id;
	ASSERT_EQ(feed(&f, ev_query(100, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(150), "b.000001"), 0);
	int rc = feed(&f, ev_xid(200), "b.000001");
	if (!rc)
		rc = rp_sink_finish(f.s, &f.e);
	ASSERT(rc < 0);
	ASSERT(strstr(f.e.msg, "No space left on device"));
	ASSERT_STREQ(rp_sink_sqlstate(f.s), "53100");
	ASSERT(!strstr(buf_cstr(&f.rec.log), "t_disabled_tables"));
	ASSERT(!rp__is_disabled(f.s, "shop", "t"));
	ASSERT_UEQ(f.s->st.disabled, 0);
	ASSERT_UEQ(f.s->st.commits, 0);
	/* dropped: the stream starts again from the stored position */
	rp_sink_rollback(f.s);
	ASSERT_STREQ(rp_sink_sqlstate(f.s), "");
	ASSERT_STREQ(f.s->stored.file, "b.000001");
	ASSERT_UEQ(f.s->stored.pos, 100);
	sink_teardown(&f);
}

TEST(replay_sink, commit_never_starts_a_segment_behind_unread_ones)
{
	struct rec_wire rec;
	struct rp__pipe p;
	struct err e = {0};
	rec_wire_init(&rec);
	rp__pipe_init(&p, &rec_wire_ops, &rec);
	for (int i = 0; i < RP_SYNC_EVERY; i++)
		ASSERT_EQ(rp__pipe_send(&p, "UPDATE x", 0, NULL, &e), 0);
	/* the last statement made a sync point, still unread */
	ASSERT_EQ(p.since_sync, 0);
	ASSERT_EQ(p.inflight, 1);
	buf_reset(&rec.log);
	ASSERT_EQ(rp__pipe_commit(&p, &e), 0);
	ASSERT_STREQ(buf_cstr(&rec.log), "Q: SELECT 1\nQ: COMMIT\nS\n");
	/* nothing unread: no need */
	ASSERT_EQ(rp__pipe_drain(&p, &e), 0);
	buf_reset(&rec.log);
	ASSERT_EQ(rp__pipe_commit(&p, &e), 0);
	ASSERT_STREQ(buf_cstr(&rec.log), "Q: COMMIT\nS\n");
	rp__pipe_release(&p);
	rec_wire_release(&rec);
}

TEST(replay_sink, refusal_read_behind_later_commits)
{
	struct sink_fx f;
	sink_setup(&f);
	bl_pos_set(&f.s->stored, "b.000001", 100);
	f.s->boundary = f.s->sent_at = f.s->stored;
	f.rec.fail_at = 3;	/* the first transaction's row */
	f.rec.answer = answer_log_id;
	for (uint64_t at = 100; at < 700; at += 200) {
		int rc = feed(&f, ev_query(at, "BEGIN"), "b.000001");
		if (!rc)
			rc = feed(&f, ev_insert(at + 50), "b.000001");
		if (!rc)
			rc = feed(&f, ev_xid(at + 100), "b.000001");
		if (rc) {
			ASSERT_EQ(rc, RP_RESTART);
			break;
		}
	}
	int rc = f.s->st.disabled ? RP_RESTART : rp_sink_finish(f.s, &f.e);
	ASSERT_EQ(rc, RP_RESTART);
	/* none of the transactions counts as committed: all fed again */
	ASSERT_UEQ(f.s->st.commits, 0);
	ASSERT_STREQ(f.s->stored.file, "b.000001");
	ASSERT_UEQ(f.s->stored.pos, 100);
	ASSERT(strstr(buf_cstr(&f.rec.log), "Q: ROLLBACK\nS\n"));
	sink_teardown(&f);
}

/* What rp_sink_status reports: what PostgreSQL confirmed, never what a
 * rolled back transaction sent. */
TEST(replay_sink, status_counts_what_is_committed)
{
	struct sink_fx f;
	sink_setup(&f);
	/* the catalog's totals when the sink opened */
	f.s->rows_total = 10;
	f.s->tx_total = 4;
	ASSERT_EQ(feed(&f, ev_query(100, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(150), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(200), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_xid(250), "b.000001"), 0);
	struct rp_source_status st;
	double recv_at, applied_at;
	bool caught_up;
	/* sent, not confirmed yet */
	memset(&st, 0, sizeof(st));
	rp_sink_status(f.s, &st, &recv_at, &applied_at, &caught_up);
	ASSERT_UEQ(st.rows, 10);
	ASSERT_UEQ(st.ntables, 1);
	ASSERT_UEQ(st.tables[0].inserts, 0);
	ASSERT_EQ(rp_sink_finish(f.s, &f.e), 0);
	memset(&st, 0, sizeof(st));
	rp_sink_status(f.s, &st, &recv_at, &applied_at, &caught_up);
	ASSERT_UEQ(st.rows, 12);
	ASSERT_UEQ(st.transactions, 5);
	ASSERT_STREQ(st.tables[0].schema, "shop");
	ASSERT_STREQ(st.tables[0].table, "t");
	ASSERT_STREQ(st.tables[0].pg_schema, "pg");
	ASSERT_UEQ(st.tables[0].inserts, 2);
	ASSERT_STREQ(st.applied_file, "b.000001");
	ASSERT_UEQ(st.applied_pos, 281);
	ASSERT(!caught_up);
	/* a transaction rolled back (a lost connection) counts nothing, its
	 * rows sent or not */
	ASSERT_EQ(feed(&f, ev_query(300, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(350), "b.000001"), 0);
	ASSERT_EQ(rp__catalog_send_counts(f.s, &f.e), 0);
	rp_sink_rollback(f.s);
	memset(&st, 0, sizeof(st));
	rp_sink_status(f.s, &st, &recv_at, &applied_at, &caught_up);
	ASSERT_UEQ(st.rows, 12);
	ASSERT_UEQ(st.tables[0].inserts, 2);
	ASSERT_UEQ(st.applied_pos, 281);
	/* fed again and committed: counted once */
	ASSERT_EQ(feed(&f, ev_query(300, "BEGIN"), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_insert(350), "b.000001"), 0);
	ASSERT_EQ(feed(&f, ev_xid(400), "b.000001"), 0);
	ASSERT_EQ(rp_sink_finish(f.s, &f.e), 0);
	memset(&st, 0, sizeof(st));
	rp_sink_status(f.s, &st, &recv_at, &applied_at, &caught_up);
	ASSERT_UEQ(st.rows, 13);
	ASSERT_UEQ(st.transactions, 6);
	ASSERT_UEQ(st.tables[0].inserts, 3);
	ASSERT_UEQ(st.applied_pos, 431);
	sink_teardown(&f);
}
