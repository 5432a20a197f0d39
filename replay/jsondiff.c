/*
 * Partial JSON updates (MySQL PARTIAL_UPDATE_ROWS, binlog_row_value_options
 * = PARTIAL_JSON) prepared for PostgreSQL: the decoder's list of
 * operations is read back, and each MySQL path ($.a[0]."b c"[last-1]) is
 * turned into a PostgreSQL text[] literal, passed as a parameter.  The SQL
 * expression itself (jsonb_set / jsonb_insert / #-) is built by apply.c.
 * Paths follow MySQL's Json_path::to_string(): members as .name or
 * ."escaped", array cells as [N], [last] or [last-N]; wildcards, ranges
 * and the root alone never come in a diff and are refused.
 */
#include <limits.h>
#include <string.h>

#include "replay/replay.h"

/* The reader over a NUL-free view: p..end, 'at' for messages. */
struct scan {
	const uint8_t *p, *end, *start;
};

static int scan_err(struct scan *s, struct err *e, const char *what)
{
	return err_set(e, ERR_PROTO, "%s at offset %zu", what,
		       (size_t)(s->p - s->start));
}

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
				 *s->p == '\r'))
		s->p++;
}

static int hex4(struct scan *s, uint32_t *out)
{
	uint32_t v = 0;
	if (s->end - s->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		uint8_t c = s->p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	s->p += 4;
	*out = v;
	return 0;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xc0 | cp >> 6));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xe0 | cp >> 12));
		buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | cp >> 18));
		buf_putc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * A JSON string at s->p (opening quote included), unescaped into out.
 * Surrogate pairs are joined; a lone surrogate or a NUL is refused (a
 * PostgreSQL text[] element cannot hold either).
 */
static int json_string(struct scan *s, struct buf *out, struct err *e)
{
	if (s->p >= s->end || *s->p != '"')
		return scan_err(s, e, "JSON string expected");
	s->p++;
	while (s->p < s->end) {
		uint8_t c = *s->p++;
		if (c == '"')
			return 0;
		if (c < 0x20)
			return scan_err(s, e, "control character in a JSON string");
		if (c != '\\') {
			buf_putc(out, (char)c);
			continue;
		}
		if (s->p >= s->end)
			break;
		c = *s->p++;
		switch (c) {
		case '"': buf_putc(out, '"'); break;
		case '\\': buf_putc(out, '\\'); break;
		case '/': buf_putc(out, '/'); break;
		case 'b': buf_putc(out, '\b'); break;
		case 'f': buf_putc(out, '\f'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 'r': buf_putc(out, '\r'); break;
		case 't': buf_putc(out, '\t'); break;
		case 'u': {
			uint32_t cp, lo;
			if (hex4(s, &cp))
				return scan_err(s, e, "bad \\u escape");
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
					return scan_err(s, e, "lone surrogate in a JSON string");
				s->p += 2;
				if (hex4(s, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return scan_err(s, e, "lone surrogate in a JSON string");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return scan_err(s, e, "lone surrogate in a JSON string");
			}
			if (cp == 0)
				return scan_err(s, e, "NUL in a JSON path");
			put_utf8(out, cp);
			break;
		}
		default:
			return scan_err(s, e, "bad escape in a JSON string");
		}
	}
	return scan_err(s, e, "unterminated JSON string");
}

/* One text[] element, double-quoted: backslash before '"' and '\'. */
static void put_elem(struct buf *out, bool *first, const uint8_t *p, size_t n)
{
	if (!*first)
		buf_putc(out, ',');
	*first = false;
	buf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			buf_putc(out, '\\');
		buf_putc(out, (char)p[i]);
	}
	buf_putc(out, '"');
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits at s->p into *v, refusing values above INT_MAX - 1. */
static int array_number(struct scan *s, long long *v)
{
	if (s->p >= s->end || !is_digit(*s->p))
		return -1;
	long long n = 0;
	while (s->p < s->end && is_digit(*s->p)) {
		n = n * 10 + (*s->p++ - '0');
		if (n >= INT_MAX)
			return -1;
	}
	*v = n;
	return 0;
}

static bool at_word(struct scan *s, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(s->end - s->p) >= n && !memcmp(s->p, w, n);
}

/* A .member leg (after the dot) into name. */
static int member_leg(struct scan *s, struct buf *name, struct err *e)
{
	skip_ws(s);
	buf_reset(name);
	if (s->p < s->end && *s->p == '"')
		return json_string(s, name, e);
	/* an ECMAScript identifier, as MySQL writes it */
	const uint8_t *b = s->p;
	while (s->p < s->end && *s->p != '.' && *s->p != '[' && *s->p != ' ' &&
	       *s->p != '\t' && *s->p != '\n' && *s->p != '\r')
		s->p++;
	if (s->p == b || (s->p - b == 1 && *b == '*'))
		return scan_err(s, e, "JSON path member name missing or a wildcard");
	if (memchr(b, '\\', (size_t)(s->p - b)) || memchr(b, '"', (size_t)(s->p - b)) ||
	    memchr(b, '*', (size_t)(s->p - b)))
		return scan_err(s, e, "unexpected character in a JSON path member name");
	buf_put(name, b, (size_t)(s->p - b));
	return 0;
}

/* A [N], [last] or [last-N] leg (after the bracket), as PostgreSQL's index. */
static int index_leg(struct scan *s, long long *idx, struct err *e)
{
	skip_ws(s);
	if (at_word(s, "last")) {
		s->p += 4;
		skip_ws(s);
		long long back = 0;
		if (s->p < s->end && *s->p == '-') {
			s->p++;
			skip_ws(s);
			if (array_number(s, &back))
				return scan_err(s, e, "bad array index in a JSON path");
		}
		*idx = -back - 1;	/* PostgreSQL counts -1 as the last */
	} else if (array_number(s, idx)) {
		return scan_err(s, e, "bad array index (wildcard?) in a JSON path");
	}
	skip_ws(s);
	if (s->p >= s->end || *s->p != ']')
		return scan_err(s, e, "array ranges are not allowed in a JSON diff path");
	s->p++;
	return 0;
}

/* An index as an array element: "-3". */
static void put_index(struct buf *out, bool *first, long long idx)
{
	char num[24];
	size_t k = 0;
	unsigned long long u = idx < 0 ? (unsigned long long)-idx : (unsigned long long)idx;
	do {
		num[sizeof(num) - 1 - k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (idx < 0)
		num[sizeof(num) - 1 - k++] = '-';
	put_elem(out, first, (const uint8_t *)num + sizeof(num) - k, k);
}

int rp_json_path_to_pg(struct buf *out, const char *path, size_t n, struct err *e)
{
	if (n == 0)	/* path may then be NULL */
		return err_set(e, ERR_PROTO, "empty JSON path");
	struct scan s = {(const uint8_t *)path, (const uint8_t *)path + n,
			 (const uint8_t *)path};
	struct buf name;
	buf_init(&name, 0);
	size_t mark = out->n;
	int rc = 0;
	bool first = true;
	unsigned legs = 0;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '$') {
		rc = scan_err(&s, e, "JSON path does not start with '$'");
		goto out;
	}
	s.p++;
	buf_putc(out, '{');
	for (;;) {
		skip_ws(&s);
		if (s.p >= s.end)
			break;
		long long idx;
		if (*s.p == '.') {
			s.p++;
			rc = member_leg(&s, &name, e);
			if (!rc)
				put_elem(out, &first, name.p, name.n);
		} else if (*s.p == '[') {
			s.p++;
			rc = index_leg(&s, &idx, e);
			if (!rc)
				put_index(out, &first, idx);
		} else {
			rc = scan_err(&s, e, "unexpected character in a JSON path");
		}
		if (rc)
			goto out;
		legs++;
	}
	if (!legs)
		rc = err_set(e, ERR_PROTO, "a JSON diff cannot address the whole document");
	buf_putc(out, '}');
	if (!rc && (name.failed || out->failed))
		rc = err_set(e, ERR_TOOBIG, "JSON path too long");
out:
	if (rc)
		out->n = mark;
	buf_release(&name);
	return rc;
}

/* Skip one JSON value (as the decoder writes it), bounded nesting. */
static int skip_value(struct scan *s, struct err *e)
{
	int depth = 0;
	skip_ws(s);
	do {
		if (s->p >= s->end)
			return scan_err(s, e, "truncated JSON value");
		uint8_t c = *s->p;
		if (c == '"') {
			s->p++;
			while (s->p < s->end && *s->p != '"') {
				if (*s->p == '\\' && s->end - s->p > 1)
					s->p++;
				s->p++;
			}
			if (s->p >= s->end)
				return scan_err(s, e, "unterminated JSON string");
			s->p++;
		} else if (c == '{' || c == '[') {
			if (++depth > 200)
				return scan_err(s, e, "JSON nested too deep");
			s->p++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return scan_err(s, e, "unbalanced JSON");
			depth--;
			s->p++;
		} else if (c == ',' || c == ':' || c == ' ' || c == '\t' || c == '\n' ||
			   c == '\r') {
			if (depth == 0)
				return scan_err(s, e, "JSON value expected");
			s->p++;
		} else {
			const uint8_t *b = s->p;
			while (s->p < s->end && *s->p != ',' && *s->p != '}' &&
			       *s->p != ']' && *s->p != ':' && *s->p != ' ' &&
			       *s->p != '"' && *s->p != '{' && *s->p != '[')
				s->p++;
			if (s->p == b)
				return scan_err(s, e, "JSON value expected");
		}
	} while (depth > 0);
	return 0;
}

static bool take(struct scan *s, char c)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* Scratch of rp_json_diff_ops. */
struct diff_bufs {
	struct buf key, str, path;
};

/* One member of an operation object: "op", "path" or "value". */
static int op_member(struct scan *s, struct arena *a, struct diff_bufs *b,
		     struct rp_json_op *op, int *kind, bool *has_path, struct err *e)
{
	skip_ws(s);
	buf_reset(&b->key);
	int rc = json_string(s, &b->key, e);
	if (rc)
		return rc;
	if (!take(s, ':'))
		return scan_err(s, e, "partial JSON update: ':' expected");
	skip_ws(s);
	const char *k = buf_cstr(&b->key);
	if (!strcmp(k, "op")) {
		buf_reset(&b->str);
		rc = json_string(s, &b->str, e);
		if (rc)
			return rc;
		const char *v = buf_cstr(&b->str);
		*kind = !strcmp(v, "replace") ? RP_JSON_REPLACE
			: !strcmp(v, "insert") ? RP_JSON_INSERT
			: !strcmp(v, "remove") ? RP_JSON_REMOVE : -1;
		if (*kind < 0)
			return scan_err(s, e, "partial JSON update: unknown operation");
	} else if (!strcmp(k, "path")) {
		buf_reset(&b->str);
		rc = json_string(s, &b->str, e);
		if (rc)
			return rc;
		buf_reset(&b->path);
		rc = rp_json_path_to_pg(&b->path, (const char *)b->str.p, b->str.n, e);
		if (rc)
			return rc;
		op->pg_path = arena_strndup(a, (const char *)b->path.p, b->path.n);
		op->mysql_path = arena_strndup(a, (const char *)b->str.p, b->str.n);
		*has_path = true;
	} else if (!strcmp(k, "value")) {
		const uint8_t *v = s->p;
		rc = skip_value(s, e);
		if (rc)
			return rc;
		op->value = arena_strndup(a, (const char *)v, (size_t)(s->p - v));
	} else {
		return scan_err(s, e, "partial JSON update: unknown member");
	}
	return 0;
}

/* One operation object {"op": ..., "path": ..., "value": ...}. */
static int one_op(struct scan *s, struct arena *a, struct diff_bufs *b,
		  struct rp_json_op *op, struct err *e)
{
	int kind = -1;
	bool has_path = false;
	if (!take(s, '{'))
		return scan_err(s, e, "partial JSON update: '{' expected");
	do {
		int rc = op_member(s, a, b, op, &kind, &has_path, e);
		if (rc)
			return rc;
	} while (take(s, ','));
	if (!take(s, '}'))
		return scan_err(s, e, "partial JSON update: '}' expected");
	if (kind < 0 || !has_path || (kind != RP_JSON_REMOVE) != (op->value != NULL))
		return scan_err(s, e, "partial JSON update: incomplete operation");
	op->op = (enum rp_json_op_kind)kind;
	return 0;
}

int rp_json_diff_ops(struct bytes diff, struct arena *a, struct rp_json_op **ops_out,
		     size_t *n_out, struct err *e)
{
	if (diff.n == 0)
		return err_set(e, ERR_PROTO, "partial JSON update: empty");
	struct scan s = {diff.p, diff.p + diff.n, diff.p};
	struct diff_bufs b;
	buf_init(&b.key, 0);
	buf_init(&b.str, 0);
	buf_init(&b.path, 0);
	/* every operation takes more than 16 bytes of its text */
	size_t cap = diff.n / 16 + 1, n = 0;
	struct rp_json_op *ops = arena_calloc(a, cap, sizeof(*ops));
	int rc = 0;
	if (!take(&s, '[')) {
		rc = scan_err(&s, e, "partial JSON update: '[' expected");
		goto out;
	}
	if (!take(&s, ']')) {
		do {
			if (n == cap) {
				rc = scan_err(&s, e, "partial JSON update: too many operations");
				goto out;
			}
			rc = one_op(&s, a, &b, &ops[n], e);
			if (rc)
				goto out;
			n++;
		} while (take(&s, ','));
		if (!take(&s, ']')) {
			rc = scan_err(&s, e, "partial JSON update: ']' expected");
			goto out;
		}
	}
	skip_ws(&s);
	if (s.p != s.end)
		rc = scan_err(&s, e, "partial JSON update: trailing bytes");
	else if (b.key.failed || b.str.failed || b.path.failed)
		rc = err_set(e, ERR_TOOBIG, "partial JSON update too large");
out:
	buf_release(&b.key);
	buf_release(&b.str);
	buf_release(&b.path);
	if (rc)
		return rc;
	*ops_out = ops;
	*n_out = n;
	return 0;
}
