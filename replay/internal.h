/* replay: what its own .c files and the tests share. */
#ifndef REPLAY_INTERNAL_H
#define REPLAY_INTERNAL_H

#include <stddef.h>

#include "base/buf.h"

/* A PostgreSQL array literal of n strings ({"a","b\"c"}), for $n::text[]. */
void rp__array_literal(struct buf *b, const char *const *v, size_t n);

/* ---- the catalog (replay/catalog*.c, replay/detach.c, replay/mappings.c) --
 * The functions on libpq's own connection serve the code that shares a
 * connection and its transactions with the catalog (the sink, the
 * initial copy); commands go through struct rp_catalog (replay.h).
 */
#include <libpq-fe.h>

#include "base/arena.h"
#include "base/err.h"

struct rp_fkey;
struct rp_mapping;
struct rp_remap;

/* Run sql (several statements allowed); 0, or -1 with PostgreSQL's
 * message, one line without its newline, in err (n bytes). */
int rp_pg_exec(PGconn *pg, const char *sql, char *err, size_t n);
/* The catalog's version in *version, 0 when there is none.  Returns 0 or
 * -ERR_PG. */
int rp_catalog_version(PGconn *pg, int *version, struct err *e) MUST_CHECK;
/* Create the catalog or upgrade it to rp_catalog_latest(), in one
 * transaction under an advisory lock; *from (may be NULL) gets the
 * version found.  Returns 0 or -ERR_PG (a failed migration, a catalog
 * newer than this program). */
int rp_catalog_upgrade(PGconn *pg, int *from, struct err *e) MUST_CHECK;
/* 0 when the catalog exists (an older one is upgraded first); -ERR_CONFIG
 * when there is none, -ERR_PG. */
int rp_catalog_require(PGconn *pg, struct err *e) MUST_CHECK;

/* The commands' handle (struct rp_catalog of replay.h). */
struct rp_catalog {
	PGconn *pg;
	struct arena mem;	/* results handed out, until the next call that resets it */
};
/* A statement with n text parameters (n 0: the simple protocol, several
 * statements allowed).  The result, to PQclear; NULL with -ERR_PG in e. */
PGresult *rp__catalog_query(struct rp_catalog *c, const char *sql, int n,
			    const char *const *params, struct err *e);
/* The same, for a statement whose rows are not needed: 0 or -ERR_PG. */
int rp__catalog_run(struct rp_catalog *c, const char *sql, int n,
		    const char *const *params, struct err *e);

/* detach_replica's statements, appended to q (replay/detach.c).  Names
 * are destination names, unquoted. */
void rp__sequence_sql(struct buf *q, const char *schema, const char *table,
		      const char *column);
void rp__fkey_add_sql(struct buf *q, const char *schema, const char *ref_schema,
		      const struct rp_fkey *k);
void rp__fkey_validate_sql(struct buf *q, const char *schema, const char *table,
			   const char *name);
/* The mappings as a JSON object {"from": "to", ...} (replay/mappings.c). */
void rp__mappings_json(struct buf *b, const struct rp_mapping *m, size_t n);
/* The plan of rp_catalog_mappings_plan() from the catalog's mappings old
 * (nold) and the new ones m (n): the array in a, names borrowed. */
void rp__mappings_plan(const struct rp_mapping *old, size_t nold,
		       const struct rp_mapping *m, size_t n, struct arena *a,
		       struct rp_remap **out, size_t *nout);

#endif
