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

/* zero_dates and text_nul: their defaults, and YAML's plain null naming
 * the null policy rather than no value. */
TEST(config, conversion_policies)
{
	char p[] = "/tmp/chameleon-policies-XXXXXX";
	int fd = mkstemp(p);
	ASSERT(fd >= 0);
	static const char yml[] =
		"pg_conn: {host: localhost, user: u, password: p, database: d}\n"
		"sources:\n"
		"  a:\n"
		"    db_conn: {host: localhost, user: u, password: p}\n"
		"    schema_mappings: {s: s_pg}\n"
		"    zero_dates: null\n"
		"    text_nul: strip\n"
		"  b:\n"
		"    db_conn: {host: localhost, user: u, password: p}\n"
		"    schema_mappings: {t: t_pg}\n";
	ASSERT_EQ(write(fd, yml, sizeof(yml) - 1), (ssize_t)(sizeof(yml) - 1));
	close(fd);
	struct config c;
	struct err e = {0};
	int rc = config_load(&c, p, &e);
	unlink(p);
	if (rc)
		test_fail(__FILE__, __LINE__, "%s", e.msg);
	ASSERT_STREQ(config_source(&c, "a")->zero_dates, "null");
	ASSERT_STREQ(config_source(&c, "a")->text_nul, "strip");
	ASSERT_STREQ(config_source(&c, "b")->zero_dates, "infinity");
	ASSERT_STREQ(config_source(&c, "b")->text_nul, "replace");
	config_release(&c);
}
