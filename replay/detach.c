/*
 * detach_replica's PostgreSQL side: sequences for the source's
 * AUTO_INCREMENT columns, its foreign keys added NOT VALID and the source
 * removed from the catalog, in one transaction, then each key validated
 * on its own.  What the source has (its columns and keys) is read by the
 * command from information_schema; waiting for the replica and stopping
 * it are the command's too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "replay/internal.h"
#include "replay/replay.h"

struct rp_detach {
	struct rp_catalog *c;
	const char *source;
	const struct rp_mapping *m;
	size_t nm;
	struct arena mem;
	const char **tables;	/* schema, table pairs: t_tables minus disabled */
	size_t ntables;
	bool in_tx;		/* BEGIN sent, neither COMMIT nor ROLLBACK yet */
};

/* The destination schema of a source schema, or NULL when not mapped. */
static const char *pg_schema_of(const struct rp_detach *d, const char *schema)
{
	for (size_t i = 0; schema && i < d->nm; i++)
		if (!strcmp(d->m[i].mysql_schema, schema))
			return d->m[i].pg_schema;
	return NULL;
}

bool rp_detach_replicated(const struct rp_detach *d, const char *schema,
			  const char *table)
{
	if (!schema || !table || !pg_schema_of(d, schema))
		return false;
	if (!d->ntables)
		return true;
	for (size_t i = 0; i < d->ntables; i++)
		if (!strcmp(d->tables[2 * i], schema) && !strcmp(d->tables[2 * i + 1], table))
			return true;
	return false;
}

int rp_detach_begin(struct rp_catalog *c, const char *source,
		    const struct rp_mapping *m, size_t n, struct rp_detach **out,
		    struct err *e)
{
	*out = NULL;
	int rc = rp_catalog_require(c->pg, e);
	if (rc)
		return rc;
	const char *p[1] = {source};
	PGresult *r = rp__catalog_query(c,
		"SELECT schema_name, table_name FROM sch_chameleon.t_tables "
		"WHERE source_name = $1 EXCEPT SELECT schema_name, table_name "
		"FROM sch_chameleon.t_disabled_tables WHERE source_name = $1", 1, p, e);
	if (!r)
		return -ERR_PG;
	struct rp_detach *d = xcalloc(1, sizeof(*d));
	d->c = c;
	d->source = source;
	d->m = m;
	d->nm = n;
	arena_init(&d->mem, 4096);
	d->ntables = (size_t)PQntuples(r);
	d->tables = arena_calloc(&d->mem, 2 * d->ntables + 1, sizeof(*d->tables));
	for (size_t i = 0; i < 2 * d->ntables; i++)
		d->tables[i] = arena_strndup(&d->mem, PQgetvalue(r, (int)(i / 2), (int)(i % 2)),
					     (size_t)PQgetlength(r, (int)(i / 2), (int)(i % 2)));
	PQclear(r);
	rc = rp__catalog_run(c, "BEGIN", 0, NULL, e);
	if (rc) {
		rp_detach_free(d);
		return rc;
	}
	d->in_tx = true;
	*out = d;
	return 0;
}

/* "schema"."name" */
static void qualified(struct buf *q, const char *schema, const char *name)
{
	rp_quote_ident(q, schema);
	buf_putc(q, '.');
	rp_quote_ident(q, name);
}

/* At most max bytes of s, not cutting a UTF-8 character (PostgreSQL
 * refuses a name with half a character). */
static void put_clipped(struct buf *q, const char *s, size_t max)
{
	size_t n = strlen(s), k = 0;
	while (k < n) {
		size_t l = utf8_seq((const uint8_t *)s + k, n - k);
		if (!l)
			l = 1;	/* not UTF-8: bytes as they are */
		if (k + l > max)
			break;
		k += l;
	}
	buf_put(q, s, k);
}

void rp__sequence_sql(struct buf *q, const char *schema, const char *table,
		      const char *column)
{
	struct buf seq, qs, t;
	buf_init(&seq, 0);
	buf_init(&qs, 0);
	buf_init(&t, 0);
	/* TABLE_COLUMN_seq; PostgreSQL cuts what is over 63 bytes */
	put_clipped(&seq, table, 60);
	buf_putc(&seq, '_');
	put_clipped(&seq, column, 60);
	buf_putl(&seq, "_seq");
	qualified(&qs, schema, buf_cstr(&seq));
	qualified(&t, schema, table);
	buf_printf(q, "CREATE SEQUENCE IF NOT EXISTS %s OWNED BY %s.", buf_cstr(&qs),
		   buf_cstr(&t));
	rp_quote_ident(q, column);
	buf_printf(q, ";\nALTER TABLE %s ALTER COLUMN ", buf_cstr(&t));
	rp_quote_ident(q, column);
	buf_putl(q, " SET DEFAULT nextval(");
	rp_quote_literal(q, buf_cstr(&qs));
	buf_putl(q, "::regclass);\nSELECT setval(");
	rp_quote_literal(q, buf_cstr(&qs));
	buf_putl(q, "::regclass, COALESCE((SELECT max(");
	rp_quote_ident(q, column);
	buf_printf(q, ") FROM %s), 0)::bigint + 1, false);\n", buf_cstr(&t));
	buf_release(&seq);
	buf_release(&qs);
	buf_release(&t);
}

int rp_detach_sequences(struct rp_detach *d, const struct rp_autoinc *v, size_t n,
			size_t *made, struct err *e)
{
	*made = 0;
	struct buf q;
	buf_init(&q, 0);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].column || !rp_detach_replicated(d, v[i].schema, v[i].table))
			continue;
		rp__sequence_sql(&q, pg_schema_of(d, v[i].schema), v[i].table, v[i].column);
		++*made;
	}
	int rc = q.n ? rp__catalog_run(d->c, buf_cstr(&q), 0, NULL, e) : 0;
	buf_release(&q);
	return rc;
}

static void ident_list(struct buf *q, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putl(q, ", ");
		rp_quote_ident(q, v[i]);
	}
}

void rp__fkey_add_sql(struct buf *q, const char *schema, const char *ref_schema,
		      const struct rp_fkey *k)
{
	static const char *const rules[] = {"CASCADE", "SET NULL", "SET DEFAULT",
					    "RESTRICT", "NO ACTION", NULL};
	struct buf body, t;
	buf_init(&body, 0);
	buf_init(&t, 0);
	qualified(&t, schema, k->table);
	buf_putl(&body, "BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = ");
	rp_quote_literal(&body, k->name);
	buf_putl(&body, " AND conrelid = ");
	rp_quote_literal(&body, buf_cstr(&t));
	buf_printf(&body, "::regclass) THEN ALTER TABLE %s ADD CONSTRAINT ", buf_cstr(&t));
	rp_quote_ident(&body, k->name);
	buf_putl(&body, " FOREIGN KEY (");
	ident_list(&body, k->cols, k->n);
	buf_putl(&body, ") REFERENCES ");
	qualified(&body, ref_schema, k->ref_table);
	buf_putl(&body, " (");
	ident_list(&body, k->ref_cols, k->n);
	buf_putc(&body, ')');
	for (int w = 0; w < 2; w++) {
		const char *rule = w ? k->on_delete : k->on_update;
		for (int i = 0; rule && rules[i]; i++)
			if (!strcasecmp(rule, rules[i]))
				buf_printf(&body, " ON %s %s", w ? "DELETE" : "UPDATE", rules[i]);
	}
	buf_putl(&body, " NOT VALID; END IF; END");
	/* the body is dollar-quoted: a tag that no name in it holds */
	char tag[32] = "$$";
	for (unsigned i = 0; strstr(buf_cstr(&body), tag); i++)
		snprintf(tag, sizeof(tag), "$k%u$", i);
	buf_printf(q, "DO %s%s%s;\n", tag, buf_cstr(&body), tag);
	buf_release(&body);
	buf_release(&t);
}

int rp_detach_fkeys(struct rp_detach *d, const struct rp_fkey *v, size_t n,
		    bool *added, struct err *e)
{
	struct buf q;
	buf_init(&q, 0);
	for (size_t i = 0; i < n; i++) {
		added[i] = rp_detach_replicated(d, v[i].schema, v[i].table) &&
			   rp_detach_replicated(d, v[i].ref_schema, v[i].ref_table);
		if (added[i])
			rp__fkey_add_sql(&q, pg_schema_of(d, v[i].schema),
					 pg_schema_of(d, v[i].ref_schema), &v[i]);
	}
	int rc = q.n ? rp__catalog_run(d->c, buf_cstr(&q), 0, NULL, e) : 0;
	buf_release(&q);
	return rc;
}

int rp_detach_commit(struct rp_detach *d, struct err *e)
{
	const char *p[1] = {d->source};
	/* t_tables and t_disabled_tables follow t_sources by their foreign keys */
	int rc = rp__catalog_run(d->c, "DELETE FROM sch_chameleon.t_error_log "
				 "WHERE source_name = $1", 1, p, e);
	if (!rc)
		rc = rp__catalog_run(d->c, "DELETE FROM sch_chameleon.t_sources "
				     "WHERE source_name = $1", 1, p, e);
	if (!rc)
		rc = rp__catalog_run(d->c, "COMMIT", 0, NULL, e);
	if (!rc)
		d->in_tx = false;
	return rc;
}

void rp__fkey_validate_sql(struct buf *q, const char *schema, const char *table,
			   const char *name)
{
	buf_putl(q, "ALTER TABLE ");
	qualified(q, schema, table);
	buf_putl(q, " VALIDATE CONSTRAINT ");
	rp_quote_ident(q, name);
}

int rp_detach_validate(struct rp_detach *d, const struct rp_fkey *k, struct err *e)
{
	const char *schema = pg_schema_of(d, k->schema);
	if (!schema)
		return err_set(e, ERR_CONFIG, "schema '%s' is not mapped", k->schema);
	struct buf q;
	buf_init(&q, 0);
	rp__fkey_validate_sql(&q, schema, k->table, k->name);
	int rc = rp__catalog_run(d->c, buf_cstr(&q), 0, NULL, e);
	buf_release(&q);
	return rc;
}

void rp_detach_free(struct rp_detach *d)
{
	if (!d)
		return;
	if (d->in_tx) {
		struct err ignore = {0};
		(void)rp__catalog_run(d->c, "ROLLBACK", 0, NULL, &ignore);
	}
	arena_release(&d->mem);
	free(d);
}
