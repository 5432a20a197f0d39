/*
 * The foreign-key helpers detach_replica calls, kept under their old
 * names while it moves to the modules that now own them: the
 * information_schema query is snapshot's (sn_fk_query), the PostgreSQL
 * statement replay's (rp_fk_add_sql).
 */
#include "cmd/source.h"
#include "snapshot/snapshot.h"

void cmd_fk_query(struct buf *q, const char *schema_list)
{
	sn_fk_query(q, schema_list);
}

void cmd_fk_add_sql(struct buf *q, const char *table, const char *name,
		    const char *const *cols, const char *ref, const char *const *refcols,
		    size_t n, const char *on_update, const char *on_delete)
{
	rp_fk_add_sql(q, table, name, cols, ref, refcols, n, on_update, on_delete);
}
