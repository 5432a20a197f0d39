/*
 * The DDL parser's cursor over tokens and its small readers: lookahead,
 * keywords, names, literals, expression text with balanced parentheses,
 * and the first failure, kept with its offset (sticky, like base/rd.h:
 * after a failure the current token reads as the end, so every loop
 * stops and the statement is reported as RP__DS_UNPARSED).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "replay/ddl_parse_int.h"

static const struct rp__tok end_tok = {.kind = RP__TK_END};

static void fill(struct rp__ps *p, unsigned k)
{
	while (p->nla <= k)
		rp__lex_next(&p->lx, &p->la[p->nla++]);
}

const struct rp__tok *rp__cur(struct rp__ps *p)
{
	return rp__peek(p, 0);
}

const struct rp__tok *rp__peek(struct rp__ps *p, unsigned k)
{
	if (p->rc)
		return &end_tok;
	fill(p, k);
	return &p->la[k];
}

void rp__adv(struct rp__ps *p)
{
	if (p->rc)
		return;
	fill(p, 0);
	if (p->la[0].kind == RP__TK_END)
		return;
	p->last_end = p->la[0].end;
	memmove(&p->la[0], &p->la[1], (p->nla - 1) * sizeof(p->la[0]));
	p->nla--;
}

bool rp__is(struct rp__ps *p, const char *kw)
{
	return rp__tok_is(rp__cur(p), kw);
}

bool rp__peek_is(struct rp__ps *p, unsigned k, const char *kw)
{
	return rp__tok_is(rp__peek(p, k), kw);
}

static bool tok_punct(const struct rp__tok *t, const char *c)
{
	return t->kind == RP__TK_PUNCT && t->n == strlen(c) && memcmp(t->s, c, t->n) == 0;
}

bool rp__is_punct(struct rp__ps *p, const char *c)
{
	return tok_punct(rp__cur(p), c);
}

bool rp__is_punct_at(struct rp__ps *p, unsigned k, const char *c)
{
	return tok_punct(rp__peek(p, k), c);
}

bool rp__accept(struct rp__ps *p, const char *kw)
{
	if (!rp__is(p, kw))
		return false;
	rp__adv(p);
	return true;
}

bool rp__accept_punct(struct rp__ps *p, const char *c)
{
	if (!rp__is_punct(p, c))
		return false;
	rp__adv(p);
	return true;
}

void rp__expect(struct rp__ps *p, const char *kw)
{
	if (!rp__accept(p, kw))
		rp__fail(p, kw);
}

void rp__expect_punct(struct rp__ps *p, const char *c)
{
	if (!rp__accept_punct(p, c)) {
		char want[8];
		snprintf(want, sizeof(want), "'%s'", c);
		rp__fail(p, want);
	}
}

bool rp__at_end(struct rp__ps *p)
{
	return rp__cur(p)->kind == RP__TK_END;
}

/* The token as the message shows it: its source, cut and made printable. */
static void describe(const struct rp__ps *p, const struct rp__tok *t, char *out,
		     size_t cap)
{
	if (t->kind == RP__TK_END) {
		snprintf(out, cap, "end of statement");
		return;
	}
	size_t n = t->end - t->off, max = 40;
	const char *s = p->lx.q + t->off;
	char tmp[48];
	size_t k = 0;
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		tmp[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	tmp[k] = 0;
	snprintf(out, cap, "'%s%s'", tmp, n > max ? "..." : "");
}

void rp__fail(struct rp__ps *p, const char *expected)
{
	if (p->rc)
		return;
	const struct rp__tok *t = rp__cur(p);
	char found[64], msg[256];
	if (t->kind == RP__TK_BAD) {
		snprintf(msg, sizeof(msg), "%s, expected %s", t->s, expected);
	} else {
		describe(p, t, found, sizeof(found));
		snprintf(msg, sizeof(msg), "expected %s, found %s", expected, found);
	}
	p->rc = -ERR_PROTO;
	p->msg = arena_strndup(p->a, msg, strlen(msg));
	p->err_off = t->off;
}

void rp__toobig(struct rp__ps *p, const char *what)
{
	if (p->rc)
		return;
	size_t off = rp__cur(p)->off;
	p->rc = -ERR_TOOBIG;
	p->msg = what;
	p->err_off = off;
}

bool rp__is_ident(struct rp__ps *p)
{
	enum rp__tok_kind k = rp__cur(p)->kind;
	return k == RP__TK_WORD || k == RP__TK_NAME;
}

const char *rp__ident(struct rp__ps *p, const char *what)
{
	const struct rp__tok *t = rp__cur(p);
	if (t->kind != RP__TK_WORD && t->kind != RP__TK_NAME) {
		rp__fail(p, what);
		return NULL;
	}
	const char *s = t->kind == RP__TK_NAME ? t->s : arena_strndup(p->a, t->s, t->n);
	rp__adv(p);
	return s;
}

void rp__table_name(struct rp__ps *p, struct rp__ddl_name *out)
{
	const char *first = rp__ident(p, "a table name");
	/* no blank between the parts: "a .b" is not a qualified name in
	 * every version, but MySQL accepts it and so do we */
	if (rp__accept_punct(p, ".")) {
		out->schema = first;
		out->name = rp__ident(p, "a table name after '.'");
	} else {
		out->schema = NULL;
		out->name = first;
	}
}

const char *rp__string(struct rp__ps *p, const char *what, size_t *len)
{
	const struct rp__tok *t = rp__cur(p);
	if (t->kind != RP__TK_STRING) {
		rp__fail(p, what);
		return NULL;
	}
	const char *s = t->s;
	if (len)
		*len = t->n;
	rp__adv(p);
	return s;
}

const char *rp__word_or_string(struct rp__ps *p, const char *what)
{
	const struct rp__tok *t = rp__cur(p);
	switch (t->kind) {
	case RP__TK_WORD:
	case RP__TK_NUMBER:
	case RP__TK_NAME:
	case RP__TK_STRING: {
		const char *s = t->kind == RP__TK_WORD || t->kind == RP__TK_NUMBER
					? arena_strndup(p->a, t->s, t->n)
					: t->s;
		rp__adv(p);
		return s;
	}
	default:
		rp__fail(p, what);
		return NULL;
	}
}

unsigned long rp__ulong(struct rp__ps *p, const char *what)
{
	const struct rp__tok *t = rp__cur(p);
	unsigned long v = 0;
	bool ok = t->kind == RP__TK_NUMBER && t->n > 0;
	for (size_t i = 0; ok && i < t->n; i++) {
		if (t->s[i] < '0' || t->s[i] > '9' || v > (ULONG_MAX - 9) / 10)
			ok = false;
		else
			v = v * 10 + (unsigned long)(t->s[i] - '0');
	}
	if (!ok) {
		rp__fail(p, what);
		return 0;
	}
	rp__adv(p);
	return v;
}

bool rp__if_exists(struct rp__ps *p)
{
	if (!rp__is(p, "IF") || !rp__peek_is(p, 1, "EXISTS"))
		return false;
	rp__adv(p);
	rp__adv(p);
	return true;
}

bool rp__if_not_exists(struct rp__ps *p)
{
	if (!rp__is(p, "IF") || !rp__peek_is(p, 1, "NOT") || !rp__peek_is(p, 2, "EXISTS"))
		return false;
	rp__adv(p);
	rp__adv(p);
	rp__adv(p);
	return true;
}

void rp__opt_eq(struct rp__ps *p)
{
	rp__accept_punct(p, "=");
}

void rp__wait_option(struct rp__ps *p)
{
	if (rp__accept(p, "WAIT"))
		(void)rp__ulong(p, "a number of seconds");
	else
		rp__accept(p, "NOWAIT");
}

static bool is_stop(struct rp__ps *p, const char *const *stop)
{
	for (size_t i = 0; stop && stop[i]; i++)
		if (rp__is(p, stop[i]))
			return true;
	return false;
}

/*
 * Walk balanced tokens from depth 0 up to, at depth 0, a ')', a comma
 * (when commas stop), a keyword of stop[] or the end; none of these is
 * consumed.  Appends their text to b when b is not NULL; returns the
 * number of tokens walked.
 */
static size_t walk(struct rp__ps *p, const char *const *stop, bool commas_stop,
		   struct buf *b)
{
	unsigned depth = 0;
	size_t ntok = 0;
	for (;;) {
		const struct rp__tok *t = rp__cur(p);
		if (p->rc)
			return ntok;
		if (t->kind == RP__TK_BAD || (t->kind == RP__TK_END && depth)) {
			rp__fail(p, "')'");
			return ntok;
		}
		if (t->kind == RP__TK_END)
			return ntok;
		if (depth == 0 && ((commas_stop && tok_punct(t, ",")) || tok_punct(t, ")") ||
				   is_stop(p, stop)))
			return ntok;
		if (tok_punct(t, "(")) {
			if (depth >= RP__DDL_MAX_DEPTH) {
				rp__toobig(p, "parentheses nested too deep");
				return ntok;
			}
			depth++;
		} else if (tok_punct(t, ")")) {
			depth--;
		}
		if (b) {
			if (b->n && t->space_before)
				buf_putc(b, ' ');
			buf_put(b, p->lx.q + t->off, t->end - t->off);
		}
		ntok++;
		rp__adv(p);
	}
}

static const char *buf_to_arena(struct rp__ps *p, struct buf *b)
{
	const char *s = p->rc ? NULL : arena_strndup(p->a, (const char *)b->p, b->n);
	buf_release(b);
	return s;
}

const char *rp__paren_text(struct rp__ps *p)
{
	rp__expect_punct(p, "(");
	struct buf b;
	buf_init(&b, 0);
	unsigned depth = 1;
	for (;;) {
		const struct rp__tok *t = rp__cur(p);
		if (p->rc)
			break;
		if (t->kind == RP__TK_END || t->kind == RP__TK_BAD) {
			rp__fail(p, "')'");
			break;
		}
		if (tok_punct(t, "(")) {
			if (depth >= RP__DDL_MAX_DEPTH) {
				rp__toobig(p, "parentheses nested too deep");
				break;
			}
			depth++;
		} else if (tok_punct(t, ")") && --depth == 0) {
			rp__adv(p);
			break;
		}
		if (b.n && t->space_before)
			buf_putc(&b, ' ');
		buf_put(&b, p->lx.q + t->off, t->end - t->off);
		rp__adv(p);
	}
	return buf_to_arena(p, &b);
}

const char *rp__text_until(struct rp__ps *p, const char *const *stop, size_t *ntok)
{
	struct buf b;
	buf_init(&b, 0);
	*ntok = walk(p, stop, true, &b);
	if (*ntok == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_to_arena(p, &b);
}

void rp__skip_until(struct rp__ps *p, const char *const *stop)
{
	walk(p, stop, false, NULL);
}

const char *rp__src(struct rp__ps *p, size_t off, size_t end)
{
	if (end < off)
		end = off;
	return arena_strndup(p->a, p->lx.q + off, end - off);
}

void *rp__push(struct rp__ps *p, void *arr, size_t *n, size_t *cap, size_t sz,
	       const char *what)
{
	if (p->rc)
		return arr;
	if (*n >= RP__DDL_MAX_ITEMS) {
		rp__toobig(p, what);
		return arr;
	}
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *na = arena_calloc(p->a, ncap, sz);
		if (*n)
			memcpy(na, arr, *n * sz);
		arr = na;
		*cap = ncap;
	}
	memset((char *)arr + *n * sz, 0, sz);
	(*n)++;
	return arr;
}
