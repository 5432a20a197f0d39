/*
 * The pg_chameleon YAML configuration (libfyaml; YAML 1.1 booleans).
 * Every key pg_chameleon documents, with its meaning and default; our
 * additions in docs/configuration.md.  Errors name the file, the line and
 * the key; unknown keys are warnings.  libfyaml stays in this file.
 */
#include "cmd/config.h"

#include <errno.h>
#include <libfyaml.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "binlog/binlog.h"
#include "base/xalloc.h"

struct ld {
	struct config *c;
	struct err *e;
	const char *file;
	struct buf warn;	/* NUL-separated warnings */
	size_t nwarn;
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

static char *expand_home(struct ld *l, const char *s)
{
	if (s[0] != '~' || (s[1] && s[1] != '/'))
		return (char *)cfg_dup(l, s);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	size_t n = strlen(home) + strlen(s);
	char *o = arena_alloc(&l->c->mem, n + 1);
	snprintf(o, n + 1, "%s%s", home, s + 1);
	return o;
}

/* A scalar's text (NUL-terminated copy), or NULL for null / ~ / non-scalar. */
static const char *scalar(struct ld *l, struct fy_node *n)
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
	if (!s)
		return 0;
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

static int load_db_conn(struct ld *l, struct fy_node *m, struct cfg_source *s,
			const char *prefix)
{
	struct cfg_db_conn *d = &s->db;
	char key[512];
	if (!fy_node_is_mapping(m))
		return fail(l, m, prefix, "expected a mapping");
	void *it = NULL;
	struct fy_node_pair *p;
	int rc = 0;
	while (!rc && (p = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *name = scalar(l, k);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "%s.%s", prefix, name);
		if (KEY("host"))
			rc = get_str(l, v, key, &d->host);
		else if (KEY("port"))
			rc = get_int(l, v, key, 1, 65535, &d->port);
		else if (KEY("user"))
			rc = get_str(l, v, key, &d->user);
		else if (KEY("password"))
			rc = get_str(l, v, key, &d->password);
		else if (KEY("password_file"))
			rc = read_password_file(l, v, key, &d->password);
		else if (KEY("charset"))
			rc = get_str(l, v, key, &d->charset);
		else if (KEY("connect_timeout"))
			rc = get_int(l, v, key, 1, 3600, &d->connect_timeout);
		else if (KEY("database"))
			rc = get_str(l, v, key, &d->database);
		else if (KEY("ssl_mode")) {
			static const char *const modes[] = {"disabled", "preferred", "required",
							    "verify_ca", "verify_identity", NULL};
			rc = get_choice(l, v, key, modes, &d->ssl_mode);
		} else if (KEY("ssl_ca") || KEY("ssl_cert") || KEY("ssl_key") ||
			   KEY("server_public_key")) {
			const char *x = NULL;
			rc = get_str(l, v, key, &x);
			if (x)
				x = expand_home(l, x);
			if (KEY("ssl_ca"))
				d->ssl_ca = x;
			else if (KEY("ssl_cert"))
				d->ssl_cert = x;
			else if (KEY("ssl_key"))
				d->ssl_key = x;
			else
				d->server_public_key = x;
		} else if (KEY("compress"))
			rc = get_bool(l, v, key, &d->compress);
		else
			warn(l, k, key);
	}
	return rc;
}

static int load_source(struct ld *l, struct fy_node *k, struct fy_node *m,
		       struct cfg_source *s)
{
	char prefix[200], key[320];
	s->name = scalar(l, k);
	snprintf(prefix, sizeof(prefix), "sources.%s", s->name ? s->name : "?");
	/* defaults: pg_chameleon's example configuration */
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
	s->out_dir = "/tmp";
	s->sleep_loop = 1;
	s->on_error_replay = "continue";
	s->on_error_read = "continue";
	s->auto_maintenance = "disabled";
	s->net_read_timeout = 600;
	if (!fy_node_is_mapping(m))
		return fail(l, m ? m : k, prefix, "expected a mapping");
	bool have_db = false;
	void *it = NULL;
	struct fy_node_pair *p;
	int rc = 0;
	while (!rc && (p = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *kk = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *name = scalar(l, kk);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "%s.%s", prefix, name);
		if (KEY("type")) {
			static const char *const types[] = {"mysql", "pgsql", NULL};
			rc = get_choice(l, v, key, types, &s->type);
		} else if (KEY("db_conn")) {
			have_db = true;
			rc = load_db_conn(l, v, s, key);
		} else if (KEY("schema_mappings")) {
			if (!v || !fy_node_is_mapping(v)) {
				rc = fail(l, v ? v : kk, key,
					  "expected a mapping of MySQL schema: PostgreSQL schema");
				break;
			}
			int n = fy_node_mapping_item_count(v);
			s->mappings = arena_calloc(&l->c->mem, (size_t)(n > 0 ? n : 1),
						   sizeof(*s->mappings));
			void *i2 = NULL;
			struct fy_node_pair *q;
			while ((q = fy_node_mapping_iterate(v, &i2)) != NULL) {
				const char *a = scalar(l, fy_node_pair_key(q));
				const char *b = scalar(l, fy_node_pair_value(q));
				if (!a || !b) {
					rc = fail(l, fy_node_pair_key(q), key,
						  "each mapping needs a MySQL and a PostgreSQL schema");
					break;
				}
				s->mappings[s->n_mappings].mysql_schema = a;
				s->mappings[s->n_mappings].pg_schema = b;
				s->n_mappings++;
			}
		} else if (KEY("limit_tables"))
			rc = get_list(l, v, key, &s->limit_tables);
		else if (KEY("skip_tables"))
			rc = get_list(l, v, key, &s->skip_tables);
		else if (KEY("grant_select_to"))
			rc = get_list(l, v, key, &s->grant_select_to);
		else if (KEY("lock_timeout"))
			rc = get_str(l, v, key, &s->lock_timeout);
		else if (KEY("my_server_id")) {
			long x = s->my_server_id;
			rc = get_long(l, v, key, 1, 4294967295L, &x);
			s->my_server_id = (uint32_t)x;
		} else if (KEY("replica_batch_size"))
			rc = get_long(l, v, key, 1, 100000000L, &s->replica_batch_size);
		else if (KEY("replay_max_rows"))
			rc = get_long(l, v, key, 1, 100000000L, &s->replay_max_rows);
		else if (KEY("batch_retention"))
			rc = get_str(l, v, key, &s->batch_retention);
		else if (KEY("copy_max_memory")) {
			const char *x = scalar(l, v);
			if (x) {
				bool ok;
				s->copy_max_memory = parse_memory(x, &ok);
				if (!ok || !s->copy_max_memory)
					rc = fail(l, v, key,
						  "expected a size such as 300M (suffix k, M or G), got '%s'",
						  x);
			}
		} else if (KEY("copy_mode")) {
			static const char *const modes[] = {"file", "direct", NULL};
			rc = get_choice(l, v, key, modes, &s->copy_mode);
		} else if (KEY("out_dir")) {
			const char *x = NULL;
			rc = get_str(l, v, key, &x);
			if (x)
				s->out_dir = expand_home(l, x);
		} else if (KEY("sleep_loop"))
			rc = get_int(l, v, key, 0, 3600, &s->sleep_loop);
		else if (KEY("on_error_replay") || KEY("on_error_read")) {
			static const char *const modes[] = {"continue", "exit", NULL};
			rc = get_choice(l, v, key, modes,
					KEY("on_error_replay") ? &s->on_error_replay
							       : &s->on_error_read);
		} else if (KEY("auto_maintenance"))
			rc = get_str(l, v, key, &s->auto_maintenance);
		else if (KEY("gtid_enable"))
			rc = get_bool(l, v, key, &s->gtid_enable);
		else if (KEY("keep_existing_schema"))
			rc = get_bool(l, v, key, &s->keep_existing_schema);
		else if (KEY("net_read_timeout"))
			rc = get_int(l, v, key, 1, 86400, &s->net_read_timeout);
		else if (KEY("copy_workers"))
			rc = get_int(l, v, key, 0, 64, &s->copy_workers);
		else if (KEY("skip_events")) {
			if (v && fy_node_is_mapping(v)) {
				void *i2 = NULL;
				struct fy_node_pair *q;
				while (!rc && (q = fy_node_mapping_iterate(v, &i2)) != NULL) {
					const char *ev = scalar(l, fy_node_pair_key(q));
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
			} else if (v && scalar(l, v)) {
				rc = fail(l, v, key, "expected a mapping of insert/update/delete lists");
			}
		} else
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
		const char *name = scalar(l, k);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "pg_conn.%s", name);
		if (KEY("host"))
			rc = get_str(l, v, key, &g->host);
		else if (KEY("port"))
			rc = get_int(l, v, key, 1, 65535, &g->port);
		else if (KEY("user"))
			rc = get_str(l, v, key, &g->user);
		else if (KEY("password"))
			rc = get_str(l, v, key, &g->password);
		else if (KEY("password_file"))
			rc = read_password_file(l, v, key, &g->password);
		else if (KEY("database"))
			rc = get_str(l, v, key, &g->database);
		else if (KEY("charset"))
			rc = get_str(l, v, key, &g->charset);
		else {
			/* any other libpq keyword, e.g. sslmode */
			const char *val = scalar(l, v);
			if (!val && v && !fy_node_is_scalar(v))
				rc = fail(l, v, key, "expected a string");
			else if (val) {
				g->extra_keys[g->n_extra] = name;
				g->extra_values[g->n_extra] = val;
				g->n_extra++;
			}
		}
	}
	return rc;
}

int config_resolve_path(const char *name, char *out, size_t n)
{
	if (strchr(name, '/')) {
		snprintf(out, n, "%s", name);
		return 0;
	}
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	if ((size_t)snprintf(out, n, "%s/.pg_chameleon/configuration/%s.yml", home,
			     name) >= n)
		return -ERR_CONFIG;
	return 0;
}

int config_load(struct config *c, const char *path, struct err *e)
{
	memset(c, 0, sizeof(*c));
	arena_init(&c->mem, 8192);
	c->path = arena_strndup(&c->mem, path, strlen(path));
	if (access(path, R_OK) != 0)
		return err_set(e, ERR_CONFIG, "cannot read configuration '%s': %s", path,
			       strerror(errno));
	/*
	 * Read the file first: a configuration is small text.  NUL bytes and
	 * YAML directives ('%' lines, which no configuration needs) are
	 * refused here: libfyaml 0.7 can loop forever on a misplaced one.
	 */
	FILE *fin = fopen(path, "rb");
	if (!fin)
		return err_set(e, ERR_CONFIG, "cannot read configuration '%s': %s", path,
			       strerror(errno));
	struct buf text;
	buf_init(&text, 1 << 20);
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), fin)) > 0)
		buf_put(&text, chunk, got);
	fclose(fin);
	if (text.failed) {
		buf_release(&text);
		return err_set(e, ERR_CONFIG, "%s: larger than 1 MB", path);
	}
	int line = 1;
	for (size_t i = 0; i < text.n; i++) {
		uint8_t ch = text.p[i];
		if (ch == '\t') {
			/* YAML forbids tabs for indentation, and libfyaml 0.7
			 * crashes on some misplaced ones: refuse them all */
			buf_release(&text);
			return err_set(e, ERR_CONFIG, "%s:%d: tab character: use spaces "
				       "(YAML does not allow tabs for indentation)",
				       path, line);
		}
		if (ch == 0 || (ch < 0x20 && ch != '\n' && ch != '\r')) {
			buf_release(&text);
			return err_set(e, ERR_CONFIG, "%s:%d: control byte 0x%02x: not a text file",
				       path, line, ch);
		}
		/* at a line start: after \n, \r, or YAML 1.1's NEL, LS and PS */
		bool bol = i == 0 || text.p[i - 1] == '\n' || text.p[i - 1] == '\r' ||
			   (i >= 2 && text.p[i - 2] == 0xc2 && text.p[i - 1] == 0x85) ||
			   (i >= 3 && text.p[i - 3] == 0xe2 && text.p[i - 2] == 0x80 &&
			    (text.p[i - 1] == 0xa8 || text.p[i - 1] == 0xa9));
		if (ch == '%' && bol) {
			buf_release(&text);
			return err_set(e, ERR_CONFIG, "%s:%d: YAML directives ('%%' lines) "
				       "are not supported", path, line);
		}
		line += ch == '\n';
	}
	/* text must be UTF-8 (libfyaml 0.7 can loop on malformed sequences) */
	struct buf scratch;
	buf_init(&scratch, 0);
	int bad = bl_text_to_utf8(&scratch, 45, text.p ? text.p : (const uint8_t *)"",
				  text.n);
	buf_release(&scratch);
	if (bad) {
		buf_release(&text);
		return err_set(e, ERR_CONFIG, "%s: not valid UTF-8 text", path);
	}
	char *str = arena_strndup(&c->mem, text.p ? (const char *)text.p : "", text.n);
	size_t slen = text.n;
	buf_release(&text);
	struct fy_parse_cfg pcfg = {NULL, FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_1, NULL,
				    NULL};
	struct fy_document *doc = fy_document_build_from_string(&pcfg, str, slen);
	if (!doc)
		return err_set(e, ERR_CONFIG, "%s: not valid YAML", path);
	struct ld l = {c, e, c->path, BUF_INIT, 0};
	buf_init(&l.warn, 0);
	/* defaults */
	c->pid_dir = expand_home(&l, "~/.pg_chameleon/pid/");
	c->log_dir = expand_home(&l, "~/.pg_chameleon/logs/");
	c->log_dest = "file";
	c->log_level = "info";
	c->log_days_keep = 10;
	c->pg.port = 5432;
	c->pg.charset = "utf8";
	int rc = 0;
	struct fy_node *root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		rc = err_set(e, ERR_CONFIG, "%s: the configuration must be a mapping", path);
		goto out;
	}
	bool have_pg = false, have_sources = false;
	void *it = NULL;
	struct fy_node_pair *p;
	while (!rc && (p = fy_node_mapping_iterate(root, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *name = scalar(&l, k);
		if (!name)
			continue;
		if (KEY("pid_dir") || KEY("log_dir")) {
			const char *x = NULL;
			rc = get_str(&l, v, name, &x);
			if (x)
				*(KEY("pid_dir") ? &c->pid_dir : &c->log_dir) =
					expand_home(&l, x);
		} else if (KEY("log_dest")) {
			static const char *const d[] = {"file", "stdout", NULL};
			rc = get_choice(&l, v, name, d, &c->log_dest);
		} else if (KEY("log_level")) {
			static const char *const d[] = {"debug", "info", "warning",
							"error", "critical", NULL};
			rc = get_choice(&l, v, name, d, &c->log_level);
		} else if (KEY("log_days_keep"))
			rc = get_int(&l, v, name, 1, 36500, &c->log_days_keep);
		else if (KEY("rollbar_key"))
			rc = get_str(&l, v, name, &c->rollbar_key);
		else if (KEY("rollbar_env"))
			rc = get_str(&l, v, name, &c->rollbar_env);
		else if (KEY("pg_conn")) {
			have_pg = true;
			rc = load_pg(&l, v);
		} else if (KEY("sources")) {
			have_sources = true;
			if (!v || !fy_node_is_mapping(v)) {
				rc = fail(&l, v ? v : k, "sources", "expected a mapping of sources");
				break;
			}
			int n = fy_node_mapping_item_count(v);
			c->sources = arena_calloc(&c->mem, (size_t)(n > 0 ? n : 1),
						  sizeof(*c->sources));
			void *i2 = NULL;
			struct fy_node_pair *q;
			while (!rc && (q = fy_node_mapping_iterate(v, &i2)) != NULL)
				rc = load_source(&l, fy_node_pair_key(q), fy_node_pair_value(q),
						 &c->sources[c->n_sources++]);
		} else if (KEY("type_override")) {
			if (v && fy_node_is_mapping(v)) {
				int n = fy_node_mapping_item_count(v);
				c->type_overrides = arena_calloc(&c->mem, (size_t)(n > 0 ? n : 1),
								 sizeof(*c->type_overrides));
				void *i2 = NULL;
				struct fy_node_pair *q;
				while (!rc && (q = fy_node_mapping_iterate(v, &i2)) != NULL) {
					struct cfg_type_override *t =
						&c->type_overrides[c->n_type_overrides++];
					t->mysql_type = scalar(&l, fy_node_pair_key(q));
					struct fy_node *tv = fy_node_pair_value(q);
					char key[300];
					snprintf(key, sizeof(key), "type_override.%s",
						 t->mysql_type ? t->mysql_type : "?");
					if (!tv || !fy_node_is_mapping(tv)) {
						rc = fail(&l, fy_node_pair_key(q), key,
							  "expected override_to and override_tables");
						break;
					}
					rc = get_str(&l, fy_node_mapping_lookup_by_string(tv, "override_to", -1),
						     key, &t->override_to);
					if (!rc)
						rc = get_list(&l, fy_node_mapping_lookup_by_string(
								      tv, "override_tables", -1),
							      key, &t->tables);
					if (!rc && !t->override_to)
						rc = fail(&l, fy_node_pair_key(q), key,
							  "missing key 'override_to'");
				}
			}
		} else if (KEY("fillfactor")) {
			if (v && fy_node_is_mapping(v)) {
				int n = fy_node_mapping_item_count(v);
				c->fillfactors = arena_calloc(&c->mem, (size_t)(n > 0 ? n : 1),
							      sizeof(*c->fillfactors));
				void *i2 = NULL;
				struct fy_node_pair *q;
				while (!rc && (q = fy_node_mapping_iterate(v, &i2)) != NULL) {
					struct cfg_fillfactor *f = &c->fillfactors[c->n_fillfactors++];
					f->fillfactor = 100;
					rc = get_int(&l, fy_node_pair_key(q), "fillfactor", 10, 100,
						     &f->fillfactor);
					struct fy_node *fv = fy_node_pair_value(q);
					if (!rc && fv && fy_node_is_mapping(fv))
						rc = get_list(&l, fy_node_mapping_lookup_by_string(fv, "tables", -1),
							      "fillfactor.tables", &f->tables);
				}
			}
		} else
			warn(&l, k, name);
	}
	if (!rc && !have_pg)
		rc = err_set(e, ERR_CONFIG, "%s: missing key 'pg_conn'", path);
	if (!rc && !have_sources)
		rc = err_set(e, ERR_CONFIG, "%s: missing key 'sources'", path);
	if (!rc && c->pg.host == NULL)
		c->pg.host = "localhost";
out:
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

void config_release(struct config *c)
{
	arena_release(&c->mem);
	memset(c, 0, sizeof(*c));
}

const struct cfg_source *config_source(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_sources; i++)
		if (c->sources[i].name && !strcmp(c->sources[i].name, name))
			return &c->sources[i];
	return NULL;
}

static void conn_kv(struct buf *b, const char *k, const char *v)
{
	if (!v)
		return;
	if (b->n)
		buf_putc(b, ' ');
	buf_puts(b, k);
	buf_putl(b, "='");
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *v);
	}
	buf_putc(b, '\'');
}

char *config_pg_conninfo(const struct config *c)
{
	struct buf b;
	buf_init(&b, 0);
	char port[16];
	snprintf(port, sizeof(port), "%d", c->pg.port);
	conn_kv(&b, "host", c->pg.host);
	conn_kv(&b, "port", port);
	conn_kv(&b, "user", c->pg.user);
	conn_kv(&b, "password", c->pg.password);
	conn_kv(&b, "dbname", c->pg.database);
	conn_kv(&b, "client_encoding", c->pg.charset);
	for (size_t i = 0; i < c->pg.n_extra; i++)
		conn_kv(&b, c->pg.extra_keys[i], c->pg.extra_values[i]);
	return (char *)buf_detach(&b, NULL);
}
