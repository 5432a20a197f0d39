/*
 * The tokenizer of DDL statements (MySQL 5.6-9.x, MariaDB 10.x-11.x
 * lexical rules): names (unquoted, backquoted, "ANSI quoted"), strings
 * with MySQL's escapes, charset introducers and adjacent pieces joined,
 * numbers in every notation, operators, and comments.  Executable
 * comments (slash-star-bang with any version, MariaDB's slash-star-M-bang)
 * are read as code, as a replica replays them whatever its version.
 * It never reads past the statement's length and never fails: what it
 * cannot read (an unterminated quote or comment) is one RP__TK_BAD token.
 * NO_BACKSLASH_ESCAPES is not known here: backslashes always escape.
 */
#include <string.h>

#include "replay/ddl_parse_int.h"

void rp__lex_init(struct rp__lex *l, const char *q, size_t n, bool ansi_quotes,
		  struct arena *a)
{
	memset(l, 0, sizeof(*l));
	l->q = q;
	l->n = n;
	l->ansi = ansi_quotes;
	l->a = a;
	l->prev = RP__TK_END;
}

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

static bool digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool hexdigit(unsigned char c)
{
	return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static size_t left(const struct rp__lex *l)
{
	return l->n - l->pos;
}

static unsigned char at(const struct rp__lex *l, size_t k)
{
	return k < left(l) ? (unsigned char)l->q[l->pos + k] : 0;
}

/* An executable comment's opening at pos: its length, else 0. */
static size_t exec_open(const struct rp__lex *l)
{
	size_t k = 2;
	if (at(l, 0) != '/' || at(l, 1) != '*')
		return 0;
	if (at(l, 2) == 'M' && at(l, 3) == '!')
		k++;
	if (at(l, k) != '!')
		return 0;
	k++;
	/* the version: five digits for MySQL, six for MariaDB */
	for (int i = 0; i < 6 && digit(at(l, k)); i++)
		k++;
	return k;
}

/*
 * Skip blanks and comments.  Returns true when something was skipped;
 * *bad_off is set to the start of an unterminated comment.
 */
static bool skip_blank(struct rp__lex *l, size_t *bad_off)
{
	size_t start = l->pos;
	for (;;) {
		while (l->pos < l->n && blank((unsigned char)l->q[l->pos]))
			l->pos++;
		size_t k = exec_open(l);
		if (k) {
			l->pos += k;
			l->in_exec++;
			continue;
		}
		if (at(l, 0) == '/' && at(l, 1) == '*') {
			size_t s = l->pos + 2;
			while (s + 1 < l->n && !(l->q[s] == '*' && l->q[s + 1] == '/'))
				s++;
			if (s + 1 >= l->n) {
				*bad_off = l->pos;
				l->pos = l->n;
				return true;
			}
			l->pos = s + 2;
			continue;
		}
		if (l->in_exec && at(l, 0) == '*' && at(l, 1) == '/') {
			l->pos += 2;
			l->in_exec--;
			continue;
		}
		/* "--" starts a comment only before a blank, a control
		 * character or the end */
		if (at(l, 0) == '#' ||
		    (at(l, 0) == '-' && at(l, 1) == '-' &&
		     (left(l) == 2 || at(l, 2) <= ' '))) {
			while (l->pos < l->n && l->q[l->pos] != '\n')
				l->pos++;
			continue;
		}
		return l->pos != start;
	}
}

/* The end of a quoted piece opened at pos (quote q), or 0 if unterminated. */
static size_t piece_end(const struct rp__lex *l, size_t pos, char quote, bool esc)
{
	size_t i = pos + 1;
	while (i < l->n) {
		char c = l->q[i];
		if (esc && c == '\\') {
			i += 2;
			continue;
		}
		if (c == quote) {
			if (i + 1 < l->n && l->q[i + 1] == quote) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return 0;
}

/* Append the value of the piece [pos, end) to out; returns its length. */
static size_t piece_value(const char *q, size_t pos, size_t end, char quote,
			  bool esc, char *out)
{
	size_t n = 0;
	for (size_t i = pos + 1; i + 1 < end; i++) {
		char c = q[i];
		if (c == quote) {	/* doubled */
			out[n++] = c;
			i++;
			continue;
		}
		if (!esc || c != '\\') {
			out[n++] = c;
			continue;
		}
		char d = q[++i];
		switch (d) {
		case '0': out[n++] = 0; break;
		case 'b': out[n++] = '\b'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'Z': out[n++] = 26; break;
		case '%':	/* kept escaped: LIKE patterns mean them */
		case '_':
			out[n++] = '\\';
			out[n++] = d;
			break;
		default: out[n++] = d; break;
		}
	}
	return n;
}

static bool is_string_quote(const struct rp__lex *l, unsigned char c)
{
	return c == '\'' || (c == '"' && !l->ansi);
}

static void bad(struct rp__lex *l, struct rp__tok *t, size_t off, const char *msg)
{
	t->kind = RP__TK_BAD;
	t->off = off;
	t->end = l->n;
	t->s = msg;
	t->n = strlen(msg);
	l->pos = l->n;
}

/*
 * A string at pos: every adjacent piece ('a' "b" 'c'), the value joined.
 * Pass one finds where the pieces end, pass two decodes them into one
 * arena buffer no longer than their source.
 */
static void lex_string(struct rp__lex *l, struct rp__tok *t)
{
	size_t off = l->pos;
	struct rp__lex probe = *l;
	size_t end = off;
	for (;;) {
		size_t e = piece_end(&probe, probe.pos, probe.q[probe.pos], true);
		if (!e) {
			bad(l, t, probe.pos, "unterminated string");
			return;
		}
		end = e;
		probe.pos = e;
		size_t bad_off = SIZE_MAX;
		struct rp__lex after = probe;
		skip_blank(&after, &bad_off);
		if (bad_off != SIZE_MAX || after.pos >= after.n ||
		    !is_string_quote(&after, (unsigned char)after.q[after.pos]))
			break;
		probe = after;
	}
	char *out = arena_alloc(l->a, end - off + 1);
	size_t n = 0;
	for (;;) {
		size_t e = piece_end(l, l->pos, l->q[l->pos], true);
		n += piece_value(l->q, l->pos, e, l->q[l->pos], true, out + n);
		l->pos = e;
		if (e == end)
			break;
		size_t bad_off = SIZE_MAX;
		skip_blank(l, &bad_off);
	}
	out[n] = 0;
	t->kind = RP__TK_STRING;
	t->off = off;
	t->end = end;
	t->s = out;
	t->n = n;
}

static void lex_name(struct rp__lex *l, struct rp__tok *t, char quote)
{
	size_t off = l->pos;
	size_t e = piece_end(l, off, quote, false);
	if (!e) {
		bad(l, t, off, "unterminated quoted name");
		return;
	}
	char *out = arena_alloc(l->a, e - off);
	size_t n = piece_value(l->q, off, e, quote, false, out);
	out[n] = 0;
	t->kind = RP__TK_NAME;
	t->off = off;
	t->end = e;
	t->s = out;
	t->n = n;
	l->pos = e;
}

/* X'1F' / B'101' at pos (the letter): the digits between the quotes. */
static void lex_quoted_bits(struct rp__lex *l, struct rp__tok *t, bool hex)
{
	size_t off = l->pos;
	size_t i = off + 2;
	while (i < l->n && l->q[i] != '\'')
		i++;
	if (i >= l->n) {
		bad(l, t, off, "unterminated string");
		return;
	}
	t->kind = hex ? RP__TK_HEX : RP__TK_BITS;
	t->off = off;
	t->end = i + 1;
	t->s = l->q + off + 2;
	t->n = i - off - 2;
	l->pos = i + 1;
}

/*
 * A number at pos: 0x1F, 0b101, 12, 1.5, .5, 1e-3.  Digits followed by
 * letters make a name instead (MySQL names may start with a digit):
 * returns false and consumes nothing then.
 */
static bool lex_number(struct rp__lex *l, struct rp__tok *t)
{
	size_t off = l->pos, i = off;
	const char *q = l->q;
	if (q[i] == '0' && i + 2 < l->n && (q[i + 1] == 'x' || q[i + 1] == 'b')) {
		bool hex = q[i + 1] == 'x';
		size_t j = i + 2;
		while (j < l->n && (hex ? hexdigit((unsigned char)q[j])
				       : (q[j] == '0' || q[j] == '1')))
			j++;
		if (j > i + 2 && (j >= l->n || !word_char((unsigned char)q[j]))) {
			t->kind = hex ? RP__TK_HEX : RP__TK_BITS;
			t->off = off;
			t->end = j;
			t->s = q + i + 2;
			t->n = j - i - 2;
			l->pos = j;
			return true;
		}
	}
	while (i < l->n && digit((unsigned char)q[i]))
		i++;
	bool plain = true;
	if (i < l->n && q[i] == '.') {
		plain = false;
		i++;
		while (i < l->n && digit((unsigned char)q[i]))
			i++;
	}
	if (i < l->n && (q[i] == 'e' || q[i] == 'E')) {
		size_t j = i + 1;
		if (j < l->n && (q[j] == '+' || q[j] == '-'))
			j++;
		if (j < l->n && digit((unsigned char)q[j])) {
			while (j < l->n && digit((unsigned char)q[j]))
				j++;
			i = j;
			plain = false;
		}
	}
	if (plain && i < l->n && word_char((unsigned char)q[i]))
		return false;
	t->kind = RP__TK_NUMBER;
	t->off = off;
	t->end = i;
	t->s = q + off;
	t->n = i - off;
	l->pos = i;
	return true;
}

static void lex_word(struct rp__lex *l, struct rp__tok *t)
{
	size_t off = l->pos;
	while (l->pos < l->n && word_char((unsigned char)l->q[l->pos]))
		l->pos++;
	t->kind = RP__TK_WORD;
	t->off = off;
	t->end = l->pos;
	t->s = l->q + off;
	t->n = l->pos - off;
}

/* The literal that may follow an introducer, starting at pos. */
static bool literal_at(const struct rp__lex *l)
{
	unsigned char c = at(l, 0), d = at(l, 1);
	if (is_string_quote(l, c))
		return true;
	if ((c == 'x' || c == 'X' || c == 'b' || c == 'B') && d == '\'')
		return true;
	return c == '0' && (d == 'x' || d == 'b');
}

static void lex_punct(struct rp__lex *l, struct rp__tok *t)
{
	static const char *const ops[] = {
		"<=>", "->>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<",
		">>", "->",
	};
	size_t k = 1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t m = strlen(ops[i]);
		if (m <= left(l) && memcmp(l->q + l->pos, ops[i], m) == 0) {
			k = m;
			break;
		}
	}
	t->kind = RP__TK_PUNCT;
	t->off = l->pos;
	t->end = l->pos + k;
	t->s = l->q + l->pos;
	t->n = k;
	l->pos += k;
}

/* One token at pos (blanks skipped); introducers handled by the caller. */
static void lex_one(struct rp__lex *l, struct rp__tok *t)
{
	unsigned char c = at(l, 0), d = at(l, 1);
	if (is_string_quote(l, c)) {
		lex_string(l, t);
	} else if (c == '`' || c == '"') {
		lex_name(l, t, (char)c);
	} else if ((c == 'x' || c == 'X' || c == 'b' || c == 'B') && d == '\'') {
		lex_quoted_bits(l, t, c == 'x' || c == 'X');
	} else if ((c == 'n' || c == 'N') && d == '\'') {
		l->pos++;
		lex_string(l, t);
		if (t->kind == RP__TK_STRING) {
			t->intro_off = t->off - 1;
			t->intro_n = 1;
			t->off--;
		}
	} else if (digit(c) || (c == '.' && digit(d) && l->prev != RP__TK_WORD &&
				l->prev != RP__TK_NAME)) {
		if (!lex_number(l, t))
			lex_word(l, t);
	} else if (word_char(c)) {
		lex_word(l, t);
	} else {
		lex_punct(l, t);
	}
}

void rp__lex_next(struct rp__lex *l, struct rp__tok *t)
{
	memset(t, 0, sizeof(*t));
	size_t bad_off = SIZE_MAX;
	t->space_before = skip_blank(l, &bad_off);
	if (bad_off != SIZE_MAX) {
		bad(l, t, bad_off, "unterminated comment");
	} else if (l->pos >= l->n) {
		t->kind = RP__TK_END;
		t->off = t->end = l->n;
		t->s = l->q + l->n;
	} else {
		lex_one(l, t);
		/* _utf8mb4'x', _binary 0x1F: the charset goes with the literal */
		if (t->kind == RP__TK_WORD && t->n > 1 && t->s[0] == '_') {
			struct rp__lex after = *l;
			size_t b2 = SIZE_MAX;
			skip_blank(&after, &b2);
			if (b2 == SIZE_MAX && literal_at(&after)) {
				size_t intro_off = t->off, intro_n = t->n;
				bool sp = t->space_before;
				*l = after;
				lex_one(l, t);
				if (t->kind != RP__TK_BAD) {
					t->intro_off = intro_off;
					t->intro_n = intro_n;
					t->off = intro_off;
				}
				t->space_before = sp;
			}
		}
	}
	l->prev = t->kind;
}

bool rp__tok_is(const struct rp__tok *t, const char *kw)
{
	if (t->kind != RP__TK_WORD)
		return false;
	size_t i = 0;
	for (; i < t->n && kw[i]; i++) {
		char c = t->s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != kw[i])
			return false;
	}
	return i == t->n && kw[i] == 0;
}
