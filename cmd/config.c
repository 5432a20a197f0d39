/*
 * The pg_chameleon YAML configuration (libfyaml; YAML 1.1 booleans).
 * Every key pg_chameleon documents, with its meaning and default; our
 * additions in docs/configuration.md.  Plain keys are declared in one
 * table per mapping (db_conn, a source, pg_conn, the top level); errors
 * name the file, the line and the key; unknown keys are warnings.
 * libfyaml stays in this file; the text checks before it and what is
 * derived from the result are in config_file.c.
 */
#include "cmd/config.h"
#include "cmd/host.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xalloc.h"

struct ld {
	struct config *c;
	struct err *e;
	const char *file;
	struct buf warn;	/* NUL-separated warnings */
	size_t nwarn;
	/* the first ${NAME} that could not be replaced, said by the key's
	 * reader (check_env), which knows the key */
	char env_err[200];
};

static int line_of(struct fy_node *n)
{
	struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	return m ? m->line + 1 : 0;
}

static int fail(struct ld *l, struct fy_node *at, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct ld *l, struct fy_node *at, const char *key,
		const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int line = line_of(at);
	if (line)
		return err_set(l->e, ERR_CONFIG, "%s:%d: %s: %s", l->file, line, key, msg);
	return err_set(l->e, ERR_CONFIG, "%s: %s: %s", l->file, key, msg);
}

static void warn(struct ld *l, struct fy_node *at, const char *key)
{
	char w[300];
	snprintf(w, sizeof(w), "%s:%d: key '%s' is not used by chameleon", l->file,
		 line_of(at), key);
	buf_put(&l->warn, w, strlen(w) + 1);
	l->nwarn++;
}

static const char *cfg_dup(struct ld *l, const char *s)
{
	return s ? arena_strndup(&l->c->mem, s, strlen(s)) : NULL;
}

/* s with a leading '~' replaced by HOME; NULL when it needs HOME and the
 * environment has none (the password database is never read). */
static char *expand_home(struct ld *l, const char *s)
{
	if (s[0] != '~' || (s[1] && s[1] != '/'))
		return (char *)cfg_dup(l, s);
	const char *home = host_home();
	if (!home)
		return NULL;
	size_t n = strlen(home) + strlen(s);
	char *o = arena_alloc(&l->c->mem, n + 1);
	snprintf(o, n + 1, "%s%s", home, s + 1);
	return o;
}

/*
 * ${NAME} in a value replaced by the environment variable NAME, $${ kept
 * as a literal ${ (docs/configuration.md).  NAME is a shell name: a
 * letter or '_', then letters, digits and '_'.  On an unset variable or
 * a malformed ${...} the text comes back as it is and l->env_err says
 * why (the first such error only).
 */
static const char *expand_env(struct ld *l, const char *s, size_t len)
{
	if (!memchr(s, '$', len))
		return arena_strndup(&l->c->mem, s, len);
	struct buf b;
	buf_init(&b, 0);
	size_t i = 0;
	while (i < len) {
		if (s[i] != '$') {
			buf_putc(&b, s[i++]);
			continue;
		}
		if (i + 2 < len && s[i + 1] == '$' && s[i + 2] == '{') {
			buf_putl(&b, "${");
			i += 3;
			continue;
		}
		if (i + 1 >= len || s[i + 1] != '{') {
			buf_putc(&b, s[i++]);
			continue;
		}
		size_t start = i + 2, j = start;
		while (j < len && (s[j] == '_' || (s[j] >= 'A' && s[j] <= 'Z') ||
				   (s[j] >= 'a' && s[j] <= 'z') ||
				   (j > start && s[j] >= '0' && s[j] <= '9')))
			j++;
		char name[100];
		if (j == start || j >= len || s[j] != '}' || j - start >= sizeof(name)) {
			if (!l->env_err[0])
				snprintf(l->env_err, sizeof(l->env_err),
					 "malformed '${' (write ${NAME} with NAME made of "
					 "letters, digits and '_', or $${ for a literal ${)");
			goto bad;
		}
		memcpy(name, s + start, j - start);
		name[j - start] = 0;
		const char *v = getenv(name);
		if (!v) {
			if (!l->env_err[0])
				snprintf(l->env_err, sizeof(l->env_err),
					 "environment variable '%s' is not set", name);
			goto bad;
		}
		buf_puts(&b, v);
		i = j + 1;
	}
	const char *out = arena_strndup(&l->c->mem, b.p ? (const char *)b.p : "", b.n);
	buf_release(&b);
	return out;
bad:
	buf_release(&b);
	return arena_strndup(&l->c->mem, s, len);
}

/* After a key's value was read: an error for a ${NAME} that could not
 * be replaced in it. */
static int check_env(struct ld *l, struct fy_node *at, const char *key, int rc)
{
	if (rc || !l->env_err[0])
		return rc;
	return fail(l, at, key, "%s", l->env_err);
}

/* A scalar's text as written (NUL-terminated copy), or NULL for null / ~ /
 * non-scalar: mapping keys. */
static const char *scalar_raw(struct ld *l, struct fy_node *n)
{
	if (!n || !fy_node_is_scalar(n))
		return NULL;
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	if (!s)
		return NULL;
	if (len == 0 || (len == 1 && s[0] == '~') ||
	    (len == 4 && !strncasecmp(s, "null", 4))) {
		/* a quoted "null" is a string; plain null is null */
		if (fy_node_get_style(n) == FYNS_PLAIN)
			return NULL;
	}
	return arena_strndup(&l->c->mem, s, len);
}

/* A value's text with ${NAME} replaced, or NULL as scalar_raw. */
static const char *scalar(struct ld *l, struct fy_node *n)
{
	const char *s = scalar_raw(l, n);
	return s ? expand_env(l, s, strlen(s)) : NULL;
}

static int get_str(struct ld *l, struct fy_node *v, const char *key,
		   const char **out)
{
	if (v && !fy_node_is_scalar(v))
		return fail(l, v, key, "expected a string");
	*out = scalar(l, v);
	return 0;
}

static int get_long(struct ld *l, struct fy_node *v, const char *key, long lo,
		    long hi, long *out)
{
	const char *s = scalar(l, v);
	if (!s)
		return 0;	/* keep the default */
	char *end;
	errno = 0;
	long x = strtol(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi)
		return fail(l, v, key, "expected an integer %ld..%ld, got '%s'", lo,
			    hi, s);
	*out = x;
	return 0;
}

static int get_int(struct ld *l, struct fy_node *v, const char *key, long lo,
		   long hi, int *out)
{
	long x = *out;
	int rc = get_long(l, v, key, lo, hi, &x);
	*out = (int)x;
	return rc;
}

/* YAML 1.1 booleans. */
static int get_bool(struct ld *l, struct fy_node *v, const char *key, bool *out)
{
	const char *s = scalar(l, v);
	if (!s)
		return 0;
	static const char *const t[] = {"yes", "y", "true", "on", "1", NULL};
	static const char *const f[] = {"no", "n", "false", "off", "0", NULL};
	for (int i = 0; t[i]; i++)
		if (!strcasecmp(s, t[i])) {
			*out = true;
			return 0;
		}
	for (int i = 0; f[i]; i++)
		if (!strcasecmp(s, f[i])) {
			*out = false;
			return 0;
		}
	return fail(l, v, key, "expected a boolean (Yes/No, true/false), got '%s'", s);
}

static int get_choice(struct ld *l, struct fy_node *v, const char *key,
		      const char *const *allowed, const char **out)
{
	const char *s = scalar(l, v);
	if (!s) {
		/* YAML's plain null is a choice where "null" is one
		 * (zero_dates: null) */
		size_t len = 0;
		const char *raw = v && fy_node_is_scalar(v) ? fy_node_get_scalar(v, &len) : NULL;
		for (int i = 0; raw && len == 4 && !strncasecmp(raw, "null", 4) && allowed[i]; i++)
			if (!strcmp(allowed[i], "null"))
				*out = allowed[i];
		return 0;
	}
	for (int i = 0; allowed[i]; i++)
		if (!strcasecmp(s, allowed[i])) {
			*out = allowed[i];
			return 0;
		}
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; allowed[i]; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", allowed[i]);
	int rc = fail(l, v, key, "expected one of %s, got '%s'", buf_cstr(&b), s);
	buf_release(&b);
	return rc;
}

static int get_list(struct ld *l, struct fy_node *v, const char *key,
		    struct cfg_list *out)
{
	out->n = 0;
	out->v = NULL;
	if (!v || (fy_node_is_scalar(v) && !scalar(l, v)))
		return 0;	/* null: empty list */
	if (fy_node_is_scalar(v)) {	/* a single string */
		out->v = arena_alloc(&l->c->mem, sizeof(char *));
		out->v[0] = scalar(l, v);
		out->n = 1;
		return 0;
	}
	if (!fy_node_is_sequence(v))
		return fail(l, v, key, "expected a list");
	int n = fy_node_sequence_item_count(v);
	out->v = arena_calloc(&l->c->mem, (size_t)(n > 0 ? n : 1), sizeof(char *));
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		const char *s = scalar(l, item);
		if (!s)
			return fail(l, item, key, "expected a list of strings");
		out->v[out->n++] = s;
	}
	return 0;
}

static uint64_t parse_memory(const char *s, bool *ok)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	*ok = !errno && end != s && s[0] != '-';
	uint64_t mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'M')
		mul = 1024 * 1024, end++;
	else if (*end == 'G')
		mul = 1024ull * 1024 * 1024, end++;
	if (*end)
		*ok = false;
	return v * mul;
}

static int read_password_file(struct ld *l, struct fy_node *v, const char *key,
			      const char **out)
{
	const char *path = scalar(l, v);
	if (!path)
		return 0;
	char *p = expand_home(l, path);
	if (!p)
		return fail(l, v, key, "'%s' needs HOME, which is not set", path);
	FILE *f = fopen(p, "r");
	if (!f)
		return fail(l, v, key, "cannot read '%s': %s", p, strerror(errno));
	char buf[1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	*out = cfg_dup(l, buf);
	return 0;
}

#define KEY(k) (!strcmp(name, (k)))

/* How a key's value is read into its field. */
enum kind {
	K_STR,		/* const char *; null sets NULL */
	K_PATH,		/* const char *, ~ expanded; null keeps the default */
	K_INT,		/* int in lo..hi; null keeps the default (so for all below) */
	K_LONG,		/* long in lo..hi */
	K_U32,		/* uint32_t in lo..hi */
	K_BOOL,		/* bool, YAML 1.1 spellings */
	K_CHOICE,	/* const char *: one of choices, as spelt there */
	K_LIST,		/* struct cfg_list: one string or a list of strings */
	K_SIZE,		/* uint64_t bytes from "300M" (k, M or G), not 0 */
	K_PASSWORD_FILE,	/* const char *: the file's first line */
};

/* One plain key of a mapping: where its value goes, and its bounds. */
struct key {
	const char *name;
	enum kind kind;
	size_t off;		/* of the field in its struct */
	long lo, hi;		/* K_INT, K_LONG, K_U32 */
	const char *const *choices;	/* K_CHOICE, NULL-terminated */
};

static const char *const ssl_modes[] = {"disabled", "preferred", "required",
					"verify_ca", "verify_identity", NULL};
static const char *const source_types[] = {"mysql", "pgsql", NULL};
static const char *const copy_modes[] = {"file", "direct", NULL};
static const char *const copy_protocols[] = {"binary", "text", NULL};
static const char *const on_error[] = {"continue", "exit", NULL};
static const char *const zero_date_policies[] = {"infinity", "null", "error", NULL};
static const char *const text_nul_policies[] = {"replace", "strip", "error", NULL};
static const char *const column_orders[] = {"append", "exact", NULL};
static const char *const log_dests[] = {"file", "stdout", NULL};
static const char *const log_formats[] = {"text", "json", NULL};
static const char *const notify_levels[] = {"critical", "error", "warning", "info",
					    NULL};
static const char *const log_levels[] = {"debug", "info", "warning", "error",
					 "critical", NULL};

#define DB(f) offsetof(struct cfg_db_conn, f)
static const struct key db_keys[] = {
	{"host", K_STR, DB(host), 0, 0, NULL},
	{"port", K_INT, DB(port), 1, 65535, NULL},
	{"user", K_STR, DB(user), 0, 0, NULL},
	{"password", K_STR, DB(password), 0, 0, NULL},
	{"password_file", K_PASSWORD_FILE, DB(password), 0, 0, NULL},
	{"charset", K_STR, DB(charset), 0, 0, NULL},
	{"connect_timeout", K_INT, DB(connect_timeout), 1, 3600, NULL},
	{"database", K_STR, DB(database), 0, 0, NULL},
	{"ssl_mode", K_CHOICE, DB(ssl_mode), 0, 0, ssl_modes},
	{"ssl_ca", K_PATH, DB(ssl_ca), 0, 0, NULL},
	{"ssl_cert", K_PATH, DB(ssl_cert), 0, 0, NULL},
	{"ssl_key", K_PATH, DB(ssl_key), 0, 0, NULL},
	{"server_public_key", K_PATH, DB(server_public_key), 0, 0, NULL},
	{"compress", K_BOOL, DB(compress), 0, 0, NULL},
	{NULL, K_STR, 0, 0, 0, NULL},
};

/* db_conn, schema_mappings and skip_events are read by load_source */
#define SRC(f) offsetof(struct cfg_source, f)
static const struct key source_keys[] = {
	{"type", K_CHOICE, SRC(type), 0, 0, source_types},
	{"limit_tables", K_LIST, SRC(limit_tables), 0, 0, NULL},
	{"skip_tables", K_LIST, SRC(skip_tables), 0, 0, NULL},
	{"grant_select_to", K_LIST, SRC(grant_select_to), 0, 0, NULL},
	{"lock_timeout", K_STR, SRC(lock_timeout), 0, 0, NULL},
	{"my_server_id", K_U32, SRC(my_server_id), 1, 4294967295L, NULL},
	{"replica_batch_size", K_LONG, SRC(replica_batch_size), 1, 100000000L, NULL},
	{"replay_max_rows", K_LONG, SRC(replay_max_rows), 1, 100000000L, NULL},
	{"batch_retention", K_STR, SRC(batch_retention), 0, 0, NULL},
	{"copy_max_memory", K_SIZE, SRC(copy_max_memory), 0, 0, NULL},
	{"copy_mode", K_CHOICE, SRC(copy_mode), 0, 0, copy_modes},
	{"out_dir", K_PATH, SRC(out_dir), 0, 0, NULL},
	{"sleep_loop", K_INT, SRC(sleep_loop), 0, 3600, NULL},
	{"on_error_replay", K_CHOICE, SRC(on_error_replay), 0, 0, on_error},
	{"on_error_read", K_CHOICE, SRC(on_error_read), 0, 0, on_error},
	{"auto_maintenance", K_STR, SRC(auto_maintenance), 0, 0, NULL},
	{"gtid_enable", K_BOOL, SRC(gtid_enable), 0, 0, NULL},
	{"keep_existing_schema", K_BOOL, SRC(keep_existing_schema), 0, 0, NULL},
	{"net_read_timeout", K_INT, SRC(net_read_timeout), 1, 86400, NULL},
	{"heartbeat_period", K_INT, SRC(heartbeat_period), 1, 300, NULL},
	{"copy_workers", K_INT, SRC(copy_workers), 0, 64, NULL},
	{"copy_protocol", K_CHOICE, SRC(copy_protocol), 0, 0, copy_protocols},
	{"ddl_column_order", K_CHOICE, SRC(ddl_column_order), 0, 0, column_orders},
	{"zero_dates", K_CHOICE, SRC(zero_dates), 0, 0, zero_date_policies},
	{"text_nul", K_CHOICE, SRC(text_nul), 0, 0, text_nul_policies},
	{"copy_format", K_CHOICE, SRC(copy_format), 0, 0, copy_protocols},
	{"log_format", K_CHOICE, SRC(log_format), 0, 0, log_formats},
	{"metrics_listen", K_STR, SRC(metrics_listen), 0, 0, NULL},
	{"notify_webhook", K_STR, SRC(notify_webhook), 0, 0, NULL},
	{NULL, K_STR, 0, 0, 0, NULL},
};

/* any other key of pg_conn is a libpq keyword, e.g. sslmode */
#define PG(f) offsetof(struct cfg_pg_conn, f)
static const struct key pg_keys[] = {
	{"host", K_STR, PG(host), 0, 0, NULL},
	{"port", K_INT, PG(port), 1, 65535, NULL},
	{"user", K_STR, PG(user), 0, 0, NULL},
	{"password", K_STR, PG(password), 0, 0, NULL},
	{"password_file", K_PASSWORD_FILE, PG(password), 0, 0, NULL},
	{"database", K_STR, PG(database), 0, 0, NULL},
	{"charset", K_STR, PG(charset), 0, 0, NULL},
	{NULL, K_STR, 0, 0, 0, NULL},
};

/* pg_conn, sources, type_override and fillfactor are read by load_root */
#define TOP(f) offsetof(struct config, f)
static const struct key top_keys[] = {
	{"pid_dir", K_PATH, TOP(pid_dir), 0, 0, NULL},
	{"log_dir", K_PATH, TOP(log_dir), 0, 0, NULL},
	{"log_dest", K_CHOICE, TOP(log_dest), 0, 0, log_dests},
	{"log_level", K_CHOICE, TOP(log_level), 0, 0, log_levels},
	{"log_format", K_CHOICE, TOP(log_format), 0, 0, log_formats},
	{"log_days_keep", K_INT, TOP(log_days_keep), 1, 36500, NULL},
	{"rollbar_key", K_STR, TOP(rollbar_key), 0, 0, NULL},
	{"rollbar_env", K_STR, TOP(rollbar_env), 0, 0, NULL},
	{"rollbar_url", K_STR, TOP(rollbar_url), 0, 0, NULL},
	{"notify_webhook", K_STR, TOP(notify_webhook), 0, 0, NULL},
	{"notify_ca_file", K_PATH, TOP(notify_ca_file), 0, 0, NULL},
	{"notify_level", K_CHOICE, TOP(notify_level), 0, 0, notify_levels},
	{"notify_timeout", K_INT, TOP(notify_timeout), 1, 300, NULL},
	{NULL, K_STR, 0, 0, 0, NULL},
};

static int get_size(struct ld *l, struct fy_node *v, const char *key,
		    uint64_t *out)
{
	const char *x = scalar(l, v);
	if (!x)
		return 0;
	bool ok;
	*out = parse_memory(x, &ok);
	if (!ok || !*out)
		return fail(l, v, key,
			    "expected a size such as 300M (suffix k, M or G), got '%s'", x);
	return 0;
}

static int get_path(struct ld *l, struct fy_node *v, const char *key,
		    const char **out)
{
	const char *x = NULL;
	int rc = get_str(l, v, key, &x);
	if (x) {
		*out = expand_home(l, x);
		if (!*out)
			return fail(l, v, key, "'%s' needs HOME, which is not set", x);
	}
	return rc;
}

/*
 * Read the value v of key name into its field of base, if keys declares
 * name (*found tells); key is the name to report ("sources.s.port").
 */
static int set_key(struct ld *l, const struct key *keys, void *base,
		   const char *name, struct fy_node *v, const char *key,
		   bool *found)
{
	const struct key *k = keys;
	while (k->name && strcmp(k->name, name))
		k++;
	*found = k->name != NULL;
	if (!k->name)
		return 0;
	void *f = (char *)base + k->off;
	switch (k->kind) {
	case K_STR:
		return get_str(l, v, key, f);
	case K_PATH:
		return get_path(l, v, key, f);
	case K_INT:
		return get_int(l, v, key, k->lo, k->hi, f);
	case K_LONG:
		return get_long(l, v, key, k->lo, k->hi, f);
	case K_U32: {
		long x = *(uint32_t *)f;
		int rc = get_long(l, v, key, k->lo, k->hi, &x);
		*(uint32_t *)f = (uint32_t)x;
		return rc;
	}
	case K_BOOL:
		return get_bool(l, v, key, f);
	case K_CHOICE:
		return get_choice(l, v, key, k->choices, f);
	case K_LIST:
		return get_list(l, v, key, f);
	case K_SIZE:
		return get_size(l, v, key, f);
	case K_PASSWORD_FILE:
		return read_password_file(l, v, key, f);
	}
	return 0;
}

static int load_db_conn(struct ld *l, struct fy_node *m, struct cfg_source *s,
			const char *prefix)
{
	char key[512];
	if (!fy_node_is_mapping(m))
		return fail(l, m, prefix, "expected a mapping");
	void *it = NULL;
	struct fy_node_pair *p;
	int rc = 0;
	while (!rc && (p = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p);
		const char *name = scalar_raw(l, k);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "%s.%s", prefix, name);
		bool found;
		rc = set_key(l, db_keys, &s->db, name, fy_node_pair_value(p), key, &found);
		rc = check_env(l, fy_node_pair_value(p), key, rc);
		if (!found)
			warn(l, k, key);
	}
	return rc;
}

/* schema_mappings: MySQL schema: PostgreSQL schema. */
static int load_mappings(struct ld *l, struct fy_node *k, struct fy_node *v,
			 const char *key, struct cfg_source *s)
{
	if (!v || !fy_node_is_mapping(v))
		return fail(l, v ? v : k, key,
			    "expected a mapping of MySQL schema: PostgreSQL schema");
	int n = fy_node_mapping_item_count(v);
	s->mappings = arena_calloc(&l->c->mem, (size_t)(n > 0 ? n : 1),
				   sizeof(*s->mappings));
	void *it = NULL;
	struct fy_node_pair *q;
	while ((q = fy_node_mapping_iterate(v, &it)) != NULL) {
		const char *a = scalar_raw(l, fy_node_pair_key(q));
		const char *b = scalar(l, fy_node_pair_value(q));
		if (!a || !b)
			return fail(l, fy_node_pair_key(q), key,
				    "each mapping needs a MySQL and a PostgreSQL schema");
		s->mappings[s->n_mappings].mysql_schema = a;
		s->mappings[s->n_mappings].pg_schema = b;
		s->n_mappings++;
	}
	return 0;
}

/* skip_events: insert, update, delete: lists of tables. */
static int load_skip_events(struct ld *l, struct fy_node *v, const char *key,
			    struct cfg_source *s)
{
	if (!v || !fy_node_is_mapping(v)) {
		if (v && scalar(l, v))
			return fail(l, v, key,
				    "expected a mapping of insert/update/delete lists");
		return 0;
	}
	void *it = NULL;
	struct fy_node_pair *q;
	int rc = 0;
	while (!rc && (q = fy_node_mapping_iterate(v, &it)) != NULL) {
		const char *ev = scalar_raw(l, fy_node_pair_key(q));
		char k2[400];
		snprintf(k2, sizeof(k2), "%s.%s", key, ev ? ev : "?");
		struct fy_node *lv = fy_node_pair_value(q);
		if (ev && !strcmp(ev, "insert"))
			rc = get_list(l, lv, k2, &s->skip_events_insert);
		else if (ev && !strcmp(ev, "update"))
			rc = get_list(l, lv, k2, &s->skip_events_update);
		else if (ev && !strcmp(ev, "delete"))
			rc = get_list(l, lv, k2, &s->skip_events_delete);
		else
			rc = fail(l, fy_node_pair_key(q), k2,
				  "expected insert, update or delete");
	}
	return rc;
}

/* pg_chameleon's example configuration */
static void source_defaults(struct cfg_source *s)
{
	s->type = "mysql";
	s->db.port = 3306;
	s->db.charset = "utf8mb4";
	s->db.connect_timeout = 10;
	s->db.ssl_mode = "preferred";
	s->lock_timeout = "120s";
	s->my_server_id = 100;
	s->replica_batch_size = 10000;
	s->replay_max_rows = 10000;
	s->batch_retention = "1 day";
	s->copy_max_memory = 300ull * 1024 * 1024;
	s->copy_mode = "file";
	s->copy_protocol = "binary";
	s->out_dir = "/tmp";
	s->sleep_loop = 1;
	s->on_error_replay = "continue";
	s->on_error_read = "continue";
	s->auto_maintenance = "disabled";
	s->net_read_timeout = 600;
	s->heartbeat_period = 1;
	s->ddl_column_order = "append";
	s->zero_dates = "infinity";
	s->text_nul = "replace";
	s->copy_format = "binary";
}

static int load_source(struct ld *l, struct fy_node *k, struct fy_node *m,
		       struct cfg_source *s)
{
	char prefix[200], key[320];
	s->name = scalar_raw(l, k);
	snprintf(prefix, sizeof(prefix), "sources.%s", s->name ? s->name : "?");
	source_defaults(s);
	if (!fy_node_is_mapping(m))
		return fail(l, m ? m : k, prefix, "expected a mapping");
	bool have_db = false;
	void *it = NULL;
	struct fy_node_pair *p;
	int rc = 0;
	while (!rc && (p = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *kk = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *name = scalar_raw(l, kk);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "%s.%s", prefix, name);
		bool found = true;
		if (KEY("db_conn")) {
			have_db = true;
			rc = load_db_conn(l, v, s, key);
		} else if (KEY("schema_mappings")) {
			rc = load_mappings(l, kk, v, key, s);
		} else if (KEY("skip_events")) {
			rc = load_skip_events(l, v, key, s);
		} else {
			rc = set_key(l, source_keys, s, name, v, key, &found);
		}
		rc = check_env(l, v, key, rc);
		if (!found)
			warn(l, kk, key);
	}
	if (rc)
		return rc;
	if (!have_db)
		return fail(l, k, prefix, "missing key 'db_conn'");
	snprintf(key, sizeof(key), "%s.db_conn", prefix);
	if (!s->db.host)
		return fail(l, k, key, "missing key 'host'");
	if (!s->db.user)
		return fail(l, k, key, "missing key 'user'");
	if (!strcmp(s->type, "mysql") && !s->n_mappings)
		return fail(l, k, prefix, "missing or empty 'schema_mappings'");
	return 0;
}

static int load_pg(struct ld *l, struct fy_node *m)
{
	struct cfg_pg_conn *g = &l->c->pg;
	if (!fy_node_is_mapping(m))
		return fail(l, m, "pg_conn", "expected a mapping");
	int n = fy_node_mapping_item_count(m);
	g->extra_keys = arena_calloc(&l->c->mem, (size_t)(n > 0 ? n : 1), sizeof(char *));
	g->extra_values = arena_calloc(&l->c->mem, (size_t)(n > 0 ? n : 1), sizeof(char *));
	void *it = NULL;
	struct fy_node_pair *p;
	int rc = 0;
	char key[200];
	while (!rc && (p = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *name = scalar_raw(l, k);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "pg_conn.%s", name);
		bool found;
		rc = set_key(l, pg_keys, g, name, v, key, &found);
		if (found) {
			rc = check_env(l, v, key, rc);
			continue;
		}
		/* any other libpq keyword, e.g. sslmode */
		const char *val = scalar(l, v);
		if (!val && v && !fy_node_is_scalar(v))
			rc = fail(l, v, key, "expected a string");
		else if (val) {
			g->extra_keys[g->n_extra] = name;
			g->extra_values[g->n_extra] = val;
			g->n_extra++;
		}
		rc = check_env(l, v, key, rc);
	}
	return rc;
}

static int load_sources(struct ld *l, struct fy_node *k, struct fy_node *v)
{
	struct config *c = l->c;
	if (!v || !fy_node_is_mapping(v))
		return fail(l, v ? v : k, "sources", "expected a mapping of sources");
	int n = fy_node_mapping_item_count(v);
	c->sources = arena_calloc(&c->mem, (size_t)(n > 0 ? n : 1), sizeof(*c->sources));
	void *it = NULL;
	struct fy_node_pair *q;
	int rc = 0;
	while (!rc && (q = fy_node_mapping_iterate(v, &it)) != NULL)
		rc = load_source(l, fy_node_pair_key(q), fy_node_pair_value(q),
				 &c->sources[c->n_sources++]);
	return rc;
}

/* type_override: MySQL type: {override_to, override_tables}. */
static int load_type_overrides(struct ld *l, struct fy_node *v)
{
	struct config *c = l->c;
	if (!v || !fy_node_is_mapping(v))
		return 0;
	int n = fy_node_mapping_item_count(v);
	c->type_overrides = arena_calloc(&c->mem, (size_t)(n > 0 ? n : 1),
					 sizeof(*c->type_overrides));
	void *it = NULL;
	struct fy_node_pair *q;
	int rc = 0;
	while (!rc && (q = fy_node_mapping_iterate(v, &it)) != NULL) {
		struct cfg_type_override *t = &c->type_overrides[c->n_type_overrides++];
		t->mysql_type = scalar_raw(l, fy_node_pair_key(q));
		struct fy_node *tv = fy_node_pair_value(q);
		char key[300];
		snprintf(key, sizeof(key), "type_override.%s",
			 t->mysql_type ? t->mysql_type : "?");
		if (!tv || !fy_node_is_mapping(tv))
			return fail(l, fy_node_pair_key(q), key,
				    "expected override_to and override_tables");
		rc = get_str(l, fy_node_mapping_lookup_by_string(tv, "override_to", -1),
			     key, &t->override_to);
		if (!rc)
			rc = get_list(l, fy_node_mapping_lookup_by_string(tv, "override_tables", -1),
				      key, &t->tables);
		if (!rc && !t->override_to)
			rc = fail(l, fy_node_pair_key(q), key, "missing key 'override_to'");
	}
	return rc;
}

/* fillfactor: percentage: {tables}. */
static int load_fillfactors(struct ld *l, struct fy_node *v)
{
	struct config *c = l->c;
	if (!v || !fy_node_is_mapping(v))
		return 0;
	int n = fy_node_mapping_item_count(v);
	c->fillfactors = arena_calloc(&c->mem, (size_t)(n > 0 ? n : 1),
				      sizeof(*c->fillfactors));
	void *it = NULL;
	struct fy_node_pair *q;
	int rc = 0;
	while (!rc && (q = fy_node_mapping_iterate(v, &it)) != NULL) {
		struct cfg_fillfactor *f = &c->fillfactors[c->n_fillfactors++];
		f->fillfactor = 100;
		rc = get_int(l, fy_node_pair_key(q), "fillfactor", 10, 100, &f->fillfactor);
		struct fy_node *fv = fy_node_pair_value(q);
		if (!rc && fv && fy_node_is_mapping(fv))
			rc = get_list(l, fy_node_mapping_lookup_by_string(fv, "tables", -1),
				      "fillfactor.tables", &f->tables);
	}
	return rc;
}

/* The top-level mapping. */
static int load_root(struct ld *l, struct fy_node *root)
{
	bool have_pg = false, have_sources = false;
	void *it = NULL;
	struct fy_node_pair *p;
	int rc = 0;
	while (!rc && (p = fy_node_mapping_iterate(root, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *name = scalar_raw(l, k);
		if (!name)
			continue;
		bool found = true;
		if (KEY("pg_conn")) {
			have_pg = true;
			rc = load_pg(l, v);
		} else if (KEY("sources")) {
			have_sources = true;
			rc = load_sources(l, k, v);
		} else if (KEY("type_override")) {
			rc = load_type_overrides(l, v);
		} else if (KEY("fillfactor")) {
			rc = load_fillfactors(l, v);
		} else {
			rc = set_key(l, top_keys, l->c, name, v, name, &found);
		}
		rc = check_env(l, v, name, rc);
		if (!found)
			warn(l, k, name);
	}
	if (!rc && !have_pg)
		rc = err_set(l->e, ERR_CONFIG, "%s: missing key 'pg_conn'", l->file);
	if (!rc && !have_sources)
		rc = err_set(l->e, ERR_CONFIG, "%s: missing key 'sources'", l->file);
	if (!rc && l->c->pg.host == NULL)
		l->c->pg.host = "localhost";
	/* libpq's default would be the system's user name (getpwuid) */
	const char *pguser = getenv("PGUSER");
	if (!rc && !l->c->pg.user && (!pguser || !*pguser))
		rc = err_set(l->e, ERR_CONFIG, "%s: pg_conn.user is missing and PGUSER is "
			     "not set (the system's user name is never used)", l->file);
	return rc;
}

int config_load(struct config *c, const char *path, struct err *e)
{
	memset(c, 0, sizeof(*c));
	arena_init(&c->mem, 8192);
	c->path = arena_strndup(&c->mem, path, strlen(path));
	struct buf text = BUF_INIT;
	int rc = config__read_text(path, &text, e);
	char *str = rc ? NULL : arena_strndup(&c->mem, text.p ? (const char *)text.p : "",
					      text.n);
	size_t slen = text.n;
	buf_release(&text);
	if (rc)
		return rc;
	struct fy_parse_cfg pcfg = {NULL, FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_1, NULL,
				    NULL};
	struct fy_document *doc = fy_document_build_from_string(&pcfg, str, slen);
	if (!doc)
		return err_set(e, ERR_CONFIG, "%s: not valid YAML", path);
	struct ld l = {c, e, c->path, BUF_INIT, 0, ""};
	buf_init(&l.warn, 0);
	/* defaults; without HOME they stay NULL, an error only where used */
	c->pid_dir = expand_home(&l, "~/.pg_chameleon/pid/");
	c->log_dir = expand_home(&l, "~/.pg_chameleon/logs/");
	c->log_dest = "file";
	c->log_level = "info";
	c->log_format = "text";
	c->log_days_keep = 10;
	c->notify_level = "info";
	c->notify_timeout = 5;
	c->pg.port = 5432;
	c->pg.charset = "utf8";
	struct fy_node *root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root))
		rc = err_set(e, ERR_CONFIG, "%s: the configuration must be a mapping", path);
	else
		rc = load_root(&l, root);
	if (!rc && l.nwarn) {
		c->warnings = arena_calloc(&c->mem, l.nwarn, sizeof(char *));
		const char *w = (const char *)l.warn.p;
		for (size_t i = 0; i < l.nwarn; i++) {
			c->warnings[i] = cfg_dup(&l, w);
			w += strlen(w) + 1;
		}
		c->n_warnings = l.nwarn;
	}
	buf_release(&l.warn);
	fy_document_destroy(doc);
	return rc;
}
