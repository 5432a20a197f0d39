/*
 * CREATE TABLE: column and key definitions, foreign keys, checks, table
 * options, partitioning (read over, balanced), LIKE and AS SELECT; and the
 * key, foreign key, check and table option readers ALTER TABLE shares.
 */
#include <string.h>

#include "replay/ddl_parse_int.h"

static bool is_index_type(struct rp__ps *p, unsigned k)
{
	return rp__peek_is(p, k, "BTREE") || rp__peek_is(p, k, "HASH") ||
	       rp__peek_is(p, k, "RTREE");
}

static const char *upper_word(struct rp__ps *p)
{
	const struct rp__tok *t = rp__cur(p);
	char s[8];
	size_t n = t->n < sizeof(s) ? t->n : sizeof(s) - 1;
	for (size_t i = 0; i < n; i++)
		s[i] = t->s[i] >= 'a' && t->s[i] <= 'z' ? (char)(t->s[i] - 'a' + 'A') : t->s[i];
	rp__adv(p);
	return arena_strndup(p->a, s, n);
}

void rp__parse_index_options(struct rp__ps *p, struct rp__ddl_index *ix)
{
	for (;;) {
		if ((rp__is(p, "USING") || rp__is(p, "TYPE")) && is_index_type(p, 1)) {
			rp__adv(p);
			ix->index_type = upper_word(p);
		} else if (rp__accept(p, "KEY_BLOCK_SIZE")) {
			rp__opt_eq(p);
			(void)rp__ulong(p, "a block size");
		} else if (rp__accept(p, "COMMENT")) {
			ix->comment = rp__string(p, "a quoted comment", NULL);
		} else if (rp__accept(p, "VISIBLE")) {
			ix->invisible = false;
		} else if (rp__accept(p, "INVISIBLE") || rp__accept(p, "IGNORED")) {
			ix->invisible = true;
		} else if (rp__is(p, "NOT") && rp__peek_is(p, 1, "IGNORED")) {
			rp__adv(p);
			rp__adv(p);
			ix->invisible = false;
		} else if (rp__is(p, "WITH") && rp__peek_is(p, 1, "PARSER")) {
			rp__adv(p);
			rp__adv(p);
			(void)rp__ident(p, "a parser name");
		} else if (rp__accept(p, "ENGINE_ATTRIBUTE") ||
			   rp__accept(p, "SECONDARY_ENGINE_ATTRIBUTE")) {
			rp__opt_eq(p);
			(void)rp__string(p, "a quoted value", NULL);
		} else if (rp__is(p, "CLUSTERING") && rp__is_punct_at(p, 1, "=")) {
			rp__adv(p);
			rp__adv(p);
			(void)rp__ident(p, "YES or NO");
		} else if (ix->vector && rp__accept(p, "M")) {
			/* MariaDB's vector index: M=n DISTANCE=euclidean|cosine */
			rp__opt_eq(p);
			(void)rp__ulong(p, "a number of neighbours");
		} else if (ix->vector && rp__accept(p, "DISTANCE")) {
			rp__opt_eq(p);
			(void)rp__ident(p, "a distance function");
		} else {
			return;
		}
	}
}

void rp__parse_key_parts(struct rp__ps *p, struct rp__ddl_index *ix)
{
	size_t cap = 0;
	rp__expect_punct(p, "(");
	do {
		ix->cols = rp__push(p, ix->cols, &ix->ncols, &cap, sizeof(*ix->cols),
				    "too many key parts");
		if (p->rc)
			return;
		struct rp__ddl_index_col *kc = &ix->cols[ix->ncols - 1];
		if (rp__is_punct(p, "(")) {
			kc->expr = rp__paren_text(p);
		} else {
			kc->name = rp__ident(p, "a column name or (expression)");
			if (rp__accept_punct(p, "(")) {
				unsigned long v = rp__ulong(p, "a prefix length");
				kc->prefix = v > 65535 ? 65535 : (unsigned)v;
				rp__expect_punct(p, ")");
			}
		}
		if (rp__accept(p, "DESC"))
			kc->desc = true;
		else
			rp__accept(p, "ASC");
		/* MariaDB application-time periods: p WITHOUT OVERLAPS */
		if (rp__is(p, "WITHOUT") && rp__peek_is(p, 1, "OVERLAPS")) {
			rp__adv(p);
			rp__adv(p);
			ix->without_overlaps = true;
		}
	} while (rp__accept_punct(p, ","));
	rp__expect_punct(p, ")");
}

void rp__parse_index_def(struct rp__ps *p, struct rp__ddl_index *ix, const char *constraint)
{
	if (rp__accept(p, "PRIMARY")) {
		rp__expect(p, "KEY");
		ix->primary = true;
	} else if (rp__accept(p, "UNIQUE")) {
		ix->unique = true;
		if (!rp__accept(p, "INDEX"))
			rp__accept(p, "KEY");
	} else if (rp__is(p, "FULLTEXT") || rp__is(p, "SPATIAL") ||
		   rp__starts_vector_index(p)) {
		ix->fulltext = rp__is(p, "FULLTEXT");
		ix->spatial = rp__is(p, "SPATIAL");
		ix->vector = rp__is(p, "VECTOR");
		rp__adv(p);
		if (!rp__accept(p, "INDEX"))
			rp__accept(p, "KEY");
	} else if (!rp__accept(p, "INDEX") && !rp__accept(p, "KEY")) {
		rp__fail(p, "INDEX or KEY");
		return;
	}
	ix->if_not_exists = rp__if_not_exists(p);
	const char *name = NULL;
	if (!rp__is_punct(p, "(") && !rp__is(p, "USING") &&
	    !(rp__is(p, "TYPE") && is_index_type(p, 1)))
		name = rp__ident(p, "an index name or '('");
	/* the primary key is always PRIMARY; a name given to it is dropped */
	ix->name = ix->primary ? NULL : name ? name : constraint;
	rp__parse_index_options(p, ix);
	rp__parse_key_parts(p, ix);
	rp__parse_index_options(p, ix);
}

/* ( name, ... ) */
static const char *const *name_list(struct rp__ps *p, size_t *n, const char *what)
{
	const char **v = NULL;
	size_t cap = 0;
	*n = 0;
	rp__expect_punct(p, "(");
	do {
		const char *s = rp__ident(p, what);
		v = rp__push(p, v, n, &cap, sizeof(*v), "too many columns");
		if (p->rc)
			return v;
		v[*n - 1] = s;
	} while (rp__accept_punct(p, ","));
	rp__expect_punct(p, ")");
	return v;
}

/* RESTRICT | CASCADE | SET NULL | SET DEFAULT | NO ACTION */
static const char *ref_action(struct rp__ps *p)
{
	if (rp__accept(p, "RESTRICT"))
		return "RESTRICT";
	if (rp__accept(p, "CASCADE"))
		return "CASCADE";
	if (rp__is(p, "SET") && rp__peek_is(p, 1, "NULL")) {
		rp__adv(p);
		rp__adv(p);
		return "SET NULL";
	}
	if (rp__is(p, "SET") && rp__peek_is(p, 1, "DEFAULT")) {
		rp__adv(p);
		rp__adv(p);
		return "SET DEFAULT";
	}
	if (rp__is(p, "NO") && rp__peek_is(p, 1, "ACTION")) {
		rp__adv(p);
		rp__adv(p);
		return "NO ACTION";
	}
	rp__fail(p, "RESTRICT, CASCADE, SET NULL, SET DEFAULT or NO ACTION");
	return NULL;
}

void rp__parse_references(struct rp__ps *p, struct rp__ddl_fkey *fk)
{
	rp__expect(p, "REFERENCES");
	rp__table_name(p, &fk->ref);
	if (rp__is_punct(p, "("))
		fk->ref_cols = name_list(p, &fk->nref, "a referenced column name");
	for (;;) {
		if (rp__accept(p, "MATCH")) {
			(void)rp__ident(p, "FULL, PARTIAL or SIMPLE");
		} else if (rp__is(p, "ON") && rp__peek_is(p, 1, "DELETE")) {
			rp__adv(p);
			rp__adv(p);
			fk->on_delete = ref_action(p);
		} else if (rp__is(p, "ON") && rp__peek_is(p, 1, "UPDATE")) {
			rp__adv(p);
			rp__adv(p);
			fk->on_update = ref_action(p);
		} else {
			return;
		}
	}
}

void rp__parse_fkey_def(struct rp__ps *p, struct rp__ddl_fkey *fk, const char *constraint)
{
	rp__expect(p, "FOREIGN");
	rp__expect(p, "KEY");
	(void)rp__if_not_exists(p);
	const char *index_name = NULL;
	if (!rp__is_punct(p, "("))
		index_name = rp__ident(p, "a key name or '('");
	fk->name = constraint ? constraint : index_name;
	fk->cols = name_list(p, &fk->ncols, "a column name");
	rp__parse_references(p, fk);
}

void rp__parse_check_def(struct rp__ps *p, struct rp__ddl_check *ck, const char *constraint)
{
	rp__expect(p, "CHECK");
	ck->name = constraint;
	ck->expr = rp__paren_text(p);
	if (rp__is(p, "NOT") && rp__peek_is(p, 1, "ENFORCED")) {
		rp__adv(p);
		rp__adv(p);
		ck->not_enforced = true;
	} else {
		rp__accept(p, "ENFORCED");
	}
}

/* ---- table options ---- */

/* Options written "NAME [=] value" without '=' required (MySQL's list). */
static const char *const value_options[] = {
	"AUTOEXTEND_SIZE", "AUTO_INCREMENT", "AVG_ROW_LENGTH", "CHECKSUM",
	"TABLE_CHECKSUM", "COMPRESSION", "CONNECTION", "DELAY_KEY_WRITE",
	"ENCRYPTION", "ENGINE_ATTRIBUTE", "INSERT_METHOD", "KEY_BLOCK_SIZE",
	"MAX_ROWS", "MIN_ROWS", "PACK_KEYS", "PASSWORD", "ROW_FORMAT",
	"SECONDARY_ENGINE", "SECONDARY_ENGINE_ATTRIBUTE", "STATS_AUTO_RECALC",
	"STATS_PERSISTENT", "STATS_SAMPLE_PAGES", "ENCRYPTED",
	"ENCRYPTION_KEY_ID", "PAGE_CHECKSUM", "PAGE_COMPRESSED",
	"PAGE_COMPRESSION_LEVEL", "TRANSACTIONAL", "IETF_QUOTES", "SEQUENCE",
	NULL,
};

static bool charset_option(struct rp__ps *p, struct rp__table_opts *o)
{
	unsigned k = rp__is(p, "DEFAULT") ? 1 : 0;
	if (rp__peek_is(p, k, "CHARACTER") && rp__peek_is(p, k + 1, "SET")) {
		k += 2;
	} else if (rp__peek_is(p, k, "CHARSET") || rp__peek_is(p, k, "COLLATE")) {
		k += 1;
	} else {
		return false;
	}
	bool collate = rp__peek_is(p, k - 1, "COLLATE");
	while (k--)
		rp__adv(p);
	rp__opt_eq(p);
	const char *v = rp__word_or_string(p, collate ? "a collation name"
						      : "a character set name");
	if (collate)
		o->collation = v;
	else
		o->charset = v;
	return true;
}

static bool named_option(struct rp__ps *p, struct rp__table_opts *o)
{
	if (rp__is(p, "ENGINE") || (rp__is(p, "TYPE") && rp__is_punct_at(p, 1, "="))) {
		rp__adv(p);
		rp__opt_eq(p);
		o->engine = rp__word_or_string(p, "an engine name");
	} else if (rp__accept(p, "COMMENT")) {
		rp__opt_eq(p);
		o->comment = rp__string(p, "a quoted comment", NULL);
	} else if (rp__accept(p, "UNION")) {
		/* MERGE tables: UNION [=] ([db.]t, ...), empty to detach them */
		rp__opt_eq(p);
		rp__expect_punct(p, "(");
		if (!rp__is_punct(p, ")")) {
			struct rp__ddl_name nm;
			do
				rp__table_name(p, &nm);
			while (rp__accept_punct(p, ","));
		}
		rp__expect_punct(p, ")");
	} else if ((rp__is(p, "DATA") || rp__is(p, "INDEX")) &&
		   rp__peek_is(p, 1, "DIRECTORY")) {
		rp__adv(p);
		rp__adv(p);
		rp__opt_eq(p);
		(void)rp__string(p, "a quoted directory", NULL);
	} else if (rp__is(p, "START") && rp__peek_is(p, 1, "TRANSACTION")) {
		rp__adv(p);
		rp__adv(p);
	} else if (rp__is(p, "WITH") && rp__peek_is(p, 1, "SYSTEM")) {
		rp__adv(p);
		rp__adv(p);
		rp__expect(p, "VERSIONING");
	} else if (rp__accept(p, "TABLESPACE")) {
		rp__opt_eq(p);
		(void)rp__ident(p, "a tablespace name");
		if (rp__accept(p, "STORAGE"))
			(void)rp__ident(p, "DISK or MEMORY");
	} else if (rp__accept(p, "STORAGE")) {
		(void)rp__ident(p, "DISK or MEMORY");
	} else {
		return false;
	}
	return true;
}

bool rp__parse_table_option(struct rp__ps *p, struct rp__table_opts *o)
{
	if (p->rc)
		return false;
	if (charset_option(p, o) || named_option(p, o))
		return true;
	const struct rp__tok *t = rp__cur(p);
	/* MySQL 8's CREATE DATABASE ... DEFAULT ENCRYPTION = 'N' */
	unsigned k = rp__is(p, "DEFAULT") && rp__peek_is(p, 1, "ENCRYPTION") ? 1 : 0;
	bool known = false;
	for (size_t i = 0; value_options[i] && !known; i++)
		known = rp__peek_is(p, k, value_options[i]);
	/* MariaDB's engine-defined options: any name = value, the name
	 * backquoted as SHOW CREATE TABLE writes it (`PAGE_COMPRESSED`='ON') */
	if (!known && !((t->kind == RP__TK_WORD || t->kind == RP__TK_NAME) &&
			rp__is_punct_at(p, 1, "=")))
		return false;
	while (k--)
		rp__adv(p);
	rp__adv(p);
	rp__opt_eq(p);
	(void)rp__word_or_string(p, "an option value");
	return true;
}

bool rp__starts_vector_index(struct rp__ps *p)
{
	return rp__is(p, "VECTOR") &&
	       (rp__peek_is(p, 1, "INDEX") || rp__peek_is(p, 1, "KEY"));
}

bool rp__starts_partitioning(struct rp__ps *p)
{
	return rp__is(p, "PARTITION") && rp__peek_is(p, 1, "BY");
}

void rp__skip_partitioning(struct rp__ps *p)
{
	static const char *const stop[] = {"AS", "SELECT", "IGNORE", "REPLACE", "WITH",
					   "TABLE", "VALUES", NULL};
	rp__skip_until(p, stop);
}

/* ---- CREATE TABLE ---- */

static bool starts_query(struct rp__ps *p, unsigned k)
{
	return rp__peek_is(p, k, "SELECT") || rp__peek_is(p, k, "WITH") ||
	       rp__peek_is(p, k, "VALUES") || rp__peek_is(p, k, "TABLE") ||
	       rp__is_punct_at(p, k, "(");
}

/* The query of CREATE TABLE ... AS SELECT: its rows follow as row events. */
static void skip_query(struct rp__ps *p)
{
	p->st->as_select = true;
	while (!p->rc && !rp__at_end(p)) {
		if (rp__cur(p)->kind == RP__TK_BAD)
			rp__fail(p, "the end of the query");
		rp__adv(p);
	}
}

struct caps {
	size_t cols, idx, fk, checks;
};

static void definition(struct rp__ps *p, struct caps *cp)
{
	struct rp__ddl_stmt *st = p->st;
	const char *constraint = NULL;
	bool has_constraint = false;
	if (rp__accept(p, "CONSTRAINT")) {
		has_constraint = true;
		if (!rp__is(p, "PRIMARY") && !rp__is(p, "UNIQUE") && !rp__is(p, "FOREIGN") &&
		    !rp__is(p, "CHECK"))
			constraint = rp__ident(p, "a constraint name");
	}
	if (rp__is(p, "PRIMARY") || rp__is(p, "UNIQUE") ||
	    (!has_constraint && (rp__is(p, "INDEX") || rp__is(p, "KEY") ||
				 rp__is(p, "FULLTEXT") || rp__is(p, "SPATIAL") ||
				 rp__starts_vector_index(p)))) {
		st->idx = rp__push(p, st->idx, &st->nidx, &cp->idx, sizeof(*st->idx),
				   "too many keys");
		if (!p->rc)
			rp__parse_index_def(p, &st->idx[st->nidx - 1], constraint);
	} else if (rp__is(p, "FOREIGN")) {
		st->fk = rp__push(p, st->fk, &st->nfk, &cp->fk, sizeof(*st->fk),
				  "too many foreign keys");
		if (!p->rc)
			rp__parse_fkey_def(p, &st->fk[st->nfk - 1], constraint);
	} else if (rp__is(p, "CHECK")) {
		st->checks = rp__push(p, st->checks, &st->nchecks, &cp->checks,
				      sizeof(*st->checks), "too many checks");
		if (!p->rc)
			rp__parse_check_def(p, &st->checks[st->nchecks - 1], constraint);
	} else if (has_constraint) {
		rp__fail(p, "PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK");
	} else if (rp__is(p, "PERIOD") && rp__peek_is(p, 1, "FOR")) {
		/* MariaDB: PERIOD FOR name (start, end); nothing to replicate */
		size_t n;
		rp__adv(p);
		rp__adv(p);
		(void)rp__ident(p, "a period name");
		(void)name_list(p, &n, "a column name");
	} else {
		st->cols = rp__push(p, st->cols, &st->ncols, &cp->cols, sizeof(*st->cols),
				    "too many columns");
		if (!p->rc)
			rp__parse_column_def(p, &st->cols[st->ncols - 1]);
	}
}

void rp__parse_create_table(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	st->if_not_exists = rp__if_not_exists(p);
	rp__table_name(p, &st->table);
	if (rp__accept(p, "LIKE")) {
		rp__table_name(p, &st->like);
		return;
	}
	if (rp__is_punct(p, "(") && rp__peek_is(p, 1, "LIKE")) {
		rp__adv(p);
		rp__adv(p);
		rp__table_name(p, &st->like);
		rp__expect_punct(p, ")");
		return;
	}
	if (rp__is_punct(p, "(") && starts_query(p, 1)) {
		skip_query(p);
		return;
	}
	if (rp__accept_punct(p, "(")) {
		struct caps cp = {0};
		do
			definition(p, &cp);
		while (rp__accept_punct(p, ","));
		rp__expect_punct(p, ")");
	}
	struct rp__table_opts o = {0};
	while (rp__parse_table_option(p, &o))
		rp__accept_punct(p, ",");
	st->charset = o.charset;
	st->collation = o.collation;
	st->engine = o.engine;
	st->comment = o.comment;
	if (rp__starts_partitioning(p))
		rp__skip_partitioning(p);
	if (!rp__accept(p, "IGNORE"))
		rp__accept(p, "REPLACE");
	rp__accept(p, "AS");
	if (starts_query(p, 0))
		skip_query(p);
}
