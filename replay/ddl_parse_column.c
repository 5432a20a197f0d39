/*
 * Column definitions of CREATE TABLE and ALTER TABLE: the data type,
 * normalised to what information_schema.COLUMNS shows (synonyms resolved,
 * data_type lowercase), and every attribute MySQL 5.6-9.x and MariaDB
 * 10.x-11.x accept after it, in any order.  Expressions (defaults,
 * generated columns, checks) are kept as text, not parsed.
 *
 * column_type and display widths: MySQL 5.7 and MariaDB show a default
 * width for integers ("int(11)") even when none was written, MySQL 8.0.19
 * and later show none ("int") except for tinyint(1) and ZEROFILL columns.
 * A statement does not say which server it ran on, so the width is kept
 * when written ("int(11)"), left out when not ("int"); ZEROFILL without a
 * width gets the default one ("int(10) unsigned zerofill") as both show
 * it; BOOL is "tinyint(1)" everywhere.  YEAR follows the same rule
 * ("year", or "year(4)" when written).  The type map reads no integer
 * width, so either form maps the same.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "replay/ddl_parse_int.h"

enum tclass {
	TC_INT, TC_BOOL, TC_SERIAL, TC_DECIMAL, TC_FLOAT, TC_DOUBLE, TC_BIT,
	TC_CHAR, TC_VARCHAR, TC_BINARY, TC_VARBINARY, TC_TEXT, TC_BLOB,
	TC_FSP, TC_YEAR, TC_ENUM, TC_PLAIN, TC_VECTOR,
};

struct tdef {
	const char *kw;		/* the keyword as written, upper case */
	const char *dt;		/* data_type */
	enum tclass cls;
	unsigned zwidth;	/* integers: default width of ZEROFILL (unsigned) */
};

static const struct tdef types[] = {
	{"TINYINT", "tinyint", TC_INT, 3},	{"INT1", "tinyint", TC_INT, 3},
	{"SMALLINT", "smallint", TC_INT, 5},	{"INT2", "smallint", TC_INT, 5},
	{"MEDIUMINT", "mediumint", TC_INT, 8},	{"INT3", "mediumint", TC_INT, 8},
	{"MIDDLEINT", "mediumint", TC_INT, 8},	{"INT", "int", TC_INT, 10},
	{"INTEGER", "int", TC_INT, 10},		{"INT4", "int", TC_INT, 10},
	{"BIGINT", "bigint", TC_INT, 20},	{"INT8", "bigint", TC_INT, 20},
	{"BOOL", "tinyint", TC_BOOL, 0},	{"BOOLEAN", "tinyint", TC_BOOL, 0},
	{"SERIAL", "bigint", TC_SERIAL, 0},	{"DECIMAL", "decimal", TC_DECIMAL, 0},
	{"DEC", "decimal", TC_DECIMAL, 0},	{"NUMERIC", "decimal", TC_DECIMAL, 0},
	{"FIXED", "decimal", TC_DECIMAL, 0},	{"FLOAT", "float", TC_FLOAT, 0},
	{"FLOAT4", "float", TC_FLOAT, 0},	{"FLOAT8", "double", TC_DOUBLE, 0},
	{"DOUBLE", "double", TC_DOUBLE, 0},	{"REAL", "double", TC_DOUBLE, 0},
	{"BIT", "bit", TC_BIT, 0},		{"CHAR", "char", TC_CHAR, 0},
	{"CHARACTER", "char", TC_CHAR, 0},	{"NCHAR", "char", TC_CHAR, 0},
	{"VARCHAR", "varchar", TC_VARCHAR, 0},	{"VARCHARACTER", "varchar", TC_VARCHAR, 0},
	{"NVARCHAR", "varchar", TC_VARCHAR, 0},	{"BINARY", "binary", TC_BINARY, 0},
	{"VARBINARY", "varbinary", TC_VARBINARY, 0},
	{"TINYTEXT", "tinytext", TC_TEXT, 0},	{"TEXT", "text", TC_TEXT, 0},
	{"MEDIUMTEXT", "mediumtext", TC_TEXT, 0},
	{"LONGTEXT", "longtext", TC_TEXT, 0},	{"TINYBLOB", "tinyblob", TC_BLOB, 0},
	{"BLOB", "blob", TC_BLOB, 0},		{"MEDIUMBLOB", "mediumblob", TC_BLOB, 0},
	{"LONGBLOB", "longblob", TC_BLOB, 0},	{"LONG", "mediumtext", TC_TEXT, 0},
	{"DATE", "date", TC_PLAIN, 0},		{"TIME", "time", TC_FSP, 0},
	{"DATETIME", "datetime", TC_FSP, 0},	{"TIMESTAMP", "timestamp", TC_FSP, 0},
	{"YEAR", "year", TC_YEAR, 0},		{"ENUM", "enum", TC_ENUM, 0},
	{"SET", "set", TC_ENUM, 0},		{"JSON", "json", TC_PLAIN, 0},
	{"GEOMETRY", "geometry", TC_PLAIN, 0},	{"POINT", "point", TC_PLAIN, 0},
	{"LINESTRING", "linestring", TC_PLAIN, 0},
	{"POLYGON", "polygon", TC_PLAIN, 0},	{"MULTIPOINT", "multipoint", TC_PLAIN, 0},
	{"MULTILINESTRING", "multilinestring", TC_PLAIN, 0},
	{"MULTIPOLYGON", "multipolygon", TC_PLAIN, 0},
	{"GEOMETRYCOLLECTION", "geometrycollection", TC_PLAIN, 0},
	{"GEOMCOLLECTION", "geomcollection", TC_PLAIN, 0},
	{"VECTOR", "vector", TC_VECTOR, 0},	{"INET4", "inet4", TC_PLAIN, 0},
	{"INET6", "inet6", TC_PLAIN, 0},	{"UUID", "uuid", TC_PLAIN, 0},
};

/* Text types by the number of bytes TEXT(M)/BLOB(M) asks for. */
static const char *sized(bool text, unsigned long long bytes, unsigned long *chars)
{
	if (bytes <= 255) {
		*chars = 255;
		return text ? "tinytext" : "tinyblob";
	}
	if (bytes <= 65535) {
		*chars = 65535;
		return text ? "text" : "blob";
	}
	if (bytes <= 16777215) {
		*chars = 16777215;
		return text ? "mediumtext" : "mediumblob";
	}
	*chars = 4294967295ul;
	return text ? "longtext" : "longblob";
}

/* The capacity of a TEXT or BLOB type in bytes. */
static unsigned long long text_bytes(const char *dt)
{
	if (!strncmp(dt, "tiny", 4))
		return 255;
	if (!strncmp(dt, "medium", 6))
		return 16777215;
	if (!strncmp(dt, "long", 4))
		return 4294967295ull;
	return 65535;
}

/* "(" n ")" when there; has = whether it was. */
static unsigned long opt_len(struct rp__ps *p, bool *has)
{
	*has = false;
	if (!rp__accept_punct(p, "("))
		return 0;
	unsigned long v = rp__ulong(p, "a length");
	rp__expect_punct(p, ")");
	*has = !p->rc;
	return v;
}

/* "(" m [, d] ")" of DECIMAL, FLOAT, DOUBLE */
static int opt_prec(struct rp__ps *p, unsigned long *m, unsigned long *d)
{
	int n = 0;
	if (!rp__accept_punct(p, "("))
		return 0;
	*m = rp__ulong(p, "a precision");
	n = 1;
	if (rp__accept_punct(p, ",")) {
		*d = rp__ulong(p, "a scale");
		n = 2;
	}
	rp__expect_punct(p, ")");
	return n;
}

/* UNSIGNED / SIGNED / ZEROFILL after a numeric type */
static void num_attrs(struct rp__ps *p, struct rp__ddl_type *t)
{
	for (;;) {
		if (rp__accept(p, "UNSIGNED")) {
			t->is_unsigned = true;
		} else if (rp__accept(p, "ZEROFILL")) {
			t->zerofill = true;
			t->is_unsigned = true;
		} else if (!rp__accept(p, "SIGNED")) {
			return;
		}
	}
}

static void num_suffix(char *ct, size_t cap, const struct rp__ddl_type *t)
{
	size_t k = strlen(ct);
	snprintf(ct + k, cap - k, "%s%s", t->is_unsigned ? " unsigned" : "",
		 t->zerofill ? " zerofill" : "");
}

/* ENUM/SET ( 'a', 'b' ): labels and "enum('a','it''s')" */
static void enum_labels(struct rp__ps *p, struct rp__ddl_type *t, struct buf *ct)
{
	const char **labels = NULL;
	size_t n = 0, cap = 0;
	rp__expect_punct(p, "(");
	buf_putc(ct, '(');
	do {
		const char *s = rp__string(p, "a quoted value", NULL);
		labels = rp__push(p, labels, &n, &cap, sizeof(*labels), "too many values");
		if (p->rc)
			return;
		labels[n - 1] = s;
		if (n > 1)
			buf_putc(ct, ',');
		buf_putc(ct, '\'');
		for (const char *c = s; *c; c++) {
			if (*c == '\'')
				buf_putc(ct, '\'');
			buf_putc(ct, *c);
		}
		buf_putc(ct, '\'');
	} while (rp__accept_punct(p, ","));
	rp__expect_punct(p, ")");
	buf_putc(ct, ')');
	t->labels = labels;
	t->nlabels = n;
}

/* The type's keyword(s): NATIONAL CHAR, CHARACTER VARYING, DOUBLE
 * PRECISION, LONG VARCHAR, CHAR BYTE...; NULL and a failure if unknown. */
static const struct tdef *type_word(struct rp__ps *p, bool *national)
{
	static const struct tdef varchar = {"VARCHAR", "varchar", TC_VARCHAR, 0};
	static const struct tdef mtext = {"LONG", "mediumtext", TC_TEXT, 0};
	static const struct tdef mblob = {"LONG", "mediumblob", TC_BLOB, 0};
	*national = rp__accept(p, "NATIONAL");
	const struct tdef *d = NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && !d; i++)
		if (rp__is(p, types[i].kw))
			d = &types[i];
	if (!d) {
		rp__fail(p, "a column type");
		return NULL;
	}
	if (rp__is(p, "NCHAR") || rp__is(p, "NVARCHAR"))
		*national = true;
	rp__adv(p);
	if (d->cls == TC_CHAR && (rp__accept(p, "VARYING") || rp__accept(p, "VARCHAR")))
		return &varchar;
	if (d->cls == TC_DOUBLE && !strcmp(d->kw, "DOUBLE"))
		rp__accept(p, "PRECISION");
	if (!strcmp(d->kw, "LONG")) {
		if (rp__accept(p, "VARBINARY"))
			return &mblob;
		if (!rp__accept(p, "VARCHAR"))
			rp__accept(p, "VARCHARACTER");
		return &mtext;
	}
	return d;
}

static void type_numeric(struct rp__ps *p, const struct tdef *d, struct rp__ddl_type *t,
			 char *ct, size_t cap)
{
	unsigned long m = 0, dd = 0;
	bool has;
	switch (d->cls) {
	case TC_INT: {
		unsigned long w = opt_len(p, &has);
		num_attrs(p, t);
		if (!has && t->zerofill) {
			has = true;
			/* signed ZEROFILL does not exist: it implies UNSIGNED */
			w = d->zwidth;
		}
		if (has)
			snprintf(ct, cap, "%s(%lu)", d->dt, w);
		else
			snprintf(ct, cap, "%s", d->dt);
		break;
	}
	case TC_DECIMAL: {
		int n = opt_prec(p, &m, &dd);
		num_attrs(p, t);
		snprintf(ct, cap, "decimal(%lu,%lu)", n ? m : 10, n == 2 ? dd : 0);
		break;
	}
	case TC_FLOAT: {
		int n = opt_prec(p, &m, &dd);
		num_attrs(p, t);
		/* FLOAT(p): a float up to 24 bits of precision, a double above */
		if (n == 1 && m > 24)
			t->data_type = "double";
		if (n == 2)
			snprintf(ct, cap, "%s(%lu,%lu)", t->data_type, m, dd);
		else
			snprintf(ct, cap, "%s", t->data_type);
		break;
	}
	default: {	/* TC_DOUBLE */
		int n = opt_prec(p, &m, &dd);
		num_attrs(p, t);
		if (n == 2)
			snprintf(ct, cap, "double(%lu,%lu)", m, dd);
		else
			snprintf(ct, cap, "double");
		break;
	}
	}
	num_suffix(ct, cap, t);
}

/* BINARY, ASCII, UNICODE, BYTE after a character type */
static void char_attrs(struct rp__ps *p, struct rp__ddl_type *t)
{
	for (;;) {
		if (rp__accept(p, "ASCII")) {
			t->charset = "latin1";
		} else if (rp__accept(p, "UNICODE")) {
			t->charset = "ucs2";
		} else if (rp__accept(p, "BYTE")) {
			t->charset = "binary";
		} else if (!rp__accept(p, "BINARY")) {
			return;
		}
	}
}

static void type_string(struct rp__ps *p, const struct tdef *d, struct rp__ddl_type *t,
			char *ct, size_t cap)
{
	bool has;
	unsigned long n;
	switch (d->cls) {
	case TC_CHAR:
	case TC_BINARY:
		n = opt_len(p, &has);
		if (!has)
			n = 1;
		snprintf(ct, cap, "%s(%lu)", d->dt, n);
		if (d->cls == TC_CHAR)
			t->char_length = n;
		break;
	case TC_VARCHAR:
	case TC_VARBINARY:
		rp__expect_punct(p, "(");
		n = rp__ulong(p, "a length");
		rp__expect_punct(p, ")");
		snprintf(ct, cap, "%s(%lu)", d->dt, n);
		if (d->cls == TC_VARCHAR)
			t->char_length = n;
		break;
	default: {	/* TEXT, BLOB */
		bool text = d->cls == TC_TEXT;
		unsigned long chars = 0;
		unsigned long long bytes = text_bytes(d->dt);
		n = opt_len(p, &has);
		/* TEXT(M): the smallest type holding M characters; the charset
		 * is not known yet, so 4 bytes each (utf8mb4) */
		if (has && bytes == 65535)
			bytes = text ? 4ull * n : n;
		t->data_type = sized(text, bytes, &chars);
		snprintf(ct, cap, "%s", t->data_type);
		if (text)
			t->char_length = chars;
		break;
	}
	}
	char_attrs(p, t);
}

static void parse_type(struct rp__ps *p, struct rp__ddl_column *c)
{
	struct rp__ddl_type *t = &c->type;
	bool national;
	const struct tdef *d = type_word(p, &national);
	if (!d)
		return;
	t->data_type = d->dt;
	if (national)
		t->charset = "utf8mb3";
	char ct[96];
	ct[0] = 0;
	bool has;
	unsigned long n;
	switch (d->cls) {
	case TC_INT:
	case TC_DECIMAL:
	case TC_FLOAT:
	case TC_DOUBLE:
		type_numeric(p, d, t, ct, sizeof(ct));
		break;
	case TC_BOOL:
		snprintf(ct, sizeof(ct), "tinyint(1)");
		break;
	case TC_SERIAL:
		/* BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE */
		snprintf(ct, sizeof(ct), "bigint unsigned");
		t->is_unsigned = true;
		c->not_null = c->auto_increment = c->unique = true;
		break;
	case TC_BIT:
		n = opt_len(p, &has);
		snprintf(ct, sizeof(ct), "bit(%lu)", has ? n : 1);
		break;
	case TC_CHAR:
	case TC_VARCHAR:
	case TC_BINARY:
	case TC_VARBINARY:
	case TC_TEXT:
	case TC_BLOB:
		type_string(p, d, t, ct, sizeof(ct));
		break;
	case TC_FSP:
	case TC_YEAR:
	case TC_VECTOR:
		n = opt_len(p, &has);
		if (has && (n || d->cls != TC_FSP))
			snprintf(ct, sizeof(ct), "%s(%lu)", d->dt, n);
		else
			snprintf(ct, sizeof(ct), "%s", d->dt);
		break;
	case TC_ENUM: {
		struct buf b;
		buf_init(&b, 0);
		buf_puts(&b, d->dt);
		enum_labels(p, t, &b);
		char_attrs(p, t);
		t->column_type = arena_strndup(p->a, (const char *)b.p, b.n);
		buf_release(&b);
		return;
	}
	case TC_PLAIN:
		snprintf(ct, sizeof(ct), "%s", d->dt);
		break;
	}
	t->column_type = arena_strndup(p->a, ct, strlen(ct));
}

/* ---- defaults ---- */

/* Words that end an unparenthesised default (MariaDB's DEFAULT expr). */
static const char *const attr_words[] = {
	"NOT", "NULL", "ON", "AUTO_INCREMENT", "COMMENT", "COLLATE", "PRIMARY",
	"UNIQUE", "KEY", "CHECK", "CONSTRAINT", "REFERENCES", "INVISIBLE",
	"VISIBLE", "GENERATED", "AS", "FIRST", "AFTER", "CHARACTER", "CHARSET",
	"COLUMN_FORMAT", "STORAGE", "SERIAL", "WITH", "WITHOUT", "COMPRESSED",
	"ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE", "SRID",
	"REF_SYSTEM_ID", "VIRTUAL", "STORED", "PERSISTENT", "DEFAULT",
	/* ALTER TABLE's partitioning, which follows the last clause without
	 * a comma: ADD c INT DEFAULT 0 PARTITION BY ... */
	"PARTITION", NULL,
};

static bool ends_default(struct rp__ps *p, unsigned k)
{
	const struct rp__tok *t = rp__peek(p, k);
	if (t->kind == RP__TK_END || rp__is_punct_at(p, k, ",") ||
	    rp__is_punct_at(p, k, ")") || rp__is_punct_at(p, k, ";"))
		return true;
	for (size_t i = 0; attr_words[i]; i++)
		if (rp__tok_is(t, attr_words[i]))
			return true;
	/* ... DEFAULT 0 REMOVE PARTITIONING (REMOVE is not reserved) */
	return (rp__tok_is(t, "REMOVE") || rp__tok_is(t, "UPGRADE")) &&
	       rp__peek_is(p, k + 1, "PARTITIONING");
}

/*
 * CURRENT_TIMESTAMP[([n])], NOW([n]), LOCALTIME[([n])],
 * LOCALTIMESTAMP[([n])] at lookahead k: how many tokens, 0 if none.
 */
static unsigned now_call(struct rp__ps *p, unsigned k, unsigned *fsp)
{
	static const char *const words[] = {"CURRENT_TIMESTAMP", "NOW", "LOCALTIME",
					    "LOCALTIMESTAMP"};
	bool found = false;
	for (size_t i = 0; i < 4 && !found; i++)
		found = rp__peek_is(p, k, words[i]);
	if (!found)
		return 0;
	*fsp = 0;
	bool is_now = rp__peek_is(p, k, "NOW");
	if (!rp__is_punct_at(p, k + 1, "("))
		return is_now ? 0 : 1;
	if (rp__is_punct_at(p, k + 2, ")"))
		return 3;
	const struct rp__tok *n = rp__peek(p, k + 2);
	if (n->kind == RP__TK_NUMBER && n->n == 1 && n->s[0] >= '0' && n->s[0] <= '6' &&
	    rp__is_punct_at(p, k + 3, ")")) {
		*fsp = (unsigned)(n->s[0] - '0');
		return 4;
	}
	return 0;
}

static bool numeric_type(const struct rp__ddl_type *t)
{
	static const char *const num[] = {"tinyint", "smallint", "mediumint", "int",
					  "bigint", "decimal", "float", "double",
					  "bit", "year", NULL};
	for (size_t i = 0; t->data_type && num[i]; i++)
		if (!strcmp(t->data_type, num[i]))
			return true;
	return false;
}

static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	return (unsigned)((c | 0x20) - 'a' + 10);
}

/*
 * X'..' / 0x.. / B'..' / 0b.. as a default: the number on numeric and
 * BIT columns ("31"), the bytes on the others, as MySQL stores them.
 */
static void bits_default(struct rp__ps *p, struct rp__ddl_column *c, const struct rp__tok *t)
{
	unsigned per = t->kind == RP__TK_HEX ? 4 : 1;
	size_t nbits = t->n * per;
	if (numeric_type(&c->type) && nbits <= 64) {
		unsigned long long v = 0;
		for (size_t i = 0; i < t->n; i++)
			v = (v << per) | digit_value(t->s[i]);
		char num[24];
		snprintf(num, sizeof(num), "%llu", v);
		c->def = arena_strndup(p->a, num, strlen(num));
		c->def_len = strlen(num);
		return;
	}
	if (numeric_type(&c->type)) {
		/* wider than 64 bits: the digits, for the message */
		char *s = arena_alloc(p->a, t->n + 3);
		memcpy(s, "0x", 2);
		memcpy(s + 2, t->s, t->n);
		s[t->n + 2] = 0;
		c->def = s;
		c->def_len = t->n + 2;
		return;
	}
	size_t nbytes = (nbits + 7) / 8;
	unsigned char *out = arena_alloc(p->a, nbytes + 1);
	memset(out, 0, nbytes + 1);
	/* right-aligned: the first digits fill the top of the first byte */
	for (size_t i = 0; i < t->n; i++) {
		size_t bit = nbytes * 8 - nbits + i * per;
		unsigned v = digit_value(t->s[i]);
		for (unsigned j = 0; j < per; j++)
			if (v & (1u << (per - 1 - j)))
				out[(bit + j) / 8] |= (unsigned char)(0x80u >> ((bit + j) % 8));
	}
	c->def = (const char *)out;
	c->def_len = nbytes;
}

/* A literal at the current token (after an optional sign); false if none. */
static bool literal_default(struct rp__ps *p, struct rp__ddl_column *c)
{
	const struct rp__tok *t = rp__cur(p);
	bool neg = false, sign = rp__is_punct(p, "-") || rp__is_punct(p, "+");
	unsigned k = sign ? 1 : 0;
	bool typed = rp__is(p, "DATE") || rp__is(p, "TIME") || rp__is(p, "TIMESTAMP");
	if (typed && rp__peek(p, 1)->kind == RP__TK_STRING)
		k = 1;
	const struct rp__tok *v = rp__peek(p, k);
	bool ok = v->kind == RP__TK_NUMBER ||
		  (!sign && (v->kind == RP__TK_STRING || v->kind == RP__TK_HEX ||
			     v->kind == RP__TK_BITS || rp__tok_is(v, "TRUE") ||
			     rp__tok_is(v, "FALSE")));
	if (!ok || !ends_default(p, k + 1))
		return false;
	neg = sign && t->s[0] == '-';
	for (unsigned i = 0; i < k; i++)
		rp__adv(p);
	t = rp__cur(p);
	c->def_kind = RP__DEF_LITERAL;
	if (t->kind == RP__TK_STRING) {
		c->def = t->s;
		c->def_len = t->n;
	} else if (t->kind == RP__TK_HEX || t->kind == RP__TK_BITS) {
		bits_default(p, c, t);
	} else if (t->kind == RP__TK_NUMBER) {
		char *s = arena_alloc(p->a, t->n + 2);
		size_t n = 0;
		if (neg)
			s[n++] = '-';
		memcpy(s + n, t->s, t->n);
		n += t->n;
		s[n] = 0;
		c->def = s;
		c->def_len = n;
	} else {
		c->def = rp__tok_is(t, "TRUE") ? "1" : "0";
		c->def_len = 1;
	}
	rp__adv(p);
	return true;
}

void rp__parse_default(struct rp__ps *p, struct rp__ddl_column *c)
{
	unsigned fsp = 0, k;
	c->def = NULL;
	c->def_len = 0;
	c->def_fsp = 0;
	if (rp__is(p, "NULL") && ends_default(p, 1)) {
		rp__adv(p);
		c->def_kind = RP__DEF_NULL;
		return;
	}
	/* CURRENT_TIMESTAMP and its synonyms, bare or as (expression) */
	k = now_call(p, 0, &fsp);
	if (k && ends_default(p, k)) {
		c->def_kind = RP__DEF_NOW;
	} else if (rp__is_punct(p, "(")) {
		k = now_call(p, 1, &fsp);
		if (k && rp__is_punct_at(p, k + 1, ")")) {
			k += 2;
			c->def_kind = RP__DEF_NOW;
		} else {
			c->def_kind = RP__DEF_EXPR;
			c->def = rp__paren_text(p);
			c->def_len = c->def ? strlen(c->def) : 0;
			return;
		}
	} else if (literal_default(p, c)) {
		return;
	} else {
		/* MariaDB: DEFAULT expression without parentheses */
		size_t ntok;
		c->def_kind = RP__DEF_EXPR;
		c->def = rp__text_until(p, attr_words, &ntok);
		if (!ntok)
			rp__fail(p, "a default value");
		c->def_len = c->def ? strlen(c->def) : 0;
		return;
	}
	for (unsigned i = 0; i < k; i++)
		rp__adv(p);
	char s[32];
	snprintf(s, sizeof(s), fsp ? "CURRENT_TIMESTAMP(%u)" : "CURRENT_TIMESTAMP", fsp);
	c->def = arena_strndup(p->a, s, strlen(s));
	c->def_len = strlen(s);
	c->def_fsp = fsp;
}

/* ---- attributes ---- */

/* [GENERATED ALWAYS] AS (expr), or MariaDB's AS ROW START|END */
static void generated(struct rp__ps *p, struct rp__ddl_column *c)
{
	rp__expect(p, "AS");
	if (rp__accept(p, "ROW")) {
		/* system-versioning period columns: their values come in
		 * the row images like any other */
		if (!rp__accept(p, "START"))
			rp__expect(p, "END");
		return;
	}
	c->generated = rp__paren_text(p);
}

/* CHECK (expr) [[NOT] ENFORCED] */
static void column_check(struct rp__ps *p, struct rp__ddl_column *c, const char *name)
{
	rp__expect(p, "CHECK");
	c->check = rp__paren_text(p);
	c->check_name = name;
	if (rp__is(p, "NOT") && rp__peek_is(p, 1, "ENFORCED")) {
		rp__adv(p);
		rp__adv(p);
		c->check_not_enforced = true;
	} else {
		rp__accept(p, "ENFORCED");
	}
}

static void inline_references(struct rp__ps *p, struct rp__ddl_column *c)
{
	struct rp__ddl_fkey *fk = arena_calloc(p->a, 1, sizeof(*fk));
	const char **cols = arena_calloc(p->a, 1, sizeof(*cols));
	cols[0] = c->name;
	fk->cols = cols;
	fk->ncols = 1;
	rp__parse_references(p, fk);
	c->references = fk;
}

static void on_update(struct rp__ps *p, struct rp__ddl_column *c)
{
	unsigned fsp;
	unsigned k = now_call(p, 0, &fsp);
	if (!k) {
		rp__fail(p, "CURRENT_TIMESTAMP");
		return;
	}
	while (k--)
		rp__adv(p);
	c->on_update_now = true;
}

/* The attributes nobody needs on the PostgreSQL side: read and dropped. */
static bool other_attribute(struct rp__ps *p, struct rp__ddl_column *c)
{
	if (rp__accept(p, "COLUMN_FORMAT") || rp__accept(p, "STORAGE")) {
		(void)rp__ident(p, "a value");
	} else if (rp__accept(p, "ENGINE_ATTRIBUTE") ||
		   rp__accept(p, "SECONDARY_ENGINE_ATTRIBUTE")) {
		rp__opt_eq(p);
		(void)rp__string(p, "a quoted value", NULL);
	} else if (rp__accept(p, "COMPRESSED")) {
		if (rp__accept_punct(p, "="))
			(void)rp__ident(p, "a compression method");
	} else if ((rp__is(p, "WITH") || rp__is(p, "WITHOUT")) &&
		   rp__peek_is(p, 1, "SYSTEM")) {
		rp__adv(p);
		rp__adv(p);
		rp__expect(p, "VERSIONING");
	} else if (rp__is(p, "NOT") && rp__peek_is(p, 1, "SECONDARY")) {
		rp__adv(p);
		rp__adv(p);
	} else if (rp__is(p, "SERIAL") && rp__peek_is(p, 1, "DEFAULT")) {
		/* SERIAL DEFAULT VALUE: NOT NULL AUTO_INCREMENT UNIQUE */
		rp__adv(p);
		rp__adv(p);
		rp__expect(p, "VALUE");
		c->not_null = c->auto_increment = c->unique = true;
	} else if (rp__accept(p, "FIRST")) {
		c->first = true;
	} else if (rp__accept(p, "AFTER")) {
		c->after = rp__ident(p, "a column name");
	} else {
		return false;
	}
	return true;
}

/* One attribute of a column, in any order; false when none starts here. */
static bool attribute(struct rp__ps *p, struct rp__ddl_column *c)
{
	struct rp__ddl_type *t = &c->type;
	if (rp__is(p, "NOT") && rp__peek_is(p, 1, "NULL")) {
		rp__adv(p);
		rp__adv(p);
		c->not_null = true;
	} else if (rp__accept(p, "NULL")) {
		c->not_null = false;
	} else if (rp__accept(p, "DEFAULT")) {
		rp__parse_default(p, c);
	} else if (rp__is(p, "ON") && rp__peek_is(p, 1, "UPDATE")) {
		rp__adv(p);
		rp__adv(p);
		on_update(p, c);
	} else if (rp__accept(p, "AUTO_INCREMENT")) {
		c->auto_increment = true;
	} else if (rp__accept(p, "UNIQUE")) {
		rp__accept(p, "KEY");
		c->unique = true;
	} else if (rp__accept(p, "PRIMARY")) {
		rp__expect(p, "KEY");
		c->primary = c->not_null = true;
	} else if (rp__accept(p, "KEY")) {	/* KEY alone is PRIMARY KEY here */
		c->primary = c->not_null = true;
	} else if (rp__accept(p, "COMMENT")) {
		c->comment = rp__string(p, "a quoted comment", NULL);
	} else if (rp__accept(p, "COLLATE")) {
		t->collation = rp__word_or_string(p, "a collation name");
	} else if ((rp__is(p, "CHARACTER") && rp__peek_is(p, 1, "SET")) ||
		   rp__is(p, "CHARSET")) {
		if (rp__is(p, "CHARACTER"))
			rp__adv(p);
		rp__adv(p);	/* SET, or CHARSET */
		t->charset = rp__word_or_string(p, "a character set name");
		/* CHARACTER SET x BINARY: x's binary collation (MySQL's
		 * grammar, like BINARY CHARACTER SET x) */
		rp__accept(p, "BINARY");
	} else if (rp__accept(p, "GENERATED")) {
		rp__expect(p, "ALWAYS");
		generated(p, c);
	} else if (rp__is(p, "AS")) {
		generated(p, c);
	} else if (rp__accept(p, "VIRTUAL")) {
		c->stored = false;
	} else if (rp__accept(p, "STORED") || rp__accept(p, "PERSISTENT")) {
		c->stored = true;
	} else if (rp__accept(p, "VISIBLE")) {
		c->invisible = false;
	} else if (rp__accept(p, "INVISIBLE")) {
		c->invisible = true;
	} else if (rp__accept(p, "SRID") || rp__accept(p, "REF_SYSTEM_ID")) {
		rp__opt_eq(p);
		unsigned long v = rp__ulong(p, "a spatial reference id");
		t->srid = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		t->has_srid = true;
	} else if (rp__is(p, "CHECK")) {
		column_check(p, c, NULL);
	} else if (rp__accept(p, "CONSTRAINT")) {
		const char *name = rp__is(p, "CHECK") ? NULL : rp__ident(p, "a constraint name");
		column_check(p, c, name);
	} else if (rp__is(p, "REFERENCES")) {
		inline_references(p, c);
	} else {
		return other_attribute(p, c);
	}
	return true;
}

/*
 * CHARACTER SET binary (or BYTE) makes the character types binary ones:
 * CHAR(n) is BINARY(n), VARCHAR(n) VARBINARY(n), TEXT BLOB, as
 * information_schema then shows them.
 */
static void binary_charset(struct rp__ps *p, struct rp__ddl_type *t)
{
	static const char *const from[] = {"char", "varchar", "tinytext", "text",
					   "mediumtext", "longtext"};
	static const char *const to[] = {"binary", "varbinary", "tinyblob", "blob",
					 "mediumblob", "longblob"};
	if (!t->charset || strcasecmp(t->charset, "binary") != 0 || !t->data_type)
		return;
	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		if (strcmp(t->data_type, from[i]) != 0)
			continue;
		char ct[48];
		if (i < 2)
			snprintf(ct, sizeof(ct), "%s(%lu)", to[i], t->char_length);
		else
			snprintf(ct, sizeof(ct), "%s", to[i]);
		t->data_type = to[i];
		t->column_type = arena_strndup(p->a, ct, strlen(ct));
		t->char_length = 0;
		return;
	}
}

void rp__parse_column_def(struct rp__ps *p, struct rp__ddl_column *c)
{
	c->name = rp__ident(p, "a column name");
	/* MySQL's grammar takes a qualified column name, db.t.c or t.c, and
	 * checks that it names the table being defined */
	for (int i = 0; i < 2 && rp__is_punct(p, "."); i++) {
		rp__adv(p);
		c->name = rp__ident(p, "a column name after '.'");
	}
	parse_type(p, c);
	while (!p->rc && attribute(p, c))
		;
	binary_charset(p, &c->type);
}
