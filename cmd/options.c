/*
 * The options every command shares (--config, --source, --debug, --help,
 * and pg_chameleon's --rollbar-level, for cmd/notify.c), parsed once
 * here with getopt_long; a command adds its own options through a table
 * and a handler instead of repeating the getopt loop.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/notify.h"
#include "replay/replay.h"

enum { OPT_CONFIG = 0x10000, OPT_SOURCE, OPT_DEBUG, OPT_HELP, OPT_ROLLBAR, OPT_FOREIGN };

/*
 * pg_chameleon accepts each of its options with every command.  Those a
 * command here has no use for are accepted too, with a note saying so.
 */
static const struct option foreign[] = {
	{"schema", required_argument, NULL, 0},
	{"tables", required_argument, NULL, 0},
	{"logid", required_argument, NULL, 0},
	{"full", no_argument, NULL, 0},
};
#define NFOREIGN (sizeof(foreign) / sizeof(foreign[0]))

static bool declared(const struct cmd_opt *extra, const char *name)
{
	for (size_t i = 0; extra && extra[i].name; i++)
		if (!strcmp(extra[i].name, name))
			return true;
	return false;
}

int cmd_args_parse(struct cmd_args *a, int argc, char **argv,
		   const struct cmd_opt *extra,
		   int (*on_opt)(void *ctx, int id, const char *arg), void *ctx,
		   void (*usage)(FILE *f))
{
	memset(a, 0, sizeof(*a));
	a->config = "default";
	size_t nextra = 0;
	while (extra && extra[nextra].name)
		nextra++;
	struct option *lo = xcalloc(nextra + NFOREIGN + 6, sizeof(*lo));
	static const struct option common[] = {
		{"config", required_argument, NULL, OPT_CONFIG},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"debug", no_argument, NULL, OPT_DEBUG},
		{"help", no_argument, NULL, OPT_HELP},
		{"rollbar-level", required_argument, NULL, OPT_ROLLBAR},
	};
	memcpy(lo, common, sizeof(common));
	for (size_t i = 0; i < nextra; i++) {
		lo[5 + i].name = extra[i].name;
		lo[5 + i].has_arg = extra[i].has_arg ? required_argument : no_argument;
		lo[5 + i].val = extra[i].id;
	}
	size_t nlo = 5 + nextra;
	for (size_t i = 0; i < NFOREIGN; i++)
		if (!declared(extra, foreign[i].name)) {
			lo[nlo] = foreign[i];
			lo[nlo++].val = OPT_FOREIGN + (int)i;
		}
	int rc = 0, ch;
	optind = 1;
	opterr = 0;	/* one line of our own instead */
	while (!rc && (ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (ch) {
		case OPT_CONFIG:
			a->config = optarg;
			a->config_given = true;
			break;
		case OPT_SOURCE:
			a->source = optarg;
			break;
		case OPT_DEBUG:
			a->debug = true;
			log_set_level(LOG_DEBUG);
			break;
		case OPT_ROLLBAR:
			/* pg_chameleon's: the least severe level sent to Rollbar */
			if (notify_set_rollbar_level(optarg)) {
				fprintf(stderr, "chameleon %s: --rollbar-level critical, error, "
						"warning or info, not '%s'\n", argv[0], optarg);
				rc = CMD_USAGE;
			}
			break;
		case OPT_FOREIGN:
		case OPT_FOREIGN + 1:
		case OPT_FOREIGN + 2:
		case OPT_FOREIGN + 3:
			fprintf(stderr, "chameleon %s: --%s has no meaning for %s: ignored "
					"(accepted as pg_chameleon accepts it)\n",
				argv[0], foreign[ch - OPT_FOREIGN].name, argv[0]);
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			rc = CMD_HELP;
			break;
		case '?':
			fprintf(stderr, "chameleon %s: unknown option '%s' (see --help)\n",
				argv[0], argv[optind - 1]);
			rc = CMD_USAGE;
			break;
		case ':':
			fprintf(stderr, "chameleon %s: option '%s' needs a value\n", argv[0],
				argv[optind - 1]);
			rc = CMD_USAGE;
			break;
		default:
			/* the handler prints what is wrong */
			if (!on_opt || on_opt(ctx, ch, optarg))
				rc = CMD_USAGE;
			break;
		}
	}
	a->first = optind;
	free(lo);
	return rc;
}

int cmd_opt_long(const char *cmd, const char *opt, const char *arg, long lo,
		 long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < lo || v > hi) {
		fprintf(stderr, "chameleon %s: --%s takes a number from %ld to %ld, "
				"not '%s'\n", cmd, opt, lo, hi, arg);
		return -1;
	}
	*out = v;
	return 0;
}

int cmd_opt_zero_dates(const char *cmd, const char *arg, int *out)
{
	static const struct {
		const char *name;
		enum rp_zero_date v;
	} k[] = {
		{"null", RP_ZERO_DATE_NULL},
		{"error", RP_ZERO_DATE_ERROR},
		{"infinity", RP_ZERO_DATE_INFINITY},
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strcmp(arg, k[i].name)) {
			*out = (int)k[i].v;
			return 0;
		}
	fprintf(stderr, "chameleon %s: --zero-dates null, error or infinity, not '%s'\n",
		cmd, arg);
	return -1;
}

void cmd_error(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_is_json())
		log_error("chameleon", "%s", msg);
	else
		fprintf(stderr, "chameleon: %s\n", msg);
}
