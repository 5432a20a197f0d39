/*
 * The configuration file around its YAML (config.c parses that): where
 * --config NAME points, the bytes checked before libfyaml sees them, and
 * what callers derive from a loaded configuration (a source by name, the
 * libpq connection string).  No libfyaml here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "binlog/binlog.h"
#include "cmd/config.h"
#include "cmd/host.h"

int config_resolve_path(const char *name, char *out, size_t n)
{
	if (strchr(name, '/')) {
		snprintf(out, n, "%s", name);
		return 0;
	}
	const char *home = host_home();
	if (!home)
		return -ERR_USAGE;	/* '~' without HOME */
	if ((size_t)snprintf(out, n, "%s/.pg_chameleon/configuration/%s.yml", home,
			     name) >= n)
		return -ERR_CONFIG;
	return 0;
}

/*
 * The file's text, checked before libfyaml sees it: a configuration is
 * small text.  NUL bytes, control bytes, tabs, YAML directives ('%'
 * lines, which no configuration needs) and malformed UTF-8 are refused
 * here: libfyaml 0.7 can loop forever or crash on them.
 */
int config__read_text(const char *path, struct buf *text, struct err *e)
{
	if (access(path, R_OK) != 0)
		return err_set(e, ERR_CONFIG, "cannot read configuration '%s': %s", path,
			       strerror(errno));
	FILE *fin = fopen(path, "rb");
	if (!fin)
		return err_set(e, ERR_CONFIG, "cannot read configuration '%s': %s", path,
			       strerror(errno));
	buf_init(text, 1 << 20);
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), fin)) > 0)
		buf_put(text, chunk, got);
	fclose(fin);
	if (text->failed)
		return err_set(e, ERR_CONFIG, "%s: larger than 1 MB", path);
	int line = 1;
	const uint8_t *t = text->p;
	for (size_t i = 0; i < text->n; i++) {
		uint8_t ch = t[i];
		if (ch == '\t') {
			/* YAML forbids tabs for indentation, and libfyaml 0.7
			 * crashes on some misplaced ones: refuse them all */
			return err_set(e, ERR_CONFIG, "%s:%d: tab character: use spaces "
				       "(YAML does not allow tabs for indentation)",
				       path, line);
		}
		if (ch == 0 || (ch < 0x20 && ch != '\n' && ch != '\r'))
			return err_set(e, ERR_CONFIG, "%s:%d: control byte 0x%02x: not a text file",
				       path, line, ch);
		/* at a line start: after \n, \r, or YAML 1.1's NEL, LS and PS */
		bool bol = i == 0 || t[i - 1] == '\n' || t[i - 1] == '\r' ||
			   (i >= 2 && t[i - 2] == 0xc2 && t[i - 1] == 0x85) ||
			   (i >= 3 && t[i - 3] == 0xe2 && t[i - 2] == 0x80 &&
			    (t[i - 1] == 0xa8 || t[i - 1] == 0xa9));
		if (ch == '%' && bol)
			return err_set(e, ERR_CONFIG, "%s:%d: YAML directives ('%%' lines) "
				       "are not supported", path, line);
		line += ch == '\n';
	}
	struct buf scratch;
	buf_init(&scratch, 0);
	int bad = bl_text_to_utf8(&scratch, 45, t ? t : (const uint8_t *)"", text->n);
	buf_release(&scratch);
	if (bad)
		return err_set(e, ERR_CONFIG, "%s: not valid UTF-8 text", path);
	return 0;
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
