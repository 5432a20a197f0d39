/* The shared option parser of the commands, and the catalog's array literals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cmd/cmd.h"
#include "replay/internal.h"
#include "test/unit/test.h"

struct seen {
	int yes;
	const char *format;
};

static void quiet_usage(FILE *f);

static int on_opt(void *ctx, int id, const char *arg)
{
	struct seen *s = ctx;
	if (id == 1)
		s->yes++;
	else if (id == 2)
		s->format = arg;
	return id == 2 && !strcmp(arg, "bad") ? -1 : 0;
}

/* argv of writable copies (getopt may permute it); free with argv_free */
static char **argv_of(const char *const *v, int *argc)
{
	int n = 0;
	while (v[n])
		n++;
	char **a = calloc((size_t)n + 1, sizeof(*a));
	for (int i = 0; i < n; i++)
		a[i] = strdup(v[i]);
	*argc = n;
	return a;
}

static void argv_free(char **a)
{
	for (int i = 0; a[i]; i++)
		free(a[i]);
	free(a);
}

/* parse the NULL-terminated literals */
static int parse(struct cmd_args *a, const char *const *v, const struct cmd_opt *x,
		 struct seen *s, char *first, size_t nfirst)
{
	int argc;
	char **argv = argv_of(v, &argc);
	int rc = cmd_args_parse(a, argc, argv, x, x ? on_opt : NULL, s, quiet_usage);
	if (first)
		snprintf(first, nfirst, "%s", a->first < argc ? argv[a->first] : "");
	/* config and source point into argv: keep them for the checks */
	static char cfg[64], src[64];
	snprintf(cfg, sizeof(cfg), "%s", a->config);
	a->config = cfg;
	if (a->source) {
		snprintf(src, sizeof(src), "%s", a->source);
		a->source = src;
	}
	if (s && s->format) {
		static char fmt[16];
		snprintf(fmt, sizeof(fmt), "%s", s->format);
		s->format = fmt;
	}
	argv_free(argv);
	return rc;
}

static void quiet_usage(FILE *f)
{
	(void)f;
}

static const struct cmd_opt extra[] = {
	{"yes", false, 1},
	{"format", true, 2},
	{NULL, false, 0},
};

TEST(cmd, args_parse)
{
	static const char *const v[] = {"show_status", "--config", "c.yml", "--yes",
					"--source=s1", "--format", "json", "--rollbar-level",
					"info", "file1", NULL};
	struct cmd_args a;
	struct seen s = {0, NULL};
	char first[32];
	ASSERT_EQ(parse(&a, v, extra, &s, first, sizeof(first)), 0);
	ASSERT_STREQ(a.config, "c.yml");
	ASSERT_STREQ(a.source, "s1");
	ASSERT_EQ(s.yes, 1);
	ASSERT_STREQ(s.format, "json");
	ASSERT(!a.debug);
	ASSERT_EQ(a.first, 9);
	ASSERT_STREQ(first, "file1");
}

TEST(cmd, args_parse_defaults_and_errors)
{
	struct cmd_args a;
	struct seen s = {0, NULL};
	static const char *const none[] = {"add_source", NULL};
	ASSERT_EQ(parse(&a, none, NULL, NULL, NULL, 0), 0);
	ASSERT_STREQ(a.config, "default");
	ASSERT(a.source == NULL);
	ASSERT_EQ(a.first, 1);
	FILE *keep = stderr;
	stderr = fopen("/dev/null", "w");
	static const char *const unknown[] = {"x", "--nope", NULL};
	int rc1 = parse(&a, unknown, extra, &s, NULL, 0);
	static const char *const missing[] = {"x", "--format", NULL};
	int rc2 = parse(&a, missing, extra, &s, NULL, 0);
	static const char *const bad[] = {"x", "--format", "bad", NULL};
	int rc3 = parse(&a, bad, extra, &s, NULL, 0);
	static const char *const not_ours[] = {"x", "--yes", NULL};
	int rc4 = parse(&a, not_ours, NULL, NULL, NULL, 0);
	fclose(stderr);
	stderr = keep;
	ASSERT_EQ(rc1, CMD_USAGE);
	ASSERT_EQ(rc2, CMD_USAGE);
	ASSERT_EQ(rc3, CMD_USAGE);
	ASSERT_EQ(rc4, CMD_USAGE);
	static const char *const help[] = {"x", "--source", "s", "--help", NULL};
	ASSERT_EQ(parse(&a, help, NULL, NULL, NULL, 0), CMD_HELP);
	static const char *const debug[] = {"x", "--debug", NULL};
	ASSERT_EQ(parse(&a, debug, NULL, NULL, NULL, 0), 0);
	ASSERT(a.debug);
	log_set_level(LOG_INFO);
}

TEST(replay, array_literal)
{
	struct buf b;
	buf_init(&b, 0);
	const char *v[] = {"shop", "we\"ird\\name", "", "a,b {c}"};
	rp__array_literal(&b, v, 4);
	ASSERT_STREQ(buf_cstr(&b), "{\"shop\",\"we\\\"ird\\\\name\",\"\",\"a,b {c}\"}");
	buf_reset(&b);
	rp__array_literal(&b, v, 0);
	ASSERT_STREQ(buf_cstr(&b), "{}");
	buf_release(&b);
}
