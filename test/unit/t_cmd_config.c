/* The YAML configuration: pg_chameleon's example and bad files. */
#include <dirent.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "cmd/config.h"
#include <unistd.h>

#include "test/unit/test.h"

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/config/%s", test_fixture_dir(), name);
}

TEST(config, pg_chameleon_example)
{
	char p[512];
	path_of(p, sizeof(p), "good.yml");
	setenv("HOME", "/home/tester", 1);
	struct config c;
	struct err e = {0};
	if (config_load(&c, p, &e))
		test_fail(__FILE__, __LINE__, "%s", e.msg);
	ASSERT_STREQ(c.pid_dir, "/home/tester/.pg_chameleon/pid/");
	ASSERT_EQ(c.pg.port, 5432);
	ASSERT_EQ(c.n_sources, 1);
	const struct cfg_source *s = config_source(&c, "mysql");
	ASSERT(s != NULL);
	ASSERT_STREQ(s->db.password, "it's secret");
	ASSERT_EQ(s->db.port, 3306);
	ASSERT_EQ(s->n_mappings, 1);
	ASSERT_STREQ(s->mappings[0].pg_schema, "loxodonta_africana");
	ASSERT_EQ(s->copy_max_memory, 300ull << 20);
	ASSERT(!s->gtid_enable && !s->keep_existing_schema);
	ASSERT_EQ(s->skip_events_insert.n, 1);
	ASSERT_EQ(s->skip_events_update.n, 0);
	ASSERT_EQ(s->skip_events_delete.n, 1);
	ASSERT_STREQ(s->db.ssl_mode, "preferred");
	ASSERT_EQ(c.n_type_overrides, 1);
	ASSERT_STREQ(c.type_overrides[0].override_to, "boolean");
	/* unknown keys are warnings with their line */
	ASSERT_EQ(c.n_warnings, 1);
	ASSERT(strstr(c.warnings[0], ":67: key 'sources.mysql.a_key_we_do_not_know'"));
	/* libpq conninfo: quoted, extra keywords passed through */
	char *ci = config_pg_conninfo(&c);
	ASSERT(strstr(ci, "password='never_printed'"));
	ASSERT(strstr(ci, "sslmode='require'"));
	free(ci);
	config_release(&c);
}

TEST(config, bad_files_name_key_file_and_line)
{
	DIR *d = opendir("fixtures/config");
	ASSERT(d != NULL);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (strncmp(de->d_name, "bad-", 4) || len < 5 ||
		    strcmp(de->d_name + len - 4, ".yml"))
			continue;
		char p[512], ep[600];
		snprintf(p, sizeof(p), "fixtures/config/%s", de->d_name);
		snprintf(ep, sizeof(ep), "%s.expected", p);
		size_t en;
		char *want = (char *)test_read_file(ep, &en);
		while (en && want[en - 1] == '\n')
			en--;
		want[en] = 0;
		struct config c;
		struct err e = {0};
		int rc = config_load(&c, p, &e);
		ASSERT_ERR(rc, ERR_CONFIG);
		char got[600];
		snprintf(got, sizeof(got), "%s", e.msg);
		/* the path is shown as given: compare from the file name on */
		const char *g = strstr(got, de->d_name);
		ASSERT_STREQ(g ? g : got, want);
		free(want);
		config_release(&c);
		n++;
	}
	closedir(d);
	ASSERT(n >= 6);
}

TEST(config, resolve_path)
{
	char out[512];
	setenv("HOME", "/home/tester", 1);
	ASSERT_EQ(config_resolve_path("default", out, sizeof(out)), 0);
	ASSERT_STREQ(out, "/home/tester/.pg_chameleon/configuration/default.yml");
	ASSERT_EQ(config_resolve_path("./my.yml", out, sizeof(out)), 0);
	ASSERT_STREQ(out, "./my.yml");
}

TEST(config, example_loads_and_show_hides_passwords)
{
	char dir[] = "/tmp/chameleon-cfg-XXXXXX";
	ASSERT(mkdtemp(dir) != NULL);
	char p[512];
	snprintf(p, sizeof(p), "%s/example.yml", dir);
	FILE *f = fopen(p, "w");
	fputs(cmd_example_config, f);
	fclose(f);
	struct config c;
	struct err e = {0};
	if (config_load(&c, p, &e))
		test_fail(__FILE__, __LINE__, "example: %s", e.msg);
	ASSERT_EQ(c.n_warnings, 0);
	char *out = NULL;
	size_t outn = 0;
	FILE *m = open_memstream(&out, &outn);
	cmd_show_config_to(m, &c, NULL);
	fclose(m);
	ASSERT(strstr(out, "never_commit_passwords") == NULL);
	ASSERT(strstr(out, "password: '***'") != NULL);
	/* what show_config prints loads again to the same configuration */
	f = fopen(p, "w");
	fputs(out, f);
	fclose(f);
	struct config c2;
	if (config_load(&c2, p, &e))
		test_fail(__FILE__, __LINE__, "show_config output: %s", e.msg);
	ASSERT_EQ(c2.sources[0].my_server_id, c.sources[0].my_server_id);
	ASSERT_EQ(c2.sources[0].copy_max_memory, c.sources[0].copy_max_memory);
	free(out);
	config_release(&c);
	config_release(&c2);
	unlink(p);
	rmdir(dir);
}

/* Without HOME nothing falls back to the password database: '~' is an
 * error naming its key, pid_dir and log_dir have no default, and a
 * configuration without pg_conn.user needs PGUSER. */
TEST(config, nothing_from_the_system_user_database)
{
	const char *h = getenv("HOME");
	char *home = h ? strdup(h) : NULL;
	const char *u = getenv("PGUSER");
	char *pguser = u ? strdup(u) : NULL;
	unsetenv("HOME");
	unsetenv("PGUSER");
	char p[512];
	path_of(p, sizeof(p), "good.yml");
	struct config c;
	struct err e = {0};
	ASSERT_ERR(config_load(&c, p, &e), ERR_CONFIG);
	ASSERT(strstr(e.msg, "pid_dir: '~/.pg_chameleon/pid/' needs HOME, which is not set"));
	config_release(&c);
	char out[512];
	ASSERT_EQ(config_resolve_path("default", out, sizeof(out)), -ERR_USAGE);
	ASSERT_EQ(config_resolve_path("/etc/c.yml", out, sizeof(out)), 0);

	char dir[] = "/tmp/chameleon-cfg-XXXXXX";
	ASSERT(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/nouser.yml", dir);
	FILE *f = fopen(p, "w");
	fputs("pg_conn:\n  host: 127.0.0.1\n  database: d\n"
	      "sources:\n  s:\n    db_conn: {host: h, user: u}\n"
	      "    schema_mappings: {a: b}\n", f);
	fclose(f);
	memset(&e, 0, sizeof(e));
	ASSERT_ERR(config_load(&c, p, &e), ERR_CONFIG);
	ASSERT(strstr(e.msg, "pg_conn.user is missing and PGUSER is not set"));
	config_release(&c);
	setenv("PGUSER", "replicator", 1);
	memset(&e, 0, sizeof(e));
	if (config_load(&c, p, &e))
		test_fail(__FILE__, __LINE__, "%s", e.msg);
	ASSERT(c.pid_dir == NULL && c.log_dir == NULL);
	config_release(&c);
	unlink(p);
	rmdir(dir);

	if (home)
		setenv("HOME", home, 1);
	if (pguser)
		setenv("PGUSER", pguser, 1);
	else
		unsetenv("PGUSER");
	free(home);
	free(pguser);
}

/* A configuration from text, in a temporary file: 0 or the error in e. */
static int load_text(struct config *c, const char *text, struct err *e)
{
	char dir[] = "/tmp/chameleon-env-XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	char p[512];
	snprintf(p, sizeof(p), "%s/c.yml", dir);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	int rc = config_load(c, p, e);
	unlink(p);
	rmdir(dir);
	return rc;
}

static const char env_cfg[] =
	"log_format: ${T_LOGFMT}\n"
	"pg_conn: {host: h, user: u, password: '${T_PGPW}', database: d}\n"
	"sources:\n"
	"  s:\n"
	"    db_conn: {host: '${T_HOST}', port: '${T_PORT}', user: u, password: 'a$${b}c${T_MYPW}'}\n"
	"    schema_mappings: {x: '${T_PGS}'}\n"
	"    metrics_listen: '127.0.0.1:${T_PORT}'\n";

TEST(config, environment_variables_in_values)
{
	setenv("T_LOGFMT", "json", 1);
	setenv("T_PGPW", "pg secret 'quoted'", 1);
	setenv("T_HOST", "db.example", 1);
	setenv("T_PORT", "3307", 1);
	setenv("T_MYPW", "", 1);
	setenv("T_PGS", "x_pg", 1);
	struct config c;
	struct err e = {0};
	if (load_text(&c, env_cfg, &e))
		test_fail(__FILE__, __LINE__, "%s", e.msg);
	ASSERT_STREQ(c.log_format, "json");
	ASSERT_STREQ(c.pg.password, "pg secret 'quoted'");
	ASSERT_STREQ(c.sources[0].db.host, "db.example");
	ASSERT_EQ(c.sources[0].db.port, 3307);
	/* $${ is a literal ${; an empty variable is empty */
	ASSERT_STREQ(c.sources[0].db.password, "a${b}c");
	ASSERT_STREQ(c.sources[0].mappings[0].pg_schema, "x_pg");
	ASSERT_STREQ(c.sources[0].metrics_listen, "127.0.0.1:3307");
	/* show_config hides the passwords taken from the environment too */
	char *out = NULL;
	size_t outn = 0;
	FILE *m = open_memstream(&out, &outn);
	cmd_show_config_to(m, &c, NULL);
	fclose(m);
	ASSERT(strstr(out, "pg secret") == NULL);
	ASSERT(strstr(out, "log_format: json") != NULL);
	free(out);
	config_release(&c);
}

TEST(config, unset_variable_names_key_and_variable)
{
	setenv("T_PGPW", "x", 1);
	setenv("T_HOST", "h", 1);
	setenv("T_PORT", "1", 1);
	setenv("T_PGS", "p", 1);
	setenv("T_LOGFMT", "text", 1);
	unsetenv("T_MYPW");
	struct config c;
	struct err e = {0};
	ASSERT(load_text(&c, env_cfg, &e) != 0);
	ASSERT(strstr(e.msg, ":5: sources.s.db_conn.password: environment variable "
			     "'T_MYPW' is not set") != NULL);
	config_release(&c);
	/* malformed references */
	err_clear(&e);
	ASSERT(load_text(&c, "pg_conn: {host: '${}'}\nsources: {}\n", &e) != 0);
	ASSERT(strstr(e.msg, "pg_conn.host: malformed '${'") != NULL);
	config_release(&c);
	err_clear(&e);
	ASSERT(load_text(&c, "pg_conn: {host: '${A'}\nsources: {}\n", &e) != 0);
	ASSERT(strstr(e.msg, "malformed") != NULL);
	config_release(&c);
	/* a lone $ stays */
	ASSERT_EQ(load_text(&c, "pg_conn: {host: 'a$b', user: u, password: '$'}\nsources: {}\n", &e), 0);
	ASSERT_STREQ(c.pg.host, "a$b");
	config_release(&c);
}
