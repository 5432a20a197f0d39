/*
 * The recording wire (test/lib/rec_wire.h): a queue of results that the
 * pipe reads back as it would read libpq's, and a log of what was sent.
 * It models what matters to the pipe: one result per statement, a sync
 * result per sync point, and PostgreSQL skipping the rest of a segment
 * after a refused statement.
 */
#include <stdlib.h>

#include "base/xalloc.h"
#include "test/lib/rec_wire.h"

void rec_wire_init(struct rec_wire *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->log, 0);
}

void rec_wire_release(struct rec_wire *r)
{
	buf_release(&r->log);
	free(r->queue);
}

static void push(struct rec_wire *r, struct rp__res res)
{
	if (r->qn == r->qcap) {
		r->qcap = r->qcap ? r->qcap * 2 : 64;
		r->queue = xreallocarray(r->queue, r->qcap, sizeof(*r->queue));
	}
	r->queue[r->qn++] = res;
}

static void params(struct rec_wire *r, int n, const char *const *v)
{
	for (int i = 0; i < n; i++) {
		if (i)
			buf_putl(&r->log, ", ");
		if (!v[i]) {
			buf_putl(&r->log, "NULL");
			continue;
		}
		buf_putc(&r->log, '\'');
		buf_puts(&r->log, v[i]);
		buf_putc(&r->log, '\'');
	}
}

/* The result of one statement. */
static void statement(struct rec_wire *r, const char *sql)
{
	struct rp__res res = {.kind = RP_RES_OK};
	if (r->aborted) {
		res.kind = RP_RES_ABORTED;
	} else if (++r->nsent == r->fail_at) {
		res.kind = RP_RES_ERROR;
		res.msg = r->fail_msg ? r->fail_msg : "refused";
		res.sqlstate = r->fail_state;
		r->aborted = true;
	} else if (sql && r->answer && r->answer(r->answer_arg, sql, &res)) {
		res.kind = RP_RES_ROWS;
	}
	push(r, res);
}

static bool rec_send(void *c, const char *sql, int n, const char *const *v)
{
	struct rec_wire *r = c;
	buf_putl(&r->log, "Q: ");
	buf_puts(&r->log, sql);
	if (n) {
		buf_putl(&r->log, " <- ");
		params(r, n, v);
	}
	buf_putc(&r->log, '\n');
	statement(r, sql);
	return true;
}

static bool rec_prepare(void *c, const char *name, const char *sql, int n)
{
	struct rec_wire *r = c;
	(void)n;
	buf_printf(&r->log, "P %s: %s\n", name, sql);
	statement(r, NULL);
	return true;
}

static bool rec_send_prepared(void *c, const char *name, int n, const char *const *v)
{
	struct rec_wire *r = c;
	buf_printf(&r->log, "E %s: ", name);
	params(r, n, v);
	buf_putc(&r->log, '\n');
	statement(r, NULL);
	return true;
}

static bool rec_sync(void *c)
{
	struct rec_wire *r = c;
	buf_putl(&r->log, "S\n");
	push(r, (struct rp__res){.kind = RP_RES_SYNC});
	r->aborted = false;
	return true;
}

static void rec_result(void *c, struct rp__res *res)
{
	struct rec_wire *r = c;
	if (r->qhead == r->qn) {
		*res = (struct rp__res){.kind = RP_RES_NONE};
		return;
	}
	*res = r->queue[r->qhead++];
	if (r->qhead == r->qn)
		r->qhead = r->qn = 0;
}

static bool rec_copy_begin(void *c, const char *sql, struct rp__res *res)
{
	struct rec_wire *r = c;
	buf_printf(&r->log, "C: %s\n", sql);
	*res = (struct rp__res){.kind = RP_RES_COPY_IN};
	return true;
}

static bool rec_copy_data(void *c, const void *p, size_t n)
{
	struct rec_wire *r = c;
	buf_putl(&r->log, "D: ");
	buf_put(&r->log, p, n);
	return true;
}

static bool rec_copy_end(void *c, struct rp__res *res)
{
	struct rec_wire *r = c;
	buf_putl(&r->log, ".\n");
	*res = (struct rp__res){.kind = RP_RES_OK};
	return true;
}

static bool rec_lost(void *c)
{
	(void)c;
	return false;
}

static const char *rec_message(void *c)
{
	(void)c;
	return "recording wire";
}

static void rec_close(void *c)
{
	(void)c;
}

const struct rp__wire rec_wire_ops = {
	rec_send, rec_prepare, rec_send_prepared, rec_sync, rec_result,
	rec_copy_begin, rec_copy_data, rec_copy_end, rec_lost, rec_message, rec_close,
};
