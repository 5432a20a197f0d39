/*
 * Fuzz target: the DDL parser of replay/ddl_int.h (rp__ddl_parse).  The
 * first byte's low bit is sql_mode ANSI_QUOTES, the rest is the
 * statement.  Every string of the result is read (so that a pointer
 * outside the arena is seen) and the contract checked: only -ERR_TOOBIG
 * fails, an UNPARSED statement has a reason and an offset inside it.
 */
#include <stdlib.h>
#include <string.h>

#include "replay/ddl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sum;	/* keeps the reads from being optimised away */

static void str(const char *s)
{
	if (s)
		sum += strlen(s);
}

static void name(const struct rp__ddl_name *nm)
{
	str(nm->schema);
	str(nm->name);
}

static void column(const struct rp__ddl_column *c)
{
	str(c->name);
	str(c->type.data_type);
	str(c->type.column_type);
	str(c->type.charset);
	str(c->type.collation);
	for (size_t i = 0; i < c->type.nlabels; i++)
		str(c->type.labels[i]);
	if (c->def && c->def_len)
		sum += (unsigned char)c->def[c->def_len - 1];
	str(c->generated);
	str(c->comment);
	str(c->check);
	str(c->check_name);
	str(c->after);
	if (c->references) {
		name(&c->references->ref);
		for (size_t i = 0; i < c->references->nref; i++)
			str(c->references->ref_cols[i]);
	}
}

static void fkey(const struct rp__ddl_fkey *fk)
{
	str(fk->name);
	for (size_t i = 0; i < fk->ncols; i++)
		str(fk->cols[i]);
	name(&fk->ref);
	for (size_t i = 0; i < fk->nref; i++)
		str(fk->ref_cols[i]);
	str(fk->on_delete);
	str(fk->on_update);
}

static void index_(const struct rp__ddl_index *x)
{
	str(x->name);
	str(x->index_type);
	str(x->comment);
	for (size_t i = 0; i < x->ncols; i++) {
		str(x->cols[i].name);
		str(x->cols[i].expr);
	}
}

static void walk(const struct rp__ddl_stmt *st)
{
	str(st->what);
	name(&st->table);
	name(&st->like);
	str(st->database);
	str(st->index_name);
	str(st->charset);
	str(st->collation);
	str(st->engine);
	str(st->comment);
	for (size_t i = 0; i < st->ncols; i++)
		column(&st->cols[i]);
	for (size_t i = 0; i < st->nidx; i++)
		index_(&st->idx[i]);
	for (size_t i = 0; i < st->nfk; i++)
		fkey(&st->fk[i]);
	for (size_t i = 0; i < st->nchecks; i++)
		str(st->checks[i].expr);
	for (size_t i = 0; i < st->npairs; i++) {
		name(&st->pairs[i].from);
		name(&st->pairs[i].to);
	}
	for (size_t i = 0; i < st->nalter; i++) {
		const struct rp__ddl_alter *al = &st->alter[i];
		str(al->name);
		str(al->new_name);
		str(al->text);
		str(al->charset);
		str(al->collation);
		name(&al->new_table);
		column(&al->col);
		index_(&al->idx);
		fkey(&al->fk);
		str(al->check.expr);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t n = size - 1;
	/* a private copy of exactly n bytes, so that reading past the end is seen */
	char *q = malloc(n ? n : 1);
	if (!q)
		return 0;
	memcpy(q, data + 1, n);
	struct arena a;
	arena_init(&a, 4096);
	struct rp__ddl_stmt st;
	struct err e = {0};
	int rc = rp__ddl_parse(q, n, data[0] & 1, &a, &st, &e);
	if (rc != 0 && rc != -ERR_TOOBIG)
		abort();
	if (st.what == NULL || rp__ddl_kind_name(st.kind) == NULL)
		abort();
	if (st.kind == RP__DS_UNPARSED &&
	    (st.error == NULL || st.error_off > n || st.kind_of_unparsed == RP__DS_OTHER ||
	     st.kind_of_unparsed == RP__DS_UNPARSED))
		abort();
	walk(&st);
	arena_release(&a);
	free(q);
	return 0;
}
