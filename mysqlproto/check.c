/*
 * The source checks behind check_source: server variables, the binlog
 * position and the account's grants, each with what was found and how to
 * fix it.  The checks only read; they change nothing on the server, and a
 * query that fails is a finding, not an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqlproto/internal.h"

/* What a variable check expects of its value. */
enum expect {
	EXPECT_ON,		/* "1" or "ON", else fails */
	EXPECT_EQ,		/* want, else fails */
	EXPECT_EQ_OR_UNSET,	/* want or no such variable, else fails */
	WARN_UNLESS_EQ,		/* want or no such variable, else a warning */
	REPORT,			/* only reported */
};

enum flavour { BOTH, MARIADB, MYSQL };

struct var_check {
	const char *check;	/* the check's name */
	const char *var;	/* read as @@global.<var> */
	enum flavour only;
	enum expect how;
	const char *want;	/* compared case-insensitively */
	const char *missing;	/* the detail when there is no such variable */
	bool empty_is_missing;	/* an empty value reads as missing too */
	const char *fix;
};

static const struct var_check var_checks[] = {
	{"log_bin", "log_bin", BOTH, EXPECT_ON, NULL, "?", false,
	 "start the server with log_bin (e.g. log-bin=mysql-bin "
	 "and a server_id) in its configuration, then restart"},
	{"binlog_format", "binlog_format", BOTH, EXPECT_EQ, "ROW", "?", false,
	 "SET GLOBAL binlog_format = 'ROW'; and binlog_format=ROW "
	 "in the server configuration"},
	{"binlog_row_image", "binlog_row_image", BOTH, EXPECT_EQ_OR_UNSET, "FULL",
	 "(not set: FULL)", false,
	 "SET GLOBAL binlog_row_image = 'FULL'; (partial images "
	 "cannot update rows whose key columns are absent)"},
	{"binlog_row_metadata", "binlog_row_metadata", BOTH, WARN_UNLESS_EQ, "FULL",
	 "(not available)", false,
	 "SET GLOBAL binlog_row_metadata = 'FULL'; gives column "
	 "names, charsets and signedness in the binlog itself"},
	{"binlog_checksum", "binlog_checksum", BOTH, REPORT, NULL,
	 "(not available: NONE)", false, ""},
	{"gtid", "gtid_binlog_pos", MARIADB, REPORT, NULL, "(empty)", true, ""},
	{"gtid_mode", "gtid_mode", MYSQL, WARN_UNLESS_EQ, "ON", "(not available)",
	 false,
	 "optional: gtid_mode=ON and "
	 "enforce_gtid_consistency=ON allow GTID positioning"},
};

static struct mp_check *add(struct mp_check *out, int *k, int max,
			    const char *name)
{
	if (*k >= max)
		return NULL;
	struct mp_check *ch = &out[(*k)++];
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	return ch;
}

/* @@global.name, *found false when the server has no such variable. */
static void var(struct mp_conn *c, const char *name, char *out, size_t n,
		bool *found)
{
	char q[128];
	snprintf(q, sizeof(q), "SELECT @@global.%s", name);
	if (mp_query_value(c, q, out, n, found)) {
		err_clear(&c->err);
		*found = false;
		out[0] = 0;
	}
}

static void check_version(struct mp_conn *c, struct mp_check *ch)
{
	ch->ok = true;
	snprintf(ch->detail, sizeof(ch->detail), "%s (%s)", c->server_version,
		 c->is_mariadb ? "MariaDB" : "MySQL");
	unsigned major = (unsigned)atoi(c->server_version);
	if (!c->is_mariadb && major < 5) {
		ch->ok = false;
		snprintf(ch->fix, sizeof(ch->fix), "MySQL 5.6 or later is needed");
	}
}

static void check_var(struct mp_conn *c, const struct var_check *vc,
		      struct mp_check *out, int *k, int max)
{
	char v[192];
	bool found;
	var(c, vc->var, v, sizeof(v), &found);
	struct mp_check *ch = add(out, k, max, vc->check);
	if (!ch)
		return;
	bool eq = found && vc->want && !strcasecmp(v, vc->want);
	ch->ok = true;
	switch (vc->how) {
	case EXPECT_ON:
		ch->ok = found && (!strcmp(v, "1") || !strcasecmp(v, "ON"));
		break;
	case EXPECT_EQ:
		ch->ok = eq;
		break;
	case EXPECT_EQ_OR_UNSET:
		ch->ok = !found || eq;
		break;
	case WARN_UNLESS_EQ:
		ch->warning = found && !eq;
		break;
	case REPORT:
		break;
	}
	bool missing = !found || (vc->empty_is_missing && !v[0]);
	snprintf(ch->detail, sizeof(ch->detail), "%s = %s", vc->var,
		 missing ? vc->missing : v);
	if (!ch->ok || ch->warning)
		snprintf(ch->fix, sizeof(ch->fix), "%s", vc->fix);
}

static void check_position(struct mp_conn *c, struct mp_check *ch)
{
	struct mp_position sp;
	if (mp_source_position(c, &sp) == 0) {
		ch->ok = true;
		snprintf(ch->detail, sizeof(ch->detail), "%.200s:%llu", sp.file,
			 (unsigned long long)sp.pos);
	} else {
		ch->ok = false;
		snprintf(ch->detail, sizeof(ch->detail), "%s", c->err.msg);
		snprintf(ch->fix, sizeof(ch->fix),
			 "enable the binary log; the account needs REPLICATION "
			 "CLIENT (BINLOG MONITOR on MariaDB)");
	}
	err_clear(&c->err);
}

static void check_grants(struct mp_conn *c, struct mp_check *ch)
{
	struct mp_result r;
	bool slave = false, client = false, all = false;
	if (mp_query(c, "SHOW GRANTS", &r) == 0) {
		struct mp_row row;
		while (mp_result_next(c, &r, &row) == 1) {
			char g[1024];
			snprintf(g, sizeof(g), "%.*s", (int)row.values[0].n,
				 (const char *)row.values[0].p);
			if (strstr(g, "ALL PRIVILEGES ON *.*"))
				all = true;
			if (strstr(g, "REPLICATION SLAVE") ||
			    strstr(g, "REPLICATION REPLICA"))
				slave = true;
			if (strstr(g, "REPLICATION CLIENT") || strstr(g, "BINLOG MONITOR"))
				client = true;
		}
		mp_result_release(c, &r);
	}
	err_clear(&c->err);
	ch->ok = all || slave;
	const char *found = all     ? "ALL PRIVILEGES"
			    : !slave ? "no REPLICATION SLAVE"
			    : client ? "REPLICATION SLAVE, REPLICATION CLIENT"
				     : "REPLICATION SLAVE";
	snprintf(ch->detail, sizeof(ch->detail), "%s", found);
	if (!ch->ok)
		snprintf(ch->fix, sizeof(ch->fix),
			 "GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON "
			 "*.* TO the replication user");
}

int mp_check_source(struct mp_conn *c, struct mp_check *out, int max)
{
	int k = 0;
	struct mp_check *ch = add(out, &k, max, "server version");
	if (ch)
		check_version(c, ch);
	for (size_t i = 0; i < sizeof(var_checks) / sizeof(var_checks[0]); i++) {
		const struct var_check *vc = &var_checks[i];
		if ((vc->only == MARIADB && !c->is_mariadb) ||
		    (vc->only == MYSQL && c->is_mariadb))
			continue;
		check_var(c, vc, out, &k, max);
	}
	ch = add(out, &k, max, "binlog position");
	if (ch)
		check_position(c, ch);
	ch = add(out, &k, max, "privileges");
	if (ch)
		check_grants(c, ch);
	return k;
}
