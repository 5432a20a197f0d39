/*
 * Row events to statements: how the rows of one event are grouped
 * (docs/replication.md, "How changes are applied").  Runs of inserts go
 * through COPY or multi-row INSERTs; deletes and updates of a table keyed
 * by one column are batched where the result cannot depend on row order;
 * everything else is one statement per row.  Statements are prepared once
 * per (destination table, shape): a row whose shape was seen costs its
 * parameters only, never its SQL text.  Filters, positions and
 * transactions are the sink's.
 */
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/xalloc.h"
#include "replay/internal.h"

#define DESC_BUCKETS 256

/* A destination table as the statements name it: schema, table and
 * column names, NUL-separated.  Compared by address in the cache. */
struct rp__tdesc {
	struct rp__tdesc *next;
	uint64_t hash;
	size_t n;
	uint8_t b[];
};

void rp__rows_init(struct rp__rows *w, const struct rp_convert_opts *conv,
		   struct rp_stats *st)
{
	memset(w, 0, sizeof(*w));
	rp__params_init(&w->q, conv, &st->zero_dates);
	buf_init(&w->sql, 0);
	buf_init(&w->key, 0);
	arena_init(&w->shape_mem, 16 * 1024);
	w->descs = xcalloc(DESC_BUCKETS, sizeof(*w->descs));
	w->st = st;
}

void rp__rows_release(struct rp__rows *w)
{
	rp__params_release(&w->q);
	buf_release(&w->sql);
	buf_release(&w->key);
	arena_release(&w->shape_mem);
	for (size_t i = 0; w->descs && i < DESC_BUCKETS; i++) {
		while (w->descs[i]) {
			struct rp__tdesc *n = w->descs[i]->next;
			free(w->descs[i]);
			w->descs[i] = n;
		}
	}
	free(w->descs);
	w->descs = NULL;
}

static const struct rp__tdesc *table_desc(struct rp__rows *w, const char *schema,
					  const struct bl_table *t)
{
	struct buf *k = &w->key;
	char tmp[32];
	buf_reset(k);
	buf_put(k, schema, strlen(schema) + 1);
	buf_put(k, t->name, strlen(t->name) + 1);
	for (uint32_t i = 0; i < t->ncols; i++) {
		const char *name = rp__column_name(t, i, tmp, sizeof(tmp));
		buf_put(k, name, strlen(name) + 1);
	}
	uint64_t h = hash_bytes(k->p, k->n);
	struct rp__tdesc **slot = &w->descs[h % DESC_BUCKETS];
	for (struct rp__tdesc *d = *slot; d; d = d->next)
		if (d->hash == h && d->n == k->n && !memcmp(d->b, k->p, k->n))
			return d;
	struct rp__tdesc *d = xmalloc(sizeof(*d) + k->n);
	d->hash = h;
	d->n = k->n;
	memcpy(d->b, k->p, k->n);
	d->next = *slot;
	*slot = d;
	return d;
}

/* What one call applies to: the event's table and its names. */
struct target {
	const struct bl_table *t;
	const char *schema;
	const struct rp__tdesc *desc;
};

/* Send the statement of shape sh with the parameters in w->q, prepared
 * the first time the shape is seen for the table. */
static int send(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
		const struct rp__shape *sh, struct err *e)
{
	buf_reset(&w->key);
	rp__shape_key(&w->key, tg->t, sh);
	struct rp__stmt *st = rp__pipe_stmt_find(p, tg->desc, w->key.p, w->key.n);
	if (!st) {
		buf_reset(&w->sql);
		rp__sql_statement(&w->sql, tg->schema, tg->t, sh);
		int rc = rp__pipe_stmt_prepare(p, tg->desc, w->key.p, w->key.n,
					       buf_cstr(&w->sql), w->q.n, &st, e);
		if (rc)
			return rc;
	}
	return rp__pipe_send_stmt(p, st, w->q.n, w->q.vals, e);
}

/* Which columns of img are present. */
static uint8_t *present(struct rp__rows *w, const struct bl_table *t,
			const struct bl_value *img)
{
	uint8_t *set = arena_calloc(&w->shape_mem, t->ncols + 1, 1);
	for (uint32_t i = 0; i < t->ncols; i++)
		set[i] = img[i].kind == BLV_ABSENT ? RP_COL_ABSENT : RP_COL_VALUE;
	return set;
}

/* One INSERT of k rows with the same columns: far fewer round trips. */
static int insert_batch(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
			const struct bl_row *rows, uint32_t k, struct err *e)
{
	const struct bl_table *t = tg->t;
	arena_reset(&w->shape_mem);
	struct rp__shape sh = {.kind = RP_SQL_INSERT, .nrows = k,
			       .set = present(w, t, rows[0].after)};
	rp__params_reset(&w->q, (size_t)t->ncols * k);
	for (uint32_t r = 0; r < k; r++) {
		int rc = rp__params_row(&w->q, t, &sh, rows[r].after, NULL, e);
		if (rc)
			return rc;
	}
	return send(w, p, tg, &sh, e);
}

/*
 * PostgreSQL's types of the present columns of img when they all have a
 * binary COPY form (and the source allows it), else NULL: text COPY.
 */
static const uint8_t *binary_types(const struct rp__rows *w, const struct bl_table *t,
				   const struct bl_value *img)
{
	if (!w->guard || (w->q.conv && w->q.conv->copy_text))
		return NULL;
	const struct rp__checked *c = &w->guard->checked[t->table_id % RP_SHAPE_SLOTS];
	if (!c->valid || c->table_id != t->table_id || !c->bin)
		return NULL;
	for (uint32_t i = 0; i < t->ncols; i++)
		if (img[i].kind != BLV_ABSENT && c->bin[i] == RP_BIN_NONE)
			return NULL;
	return c->bin;
}

/*
 * n inserts with the same columns: into the open COPY when it is for the
 * same table and columns, into a new COPY when the run is long enough,
 * else as multi-row INSERTs of 64, 16, 4 or 1 rows (few distinct
 * prepared statements).  COPY is about twice as fast as multi-row
 * INSERTs (docs/benchmarks.md).
 */
static int insert_run(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
		      const struct bl_row *rows, uint32_t n, struct err *e)
{
	int rc;
	const uint8_t *bin = binary_types(w, tg->t, rows[0].after);
	buf_reset(&w->sql);
	rp__sql_copy(&w->sql, tg->schema, tg->t, rows[0].after);
	if (bin)
		buf_putl(&w->sql, " (FORMAT binary)");
	bool same = rp__pipe_copying(p, buf_cstr(&w->sql));
	if (!same && n >= RP_COPY_MIN_ROWS) {
		rc = rp__pipe_copy_begin(p, buf_cstr(&w->sql), bin != NULL, e);
		if (rc)
			return rc;
		same = true;
	}
	if (same) {
		for (uint32_t i = 0; i < n; i++) {
			if (bin) {
				rc = rp__sql_copy_row_bin(&w->q, &p->copy, tg->t, bin,
							  rows[i].after, e);
				if (rc == 1) {
					/* a value without a binary form: the
					 * rest of the run as text */
					buf_reset(&w->sql);
					rp__sql_copy(&w->sql, tg->schema, tg->t,
						     rows[0].after);
					rc = rp__pipe_copy_begin(p, buf_cstr(&w->sql),
								 false, e);
					if (rc)
						return rc;
					bin = NULL;
				}
			}
			if (!bin)
				rc = rp__sql_copy_row(&w->q, &p->copy, tg->t, rows[i].after, e);
			if (!rc)
				rc = rp__pipe_copy_flush(p, e);
			if (rc)
				return rc;
		}
		return 0;
	}
	for (uint32_t i = 0; i < n;) {
		uint32_t k = n - i;
		k = k >= RP_INSERT_BATCH ? RP_INSERT_BATCH : k >= 16 ? 16 : k >= 4 ? 4 : 1;
		rc = insert_batch(w, p, tg, &rows[i], k, e);
		if (rc)
			return rc;
		i += k;
	}
	return 0;
}

static int apply_inserts(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
			 const struct bl_event *ev, struct err *e)
{
	const struct bl_row *rows = ev->rows.rows;
	uint32_t i = 0;
	while (i < ev->rows.nrows) {
		uint32_t run = 1;	/* rows with the columns of rows[i] */
		while (i + run < ev->rows.nrows &&
		       rp__same_columns(tg->t, rows[i].after, rows[i + run].after))
			run++;
		int rc = insert_run(w, p, tg, &rows[i], run, e);
		if (rc)
			return rc;
		w->st->rows += run;
		w->st->inserts += run;
		i += run;
	}
	return 0;
}

/*
 * Deletes of a table keyed by one column: one DELETE ... WHERE k = ANY($1)
 * per run of up to RP_DELETE_BATCH rows of an event.  Deleting a set of
 * distinct keys does not depend on the order of the rows (a key deleted
 * twice is a no-op the second time, as row by row).
 */
static int delete_batch(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
			uint32_t key, const struct bl_row *rows, uint32_t n, struct err *e)
{
	struct rp__shape sh = {.kind = RP_SQL_DELETE_KEYS, .key = key};
	rp__params_reset(&w->q, 1);
	int rc = rp__params_array(&w->q, tg->t, key, rows, n, true, e);
	return rc ? rc : send(w, p, tg, &sh, e);
}

static bool has_json_diff(const struct bl_table *t, const struct bl_value *img)
{
	for (uint32_t i = 0; i < t->ncols; i++)
		if (img[i].kind == BLV_JSON_DIFF)
			return true;
	return false;
}

/* Whether a and b are the same present value, compared as text (the
 * text of a in *a_text, in w->shape_mem). */
static int same_text(struct rp__rows *w, const struct bl_column *c,
		     const struct bl_value *a, const struct bl_value *b,
		     const char **a_text, size_t *a_len, struct err *e)
{
	bool anull, bnull;
	struct buf *v = &w->q.val;
	buf_reset(v);
	int rc = rp_value_text(v, c, a, w->q.conv, &anull, e);
	if (rc < 0)
		return rc;
	*a_text = arena_strndup(&w->shape_mem, buf_cstr(v), v->n);
	*a_len = v->n;
	if (anull)
		return 0;	/* a NULL key: row by row */
	if (b->kind == BLV_ABSENT)
		return 1;
	buf_reset(v);
	rc = rp_value_text(v, c, b, w->q.conv, &bnull, e);
	if (rc < 0)
		return rc;
	return !bnull && v->n == *a_len && !memcmp(v->p, *a_text, *a_len);
}

/*
 * Updates of a table keyed by one column are batched when a run of rows
 * of one event keeps its keys (the after image has the same key, or
 * none), changes the same columns and touches each key once: rows with
 * distinct keys do not depend on their order.  A changed key, a key seen
 * twice or a partial JSON update ends the run (row by row from there).
 * How many rows from rows[0] one batched UPDATE may apply (0 or 1: row by
 * row).
 */
static int update_run(struct rp__rows *w, const struct bl_table *t, uint32_t key,
		      const struct bl_row *rows, uint32_t n, uint32_t *run,
		      struct err *e)
{
	enum { NSLOTS = 2 * RP_UPDATE_BATCH };	/* open addressing, half full at most */
	uint32_t slots[NSLOTS];	/* 1 + row index, 0 = empty */
	const char *texts[RP_UPDATE_BATCH];
	size_t lens[RP_UPDATE_BATCH];
	memset(slots, 0, sizeof(slots));
	*run = 0;
	bool sets = false;
	for (uint32_t i = 0; i < t->ncols; i++)
		sets |= i != key && rows[0].after[i].kind != BLV_ABSENT;
	if (!sets)
		return 0;
	uint32_t r = 0;
	for (; r < n && r < RP_UPDATE_BATCH; r++) {
		const struct bl_row *row = &rows[r];
		if (row->before[key].kind == BLV_ABSENT ||
		    !rp__same_columns(t, rows[0].after, row->after) ||
		    has_json_diff(t, row->after))
			break;
		int rc = same_text(w, &t->cols[key], &row->before[key], &row->after[key],
				   &texts[r], &lens[r], e);
		if (rc < 0)
			return rc;
		if (!rc)
			break;	/* the key changes */
		uint64_t h = hash_bytes(texts[r], lens[r]);
		uint32_t at = (uint32_t)(h % NSLOTS);
		bool seen = false;
		while (slots[at] && !seen) {
			uint32_t o = slots[at] - 1;
			seen = lens[o] == lens[r] && !memcmp(texts[o], texts[r], lens[r]);
			at = (at + 1) % NSLOTS;
		}
		if (seen)
			break;	/* the same row again */
		slots[at] = r + 1;
	}
	*run = r;
	return 0;
}

/*
 * The columns a batched UPDATE sets: those whose value changes in at
 * least one row of the run (setting a column to the value it has is a
 * no-op for the others).  Fewer columns are fewer arrays for PostgreSQL
 * to read; the rows it writes are the same.  When no column changes, all
 * of them stay.
 */
static void only_changed(const struct bl_table *t, uint32_t key, const struct bl_row *rows,
			 uint32_t n, uint8_t *set)
{
	bool any = false;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (i == key || set[i] == RP_COL_ABSENT)
			continue;
		uint32_t r = 0;
		while (r < n && rp__same_value(&rows[r].before[i], &rows[r].after[i]))
			r++;
		if (r < n)
			any = true;
		else
			set[i] = RP_COL_ABSENT;
	}
	if (!any)	/* nothing changes: every column, as before */
		for (uint32_t i = 0; i < t->ncols; i++)
			set[i] = rows[0].after[i].kind == BLV_ABSENT ? RP_COL_ABSENT
								     : RP_COL_VALUE;
}

static int update_batch(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
			uint32_t key, const struct bl_row *rows, uint32_t n, struct err *e)
{
	const struct bl_table *t = tg->t;
	arena_reset(&w->shape_mem);
	uint8_t *set = present(w, t, rows[0].after);
	only_changed(t, key, rows, n, set);
	struct rp__shape sh = {.kind = RP_SQL_UPDATE_KEYS, .key = key, .set = set};
	rp__params_reset(&w->q, (size_t)t->ncols + 1);
	/* the key (from the before image) first, then the columns set */
	int rc = rp__params_array(&w->q, t, key, rows, n, true, e);
	for (uint32_t i = 0; !rc && i < t->ncols; i++)
		if (i != key && sh.set[i] != RP_COL_ABSENT)
			rc = rp__params_array(&w->q, t, i, rows, n, false, e);
	return rc ? rc : send(w, p, tg, &sh, e);
}

/* The shape of one UPDATE or DELETE row (partial JSON updates parsed). */
static int row_shape(struct rp__rows *w, const struct bl_table *t, enum bl_row_op op,
		     const struct bl_row *row, struct rp__shape *sh, size_t *nparams,
		     struct err *e)
{
	memset(sh, 0, sizeof(*sh));
	sh->kind = op == BL_OP_UPDATE ? RP_SQL_UPDATE : RP_SQL_DELETE;
	sh->keyed = rp__has_key(t);
	*nparams = 0;
	if (op == BL_OP_UPDATE) {
		uint8_t *set = present(w, t, row->after);
		struct rp__json_set *js = arena_calloc(&w->shape_mem, t->ncols + 1,
						       sizeof(*js));
		for (uint32_t i = 0; i < t->ncols; i++) {
			*nparams += set[i] != RP_COL_ABSENT;
			if (row->after[i].kind != BLV_JSON_DIFF)
				continue;
			set[i] = RP_COL_JSON;
			int rc = rp_json_diff_ops(row->after[i].s, &w->shape_mem, &js[i].ops,
						  &js[i].n, e);
			if (rc)
				return rc;
			*nparams += 2 * js[i].n;
		}
		sh->set = set;
		sh->json = js;
	}
	uint8_t *where = arena_calloc(&w->shape_mem, t->ncols + 1, 1);
	bool any = false;
	for (uint32_t i = 0; i < t->ncols; i++) {
		where[i] = (!sh->keyed || t->cols[i].is_pk) &&
			   row->before[i].kind != BLV_ABSENT;
		any |= where[i];
	}
	*nparams += t->ncols;
	sh->where = where;
	if (!any)
		return err_set(e, ERR_UNSUPPORTED,
			       "`%s`.`%s`: the row image holds no key column", t->schema,
			       t->name);
	return 0;
}

static int row_statement(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
			 enum bl_row_op op, const struct bl_row *row, struct err *e)
{
	arena_reset(&w->shape_mem);
	struct rp__shape sh;
	size_t nparams;
	int rc = row_shape(w, tg->t, op, row, &sh, &nparams, e);
	if (rc)
		return rc;
	rp__params_reset(&w->q, nparams);
	rc = rp__params_row(&w->q, tg->t, &sh, row->after, row->before, e);
	return rc ? rc : send(w, p, tg, &sh, e);
}

/* How many rows from rows[0] (left of them) one batched statement applies:
 * 0 or 1 means row by row. */
static int batched(struct rp__rows *w, struct rp__pipe *p, const struct target *tg,
		   enum bl_row_op op, int key, const struct bl_row *rows, uint32_t left,
		   uint32_t *run, struct err *e)
{
	*run = 0;
	if (key < 0)
		return 0;	/* composite keys and tables without one: row by row */
	if (op == BL_OP_DELETE) {
		while (*run < RP_DELETE_BATCH && *run < left &&
		       rows[*run].before[key].kind != BLV_ABSENT)
			(*run)++;
		return *run > 1 ? delete_batch(w, p, tg, (uint32_t)key, rows, *run, e) : 0;
	}
	arena_reset(&w->shape_mem);
	int rc = update_run(w, tg->t, (uint32_t)key, rows, left, run, e);
	if (!rc && *run > 1)
		rc = update_batch(w, p, tg, (uint32_t)key, rows, *run, e);
	return rc;
}

int rp__rows_apply(struct rp__rows *w, struct rp__pipe *p, const struct bl_event *ev,
		   const char *schema, struct err *e)
{
	struct target tg = {ev->rows.table, schema, NULL};
	tg.desc = table_desc(w, schema, tg.t);
	if (ev->rows.op == BL_OP_INSERT)
		return apply_inserts(w, p, &tg, ev, e);
	enum bl_row_op op = ev->rows.op;
	int key = rp__single_key(tg.t);
	for (uint32_t i = 0; i < ev->rows.nrows;) {
		const struct bl_row *rows = &ev->rows.rows[i];
		uint32_t run;
		int rc = batched(w, p, &tg, op, key, rows, ev->rows.nrows - i, &run, e);
		if (rc)
			return rc;
		if (run <= 1) {
			rc = row_statement(w, p, &tg, op, rows, e);
			if (rc)
				return rc;
			run = 1;
		}
		w->st->rows += run;
		if (op == BL_OP_UPDATE)
			w->st->updates += run;
		else
			w->st->deletes += run;
		i += run;
	}
	return 0;
}
