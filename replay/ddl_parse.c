/*
 * rp__ddl_parse: a QUERY event's statement classified by its leading
 * keywords (after comments, executable comments and MariaDB's SET
 * STATEMENT ... FOR), and the statements that change tables parsed into
 * replay/ddl_int.h's structures: here the short ones (RENAME, DROP,
 * TRUNCATE, CREATE/DROP INDEX, CREATE/DROP DATABASE); CREATE TABLE and
 * ALTER TABLE have their own files.  Every other statement is only named.
 */
#include <string.h>

#include "replay/ddl_parse_int.h"

/* "create " + the object keyword, lowercased, for the log. */
static const char *what_of(struct rp__ps *p, const char *verb)
{
	const struct rp__tok *t = rp__cur(p);
	char buf[64];
	size_t k = 0;
	for (const char *s = verb; *s && k < 32; s++)
		buf[k++] = *s;
	if (t->kind == RP__TK_WORD) {
		if (k)
			buf[k++] = ' ';
		for (size_t i = 0; i < t->n && i < 24; i++) {
			char c = t->s[i];
			buf[k++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
	}
	return arena_strndup(p->a, buf, k);
}

/* user, 'user'@'host', `u`@`h`, CURRENT_USER[()] */
static void skip_user(struct rp__ps *p)
{
	if (rp__accept(p, "CURRENT_USER")) {
		if (rp__accept_punct(p, "("))
			rp__expect_punct(p, ")");
		return;
	}
	if (rp__cur(p)->kind == RP__TK_STRING)
		rp__adv(p);
	else
		(void)rp__ident(p, "a user name");
	if (rp__accept_punct(p, "@")) {
		if (rp__cur(p)->kind == RP__TK_STRING)
			rp__adv(p);
		else
			(void)rp__ident(p, "a host name");
	}
}

/* ALGORITHM = x, DEFINER = user, SQL SECURITY x of views and routines */
static bool object_modifier(struct rp__ps *p)
{
	if (rp__is(p, "ALGORITHM") && rp__is_punct_at(p, 1, "=")) {
		rp__adv(p);
		rp__adv(p);
		(void)rp__ident(p, "an algorithm");
		return true;
	}
	if (rp__is(p, "DEFINER") && rp__is_punct_at(p, 1, "=")) {
		rp__adv(p);
		rp__adv(p);
		skip_user(p);
		return true;
	}
	if (rp__is(p, "SQL") && rp__peek_is(p, 1, "SECURITY")) {
		rp__adv(p);
		rp__adv(p);
		(void)rp__ident(p, "DEFINER or INVOKER");
		return true;
	}
	return false;
}

static void create_index(struct rp__ps *p, bool unique, bool fulltext, bool spatial,
			 bool vector)
{
	struct rp__ddl_stmt *st = p->st;
	st->kind = RP__DS_CREATE_INDEX;
	st->what = "create index";
	rp__adv(p);
	st->if_not_exists = rp__if_not_exists(p);
	struct rp__ddl_index *ix = arena_calloc(p->a, 1, sizeof(*ix));
	st->idx = ix;
	st->nidx = 1;
	ix->unique = unique;
	ix->fulltext = fulltext;
	ix->spatial = spatial;
	ix->vector = vector;
	ix->if_not_exists = st->if_not_exists;
	ix->name = rp__ident(p, "an index name");
	rp__parse_index_options(p, ix);	/* USING BTREE before ON */
	rp__expect(p, "ON");
	rp__table_name(p, &st->table);
	rp__parse_key_parts(p, ix);
	for (;;) {
		rp__parse_index_options(p, ix);
		if (rp__accept(p, "ALGORITHM") || rp__accept(p, "LOCK")) {
			rp__opt_eq(p);
			(void)rp__ident(p, "a value");
		} else if (rp__is(p, "WAIT") || rp__is(p, "NOWAIT")) {
			rp__wait_option(p);
		} else {
			break;
		}
	}
}

static void create_database(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	st->kind = RP__DS_CREATE_DATABASE;
	st->what = "create database";
	rp__adv(p);
	st->if_not_exists = rp__if_not_exists(p);
	st->database = rp__ident(p, "a database name");
	struct rp__table_opts o = {0};
	while (rp__parse_table_option(p, &o))
		rp__accept_punct(p, ",");
	st->charset = o.charset;
	st->collation = o.collation;
	st->comment = o.comment;
}

static void parse_create(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	bool unique = false, fulltext = false, spatial = false, vector = false;
	rp__adv(p);
	for (;;) {
		if (rp__is(p, "OR") && rp__peek_is(p, 1, "REPLACE")) {
			rp__adv(p);
			rp__adv(p);
			st->or_replace = true;
		} else if (rp__accept(p, "TEMPORARY")) {
			st->temporary = true;
		} else if (rp__accept(p, "UNIQUE")) {
			unique = true;
		} else if (rp__accept(p, "FULLTEXT")) {
			fulltext = true;
		} else if (rp__accept(p, "SPATIAL")) {
			spatial = true;
		} else if (rp__starts_vector_index(p)) {
			rp__adv(p);
			vector = true;
		} else if (!rp__accept(p, "ONLINE") && !rp__accept(p, "OFFLINE") &&
			   !rp__accept(p, "AGGREGATE") && !object_modifier(p)) {
			break;
		}
	}
	if (rp__is(p, "TABLE")) {
		st->kind = RP__DS_CREATE_TABLE;
		st->what = "create table";
		rp__adv(p);
		rp__parse_create_table(p);
	} else if (rp__is(p, "INDEX")) {
		create_index(p, unique, fulltext, spatial, vector);
	} else if (rp__is(p, "DATABASE") || rp__is(p, "SCHEMA")) {
		create_database(p);
	} else {
		st->what = what_of(p, "create");
	}
}

static void drop_table(struct rp__ps *p, bool temporary)
{
	struct rp__ddl_stmt *st = p->st;
	st->kind = RP__DS_DROP_TABLE;
	st->what = "drop table";
	st->temporary = temporary;
	rp__adv(p);
	st->if_exists = rp__if_exists(p);
	size_t cap = 0;
	do {
		st->pairs = rp__push(p, st->pairs, &st->npairs, &cap, sizeof(*st->pairs),
				     "too many tables");
		if (p->rc)
			return;
		rp__table_name(p, &st->pairs[st->npairs - 1].from);
	} while (rp__accept_punct(p, ","));
	rp__wait_option(p);
	if (!rp__accept(p, "RESTRICT"))
		rp__accept(p, "CASCADE");
}

static void drop_index(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	st->kind = RP__DS_DROP_INDEX;
	st->what = "drop index";
	rp__adv(p);
	st->if_exists = rp__if_exists(p);
	st->index_name = rp__ident(p, "an index name");
	rp__expect(p, "ON");
	rp__table_name(p, &st->table);
	for (;;) {
		if (rp__accept(p, "ALGORITHM") || rp__accept(p, "LOCK")) {
			rp__opt_eq(p);
			(void)rp__ident(p, "a value");
		} else if (rp__is(p, "WAIT") || rp__is(p, "NOWAIT")) {
			rp__wait_option(p);
		} else {
			break;
		}
	}
}

static void parse_drop(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	rp__adv(p);
	bool temporary = rp__accept(p, "TEMPORARY");
	while (rp__accept(p, "ONLINE") || rp__accept(p, "OFFLINE"))
		;
	if (rp__is(p, "TABLE") || rp__is(p, "TABLES")) {
		drop_table(p, temporary);
	} else if (rp__is(p, "INDEX")) {
		drop_index(p);
	} else if (rp__is(p, "DATABASE") || rp__is(p, "SCHEMA")) {
		st->kind = RP__DS_DROP_DATABASE;
		st->what = "drop database";
		rp__adv(p);
		st->if_exists = rp__if_exists(p);
		st->database = rp__ident(p, "a database name");
	} else {
		st->what = what_of(p, "drop");
	}
}

static void parse_rename(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	rp__adv(p);
	if (!rp__is(p, "TABLE") && !rp__is(p, "TABLES")) {
		st->what = what_of(p, "rename");
		return;
	}
	st->kind = RP__DS_RENAME_TABLE;
	st->what = "rename table";
	rp__adv(p);
	st->if_exists = rp__if_exists(p);
	size_t cap = 0;
	do {
		st->pairs = rp__push(p, st->pairs, &st->npairs, &cap, sizeof(*st->pairs),
				     "too many tables");
		if (p->rc)
			return;
		struct rp__ddl_pair *pr = &st->pairs[st->npairs - 1];
		rp__table_name(p, &pr->from);
		rp__wait_option(p);
		rp__expect(p, "TO");
		rp__table_name(p, &pr->to);
	} while (rp__accept_punct(p, ","));
}

static void parse_alter(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	rp__adv(p);
	for (;;) {
		if (rp__accept(p, "IGNORE"))
			st->ignore = true;
		else if (!rp__accept(p, "ONLINE") && !rp__accept(p, "OFFLINE") &&
			 !object_modifier(p))
			break;
	}
	if (!rp__is(p, "TABLE")) {
		st->what = what_of(p, "alter");
		return;
	}
	st->kind = RP__DS_ALTER_TABLE;
	st->what = "alter table";
	rp__adv(p);
	rp__parse_alter_table(p);
}

static void parse_statement(struct rp__ps *p)
{
	struct rp__ddl_stmt *st = p->st;
	/* MariaDB: SET STATEMENT var=value[, ...] FOR statement */
	if (rp__is(p, "SET") && rp__peek_is(p, 1, "STATEMENT")) {
		static const char *const stop[] = {"FOR", NULL};
		rp__adv(p);
		rp__adv(p);
		rp__skip_until(p, stop);
		if (!rp__accept(p, "FOR")) {
			st->what = "set statement";
			return;
		}
	}
	if (rp__is(p, "CREATE")) {
		parse_create(p);
	} else if (rp__is(p, "ALTER")) {
		parse_alter(p);
	} else if (rp__is(p, "DROP")) {
		parse_drop(p);
	} else if (rp__is(p, "RENAME")) {
		parse_rename(p);
	} else if (rp__is(p, "TRUNCATE")) {
		st->kind = RP__DS_TRUNCATE;
		st->what = "truncate table";
		rp__adv(p);
		rp__accept(p, "TABLE");
		rp__table_name(p, &st->table);
		rp__wait_option(p);
	} else {
		/* (SELECT ...) and the like: named by their first word */
		while (rp__accept_punct(p, "("))
			;
		st->what = what_of(p, "");
		return;
	}
	if (st->kind == RP__DS_OTHER)
		return;
	rp__accept_punct(p, ";");
	if (!rp__at_end(p))
		rp__fail(p, "end of statement");
}

int rp__ddl_parse(const char *q, size_t n, bool ansi_quotes, struct arena *a,
		  struct rp__ddl_stmt *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->what = "";
	if (n > RP__DDL_MAX_STMT)
		return err_set(e, ERR_TOOBIG, "ddl statement of %zu bytes, over the limit of %u",
			       n, RP__DDL_MAX_STMT);
	struct rp__ps p;
	memset(&p, 0, sizeof(p));
	rp__lex_init(&p.lx, q, n, ansi_quotes, a);
	p.a = a;
	p.st = out;
	parse_statement(&p);
	if (p.rc == 0)
		return 0;
	if (out->kind != RP__DS_OTHER) {
		/* what was read before the failure stays: the table names
		 * tell which table to take out */
		out->kind_of_unparsed = out->kind;
		out->kind = RP__DS_UNPARSED;
		out->error = p.msg;
		out->error_off = p.err_off;
	}
	if (p.rc == -ERR_TOOBIG)
		return err_set_at(e, ERR_TOOBIG, p.err_off, "ddl statement: %s at offset %zu",
				  p.msg, p.err_off);
	return 0;
}

const char *rp__ddl_kind_name(enum rp__ddl_kind k)
{
	switch (k) {
	case RP__DS_OTHER: return "";
	case RP__DS_CREATE_TABLE: return "CREATE TABLE";
	case RP__DS_ALTER_TABLE: return "ALTER TABLE";
	case RP__DS_RENAME_TABLE: return "RENAME TABLE";
	case RP__DS_DROP_TABLE: return "DROP TABLE";
	case RP__DS_TRUNCATE: return "TRUNCATE TABLE";
	case RP__DS_CREATE_INDEX: return "CREATE INDEX";
	case RP__DS_DROP_INDEX: return "DROP INDEX";
	case RP__DS_CREATE_DATABASE: return "CREATE DATABASE";
	case RP__DS_DROP_DATABASE: return "DROP DATABASE";
	case RP__DS_UNPARSED: return "UNPARSED";
	}
	return "";
}
