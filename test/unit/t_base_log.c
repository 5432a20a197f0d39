/* Log lines: text and JSON, fields, escaping. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "test/unit/test.h"

/* What one log call wrote. */
static char *captured(void (*emit)(void))
{
	char *out = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&out, &n);
	log_set_stream(m);
	emit();
	log_set_stream(NULL);
	fclose(m);
	return out;
}

static void emit_json(void)
{
	static const char *const kv[] = {"table", "s.t", NULL};
	log_write_kv(LOG_WARN, "replica", kv,
		     "a \"quoted\"\tline\nwith \x01 and \xc3\xa9 and bad \xff\xc3");
}

TEST(log, json_lines)
{
	log_set_json(true);
	log_set_field("source", "mysql");
	log_set_field_num("lag", 1.5);
	char *out = captured(emit_json);
	log_set_json(false);
	log_set_field("source", NULL);
	log_set_field("lag", NULL);
	/* {"time": "YYYY-MM-DDTHH:MM:SS.mmmZ", ... */
	ASSERT_EQ(strncmp(out, "{\"time\": \"", 10), 0);
	ASSERT_EQ(out[20], 'T');
	ASSERT_EQ(out[33], 'Z');
	ASSERT_STREQ(out + 34,
		     "\", \"level\": \"warn\", \"component\": \"replica\", \"message\": "
		     "\"a \\\"quoted\\\"\\tline\\nwith \\u0001 and \xc3\xa9 and bad "
		     "\\ufffd\\ufffd\", \"source\": \"mysql\", \"lag\": 1.500, "
		     "\"table\": \"s.t\"}\n");
	free(out);
}

static void emit_long(void)
{
	char *m = malloc(3000);
	memset(m, 1, 2999); /* each escaped as six bytes */
	m[2999] = 0;
	log_write(LOG_ERROR, "x", "%s", m);
	free(m);
}

TEST(log, json_long_line_stays_an_object)
{
	log_set_json(true);
	unsigned long before = log_error_count();
	char *out = captured(emit_long);
	log_set_json(false);
	size_t n = strlen(out);
	ASSERT(n > 8000);
	ASSERT_STREQ(out + n - 3, "\"}\n");
	ASSERT_EQ(log_error_count(), before + 1);
	free(out);
}

static void emit_text(void)
{
	static const char *const kv[] = {"table", "s.t", "position", "f:4", NULL};
	log_write_kv(LOG_INFO, "replica", kv, "copied");
}

TEST(log, text_line_with_fields)
{
	log_set_timestamps(0);
	char *out = captured(emit_text);
	log_set_timestamps(1);
	ASSERT_STREQ(out, "INFO  replica: copied (table s.t, position f:4)\n");
	free(out);
}
