/*
 * run_maintenance's work on the catalog.  pg_chameleon vacuums its two
 * log tables per source; chameleon keeps no log tables (rows go straight
 * into the replicated tables), so what is left to look after is the
 * catalog itself: its size, and VACUUM ANALYZE of every table of
 * sch_chameleon (FULL on request).  VACUUM cannot run in a transaction
 * block, so each table is one statement of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/buf.h"
#include "replay/internal.h"
#include "replay/replay.h"

static int catalog_size(struct rp_catalog *c, long long *bytes, long *tables,
			struct err *e)
{
	PGresult *r = rp__catalog_query(
		c,
		"SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint, count(*) "
		"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		"WHERE n.nspname = 'sch_chameleon' AND c.relkind = 'r'",
		0, NULL, e);
	if (!r)
		return -ERR_PG;
	*bytes = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	*tables = strtol(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	return 0;
}

int rp_catalog_maintain(struct rp_catalog *c, bool full, struct rp_maint *m,
			struct err *e)
{
	memset(m, 0, sizeof(*m));
	int rc = rp_catalog_check(c, e);
	if (rc)
		return rc;
	if ((rc = catalog_size(c, &m->bytes_before, &m->tables, e)))
		return rc;
	PGresult *r = rp__catalog_query(
		c,
		"SELECT c.relname FROM pg_class c JOIN pg_namespace n "
		"ON n.oid = c.relnamespace WHERE n.nspname = 'sch_chameleon' "
		"AND c.relkind = 'r' ORDER BY 1",
		0, NULL, e);
	if (!r)
		return -ERR_PG;
	struct buf b = BUF_INIT;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		buf_reset(&b);
		buf_puts(&b, full ? "VACUUM (FULL, ANALYZE) sch_chameleon."
				  : "VACUUM (ANALYZE) sch_chameleon.");
		rp_quote_ident(&b, PQgetvalue(r, i, 0));
		rc = rp__catalog_run(c, buf_cstr(&b), 0, NULL, e);
		if (!rc)
			m->vacuumed++;
	}
	PQclear(r);
	buf_release(&b);
	if (rc)
		return rc;
	return catalog_size(c, &m->bytes_after, &m->tables, e);
}
