/* chameleon check_source: is this MySQL/MariaDB server usable as a source? */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/source.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon check_source [--config C] [--source S]\n"
		"\n"
		"Connect to the source and report, one line per check, what is right\n"
		"and what must change on the server, with the statement or setting\n"
		"that fixes it.  Exit status 0 only when the source is usable.\n");
}

int cmd_check_source(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"source", required_argument, NULL, 's'},
		{"debug", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = "default", *source = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 's': source = optarg; break;
		case 'd': log_set_level(LOG_DEBUG); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	struct config cfg;
	if (cmd_config_open(config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, source);
	struct mp_conn c;
	if (!src || cmd_source_connect(src, &c, 30000)) {
		printf("FAIL  connection: cannot connect (see above)\n");
		config_release(&cfg);
		return 1;
	}
	printf("ok    connection: %s:%d as %s (%s%s%s)\n", src->db.host, src->db.port,
	       src->db.user, c.auth_plugin, c.tls_version[0] ? ", TLS " : ", no TLS",
	       c.tls_version);
	struct mp_check checks[16];
	int n = mp_check_source(&c, checks, 16);
	int bad = 0;
	for (int i = 0; i < n; i++) {
		const char *tag = !checks[i].ok ? "FAIL" : checks[i].warning ? "warn" : "ok";
		printf("%-5s %s: %s\n", tag, checks[i].name, checks[i].detail);
		if (checks[i].fix[0] && (!checks[i].ok || checks[i].warning))
			printf("      fix: %s\n", checks[i].fix);
		bad += !checks[i].ok;
	}
	if (n < 0) {
		printf("FAIL  checks: %s\n", c.err.msg);
		bad++;
	}
	printf("%s\n", bad ? "the source is NOT usable: fix the FAIL lines above"
			   : "the source is usable");
	mp_close(&c);
	config_release(&cfg);
	return bad ? 1 : 0;
}
