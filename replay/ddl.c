/*
 * Which tables a DDL statement of a QUERY event touches: enough of MySQL's
 * and MariaDB's grammar to name the tables of ALTER TABLE, DROP TABLE,
 * RENAME TABLE, TRUNCATE, CREATE TABLE, CREATE INDEX and DROP INDEX,
 * through comments (MySQL's executable comments, slash-star-bang with a
 * version, and MariaDB's slash-star-M-bang, count as code),
 * backquoted names (and "names" under ANSI_QUOTES) and schema
 * qualification.  It does not translate DDL; replay only warns, records,
 * and applies TRUNCATE (docs/replication.md).
 */
#include <string.h>

#include "replay/replay.h"

#define NAME_MAX_BYTES 256	/* 64 characters of up to 4 bytes */

enum tok { T_END, T_WORD, T_QUOTED, T_STRING, T_PUNCT };

struct lex {
	const uint8_t *p, *end;
	bool ansi;		/* sql_mode ANSI_QUOTES: "x" is a name */
	int in_exec;		/* open executable comments */
};

struct token {
	enum tok kind;
	char punct;
	bool too_long;		/* name longer than NAME_MAX_BYTES: ignored */
	size_t n;
	char s[NAME_MAX_BYTES + 1];
};

static bool word_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

static bool space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static size_t left(const struct lex *l)
{
	return (size_t)(l->end - l->p);
}

/* Skip blanks and comments; executable comments open code. */
static void skip_blank(struct lex *l)
{
	for (;;) {
		while (l->p < l->end && space(*l->p))
			l->p++;
		if (left(l) >= 2 && l->p[0] == '/' && l->p[1] == '*') {
			const uint8_t *q = l->p + 2;
			if (q < l->end && *q == 'M' && q + 1 < l->end && q[1] == '!')
				q++;
			if (q < l->end && *q == '!') {
				/* executable: its text is code, its end skipped */
				q++;
				while (q < l->end && *q >= '0' && *q <= '9')
					q++;
				l->p = q;
				l->in_exec++;
				continue;
			}
			const uint8_t *s = l->p + 2;
			while (s + 1 < l->end && !(s[0] == '*' && s[1] == '/'))
				s++;
			l->p = s + 1 < l->end ? s + 2 : l->end;
			continue;
		}
		if (l->in_exec && left(l) >= 2 && l->p[0] == '*' && l->p[1] == '/') {
			l->p += 2;
			l->in_exec--;
			continue;
		}
		if (l->p < l->end && (*l->p == '#' ||
				      (left(l) >= 2 && l->p[0] == '-' && l->p[1] == '-' &&
				       (left(l) == 2 || space(l->p[2]) || l->p[2] < 0x20)))) {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
			continue;
		}
		return;
	}
}

static void put(struct token *t, uint8_t c)
{
	if (t->n < NAME_MAX_BYTES)
		t->s[t->n++] = (char)c;
	else
		t->too_long = true;
}

static void next(struct lex *l, struct token *t)
{
	t->n = 0;
	t->too_long = false;
	t->punct = 0;
	skip_blank(l);
	if (l->p >= l->end) {
		t->kind = T_END;
		t->s[0] = 0;
		return;
	}
	uint8_t c = *l->p;
	if (c == '`' || c == '"' || c == '\'') {
		/* quoted: the quote doubled stands for itself; strings also
		 * take backslash escapes */
		t->kind = c == '`' || (c == '"' && l->ansi) ? T_QUOTED : T_STRING;
		l->p++;
		while (l->p < l->end) {
			uint8_t d = *l->p++;
			if (d == c) {
				if (l->p < l->end && *l->p == c) {
					put(t, c);
					l->p++;
					continue;
				}
				break;
			}
			if (d == '\\' && t->kind == T_STRING && l->p < l->end)
				d = *l->p++;
			put(t, d);
		}
	} else if (word_char(c)) {
		t->kind = T_WORD;
		while (l->p < l->end && word_char(*l->p))
			put(t, *l->p++);
	} else {
		t->kind = T_PUNCT;
		t->punct = (char)c;
		l->p++;
	}
	t->s[t->n] = 0;
}

static bool is_kw(const struct token *t, const char *kw)
{
	if (t->kind != T_WORD || t->n != strlen(kw))
		return false;
	for (size_t i = 0; i < t->n; i++) {
		char c = t->s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != kw[i])
			return false;
	}
	return true;
}

static bool is_name(const struct token *t)
{
	return (t->kind == T_WORD || t->kind == T_QUOTED) && !t->too_long;
}

struct ctx {
	struct lex l;
	struct token t;		/* current token */
	enum rp_ddl_kind kind;
	rp_ddl_fn *fn;
	void *arg;
};

static void adv(struct ctx *c)
{
	next(&c->l, &c->t);
}

/* IF [NOT] EXISTS */
static void skip_if_exists(struct ctx *c)
{
	if (!is_kw(&c->t, "IF"))
		return;
	adv(c);
	if (is_kw(&c->t, "NOT"))
		adv(c);
	if (is_kw(&c->t, "EXISTS"))
		adv(c);
}

/* A table name at the current token: name or schema.name; reported. */
static bool table_name(struct ctx *c)
{
	if (!is_name(&c->t))
		return false;
	struct token first = c->t;
	adv(c);
	if (c->t.kind == T_PUNCT && c->t.punct == '.') {
		adv(c);
		if (!is_name(&c->t))
			return false;
		c->fn(c->arg, c->kind, first.s, c->t.s);
		adv(c);
		return true;
	}
	c->fn(c->arg, c->kind, NULL, first.s);
	return true;
}

static bool comma(struct ctx *c)
{
	if (c->t.kind == T_PUNCT && c->t.punct == ',') {
		adv(c);
		return true;
	}
	return false;
}

/* Skip to the word ON (CREATE INDEX name [USING t] ON, DROP INDEX name ON). */
static void to_on(struct ctx *c)
{
	while (c->t.kind != T_END && !is_kw(&c->t, "ON"))
		adv(c);
	if (c->t.kind != T_END)
		adv(c);
}

static enum rp_ddl_kind parse(struct ctx *c)
{
	adv(c);
	if (is_kw(&c->t, "ALTER")) {
		adv(c);
		while (is_kw(&c->t, "ONLINE") || is_kw(&c->t, "IGNORE"))
			adv(c);
		if (!is_kw(&c->t, "TABLE"))
			return RP_DDL_NONE;
		c->kind = RP_DDL_ALTER_TABLE;
		adv(c);
		skip_if_exists(c);
		table_name(c);
	} else if (is_kw(&c->t, "TRUNCATE")) {
		c->kind = RP_DDL_TRUNCATE;
		adv(c);
		if (is_kw(&c->t, "TABLE"))
			adv(c);
		table_name(c);
	} else if (is_kw(&c->t, "RENAME")) {
		adv(c);
		if (!is_kw(&c->t, "TABLE") && !is_kw(&c->t, "TABLES"))
			return RP_DDL_NONE;
		c->kind = RP_DDL_RENAME_TABLE;
		adv(c);
		skip_if_exists(c);
		do {
			if (!table_name(c))
				break;
			if (is_kw(&c->t, "WAIT")) {	/* MariaDB WAIT n / NOWAIT */
				adv(c);
				adv(c);
			} else if (is_kw(&c->t, "NOWAIT"))
				adv(c);
			if (!is_kw(&c->t, "TO"))
				break;
			adv(c);
			if (!table_name(c))
				break;
		} while (comma(c));
	} else if (is_kw(&c->t, "DROP")) {
		adv(c);
		if (is_kw(&c->t, "TEMPORARY"))
			return RP_DDL_NONE;	/* temporary tables are not replicated */
		if (is_kw(&c->t, "TABLE") || is_kw(&c->t, "TABLES")) {
			c->kind = RP_DDL_DROP_TABLE;
			adv(c);
			skip_if_exists(c);
			while (table_name(c) && comma(c))
				;
		} else if (is_kw(&c->t, "INDEX")) {
			c->kind = RP_DDL_DROP_INDEX;
			adv(c);
			to_on(c);
			table_name(c);
		} else {
			return RP_DDL_NONE;
		}
	} else if (is_kw(&c->t, "CREATE")) {
		adv(c);
		if (is_kw(&c->t, "OR")) {
			adv(c);
			if (!is_kw(&c->t, "REPLACE"))
				return RP_DDL_NONE;
			adv(c);
		}
		if (is_kw(&c->t, "TEMPORARY"))
			return RP_DDL_NONE;
		while (is_kw(&c->t, "ONLINE") || is_kw(&c->t, "OFFLINE") ||
		       is_kw(&c->t, "UNIQUE") || is_kw(&c->t, "FULLTEXT") ||
		       is_kw(&c->t, "SPATIAL"))
			adv(c);
		if (is_kw(&c->t, "TABLE")) {
			c->kind = RP_DDL_CREATE_TABLE;
			adv(c);
			skip_if_exists(c);
			table_name(c);
		} else if (is_kw(&c->t, "INDEX")) {
			c->kind = RP_DDL_CREATE_INDEX;
			adv(c);
			to_on(c);
			table_name(c);
		} else {
			return RP_DDL_NONE;
		}
	}
	return c->kind;
}

enum rp_ddl_kind rp_ddl_parse(const char *q, size_t n, bool ansi_quotes,
			      rp_ddl_fn *fn, void *arg)
{
	struct ctx c;
	memset(&c, 0, sizeof(c));
	c.l.p = (const uint8_t *)q;
	c.l.end = (const uint8_t *)q + n;
	c.l.ansi = ansi_quotes;
	c.fn = fn;
	c.arg = arg;
	c.kind = RP_DDL_NONE;
	return parse(&c);
}

const char *rp_ddl_name(enum rp_ddl_kind k)
{
	switch (k) {
	case RP_DDL_ALTER_TABLE: return "ALTER TABLE";
	case RP_DDL_DROP_TABLE: return "DROP TABLE";
	case RP_DDL_RENAME_TABLE: return "RENAME TABLE";
	case RP_DDL_TRUNCATE: return "TRUNCATE";
	case RP_DDL_CREATE_INDEX: return "CREATE INDEX";
	case RP_DDL_DROP_INDEX: return "DROP INDEX";
	case RP_DDL_CREATE_TABLE: return "CREATE TABLE";
	default: return "";
	}
}
