/*
 * ALTER TABLE: any number of clauses, each one rp__ddl_alter (ADD COLUMN
 * (a, b) makes one per column), with MariaDB's IF [NOT] EXISTS.  Table
 * options, ALGORITHM, LOCK, FORCE and the like are RP__AL_OPTION;
 * partition maintenance, which MySQL allows only as the last clause,
 * is one RP__AL_OPTION over the rest of the statement.
 */
#include <string.h>

#include "replay/ddl_parse_int.h"

static struct rp__ddl_alter *new_op(struct rp__ps *p, size_t *cap, enum rp__ddl_alter_op op)
{
	struct rp__ddl_stmt *st = p->st;
	st->alter = rp__push(p, st->alter, &st->nalter, cap, sizeof(*st->alter),
			     "too many clauses");
	if (p->rc)	/* a place to write into, thrown away */
		return arena_calloc(p->a, 1, sizeof(*st->alter));
	struct rp__ddl_alter *al = &st->alter[st->nalter - 1];
	al->op = op;
	return al;
}

/* [CONSTRAINT [name]] PRIMARY KEY | UNIQUE | INDEX | KEY | FULLTEXT |
 * SPATIAL | FOREIGN KEY | CHECK ... */
static void add_constraint(struct rp__ps *p, size_t *cap)
{
	const char *constraint = NULL;
	bool has_constraint = rp__accept(p, "CONSTRAINT");
	bool ine = false;
	if (has_constraint) {
		ine = rp__if_not_exists(p);
		if (!rp__is(p, "PRIMARY") && !rp__is(p, "UNIQUE") && !rp__is(p, "FOREIGN") &&
		    !rp__is(p, "CHECK"))
			constraint = rp__ident(p, "a constraint name");
	}
	if (rp__is(p, "FOREIGN")) {
		struct rp__ddl_alter *al = new_op(p, cap, RP__AL_ADD_FOREIGN_KEY);
		al->if_not_exists = ine || (rp__peek_is(p, 2, "IF"));
		rp__parse_fkey_def(p, &al->fk, constraint);
		al->name = al->fk.name;
	} else if (rp__is(p, "CHECK")) {
		struct rp__ddl_alter *al = new_op(p, cap, RP__AL_ADD_CHECK);
		rp__parse_check_def(p, &al->check, constraint);
		al->name = al->check.name;
	} else if (rp__is(p, "PRIMARY") || rp__is(p, "UNIQUE") ||
		   (!has_constraint && (rp__is(p, "INDEX") || rp__is(p, "KEY") ||
					rp__is(p, "FULLTEXT") || rp__is(p, "SPATIAL") ||
					rp__starts_vector_index(p)))) {
		struct rp__ddl_alter *al = new_op(p, cap, RP__AL_ADD_INDEX);
		rp__parse_index_def(p, &al->idx, constraint);
		al->idx.if_not_exists = al->idx.if_not_exists || ine;
		al->if_not_exists = al->idx.if_not_exists;
		al->name = al->idx.name;
	} else {
		rp__fail(p, "PRIMARY KEY, UNIQUE, INDEX, FOREIGN KEY or CHECK");
	}
}

static bool starts_constraint(struct rp__ps *p)
{
	static const char *const kw[] = {"CONSTRAINT", "PRIMARY", "UNIQUE", "INDEX", "KEY",
					 "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK", NULL};
	for (size_t i = 0; kw[i]; i++)
		if (rp__is(p, kw[i]))
			return true;
	return rp__starts_vector_index(p);
}

/* MariaDB's PERIOD [IF [NOT] EXISTS] FOR (a column may be named period:
 * ADD period INT) */
static bool starts_period(struct rp__ps *p)
{
	return rp__is(p, "PERIOD") &&
	       (rp__peek_is(p, 1, "FOR") || rp__peek_is(p, 1, "IF"));
}

/* ADD PERIOD [IF NOT EXISTS] FOR name (start, end): the columns stay,
 * the period is nothing PostgreSQL keeps */
static void add_period(struct rp__ps *p, size_t *cap)
{
	struct rp__ddl_alter *al = new_op(p, cap, RP__AL_OPTION);
	rp__adv(p);
	al->if_not_exists = rp__if_not_exists(p);
	rp__expect(p, "FOR");
	al->name = rp__ident(p, "a period name");
	rp__expect_punct(p, "(");
	(void)rp__ident(p, "a start column");
	rp__expect_punct(p, ",");
	(void)rp__ident(p, "an end column");
	rp__expect_punct(p, ")");
}

static void add_column(struct rp__ps *p, size_t *cap, bool ine)
{
	struct rp__ddl_alter *al = new_op(p, cap, RP__AL_ADD_COLUMN);
	al->if_not_exists = ine;
	rp__parse_column_def(p, &al->col);
	al->name = al->col.name;
}

/* ADD [COLUMN] [IF NOT EXISTS] col def | ADD [COLUMN] (col def, ...) */
static void add_columns(struct rp__ps *p, size_t *cap)
{
	bool ine = rp__if_not_exists(p);
	if (!rp__accept_punct(p, "(")) {
		add_column(p, cap, ine);
		return;
	}
	do {
		if (starts_constraint(p))
			add_constraint(p, cap);
		else
			add_column(p, cap, ine);
	} while (rp__accept_punct(p, ","));
	rp__expect_punct(p, ")");
}

/* The rest of the statement as one option (partition maintenance). */
static void rest_as_option(struct rp__ps *p, size_t *cap)
{
	(void)new_op(p, cap, RP__AL_OPTION);
	static const char *const stop[] = {NULL};
	rp__skip_until(p, stop);
	if (rp__is_punct(p, ")"))
		rp__fail(p, "end of statement");
}

static bool partition_clause(struct rp__ps *p)
{
	static const char *const verbs[] = {
		"ADD", "DROP", "DISCARD", "IMPORT", "TRUNCATE", "COALESCE",
		"REORGANIZE", "EXCHANGE", "ANALYZE", "CHECK", "OPTIMIZE",
		"REBUILD", "REPAIR", "CONVERT", NULL,
	};
	if (rp__starts_partitioning(p) || rp__is(p, "PARTITIONS"))
		return true;
	if ((rp__is(p, "REMOVE") || rp__is(p, "UPGRADE")) && rp__peek_is(p, 1, "PARTITIONING"))
		return true;
	if (rp__is(p, "CONVERT") && rp__peek_is(p, 1, "TABLE"))	/* MariaDB 10.7 */
		return true;
	for (size_t i = 0; verbs[i]; i++)
		if (rp__is(p, verbs[i]) && rp__peek_is(p, 1, "PARTITION"))
			return true;
	return false;
}

static void drop_clause(struct rp__ps *p, size_t *cap)
{
	struct rp__ddl_alter *al;
	rp__adv(p);
	if (rp__is(p, "PRIMARY") && rp__peek_is(p, 1, "KEY")) {
		rp__adv(p);
		rp__adv(p);
		(void)new_op(p, cap, RP__AL_DROP_PRIMARY_KEY);
		return;
	}
	if (rp__accept(p, "INDEX") || rp__accept(p, "KEY")) {
		al = new_op(p, cap, RP__AL_DROP_INDEX);
	} else if (rp__is(p, "FOREIGN") && rp__peek_is(p, 1, "KEY")) {
		rp__adv(p);
		rp__adv(p);
		al = new_op(p, cap, RP__AL_DROP_FOREIGN_KEY);
	} else if (rp__accept(p, "CHECK") || rp__accept(p, "CONSTRAINT")) {
		al = new_op(p, cap, RP__AL_DROP_CHECK);
	} else if (starts_period(p)) {
		/* MariaDB: DROP PERIOD [IF EXISTS] FOR name */
		al = new_op(p, cap, RP__AL_OPTION);
		rp__adv(p);
		al->if_exists = rp__if_exists(p);
		rp__expect(p, "FOR");
		al->name = rp__ident(p, "a period name");
		return;
	} else if (rp__is(p, "SYSTEM") && rp__peek_is(p, 1, "VERSIONING")) {
		(void)new_op(p, cap, RP__AL_OPTION);
		rp__adv(p);
		rp__adv(p);
		return;
	} else {
		rp__accept(p, "COLUMN");
		al = new_op(p, cap, RP__AL_DROP_COLUMN);
	}
	al->if_exists = rp__if_exists(p);
	al->name = rp__ident(p, "a name");
	if (al->op == RP__AL_DROP_COLUMN && !rp__accept(p, "RESTRICT"))
		rp__accept(p, "CASCADE");
}

/* MODIFY [COLUMN] [IF EXISTS] col def / CHANGE [COLUMN] [IF EXISTS] old col def */
static void modify_clause(struct rp__ps *p, size_t *cap, bool change)
{
	rp__adv(p);
	rp__accept(p, "COLUMN");
	struct rp__ddl_alter *al =
		new_op(p, cap, change ? RP__AL_CHANGE_COLUMN : RP__AL_MODIFY_COLUMN);
	al->if_exists = rp__if_exists(p);
	if (change)
		al->name = rp__ident(p, "a column name");
	rp__parse_column_def(p, &al->col);
	if (!change)
		al->name = al->col.name;
}

/* ALTER [COLUMN] c SET DEFAULT x | DROP DEFAULT | SET [IN]VISIBLE;
 * ALTER INDEX i [IN]VISIBLE; ALTER CHECK|CONSTRAINT c [NOT] ENFORCED */
static void alter_clause(struct rp__ps *p, size_t *cap)
{
	rp__adv(p);
	if ((rp__is(p, "INDEX") || rp__is(p, "KEY") || rp__is(p, "CHECK") ||
	     rp__is(p, "CONSTRAINT")) && !rp__is_punct_at(p, 1, ",")) {
		/* nothing PostgreSQL keeps: index visibility, enforcement */
		struct rp__ddl_alter *al = new_op(p, cap, RP__AL_OPTION);
		rp__adv(p);
		al->name = rp__ident(p, "a name");
		while (rp__accept(p, "NOT") || rp__accept(p, "VISIBLE") ||
		       rp__accept(p, "INVISIBLE") || rp__accept(p, "IGNORED") ||
		       rp__accept(p, "ENFORCED"))
			;
		return;
	}
	rp__accept(p, "COLUMN");
	bool ie = rp__if_exists(p);
	const char *name = rp__ident(p, "a column name");
	struct rp__ddl_alter *al;
	if (rp__is(p, "SET") && rp__peek_is(p, 1, "DEFAULT")) {
		rp__adv(p);
		rp__adv(p);
		al = new_op(p, cap, RP__AL_SET_DEFAULT);
		rp__parse_default(p, &al->col);
	} else if (rp__is(p, "DROP") && rp__peek_is(p, 1, "DEFAULT")) {
		rp__adv(p);
		rp__adv(p);
		al = new_op(p, cap, RP__AL_DROP_DEFAULT);
	} else if (rp__is(p, "SET") &&
		   (rp__peek_is(p, 1, "VISIBLE") || rp__peek_is(p, 1, "INVISIBLE"))) {
		rp__adv(p);
		al = new_op(p, cap, RP__AL_SET_VISIBLE);
		al->visible = rp__is(p, "VISIBLE");
		rp__adv(p);
	} else {
		rp__fail(p, "SET DEFAULT, DROP DEFAULT or SET VISIBLE|INVISIBLE");
		return;
	}
	al->if_exists = ie;
	al->name = name;
	al->col.name = name;
}

static void rename_clause(struct rp__ps *p, size_t *cap)
{
	struct rp__ddl_alter *al;
	rp__adv(p);
	if (rp__accept(p, "COLUMN")) {
		al = new_op(p, cap, RP__AL_RENAME_COLUMN);
	} else if (rp__accept(p, "INDEX") || rp__accept(p, "KEY")) {
		al = new_op(p, cap, RP__AL_RENAME_INDEX);
	} else {
		if (!rp__accept(p, "TO") && !rp__accept(p, "AS"))
			rp__accept_punct(p, "=");
		al = new_op(p, cap, RP__AL_RENAME_TABLE);
		rp__table_name(p, &al->new_table);
		return;
	}
	al->if_exists = rp__if_exists(p);
	al->name = rp__ident(p, "a name");
	rp__expect(p, "TO");
	al->new_name = rp__ident(p, "a new name");
}

/* CONVERT TO CHARACTER SET x [COLLATE y] */
static void convert_clause(struct rp__ps *p, size_t *cap)
{
	rp__adv(p);
	rp__expect(p, "TO");
	if (rp__is(p, "CHARACTER") && rp__peek_is(p, 1, "SET"))
		rp__adv(p);
	else if (!rp__is(p, "CHARSET"))
		rp__fail(p, "CHARACTER SET");
	rp__adv(p);
	struct rp__ddl_alter *al = new_op(p, cap, RP__AL_CONVERT_CHARSET);
	rp__opt_eq(p);
	al->charset = rp__word_or_string(p, "a character set name");
	if (rp__accept(p, "COLLATE")) {
		rp__opt_eq(p);
		al->collation = rp__word_or_string(p, "a collation name");
	}
}

/* Clauses that change nothing PostgreSQL has; false if none starts here. */
static bool option_clause(struct rp__ps *p, size_t *cap)
{
	struct rp__ddl_stmt *st = p->st;
	if ((rp__is(p, "ENABLE") || rp__is(p, "DISABLE")) && rp__peek_is(p, 1, "KEYS")) {
		rp__adv(p);
	} else if ((rp__is(p, "DISCARD") || rp__is(p, "IMPORT")) &&
		   rp__peek_is(p, 1, "TABLESPACE")) {
		rp__adv(p);
	} else if ((rp__is(p, "WITH") || rp__is(p, "WITHOUT")) &&
		   rp__peek_is(p, 1, "VALIDATION")) {
		rp__adv(p);
	} else if ((rp__is(p, "ALGORITHM") || rp__is(p, "LOCK")) &&
		   !rp__is_punct_at(p, 1, ",")) {
		rp__adv(p);
		rp__opt_eq(p);
	} else if (rp__is(p, "ORDER") && rp__peek_is(p, 1, "BY")) {
		rp__adv(p);
		rp__adv(p);
		do {
			(void)rp__ident(p, "a column name");
			if (!rp__accept(p, "ASC"))
				rp__accept(p, "DESC");
		} while (rp__accept_punct(p, ","));
		(void)new_op(p, cap, RP__AL_OPTION);
		return true;
	} else if (!rp__is(p, "FORCE") && !rp__is(p, "SECONDARY_LOAD") &&
		   !rp__is(p, "SECONDARY_UNLOAD")) {
		struct rp__table_opts o = {0};
		if (!rp__parse_table_option(p, &o))
			return false;
		struct rp__ddl_alter *al = new_op(p, cap, RP__AL_OPTION);
		al->charset = o.charset;
		al->collation = o.collation;
		if (o.charset)
			st->charset = o.charset;
		if (o.collation)
			st->collation = o.collation;
		if (o.engine)
			st->engine = o.engine;
		if (o.comment)
			st->comment = o.comment;
		return true;
	}
	rp__adv(p);
	(void)new_op(p, cap, RP__AL_OPTION);
	return true;
}

static void clause(struct rp__ps *p, size_t *cap)
{
	if (partition_clause(p)) {
		rest_as_option(p, cap);
	} else if (rp__accept(p, "ADD")) {
		if (starts_period(p)) {
			add_period(p, cap);
		} else if (rp__is(p, "SYSTEM") && rp__peek_is(p, 1, "VERSIONING")) {
			/* MariaDB: ADD SYSTEM VERSIONING */
			(void)new_op(p, cap, RP__AL_OPTION);
			rp__adv(p);
			rp__adv(p);
		} else if (starts_constraint(p)) {
			add_constraint(p, cap);
		} else {
			rp__accept(p, "COLUMN");
			add_columns(p, cap);
		}
	} else if (rp__is(p, "DROP")) {
		drop_clause(p, cap);
	} else if (rp__is(p, "MODIFY") || rp__is(p, "CHANGE")) {
		modify_clause(p, cap, rp__is(p, "CHANGE"));
	} else if (rp__is(p, "ALTER")) {
		alter_clause(p, cap);
	} else if (rp__is(p, "RENAME")) {
		rename_clause(p, cap);
	} else if (rp__is(p, "CONVERT") && rp__peek_is(p, 1, "TO")) {
		convert_clause(p, cap);
	} else if (!option_clause(p, cap)) {
		rp__fail(p, "an ALTER TABLE clause");
	}
}

void rp__parse_alter_table(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	size_t cap = 0;
	st->if_exists = rp__if_exists(p);
	rp__table_name(p, &st->table);
	rp__wait_option(p);
	/* Clauses are separated by commas; table options and partitioning
	 * may also follow each other without one, so none is required. */
	while (!p->rc && !rp__at_end(p) && !rp__is_punct(p, ";")) {
		size_t first = st->nalter, start = rp__cur(p)->off;
		clause(p, &cap);
		if (p->rc)
			return;
		const char *text = rp__src(p, start, p->last_end);
		for (size_t i = first; i < st->nalter; i++)
			st->alter[i].text = text;
		rp__accept_punct(p, ",");
	}
}
