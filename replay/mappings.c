/*
 * update_schema_mappings' PostgreSQL side: what a change of a source's
 * schema_mappings means schema by schema (the plan), then, in one
 * transaction, each renamed destination schema renamed, the catalog's
 * tables pointed at it and the new mappings stored.  A newly mapped
 * schema gets nothing here (refresh_schema copies it); a schema no longer
 * mapped keeps its tables.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/arena.h"
#include "replay/internal.h"
#include "replay/replay.h"

/* A JSON string: the configuration refuses control characters in names,
 * escaped all the same so that the text is always valid JSON. */
static void json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(b, '\\');
		if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_putc(b, (char)*p);
	}
	buf_putc(b, '"');
}

void rp__mappings_json(struct buf *b, const struct rp_mapping *m, size_t n)
{
	buf_putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putl(b, ", ");
		json_str(b, m[i].mysql_schema);
		buf_putl(b, ": ");
		json_str(b, m[i].pg_schema);
	}
	buf_putc(b, '}');
}

void rp__mappings_plan(const struct rp_mapping *old, size_t nold,
		       const struct rp_mapping *m, size_t n, struct arena *a,
		       struct rp_remap **out, size_t *nout)
{
	struct rp_remap *v = arena_calloc(a, n + nold + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct rp_remap *r = &v[k++];
		r->mysql_schema = m[i].mysql_schema;
		r->to_pg = m[i].pg_schema;
		for (size_t j = 0; j < nold; j++)
			if (!strcmp(old[j].mysql_schema, m[i].mysql_schema))
				r->from_pg = old[j].pg_schema;
		if (!r->from_pg)
			r->kind = RP_REMAP_NEW;
		else if (!strcmp(r->from_pg, r->to_pg))
			r->kind = RP_REMAP_SAME;
		else
			r->kind = RP_REMAP_RENAME;
	}
	for (size_t j = 0; j < nold; j++) {
		bool still = false;
		for (size_t i = 0; i < n; i++)
			still |= !strcmp(old[j].mysql_schema, m[i].mysql_schema);
		if (!still)
			v[k++] = (struct rp_remap){RP_REMAP_GONE, old[j].mysql_schema,
						   old[j].pg_schema, NULL};
	}
	*out = v;
	*nout = k;
}

int rp_catalog_mappings_plan(struct rp_catalog *c, const char *source,
			     const struct rp_mapping *m, size_t n,
			     struct rp_remap **out, size_t *nout, struct err *e)
{
	*out = NULL;
	*nout = 0;
	arena_reset(&c->mem);
	int rc = rp_catalog_require(c->pg, e);
	if (rc)
		return rc;
	const char *p[1] = {source};
	PGresult *r = rp__catalog_query(c, "SELECT m.key, m.value FROM "
					"sch_chameleon.t_sources s, "
					"jsonb_each_text(s.schema_mappings) m "
					"WHERE s.source_name = $1", 1, p, e);
	if (!r)
		return -ERR_PG;
	size_t nold = (size_t)PQntuples(r);
	struct rp_mapping *old = arena_calloc(&c->mem, nold + 1, sizeof(*old));
	for (size_t i = 0; i < nold; i++) {
		old[i].mysql_schema = arena_strndup(&c->mem, PQgetvalue(r, (int)i, 0),
						    (size_t)PQgetlength(r, (int)i, 0));
		old[i].pg_schema = arena_strndup(&c->mem, PQgetvalue(r, (int)i, 1),
						 (size_t)PQgetlength(r, (int)i, 1));
	}
	PQclear(r);
	rp__mappings_plan(old, nold, m, n, &c->mem, out, nout);
	return 0;
}

int rp_catalog_mappings_update(struct rp_catalog *c, const char *source,
			       const struct rp_mapping *m, size_t n,
			       const struct rp_remap *plan, size_t nplan,
			       struct err *e)
{
	struct buf sql, json;
	buf_init(&sql, 0);
	buf_init(&json, 0);
	buf_putl(&sql, "BEGIN;\n");
	for (size_t i = 0; i < nplan; i++) {
		const struct rp_remap *r = &plan[i];
		if (r->kind != RP_REMAP_RENAME)
			continue;
		buf_putl(&sql, "ALTER SCHEMA ");
		rp_quote_ident(&sql, r->from_pg);
		buf_putl(&sql, " RENAME TO ");
		rp_quote_ident(&sql, r->to_pg);
		buf_putl(&sql, ";\nUPDATE sch_chameleon.t_tables SET pg_schema = ");
		rp_quote_literal(&sql, r->to_pg);
		buf_putl(&sql, " WHERE source_name = ");
		rp_quote_literal(&sql, source);
		buf_putl(&sql, " AND schema_name = ");
		rp_quote_literal(&sql, r->mysql_schema);
		buf_putl(&sql, ";\n");
	}
	rp__mappings_json(&json, m, n);
	buf_putl(&sql, "UPDATE sch_chameleon.t_sources SET schema_mappings = ");
	rp_quote_literal(&sql, buf_cstr(&json));
	buf_putl(&sql, "::jsonb WHERE source_name = ");
	rp_quote_literal(&sql, source);
	buf_putl(&sql, ";\nCOMMIT;");
	int rc = rp__catalog_run(c, buf_cstr(&sql), 0, NULL, e);
	if (rc) {
		struct err ignore = {0};
		(void)rp__catalog_run(c, "ROLLBACK", 0, NULL, &ignore);
	}
	buf_release(&sql);
	buf_release(&json);
	return rc;
}
