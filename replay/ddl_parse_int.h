/*
 * The DDL parser's own parts, shared by replay/ddl_lex.c and the
 * replay/ddl_parse*.c files (and the tests): the tokenizer and the parser
 * state with its small helpers.  What the parser produces is in
 * replay/ddl_int.h.
 */
#ifndef REPLAY_DDL_PARSE_INT_H
#define REPLAY_DDL_PARSE_INT_H

#include "replay/ddl_int.h"

/* ---- tokenizer (replay/ddl_lex.c) ---- */

enum rp__tok_kind {
	RP__TK_END = 0,	/* end of the statement */
	RP__TK_WORD,	/* keyword or unquoted name (may start with a digit) */
	RP__TK_NAME,	/* `quoted` name, or "quoted" under ANSI_QUOTES */
	RP__TK_STRING,	/* 'string' (and "string" without ANSI_QUOTES),
			   adjacent pieces joined */
	RP__TK_NUMBER,	/* 12, 1.5, .5, 1e-3 (no sign) */
	RP__TK_HEX,	/* X'1F' or 0x1F: s holds the digits */
	RP__TK_BITS,	/* B'101' or 0b101: s holds the digits */
	RP__TK_PUNCT,	/* operator or punctuation, 1 to 3 bytes */
	RP__TK_BAD,	/* unterminated quote or comment: the rest of the input */
};

struct rp__tok {
	enum rp__tok_kind kind;
	size_t off, end;	/* bytes [off, end) of the statement it spans */
	/*
	 * WORD, NUMBER, PUNCT: the text in the statement (not NUL-terminated).
	 * NAME, STRING: the value, unquoted and unescaped, in the arena and
	 * NUL-terminated (a string may hold NUL bytes: n counts them).
	 * HEX, BITS: the digits only, in the statement.
	 */
	const char *s;
	size_t n;
	size_t intro_off, intro_n;	/* STRING/HEX/BITS: the _charset or N
					   introducer's bytes; intro_n 0 if none */
	bool space_before;	/* blank or comment between this token and the last */
};

struct rp__lex {
	const char *q;		/* the statement */
	size_t n;		/* its length */
	size_t pos;		/* next byte to read */
	bool ansi;		/* sql_mode ANSI_QUOTES */
	unsigned in_exec;	/* executable comments open around pos */
	enum rp__tok_kind prev;	/* kind of the last token, for ".5" vs "t.5" */
	struct arena *a;	/* unescaped names and strings */
};

void rp__lex_init(struct rp__lex *l, const char *q, size_t n, bool ansi_quotes,
		  struct arena *a);
/* The next token; RP__TK_END forever at the end. */
void rp__lex_next(struct rp__lex *l, struct rp__tok *t);
/* Case-insensitive keyword test: kw is upper case. */
bool rp__tok_is(const struct rp__tok *t, const char *kw);

/* ---- parser state (replay/ddl_parse.c) ---- */

#define RP__DDL_MAX_STMT (16u << 20)	/* bytes of one statement */
#define RP__DDL_MAX_DEPTH 256		/* nested parentheses in an expression */
#define RP__DDL_MAX_ITEMS 65536		/* columns, clauses, keys, pairs, labels */
#define RP__DDL_LOOKAHEAD 8

struct rp__ps {
	struct rp__lex lx;
	struct rp__tok la[RP__DDL_LOOKAHEAD];	/* la[0] is the current token */
	unsigned nla;			/* tokens read ahead in la[] */
	size_t last_end;		/* end offset of the last consumed token */
	struct arena *a;
	struct rp__ddl_stmt *st;
	/* sticky: the first failure wins, later calls do nothing */
	int rc;				/* 0, -ERR_PROTO (syntax) or -ERR_TOOBIG */
	const char *msg;		/* the failure's message */
	size_t err_off;			/* and its offset */
};

/* The current token, and the one k places after it (k < LOOKAHEAD). */
const struct rp__tok *rp__cur(struct rp__ps *p);
const struct rp__tok *rp__peek(struct rp__ps *p, unsigned k);
void rp__adv(struct rp__ps *p);
/* Current token is keyword kw / punctuation c. */
bool rp__is(struct rp__ps *p, const char *kw);
bool rp__is_punct(struct rp__ps *p, const char *c);
bool rp__peek_is(struct rp__ps *p, unsigned k, const char *kw);
bool rp__is_punct_at(struct rp__ps *p, unsigned k, const char *c);
/* Consume the keyword or punctuation when it is there. */
bool rp__accept(struct rp__ps *p, const char *kw);
bool rp__accept_punct(struct rp__ps *p, const char *c);
/* Consume it or fail with "expected <what>". */
void rp__expect(struct rp__ps *p, const char *kw);
void rp__expect_punct(struct rp__ps *p, const char *c);
/* Record a syntax failure at the current token: "expected X, found 'Y'". */
void rp__fail(struct rp__ps *p, const char *expected);
/* Record a limit failure (-ERR_TOOBIG). */
void rp__toobig(struct rp__ps *p, const char *what);
bool rp__at_end(struct rp__ps *p);

/* A name: unquoted word or quoted name (arena copy); NULL after a failure. */
const char *rp__ident(struct rp__ps *p, const char *what);
bool rp__is_ident(struct rp__ps *p);
/* name or schema.name */
void rp__table_name(struct rp__ps *p, struct rp__ddl_name *out);
/* A string literal's value (arena), or NULL and a failure. */
const char *rp__string(struct rp__ps *p, const char *what, size_t *len);
/* A word, string or number as text (option values, charset names...). */
const char *rp__word_or_string(struct rp__ps *p, const char *what);
/* An unsigned decimal integer. */
unsigned long rp__ulong(struct rp__ps *p, const char *what);
/* IF EXISTS / IF NOT EXISTS, when there */
bool rp__if_exists(struct rp__ps *p);
bool rp__if_not_exists(struct rp__ps *p);
/* [=] */
void rp__opt_eq(struct rp__ps *p);
/* MariaDB's [WAIT n | NOWAIT] */
void rp__wait_option(struct rp__ps *p);

/*
 * "(" expr ")": the text between the parentheses, its tokens joined with
 * one space where the statement had blanks or comments; the depth of
 * nested parentheses is bounded.
 */
const char *rp__paren_text(struct rp__ps *p);
/*
 * Tokens up to (not including) a comma or closing parenthesis at depth 0,
 * the end, or a keyword of stop[] at depth 0; their text.  NULL and
 * *ntok 0 when there is none.
 */
const char *rp__text_until(struct rp__ps *p, const char *const *stop, size_t *ntok);
/* Skip balanced tokens up to a depth-0 keyword of stop[], a depth-0 ")"
 * or the end. */
void rp__skip_until(struct rp__ps *p, const char *const *stop);
/* The source text of [off, end) as written, in the arena. */
const char *rp__src(struct rp__ps *p, size_t off, size_t end);

/* Arena-backed growable array: *arr of *n elements of size sz, room for *cap. */
void *rp__push(struct rp__ps *p, void *arr, size_t *n, size_t *cap, size_t sz,
	       const char *what);

/* ---- the statements ---- */

/* replay/ddl_parse_create.c */
void rp__parse_create_table(struct rp__ps *p);
void rp__parse_index_def(struct rp__ps *p, struct rp__ddl_index *ix, const char *constraint);
void rp__parse_fkey_def(struct rp__ps *p, struct rp__ddl_fkey *fk, const char *constraint);
void rp__parse_check_def(struct rp__ps *p, struct rp__ddl_check *ck, const char *constraint);
void rp__parse_references(struct rp__ps *p, struct rp__ddl_fkey *fk);
void rp__parse_key_parts(struct rp__ps *p, struct rp__ddl_index *ix);
void rp__parse_index_options(struct rp__ps *p, struct rp__ddl_index *ix);
/* The table options the translation needs; the others are only read. */
struct rp__table_opts {
	const char *charset, *collation, *engine, *comment;
};
/* One table option; false (nothing consumed) when the token starts none. */
bool rp__parse_table_option(struct rp__ps *p, struct rp__table_opts *o);
bool rp__starts_partitioning(struct rp__ps *p);
/* MariaDB 11.7's VECTOR INDEX|KEY */
bool rp__starts_vector_index(struct rp__ps *p);
void rp__skip_partitioning(struct rp__ps *p);

/* replay/ddl_parse_column.c */
void rp__parse_column_def(struct rp__ps *p, struct rp__ddl_column *c);
void rp__parse_default(struct rp__ps *p, struct rp__ddl_column *c);

/* replay/ddl_parse_alter.c */
void rp__parse_alter_table(struct rp__ps *p);

#endif
