/* chameleon check_source: is this MySQL/MariaDB server usable as a source? */
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
	struct cmd_args a;
	int rc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL, usage);
	if (rc)
		return rc == CMD_HELP ? 0 : rc;
	struct config cfg;
	if (cmd_config_open(a.config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, a.source);
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
