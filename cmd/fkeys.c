/*
 * The foreign-key query detach_replica calls, under its old name while it
 * moves to the module that now owns it: snapshot's sn_fk_query.
 */
#include "cmd/source.h"
#include "snapshot/snapshot.h"

void cmd_fk_query(struct buf *q, const char *schema_list)
{
	sn_fk_query(q, schema_list);
}
