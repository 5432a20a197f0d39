/*
 * The statements of row changes (docs/replication.md, "How changes are
 * applied"): their text from a table and a shape (which columns are set,
 * which identify the row, how many rows, partial JSON operations), and
 * their text parameters from the rows.  Pure functions: nothing here
 * sends, caches or decides how rows are batched (rows.c does).
 */
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"
#include "replay/internal.h"

void rp__params_init(struct rp__params *q, const struct rp_convert_opts *conv,
		     uint64_t *zero_dates)
{
	memset(q, 0, sizeof(*q));
	arena_init(&q->mem, 64 * 1024);
	buf_init(&q->val, 0);
	buf_init(&q->arr, 0);
	q->conv = conv;
	q->zero_dates = zero_dates;
}

void rp__params_release(struct rp__params *q)
{
	arena_release(&q->mem);
	buf_release(&q->val);
	buf_release(&q->arr);
}

void rp__params_reset(struct rp__params *q, size_t cap)
{
	arena_reset(&q->mem);
	q->vals = arena_calloc(&q->mem, cap + 1, sizeof(char *));
	q->n = 0;
	q->cap = (int)cap;
}

static void add(struct rp__params *q, const char *v)
{
	if (q->n >= q->cap)
		BUG("more parameters than planned (%d)", q->cap);
	q->vals[q->n++] = v;
}

/* The text of one value into q->val; *isnull for NULL. */
static int value(struct rp__params *q, const struct bl_column *c,
		 const struct bl_value *v, bool count, bool *isnull, struct err *e)
{
	buf_reset(&q->val);
	int rc = rp_value_text(&q->val, c, v, q->conv, isnull, e);
	if (rc < 0)
		return rc;
	if (rc == RP_ZERO_DATE_REPLACED && count)
		(*q->zero_dates)++;
	return 0;
}

/* One value as the next parameter. */
static int add_value(struct rp__params *q, const struct bl_column *c,
		     const struct bl_value *v, bool count, struct err *e)
{
	bool isnull;
	int rc = value(q, c, v, count, &isnull, e);
	if (rc)
		return rc;
	add(q, isnull ? NULL : arena_strndup(&q->mem, buf_cstr(&q->val), q->val.n));
	return 0;
}

/* "$n": a parameter reference, without printf on the per-row path. */
static void put_param(struct buf *b, int n)
{
	buf_putc(b, '$');
	buf_put_u64dec(b, (uint64_t)n);
}

void rp__sql_table(struct buf *b, const char *schema, const char *table)
{
	rp_quote_ident(b, schema);
	buf_putc(b, '.');
	rp_quote_ident(b, table);
}

const char *rp__column_name(const struct bl_table *t, uint32_t i, char *tmp, size_t n)
{
	if (t->has_names && t->cols[i].name)
		return t->cols[i].name;
	snprintf(tmp, n, "col%u", i + 1);
	return tmp;
}

static void put_column(struct buf *b, const struct bl_table *t, uint32_t i)
{
	char tmp[32];
	rp_quote_ident(b, rp__column_name(t, i, tmp, sizeof(tmp)));
}

int rp__single_key(const struct bl_table *t)
{
	int k = -1;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (!t->cols[i].is_pk)
			continue;
		if (k >= 0)
			return -1;
		k = (int)i;
	}
	return k;
}

bool rp__has_key(const struct bl_table *t)
{
	for (uint32_t i = 0; i < t->ncols; i++)
		if (t->cols[i].is_pk)
			return true;
	return false;
}

bool rp__same_columns(const struct bl_table *t, const struct bl_value *a,
		      const struct bl_value *b)
{
	for (uint32_t i = 0; i < t->ncols; i++)
		if ((a[i].kind == BLV_ABSENT) != (b[i].kind == BLV_ABSENT))
			return false;
	return true;
}

bool rp__same_value(const struct bl_value *a, const struct bl_value *b)
{
	if (a->kind != b->kind || a->fsp != b->fsp)
		return false;
	const struct bl_time *x = &a->t, *y = &b->t;
	switch ((enum bl_vkind)a->kind) {
	case BLV_NULL:
		return true;
	case BLV_INT:
	case BLV_YEAR:
		return a->i == b->i;
	case BLV_UINT:
	case BLV_ENUM:
	case BLV_SET:
	case BLV_BIT:
		return a->u == b->u;
	case BLV_FLOAT:
	case BLV_DOUBLE:
		/* the same bits: -0 and 0 count as different */
		return !memcmp(&a->d, &b->d, sizeof(a->d));
	case BLV_GEOMETRY:
		return a->u == b->u && a->s.n == b->s.n &&
		       (!a->s.n || !memcmp(a->s.p, b->s.p, a->s.n));
	case BLV_DECIMAL:
	case BLV_STRING:
	case BLV_BINARY:
	case BLV_JSON:
	case BLV_VECTOR:
		return a->s.n == b->s.n && (!a->s.n || !memcmp(a->s.p, b->s.p, a->s.n));
	case BLV_TIMESTAMP:
		return a->i == b->i && x->usec == y->usec;
	case BLV_DATE:
	case BLV_DATETIME:
	case BLV_TIME:
		return x->year == y->year && x->month == y->month && x->day == y->day &&
		       x->hour == y->hour && x->minute == y->minute &&
		       x->second == y->second && x->usec == y->usec && x->neg == y->neg;
	case BLV_ABSENT:
	case BLV_JSON_DIFF:
		break;
	}
	return false;
}

/* The columns of 'set', comma-separated: "a", "b". */
static void column_list(struct buf *b, const struct bl_table *t, const uint8_t *set)
{
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (set[i] == RP_COL_ABSENT)
			continue;
		if (!first)
			buf_putl(b, ", ");
		first = false;
		put_column(b, t, i);
	}
}

static void insert_text(struct buf *b, const struct bl_table *t,
			const struct rp__shape *sh)
{
	buf_putl(b, " (");
	column_list(b, t, sh->set);
	buf_putl(b, ") VALUES ");
	int n = 0;
	for (uint32_t r = 0; r < sh->nrows; r++) {
		if (r)
			buf_putl(b, ", ");
		buf_putc(b, '(');
		bool first = true;
		for (uint32_t i = 0; i < t->ncols; i++) {
			if (sh->set[i] == RP_COL_ABSENT)
				continue;
			if (!first)
				buf_putl(b, ", ");
			first = false;
			put_param(b, ++n);
		}
		buf_putc(b, ')');
	}
}

/*
 * A partial JSON update: the column becomes an expression over its
 * current value, the operations nested in their order, paths and values
 * as parameters, e.g.
 *   "c" = jsonb_insert(jsonb_set("c", $1::text[], $2::jsonb, false),
 *                      $3::text[], $4::jsonb)
 */
static void json_set_text(struct buf *b, const struct bl_table *t, uint32_t col,
			  const struct rp__json_set *js, int *n)
{
	put_column(b, t, col);
	buf_putl(b, " = ");
	for (size_t i = js->n; i-- > 0;) {
		if (js->ops[i].op == RP_JSON_REPLACE)
			buf_putl(b, "jsonb_set(");
		else if (js->ops[i].op == RP_JSON_INSERT)
			buf_putl(b, "jsonb_insert(");
		else
			buf_putc(b, '(');
	}
	put_column(b, t, col);
	for (size_t i = 0; i < js->n; i++) {
		if (js->ops[i].op == RP_JSON_REMOVE) {
			buf_putl(b, " #- ");
			put_param(b, ++*n);
			buf_putl(b, "::text[])");
			continue;
		}
		buf_putl(b, ", ");
		put_param(b, ++*n);
		buf_putl(b, "::text[], ");
		put_param(b, ++*n);
		if (js->ops[i].op == RP_JSON_REPLACE)
			buf_putl(b, "::jsonb, false)");
		else
			buf_putl(b, "::jsonb)");
	}
}

static void set_text(struct buf *b, const struct bl_table *t, const struct rp__shape *sh,
		     int *n)
{
	buf_putl(b, " SET ");
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (sh->set[i] == RP_COL_ABSENT)
			continue;
		if (!first)
			buf_putl(b, ", ");
		first = false;
		if (sh->set[i] == RP_COL_JSON) {
			json_set_text(b, t, i, &sh->json[i], n);
			continue;
		}
		put_column(b, t, i);
		buf_putl(b, " = ");
		put_param(b, ++*n);
	}
}

/*
 * WHERE of a row: its key columns, NOT NULL, compared with '=' (the index
 * is used); without a key every column identifies the row, and one row
 * only is changed, as MySQL does with duplicate rows.
 */
static void where_text(struct buf *b, const char *schema, const struct bl_table *t,
		       const struct rp__shape *sh, int *n)
{
	buf_putl(b, " WHERE ");
	if (!sh->keyed) {
		buf_putl(b, "ctid = (SELECT ctid FROM ");
		rp__sql_table(b, schema, t->name);
		buf_putl(b, " WHERE ");
	}
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (!sh->where[i])
			continue;
		if (!first)
			buf_putl(b, " AND ");
		first = false;
		put_column(b, t, i);
		if (sh->keyed)
			buf_putl(b, " = ");
		else
			buf_putl(b, " IS NOT DISTINCT FROM ");
		put_param(b, ++*n);
	}
	if (!sh->keyed)
		buf_putl(b, " LIMIT 1)");
}

/*
 * UPDATE t AS d SET a = v.a, ... FROM unnest($1, $2, ...) AS v(k, a, ...)
 * WHERE d.k = v.k: one text array parameter per column, each written
 * COALESCE($n, (SELECT array_agg(col) FROM t WHERE false)) so that
 * PostgreSQL types it as an array of the table's own column type (the
 * elements go through the same input functions as the text parameters of
 * the row-by-row statements).
 */
static void update_keys_text(struct buf *b, const char *schema, const struct bl_table *t,
			     const struct rp__shape *sh)
{
	buf_putl(b, " AS d SET ");
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (i == sh->key || sh->set[i] == RP_COL_ABSENT)
			continue;
		if (!first)
			buf_putl(b, ", ");
		first = false;
		put_column(b, t, i);
		buf_putl(b, " = v.");
		put_column(b, t, i);
	}
	buf_putl(b, " FROM unnest(");
	/* the key (from the before image) first, then the columns set */
	int n = 0;
	for (uint32_t j = 0; j <= t->ncols; j++) {
		uint32_t i = j == 0 ? sh->key : j - 1;
		if (j > 0 && (i == sh->key || sh->set[i] == RP_COL_ABSENT))
			continue;
		if (j > 0)
			buf_putl(b, ", ");
		buf_putl(b, "COALESCE(");
		put_param(b, ++n);
		buf_putl(b, ", (SELECT array_agg(");
		put_column(b, t, i);
		buf_putl(b, ") FROM ");
		rp__sql_table(b, schema, t->name);
		buf_putl(b, " WHERE false))");
	}
	buf_putl(b, ") AS v(");
	put_column(b, t, sh->key);
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (i == sh->key || sh->set[i] == RP_COL_ABSENT)
			continue;
		buf_putl(b, ", ");
		put_column(b, t, i);
	}
	buf_putl(b, ") WHERE d.");
	put_column(b, t, sh->key);
	buf_putl(b, " = v.");
	put_column(b, t, sh->key);
}

void rp__sql_statement(struct buf *b, const char *schema, const struct bl_table *t,
		       const struct rp__shape *sh)
{
	int n = 0;
	switch (sh->kind) {
	case RP_SQL_INSERT:
		buf_putl(b, "INSERT INTO ");
		rp__sql_table(b, schema, t->name);
		insert_text(b, t, sh);
		return;
	case RP_SQL_UPDATE:
		buf_putl(b, "UPDATE ");
		rp__sql_table(b, schema, t->name);
		set_text(b, t, sh, &n);
		where_text(b, schema, t, sh, &n);
		return;
	case RP_SQL_DELETE:
		buf_putl(b, "DELETE FROM ");
		rp__sql_table(b, schema, t->name);
		where_text(b, schema, t, sh, &n);
		return;
	case RP_SQL_DELETE_KEYS:
		/* a NULL key matches no row, as '=' row by row */
		buf_putl(b, "DELETE FROM ");
		rp__sql_table(b, schema, t->name);
		buf_putl(b, " WHERE ");
		put_column(b, t, sh->key);
		buf_putl(b, " = ANY($1)");
		return;
	case RP_SQL_UPDATE_KEYS:
		buf_putl(b, "UPDATE ");
		rp__sql_table(b, schema, t->name);
		update_keys_text(b, schema, t, sh);
		return;
	}
}

static void put_u32(struct buf *b, uint32_t v)
{
	buf_put(b, &v, sizeof(v));
}

void rp__shape_key(struct buf *b, const struct bl_table *t, const struct rp__shape *sh)
{
	buf_putc(b, (char)sh->kind);
	buf_putc(b, (char)sh->keyed);
	put_u32(b, sh->nrows);
	put_u32(b, sh->key);
	put_u32(b, t->ncols);
	if (sh->set)
		buf_put(b, sh->set, t->ncols);
	if (sh->where)
		buf_put(b, sh->where, t->ncols);
	for (uint32_t i = 0; sh->set && i < t->ncols; i++) {
		if (sh->set[i] != RP_COL_JSON)
			continue;
		put_u32(b, (uint32_t)sh->json[i].n);
		for (size_t k = 0; k < sh->json[i].n; k++)
			buf_putc(b, (char)sh->json[i].ops[k].op);
	}
}

void rp__sql_copy(struct buf *b, const char *schema, const struct bl_table *t,
		  const struct bl_value *img)
{
	buf_putl(b, "COPY ");
	rp__sql_table(b, schema, t->name);
	buf_putl(b, " (");
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (img[i].kind == BLV_ABSENT)
			continue;
		if (!first)
			buf_putl(b, ", ");
		first = false;
		put_column(b, t, i);
	}
	buf_putl(b, ") FROM STDIN");
}

/* GEOMETRY_TYPE metadata: MySQL's and MariaDB's Field::geometry_type. */
static const char *const geometry_kinds[] = {
	"geometry", "point", "linestring", "polygon", "multipoint",
	"multilinestring", "multipolygon", "geometrycollection",
};

int rp__sql_create_table(struct buf *b, const char *schema, const struct bl_table *t,
			 bool postgis, struct err *e)
{
	buf_putl(b, "CREATE TABLE IF NOT EXISTS ");
	rp__sql_table(b, schema, t->name);
	buf_putl(b, " (");
	for (uint32_t i = 0; i < t->ncols; i++) {
		struct rp_pg_type ty;
		const struct bl_column *c = &t->cols[i];
		if (postgis && c->type == BL_TYPE_GEOMETRY) {
			unsigned k = c->geometry_type < 8 ? c->geometry_type : 0;
			if (rp_geometry_type(geometry_kinds[k], false, 0, &ty))
				BUG("geometry kind %u", k);
		} else if (rp_type_of_column(c, &ty))
			return err_set(e, ERR_UNSUPPORTED, "`%s`.`%s` column %s: type %s",
				       t->schema, t->name, t->cols[i].name,
				       bl_col_type_name(t->cols[i].type));
		if (i)
			buf_putl(b, ", ");
		rp_quote_ident(b, t->cols[i].name);
		buf_putc(b, ' ');
		buf_puts(b, ty.name);
	}
	if (rp__has_key(t)) {
		buf_putl(b, ", PRIMARY KEY (");
		bool first = true;
		for (uint32_t i = 0; i < t->ncols; i++) {
			if (!t->cols[i].is_pk)
				continue;
			if (!first)
				buf_putl(b, ", ");
			first = false;
			rp_quote_ident(b, t->cols[i].name);
		}
		buf_putc(b, ')');
	}
	buf_putc(b, ')');
	return 0;
}

int rp__params_row(struct rp__params *q, const struct bl_table *t,
		   const struct rp__shape *sh, const struct bl_value *img,
		   const struct bl_value *before, struct err *e)
{
	for (uint32_t i = 0; sh->set && i < t->ncols; i++) {
		if (sh->set[i] == RP_COL_JSON) {
			const struct rp__json_set *js = &sh->json[i];
			for (size_t k = 0; k < js->n; k++) {
				add(q, js->ops[k].pg_path);
				if (js->ops[k].op != RP_JSON_REMOVE)
					add(q, js->ops[k].value);
			}
		} else if (sh->set[i] == RP_COL_VALUE) {
			int rc = add_value(q, &t->cols[i], &img[i], true, e);
			if (rc)
				return rc;
		}
	}
	for (uint32_t i = 0; sh->where && i < t->ncols; i++) {
		if (!sh->where[i])
			continue;
		int rc = add_value(q, &t->cols[i], &before[i], false, e);
		if (rc)
			return rc;
	}
	return 0;
}

/* An element of an array literal: double-quoted, '"' and '\' escaped. */
static void array_elem(struct buf *b, const uint8_t *p, size_t n)
{
	buf_putc(b, '"');
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '"' && p[i] != '\\')
			continue;
		buf_put(b, p + from, i - from);
		buf_putc(b, '\\');
		from = i;
	}
	buf_put(b, p + from, n - from);
	buf_putc(b, '"');
}

int rp__params_array(struct rp__params *q, const struct bl_table *t, uint32_t c,
		     const struct bl_row *rows, uint32_t n, bool before, struct err *e)
{
	buf_reset(&q->arr);
	buf_putc(&q->arr, '{');
	for (uint32_t r = 0; r < n; r++) {
		const struct bl_value *v = before ? &rows[r].before[c] : &rows[r].after[c];
		bool isnull;
		int rc = value(q, &t->cols[c], v, !before, &isnull, e);
		if (rc)
			return rc;
		if (r)
			buf_putc(&q->arr, ',');
		if (isnull)
			buf_putl(&q->arr, "NULL");
		else
			array_elem(&q->arr, q->val.p, q->val.n);
	}
	buf_putc(&q->arr, '}');
	add(q, arena_strndup(&q->mem, buf_cstr(&q->arr), q->arr.n));
	return 0;
}

void rp__copy_escape(struct buf *b, const uint8_t *p, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *esc;
		switch (p[i]) {
		case '\\':
			esc = "\\\\";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		default:
			continue;
		}
		buf_put(b, p + from, i - from);
		buf_put(b, esc, 2);
		from = i + 1;
	}
	buf_put(b, p + from, n - from);
}

int rp__sql_copy_row(struct rp__params *q, struct buf *out, const struct bl_table *t,
		     const struct bl_value *img, struct err *e)
{
	size_t start = out->n;
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (img[i].kind == BLV_ABSENT)
			continue;
		if (!first)
			buf_putc(out, '\t');
		first = false;
		bool isnull;
		int rc = value(q, &t->cols[i], &img[i], true, &isnull, e);
		if (rc < 0) {
			out->n = start;
			return rc;
		}
		if (isnull)
			buf_putl(out, "\\N");
		else
			rp__copy_escape(out, q->val.p, q->val.n);
	}
	buf_putc(out, '\n');
	return 0;
}

int rp__sql_copy_row_bin(struct rp__params *q, struct buf *out, const struct bl_table *t,
			 const uint8_t *bin, const struct bl_value *img, struct err *e)
{
	size_t start = out->n;
	uint64_t zeros = *q->zero_dates;
	uint16_t nf = 0;
	for (uint32_t i = 0; i < t->ncols; i++)
		nf += img[i].kind != BLV_ABSENT;
	rp_bin_tuple(out, nf);
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (img[i].kind == BLV_ABSENT)
			continue;
		if (rp_bin_direct(out, (enum rp_bin)bin[i], &img[i]))
			continue;
		bool isnull;
		int rc = value(q, &t->cols[i], &img[i], true, &isnull, e);
		if (rc < 0) {
			out->n = start;
			return rc;
		}
		if (isnull) {
			rp_bin_null(out);
		} else if (!rp_bin_field(out, (enum rp_bin)bin[i], q->val.p, q->val.n)) {
			out->n = start;
			*q->zero_dates = zeros;	/* counted again as text */
			return 1;
		}
	}
	return 0;
}
