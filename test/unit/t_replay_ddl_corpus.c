/*
 * The DDL parser over the corpus of real-world statements in fixtures/ddl/
 * (origins and format in fixtures/ddl/README.md): each statement is
 * classified as its "-- expect:" line says, table statements are read
 * (not RP__DS_UNPARSED) unless marked "-- unsupported: reason", and every
 * prefix and a few byte mutations of every statement parse without an
 * error (the parser never fails for bad SQL) and keep the contract.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/ddl_int.h"
#include "test/unit/test.h"

#define CORPUS_DIR "fixtures/ddl"

struct entry {
	const char *file;	/* corpus file name */
	unsigned line;		/* line of its first annotation */
	const char *expect;	/* kind name, "other" for RP__DS_OTHER */
	const char *unsupported;	/* reason, or NULL */
	bool ansi;		/* "-- ansi_quotes" */
	const char *q;		/* the statement, not NUL-terminated */
	size_t n;
};

struct corpus {
	struct entry *e;
	size_t n, cap;
	char **files;		/* file contents and names, to free */
	size_t nfiles;
	size_t bytes;		/* sum of the statements' lengths */
};

static bool starts(const char *p, const char *end, const char *s)
{
	size_t k = strlen(s);
	return (size_t)(end - p) >= k && memcmp(p, s, k) == 0;
}

/* The text after "-- key:" up to the end of the line, NUL-terminated in place. */
static const char *annot_value(char *p, char *eol, size_t key_len)
{
	p += key_len;
	while (p < eol && *p == ' ')
		p++;
	*eol = 0;
	return p;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One corpus file: a header (lines before the first ";;" line), then
 * entries each ended by a ";;" line or the end of the file.  An entry
 * opens with its annotation lines ("-- expect: KIND", "-- from: ...",
 * "-- ansi_quotes", "-- unsupported: reason"); the rest, up to the
 * newline before the ";;" line, is the statement, byte for byte.
 */
static void load_file(struct corpus *c, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, name);
	size_t n;
	char *text = (char *)test_read_file(path, &n);
	c->files = realloc(c->files, (c->nfiles + 2) * sizeof(*c->files));
	ASSERT(c->files != NULL);
	c->files[c->nfiles++] = text;
	char *fname = strdup(name);
	ASSERT(fname != NULL);
	c->files[c->nfiles++] = fname;

	char *p = text, *end = text + n;
	unsigned line = 1;
	bool header = true;
	while (p < end) {
		/* p is at the start of a line after a ";;" line (or of the file) */
		char *start = p;
		unsigned start_line = line;
		char *stop = NULL;
		while (p < end) {
			char *eol = memchr(p, '\n', (size_t)(end - p));
			char *next = eol ? eol + 1 : end;
			if (next - p >= 2 && starts(p, end, ";;") &&
			    (p + 2 == end || p[2] == '\n')) {
				stop = p;
				p = next;
				line++;
				break;
			}
			p = next;
			line++;
		}
		if (!stop)
			stop = end;
		if (header) {
			header = false;
			continue;
		}
		struct entry en = {.file = fname, .line = start_line};
		char *s = start;
		for (;;) {
			char *eol = memchr(s, '\n', (size_t)(stop - s));
			if (!eol)
				break;
			if (starts(s, eol, "-- expect:")) {
				en.expect = annot_value(s, eol, 10);
			} else if (starts(s, eol, "-- unsupported:")) {
				en.unsupported = annot_value(s, eol, 15);
			} else if (starts(s, eol, "-- from:")) {
				/* provenance only */
			} else if (eol - s == 14 && starts(s, eol, "-- ansi_quotes")) {
				en.ansi = true;
			} else {
				break;
			}
			s = eol + 1;
		}
		if (!en.expect)
			test_fail(__FILE__, __LINE__, "%s:%u: entry without '-- expect:'",
				  name, start_line);
		size_t len = (size_t)(stop - s);
		if (len && s[len - 1] == '\n')
			len--;
		en.q = s;
		en.n = len;
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->e = realloc(c->e, c->cap * sizeof(*c->e));
			ASSERT(c->e != NULL);
		}
		c->e[c->n++] = en;
		c->bytes += len;
	}
}

static void corpus_load(struct corpus *c)
{
	memset(c, 0, sizeof(*c));
	DIR *d = opendir(CORPUS_DIR);
	ASSERT(d != NULL);
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql"))
			continue;
		names = realloc(names, (nn + 1) * sizeof(*names));
		ASSERT(names != NULL);
		names[nn] = strdup(de->d_name);
		ASSERT(names[nn] != NULL);
		nn++;
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nn; i++) {
		load_file(c, names[i]);
		free(names[i]);
	}
	free(names);
}

static void corpus_release(struct corpus *c)
{
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->e);
}

static const char *kind_label(enum rp__ddl_kind k)
{
	return k == RP__DS_OTHER ? "other" : rp__ddl_kind_name(k);
}

/* Parse q[0..n) from a private copy of exactly n bytes (so that a read
 * past the end is seen by ASan); fail unless the contract holds. */
static void parse_checked(struct arena *a, const struct entry *en, const char *q, size_t n,
			  bool ansi, struct rp__ddl_stmt *st, const char *what)
{
	char *copy = malloc(n ? n : 1);
	ASSERT(copy != NULL);
	memcpy(copy, q, n);
	struct err e = {0};
	arena_reset(a);
	int rc = rp__ddl_parse(copy, n, ansi, a, st, &e);
	free(copy);
	if (rc != 0)
		test_fail(__FILE__, __LINE__, "%s:%u: %s of %zu bytes: rc %d (%s)", en->file,
			  en->line, what, n, rc, e.msg);
	if (st->what == NULL ||
	    (st->kind == RP__DS_UNPARSED && (st->error == NULL || st->error_off > n)))
		test_fail(__FILE__, __LINE__, "%s:%u: %s of %zu bytes: bad result (what %p, "
			  "error %p, error_off %zu)", en->file, en->line, what, n,
			  (const void *)st->what, (const void *)st->error, st->error_off);
}

TEST(replay_ddl_corpus, expected_kinds)
{
	struct corpus c;
	corpus_load(&c);
	struct arena a;
	arena_init(&a, 1 << 16);
	unsigned bad = 0, unsupported = 0;
	for (size_t i = 0; i < c.n; i++) {
		const struct entry *en = &c.e[i];
		struct rp__ddl_stmt st;
		parse_checked(&a, en, en->q, en->n, en->ansi, &st, "statement");
		const char *got = kind_label(st.kind);
		if (en->unsupported) {
			unsupported++;
			/* marked unsupported: must still be, as the kind expected */
			if (st.kind != RP__DS_UNPARSED ||
			    strcmp(kind_label(st.kind_of_unparsed), en->expect)) {
				fprintf(stderr, "# %s:%u: marked unsupported (%s) but parsed as %s "
					"(%s): update the annotation\n", en->file, en->line,
					en->unsupported, got, kind_label(st.kind_of_unparsed));
				bad++;
			}
			continue;
		}
		if (strcmp(got, en->expect) != 0) {
			if (st.kind == RP__DS_UNPARSED)
				fprintf(stderr, "# %s:%u: %s: unparsed: %s at %zu: '%.40s'\n",
					en->file, en->line, en->expect, st.error, st.error_off,
					en->q + st.error_off);
			else
				fprintf(stderr, "# %s:%u: kind %s, want %s: %.80s\n", en->file,
					en->line, got, en->expect, en->q);
			bad++;
		}
	}
	fprintf(stderr, "# %zu statements (%zu bytes), %u marked unsupported\n", c.n, c.bytes,
		unsupported);
	arena_release(&a);
	corpus_release(&c);
	ASSERT_EQ(bad, 0);
}

TEST(replay_ddl_corpus, size)
{
	struct corpus c;
	corpus_load(&c);
	size_t table = 0;
	for (size_t i = 0; i < c.n; i++)
		table += strcmp(c.e[i].expect, "other") != 0;
	fprintf(stderr, "# %zu statements, %zu of them table statements\n", c.n, table);
	/* several hundred of each: table statements of every origin, and
	 * statements that must pass through as other */
	ASSERT(c.n >= 1400);
	ASSERT(table >= 850);
	ASSERT(c.n - table >= 550);
	corpus_release(&c);
}

/* Every prefix of every statement, in both quoting modes. */
TEST(replay_ddl_corpus, truncation_sweep)
{
	struct corpus c;
	corpus_load(&c);
	struct arena a;
	arena_init(&a, 1 << 16);
	for (size_t i = 0; i < c.n; i++) {
		const struct entry *en = &c.e[i];
		for (size_t k = 0; k < en->n; k++) {
			struct rp__ddl_stmt st;
			parse_checked(&a, en, en->q, k, (k & 1) ? en->ansi : !en->ansi, &st,
				      "prefix");
		}
	}
	arena_release(&a);
	corpus_release(&c);
}

/* Bytes that change how a statement is tokenized or nested. */
static const char mutants[] = "()`'\"\\,;/*#-.=@!\n\0\xff";

/* xorshift32: the same mutations on every run */
static uint32_t next_rand(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* A few mutations of every statement: one byte replaced, deleted or
 * doubled, and a cut joined to a later part of the statement. */
TEST(replay_ddl_corpus, mutations)
{
	struct corpus c;
	corpus_load(&c);
	struct arena a;
	arena_init(&a, 1 << 16);
	uint32_t seed = 2463534242u;
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < c.n; i++) {
		const struct entry *en = &c.e[i];
		if (en->n == 0)
			continue;
		if (cap < en->n + 1) {
			cap = en->n + 1;
			buf = realloc(buf, cap);
			ASSERT(buf != NULL);
		}
		for (int m = 0; m < 8; m++) {
			size_t at = next_rand(&seed) % en->n;
			size_t len = en->n;
			memcpy(buf, en->q, en->n);
			switch (m % 4) {
			case 0:
				buf[at] = mutants[next_rand(&seed) % (sizeof(mutants) - 1)];
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			case 2:
				memmove(buf + at + 1, buf + at, len - at);
				len++;
				break;
			default: {
				size_t to = at + next_rand(&seed) % (len - at);
				memmove(buf + at, buf + to, len - to);
				len -= to - at;
				break;
			}
			}
			struct rp__ddl_stmt st;
			parse_checked(&a, en, buf, len, (m & 1) != 0, &st, "mutation");
		}
	}
	free(buf);
	arena_release(&a);
	corpus_release(&c);
}
