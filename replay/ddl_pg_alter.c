/*
 * ALTER TABLE (docs/ddl.md): each clause in order against the table as
 * the earlier clauses left it, one PostgreSQL statement or more each.
 * What PostgreSQL cannot reproduce on the existing rows makes the whole
 * statement a copy of the table (RP__FX_COPY), what is not understood
 * takes the table out (RP__FX_DISABLE); either way none of the
 * statement's SQL runs.  RENAME TO is applied last.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "replay/ddl_pg_alter.h"

void rp__al_copy(struct rp__al *al, const char *why)
{
	if (al->verdict == RP__FX_ALTERED) {
		al->verdict = RP__FX_COPY;
		al->why = why;
	}
}

void rp__al_disable(struct rp__al *al, const char *why)
{
	if (al->verdict != RP__FX_DISABLE) {
		al->verdict = RP__FX_DISABLE;
		al->why = why;
	}
}

bool rp__al_coldef(struct rp__al *al, const struct rp__ddl_column *col,
		   struct rp__dp_coldef *cd)
{
	struct rp__dp *d = al->d;
	rp__dp_coldef(d, al->schema, al->t->name, al->t->pg_schema, col, cd);
	if (!cd->mapped)
		rp__al_disable(al,
			       rp__dp_printf(d,
					     "column %s: type %s has no PostgreSQL type",
					     col->name, col->type.column_type));
	return cd->mapped;
}

struct buf *rp__al_sql(struct rp__al *al)
{
	struct buf *b = rp__dp_sql(al->d);
	buf_putl(b, "ALTER TABLE ");
	rp__dp_qname(b, al->t->pg_schema, al->t->name);
	buf_putc(b, ' ');
	return b;
}

/* Whether existing rows are out of the question. */
bool rp__al_empty(const struct rp__al *al)
{
	return al->t->empty;
}

void rp__al_ignore_key(struct rp__al *al, const char *what)
{
	if (!al->d->st->ignore || rp__al_empty(al))
		return;
	rp__al_copy(al,
		    rp__dp_printf(al->d,
				  "ALTER IGNORE TABLE ... ADD %s: the rows with "
				  "duplicate values were deleted without row events",
				  what));
}

/* ---- DROP COLUMN, RENAME COLUMN ---- */

/* MySQL takes a dropped column out of its indexes and keeps the rest of
 * them; PostgreSQL drops every index of the column: the others are made
 * again over the remaining columns. */
static void drop_from_indexes(struct rp__al *al, const char *col)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	for (size_t i = 0; i < t->nidx;) {
		struct rp__pg_index x = t->idx[i];
		size_t k = 0, left = 0;
		bool has = false;
		for (k = 0; k < x.ncols; k++) {
			if (x.cols[k] && !strcmp(x.cols[k], col))
				has = true;
			else
				left++;
		}
		if (!has) {
			i++;
			continue;
		}
		const char *mysql = rp__dp_mysql_index_name(d, t, &x);
		rp__dp_idx_remove(t, i);
		if (!left)
			continue;
		struct rp__ddl_index_col *ic = arena_calloc(d->a, left, sizeof(*ic));
		size_t n = 0;
		for (k = 0; k < x.ncols; k++)
			if (!x.cols[k] || strcmp(x.cols[k], col))
				ic[n++].name = x.cols[k];
		struct rp__ddl_index nx = {.name = x.primary ? NULL : mysql,
					   .primary = x.primary,
					   .unique = x.unique,
					   .ncols = n,
					   .cols = ic};
		rp__dp_key_sql(d, t, &nx);
		/* rp__dp_key_sql appended it: the ones after i move up */
	}
}

static void drop_column(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp_table *t = al->t;
	long i = rp__dp_col_find(t, c->name);
	if (i < 0) {
		if (!c->if_exists)
			rp__dp_part(al->d, "DROP COLUMN %s (none in PostgreSQL)",
				    c->name);
		return;
	}
	rp__dp_part(al->d, "DROP COLUMN %s", c->name);
	struct rp__pg_column col = t->cols[i];
	struct buf *b = rp__al_sql(al);
	buf_putl(b, "DROP COLUMN ");
	rp_quote_ident(b, col.name);
	rp__dp_emit(al->d);
	rp__dp_drop_enum_sql(al->d, t, &col);
	rp__dp_col_remove(t, (size_t)i);
	drop_from_indexes(al, col.name);
	al->changed = true;
}

long rp__al_col_find(const struct rp__al *al, const char *name)
{
	for (size_t k = 0; k < al->nmoved; k++)
		if (!strcasecmp(al->moved[k].from, name))
			return rp__dp_col_find(al->t, al->moved[k].tmp);
	return rp__dp_col_find(al->t, name);
}

/* Whether a clause after the current one renames column name. */
static bool renamed_later(const struct rp__al *al, const char *name)
{
	const struct rp__ddl_stmt *st = al->d->st;
	for (size_t k = al->at + 1; k < st->nalter; k++) {
		const struct rp__ddl_alter *c = &st->alter[k];
		const char *from = c->op == RP__AL_RENAME_COLUMN   ? c->name
				   : c->op == RP__AL_CHANGE_COLUMN ? c->name
								   : NULL;
		const char *to = c->op == RP__AL_RENAME_COLUMN ? c->new_name
							       : c->col.name;
		if (from && to && !strcasecmp(from, name) && strcasecmp(to, name))
			return true;
	}
	return false;
}

static void rename_sql(struct rp__al *al, size_t i, const char *to);

/* Column j holds a name column i takes, and a later clause renames it:
 * it goes to a temporary name meanwhile (CHANGE a b, CHANGE b a). */
static void move_away(struct rp__al *al, size_t j)
{
	struct rp__dp *d = al->d;
	const char *from = al->t->cols[j].name;
	const char *tmp = NULL;
	for (int k = 1; !tmp || rp__dp_col_find(al->t, tmp) >= 0; k++)
		tmp = rp__dp_printf(d, "%.40s_chameleon_tmp%d", from, k);
	if (al->nmoved == al->capmoved) {
		al->capmoved = al->capmoved * 2 + 4;
		struct rp__al_moved *v = arena_calloc(d->a, al->capmoved, sizeof(*v));
		if (al->nmoved)
			memcpy(v, al->moved, al->nmoved * sizeof(*v));
		al->moved = v;
	}
	al->moved[al->nmoved].from = rp__dp_strdup(d, from);
	al->moved[al->nmoved].tmp = tmp;
	al->nmoved++;
	rename_sql(al, j, tmp);
}

void rp__al_rename_column(struct rp__al *al, size_t i, const char *to)
{
	struct rp__dp_table *t = al->t;
	if (!strcmp(t->cols[i].name, to))
		return;
	/* the column was moved out of the way: it is found by its name again */
	for (size_t k = 0; k < al->nmoved; k++)
		if (!strcmp(al->moved[k].tmp, t->cols[i].name)) {
			al->moved[k] = al->moved[--al->nmoved];
			break;
		}
	for (size_t j = 0; j < t->ncols; j++)
		if (j != i && !strcasecmp(t->cols[j].name, to) &&
		    renamed_later(al, t->cols[j].name))
			move_away(al, j);
	rename_sql(al, i, to);
}

static void rename_sql(struct rp__al *al, size_t i, const char *to)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	struct rp__pg_column *c = &t->cols[i];
	struct buf *b = rp__al_sql(al);
	buf_putl(b, "RENAME COLUMN ");
	rp_quote_ident(b, c->name);
	buf_putl(b, " TO ");
	rp_quote_ident(b, to);
	rp__dp_emit(d);
	if (rp__dp_enum_owned(d, t, c)) {
		char name[RP_PG_NAME_MAX];
		rp_load_fit_name(name, "enum_", t->name, to);
		b = rp__dp_sql(d);
		buf_putl(b, "ALTER TYPE ");
		buf_puts(b, c->type);
		buf_putl(b, " RENAME TO ");
		rp_quote_ident(b, name);
		rp__dp_emit(d);
		struct buf nb;
		buf_init(&nb, 0);
		rp__dp_qname(&nb, t->pg_schema, name);
		c->type = rp__dp_strdup(d, buf_cstr(&nb));
		buf_release(&nb);
	}
	for (size_t k = 0; k < t->nidx; k++) {
		struct rp__pg_index *x = &t->idx[k];
		const char **cols = arena_calloc(d->a, x->ncols + 1, sizeof(*cols));
		for (size_t j = 0; j < x->ncols; j++)
			cols[j] = x->cols[j] && !strcmp(x->cols[j], c->name)
					  ? to
					  : x->cols[j];
		x->cols = cols;
	}
	c->name = rp__dp_strdup(d, to);
	al->changed = true;
}

static void rename_column(struct rp__al *al, const struct rp__ddl_alter *c)
{
	long i = rp__al_col_find(al, c->name);
	if (i < 0) {
		rp__al_copy(al,
			    rp__dp_printf(al->d,
					  "RENAME COLUMN: no column %s in PostgreSQL",
					  c->name));
		return;
	}
	rp__dp_part(al->d, "RENAME COLUMN %s TO %s", c->name, c->new_name);
	rp__al_rename_column(al, (size_t)i, c->new_name);
}

/* ---- the statement ---- */

static void clause(struct rp__al *al, const struct rp__ddl_alter *c)
{
	switch (c->op) {
	case RP__AL_ADD_COLUMN:
		rp__al_add_column(al, c);
		return;
	case RP__AL_DROP_COLUMN:
		drop_column(al, c);
		return;
	case RP__AL_RENAME_COLUMN:
		rename_column(al, c);
		return;
	case RP__AL_MODIFY_COLUMN:
	case RP__AL_CHANGE_COLUMN:
		rp__al_modify(al, c);
		return;
	case RP__AL_SET_DEFAULT:
	case RP__AL_DROP_DEFAULT:
		rp__al_default(al, c);
		return;
	case RP__AL_ADD_INDEX:
	case RP__AL_DROP_INDEX:
	case RP__AL_DROP_PRIMARY_KEY:
	case RP__AL_RENAME_INDEX:
		rp__al_key(al, c);
		return;
	case RP__AL_ADD_FOREIGN_KEY:
	case RP__AL_DROP_FOREIGN_KEY:
	case RP__AL_ADD_CHECK:
	case RP__AL_DROP_CHECK:
	case RP__AL_CONVERT_CHARSET:
	case RP__AL_SET_VISIBLE:
	case RP__AL_OPTION:
		rp__al_other(al, c);
		return;
	case RP__AL_RENAME_TABLE:
		al->rename = c;
		return;
	}
	rp__al_disable(al,
		       rp__dp_printf(al->d, "ALTER TABLE clause not translated: %s",
				     c->text ? c->text : "?"));
}

/* The other table of partition maintenance: copied again, or gone. */
static int other_table(struct rp__al *al)
{
	struct rp__dp *d = al->d;
	if (!al->other.name)
		return 0;
	const char *schema = rp__dp_schema(d, &al->other);
	const char *name = al->other.name;
	if (!rp__dp_replicated(d, schema, name))
		return 0;
	struct rp__dp_table *t;
	if (rp__dp_table(d, schema, name, &t))
		return -1;
	if (al->other_fx == RP__FX_DROPPED) {
		if (t->exists)
			rp__dp_drop_sql(d, t);
		rp__dp_fx(d, RP__FX_DROPPED, schema, name, NULL);
		return 0;
	}
	rp__dp_table_clear(t);
	rp__dp_fx(d, RP__FX_COPY, schema, name,
		  rp__dp_printf(d, "%s: partition maintenance on %s.%s", al->why,
				al->schema, al->t->name));
	return 0;
}

/* The statement is left to a copy (or out): its SQL and effects go. */
static int verdict(struct rp__al *al, size_t nsql, size_t nfx)
{
	struct rp__dp *d = al->d;
	struct rp__dp_table *t = al->t;
	d->out->nsql = nsql;
	d->out->nfx = nfx;
	rp__dp_part(d, "%s",
		    al->verdict == RP__FX_COPY ? "copied again" : "taken out");
	const char *schema = t->schema, *name = t->name;
	rp__dp_table_clear(t);
	if (al->rename) {
		const char *ts = rp__dp_schema(d, &al->rename->new_table);
		const char *tt = al->rename->new_table.name;
		struct buf *b = rp__dp_sql(d);
		buf_putl(b, "DROP TABLE IF EXISTS ");
		rp__dp_qname(b, t->pg_schema, name);
		buf_putl(b, " CASCADE");
		rp__dp_emit(d);
		rp__dp_fx(d, RP__FX_DROPPED, schema, name, NULL);
		if (!rp__dp_replicated(d, ts, tt))
			return other_table(al);
		schema = ts;
		name = tt;
	}
	rp__dp_fx(d, al->verdict, schema, name, al->why);
	return other_table(al);
}

/* Partition maintenance of a table out of replication may change a
 * replicated one: EXCHANGE PARTITION ... WITH TABLE t, CONVERT ... */
static int unreplicated(struct rp__dp *d, const char *schema, const char *name)
{
	const struct rp__ddl_stmt *st = d->st;
	struct rp__dp_table t = {.schema = schema, .name = name};
	struct rp__al al = {.d = d,
			    .t = &t,
			    .schema = schema,
			    .verdict = RP__FX_ALTERED};
	for (size_t i = 0; i < st->nalter; i++)
		if (st->alter[i].op == RP__AL_OPTION && st->alter[i].text)
			rp__al_partition(&al, st->alter[i].text);
	if (!al.other.name)
		return 0;
	const char *os = rp__dp_schema(d, &al.other);
	if (!rp__dp_replicated(d, os, al.other.name))
		return 0;
	rp__dp_head(d, "ALTER TABLE", schema, name);
	rp__dp_part(d, "%s",
		    al.other_fx == RP__FX_DROPPED ? "the other table dropped"
						  : "the other table copied again");
	return other_table(&al);
}

int rp__dp_alter(struct rp__dp *d)
{
	const struct rp__ddl_stmt *st = d->st;
	const char *schema = rp__dp_schema(d, &st->table);
	const char *name = st->table.name;
	if (!rp__dp_replicated(d, schema, name))
		return unreplicated(d, schema, name);
	struct rp__al al = {.d = d, .schema = schema, .verdict = RP__FX_ALTERED};
	if (rp__dp_table(d, schema, name, &al.t))
		return -1;
	rp__dp_head(d, "ALTER TABLE", schema, name);
	if (!al.t->exists) {
		rp__dp_part(d, "copied again");
		rp__dp_fx(d, RP__FX_COPY, schema, name,
			  "table missing in PostgreSQL");
		return 0;
	}
	size_t nsql = d->out->nsql, nfx = d->out->nfx;
	/* seen first: a statement left to a copy is copied under the new name */
	for (size_t i = 0; i < st->nalter; i++)
		if (st->alter[i].op == RP__AL_RENAME_TABLE)
			al.rename = &st->alter[i];
	for (size_t i = 0; i < st->nalter && al.verdict == RP__FX_ALTERED; i++) {
		al.at = i;
		clause(&al, &st->alter[i]);
	}
	if (al.verdict != RP__FX_ALTERED)
		return verdict(&al, nsql, nfx);
	if (al.rename) {
		/* effects come after every statement: they name the new table */
		const char *ts = rp__dp_schema(d, &al.rename->new_table);
		const char *tt = al.rename->new_table.name;
		rp__dp_part(d, "RENAME TO %s.%s", ts, tt);
		if (rp__dp_rename_one(d, schema, name, ts, tt))
			return -1;
		if (!rp__dp_replicated(d, ts, tt))
			return 0;
		schema = ts;
		name = tt;
	}
	if (al.changed)
		rp__dp_fx(d, RP__FX_ALTERED, schema, name, NULL);
	return 0;
}

/* ---- foreign keys, checks, character sets, options ---- */

static bool next_is(const char **s, const char *w);

/* DROP CONSTRAINT name drops a constraint of any kind (MySQL 8.0.19+,
 * MariaDB): a unique or primary key of PostgreSQL's table goes; a
 * foreign key's index stays, as in MySQL. */
static bool drop_constraint_key(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	const char *s = c->text ? c->text : "";
	if (!c->name || !next_is(&s, "DROP") || !next_is(&s, "CONSTRAINT"))
		return false;
	long i = rp__dp_idx_find(d, al->t, c->name);
	if (i < 0 || !(al->t->idx[i].primary || al->t->idx[i].unique))
		return false;
	rp__dp_part(d, "DROP CONSTRAINT %s", c->name);
	rp__dp_drop_index_sql(d, al->t, (size_t)i);
	al->changed = true;
	return true;
}

void rp__al_other(struct rp__al *al, const struct rp__ddl_alter *c)
{
	struct rp__dp *d = al->d;
	const char *text = c->text ? c->text : "";
	switch (c->op) {
	case RP__AL_ADD_FOREIGN_KEY:
		rp__dp_part(d, "ADD FOREIGN KEY");
		rp__dp_fx(d, RP__FX_NOTE, al->schema, al->t->name,
			  rp__dp_printf(d,
					"FOREIGN KEY not created while replicating "
					"(detach_replica adds them): %s",
					text));
		al->changed |= rp__dp_fk_index(d, al->t, &c->fk);
		return;
	case RP__AL_ADD_CHECK:
		rp__dp_part(d, "ADD CHECK");
		rp__dp_fx(d, RP__FX_NOTE, al->schema, al->t->name,
			  rp__dp_printf(d, "CHECK (%s) left out",
					c->check.expr ? c->check.expr : text));
		return;
	case RP__AL_DROP_FOREIGN_KEY:
	case RP__AL_DROP_CHECK:
		/* a CHECK or a foreign key is never created; DROP CONSTRAINT
		 * may name a key */
		if (c->op == RP__AL_DROP_CHECK && drop_constraint_key(al, c))
			return;
		rp__dp_part(d, "%s", text);
		return;
	case RP__AL_CONVERT_CHARSET:
		rp__al_convert(al, c);
		return;
	case RP__AL_OPTION:
		rp__dp_part(d, "%s", text);
		rp__al_partition(al, text);
		return;
	case RP__AL_SET_VISIBLE:
	default:
		rp__dp_part(d, "%s", text);
		return;
	}
}

/* CONVERT TO CHARACTER SET: PostgreSQL holds text in UTF-8 whatever
 * MySQL's charset, so nothing changes unless MySQL changed the values:
 * characters the new charset lacks become '?' outside strict mode, and
 * binary turns text into bytes of the old charset. */
void rp__al_convert(struct rp__al *al, const struct rp__ddl_alter *c)
{
	static const char *const full[] = {"utf8mb4", "utf16", "utf16le", "utf32",
					   "gb18030"};
	const char *cs = c->charset ? c->charset : "";
	rp__dp_part(al->d, "CONVERT TO CHARACTER SET %s", cs[0] ? cs : "DEFAULT");
	if (!strcasecmp(cs, "binary")) {
		rp__al_copy(al,
			    "CONVERT TO CHARACTER SET binary: text columns become bytes");
		return;
	}
	if (al->d->env->strict || rp__al_empty(al))
		return;
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		if (!strcasecmp(cs, full[i]))
			return;
	rp__al_copy(al,
		    rp__dp_printf(al->d,
				  "CONVERT TO CHARACTER SET %s outside strict mode: "
				  "characters it lacks became '?'",
				  cs));
}

/* ---- partition maintenance ---- */

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || (c & 0x80);
}

/* Whether the next word of *s is w (case-insensitive); past it if so.
 * What is between words (spaces, newlines, comment marks) is skipped. */
static bool next_is(const char **s, const char *w)
{
	const char *p = *s;
	while (*p && !word_char(*p) && *p != '`' && *p != '"')
		p++;
	size_t n = strlen(w);
	if (strncasecmp(p, w, n) || word_char(p[n]))
		return false;
	*s = p + n;
	return true;
}

/* A name at *s: bare, `quoted` or "quoted" (a doubled quote is one). */
static const char *name_at(struct rp__dp *d, const char **s)
{
	const char *p = *s;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	struct buf b;
	buf_init(&b, 0);
	if (*p == '`' || *p == '"') {
		char q = *p++;
		for (; *p; p++) {
			if (*p == q && p[1] != q)
				break;
			if (*p == q)
				p++;
			buf_putc(&b, *p);
		}
		if (*p != q) {
			buf_release(&b);
			return NULL;
		}
		p++;
	} else {
		for (; word_char(*p); p++)
			buf_putc(&b, *p);
	}
	const char *name = b.n ? rp__dp_strdup(d, buf_cstr(&b)) : NULL;
	buf_release(&b);
	*s = p;
	return name;
}

/* [schema.]table at *s into *out; false when there is none. */
static bool table_at(struct rp__dp *d, const char *s, struct rp__ddl_name *out)
{
	const char *a = name_at(d, &s);
	if (!a)
		return false;
	out->schema = NULL;
	out->name = a;
	if (*s == '.') {
		s++;
		const char *b = name_at(d, &s);
		if (!b)
			return false;
		out->schema = a;
		out->name = b;
	}
	return true;
}

/* The rest of *s after the words w1 w2 found further on, or NULL. */
static const char *after_words(const char *s, const char *w1, const char *w2)
{
	for (const char *p = s; *p; p++) {
		if (p > s && word_char(p[-1]))
			continue;
		const char *q = p;
		if (next_is(&q, w1) && next_is(&q, w2))
			return q;
	}
	return NULL;
}

void rp__al_partition(struct rp__al *al, const char *text)
{
	struct rp__dp *d = al->d;
	const char *s = text;
	/* what is removed from a table without rows is nothing; what comes
	 * in from another table is rows all the same */
	bool empty = rp__al_empty(al);
	if (!empty && next_is(&s, "TRUNCATE") && next_is(&s, "PARTITION")) {
		rp__al_copy(al, "TRUNCATE PARTITION removes rows without row events");
		return;
	}
	s = text;
	if (!empty && next_is(&s, "DROP") && next_is(&s, "PARTITION")) {
		rp__al_copy(al, "DROP PARTITION removes rows without row events");
		return;
	}
	s = text;
	if (next_is(&s, "EXCHANGE") && next_is(&s, "PARTITION")) {
		rp__al_copy(al, "EXCHANGE PARTITION swaps rows with another table "
				"without row events");
		const char *w = after_words(s, "WITH", "TABLE");
		if (w && table_at(d, w, &al->other))
			al->other_fx = RP__FX_COPY;
		return;
	}
	s = text;
	if (!next_is(&s, "CONVERT"))
		return;
	/* MariaDB 10.7: CONVERT PARTITION p TO TABLE t, CONVERT TABLE t TO
	 * PARTITION p ... */
	const char *p = s;
	if (next_is(&p, "PARTITION")) {
		rp__al_copy(al, "CONVERT PARTITION moves rows into another table "
				"without row events");
		const char *w = after_words(p, "TO", "TABLE");
		if (w && table_at(d, w, &al->other))
			al->other_fx = RP__FX_COPY;
		return;
	}
	p = s;
	if (next_is(&p, "TABLE")) {
		rp__al_copy(al, "CONVERT TABLE moves another table's rows in without "
				"row events");
		if (table_at(d, p, &al->other))
			al->other_fx = RP__FX_DROPPED;
	}
}
