/*
 * The PostgreSQL connections of a snapshot load: session set-up, plain
 * statements, and COPY ... FROM STDIN of rows already in COPY text format
 * (snapshot/ pumps them from the source; replay/convert.c formats each
 * field).  Blocking libpq calls: one connection per copy worker, each
 * used by one thread at a time.  It decides nothing about what to load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/xalloc.h"
#include "replay/internal.h"
#include "replay/load_int.h"
#include "replay/replay.h"

/* e from a failed result: PostgreSQL's message without its final newlines. */
static int result_err(struct err *e, const char *prefix, const char *msg)
{
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		n--;
	return err_set(e, ERR_PG, "%s%.*s", prefix, (int)n, msg);
}

/* The same for a result: a lack of resources (SQLSTATE class 53) said
 * as such whatever prefix the caller would give. */
static int res_err(struct err *e, const char *prefix, const PGresult *r)
{
	const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (!st || strncmp(st, "53", 2))
		return result_err(e, prefix, PQresultErrorMessage(r));
	char p[64];
	snprintf(p, sizeof(p), RP_LOAD_RESOURCES "%.5s): ", st);
	return result_err(e, p, PQresultErrorMessage(r));
}

int rp_load_open(struct rp_load **out, const char *conninfo, struct err *e)
{
	*out = NULL;
	PGconn *pg = PQconnectdb(conninfo);
	rp__pg_notices(pg);
	if (PQstatus(pg) != CONNECTION_OK) {
		int rc = result_err(e, "", PQerrorMessage(pg));
		PQfinish(pg);
		return rc;
	}
	struct rp_load *l = xcalloc(1, sizeof(*l));
	l->pg = pg;
	int rc = rp_load_exec(l, "SET client_encoding = 'UTF8'; SET timezone = 'UTC'; "
				 "SET client_min_messages = warning", e);
	if (rc) {
		rp_load_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

void rp_load_close(struct rp_load *l)
{
	if (!l)
		return;
	PQfinish(l->pg);
	free(l);
}

int rp_load_exec(struct rp_load *l, const char *sql, struct err *e)
{
	PGresult *r = PQexec(l->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = res_err(e, "", r);
	PQclear(r);
	return rc;
}

int rp_load_postgis(struct rp_load *l, bool *yes, char *version, size_t n,
		    struct err *e)
{
	*yes = false;
	if (n)
		version[0] = 0;
	PGresult *r = PQexec(l->pg, "SELECT extversion FROM pg_catalog.pg_extension "
				    "WHERE extname = 'postgis'");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = result_err(e, "", PQresultErrorMessage(r));
	} else if (PQntuples(r) > 0) {
		*yes = true;
		if (n)
			snprintf(version, n, "%s", PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return rc;
}

void rp_load_rollback(struct rp_load *l)
{
	PQclear(PQexec(l->pg, "ROLLBACK"));
}

int rp_load_copy_start(struct rp_load *l, const struct rp_table_def *t, struct err *e)
{
	struct buf q;
	buf_init(&q, 0);
	buf_putl(&q, "COPY ");
	rp_load_table_name(&q, t, true);
	buf_putl(&q, " FROM STDIN");
	PGresult *r = PQexec(l->pg, buf_cstr(&q));
	buf_release(&q);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COPY_IN)
		rc = res_err(e, "", r);
	PQclear(r);
	return rc;
}

/* Read what is left of the COPY's results. */
static void drain(PGconn *pg)
{
	PGresult *r;
	while ((r = PQgetResult(pg)))
		PQclear(r);
}

int rp_load_copy_data(struct rp_load *l, const void *p, size_t n, struct err *e)
{
	/* the caller flushes at 256 KiB: far below INT_MAX */
	if (PQputCopyData(l->pg, p, (int)n) == 1)
		return 0;
	/* PostgreSQL may have refused a row already: the COPY is over */
	if (PQstatus(l->pg) == CONNECTION_OK) {
		PGresult *r = PQgetResult(l->pg);
		if (r && PQresultStatus(r) == PGRES_FATAL_ERROR) {
			int rc = res_err(e, RP_LOAD_REFUSED, r);
			PQclear(r);
			drain(l->pg);
			return rc;
		}
		PQclear(r);
	}
	return result_err(e, "", PQerrorMessage(l->pg));
}

bool rp_load_connected(const struct rp_load *l)
{
	return PQstatus(l->pg) == CONNECTION_OK;
}

void rp_load_copy_abort(struct rp_load *l, const char *why)
{
	/* the COPY fails on the server: its error is expected */
	(void)PQputCopyEnd(l->pg, why);
	drain(l->pg);
}

int rp_load_copy_end(struct rp_load *l, struct err *e)
{
	if (PQputCopyEnd(l->pg, NULL) != 1)
		return result_err(e, "", PQerrorMessage(l->pg));
	PGresult *r = PQgetResult(l->pg);
	int rc = 0;
	/* the message names the line of the COPY: the row */
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = res_err(e, RP_LOAD_REFUSED, r);
	PQclear(r);
	drain(l->pg);
	return rc;
}
