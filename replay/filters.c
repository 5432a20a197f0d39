/*
 * pg_chameleon's filters (docs/replication.md, "Filters"): limit_tables,
 * skip_tables and skip_events, over origin (MySQL) names.  Used by the
 * sink for every row change and by init_replica for what it copies.  It
 * does not know schema mappings or tables taken out of replication.
 */
#include <string.h>

#include "replay/replay.h"

/* "schema" matches every table of it; "schema.table" one table. */
static bool names_match(const struct rp_names *l, const char *schema,
			const char *table, bool schema_entries)
{
	size_t sl = strlen(schema);
	for (size_t i = 0; i < l->n; i++) {
		const char *x = l->v[i];
		if (!x)
			continue;
		if (strncmp(x, schema, sl) != 0)
			continue;
		if (x[sl] == 0 && schema_entries)
			return true;
		if (x[sl] == '.' && !strcmp(x + sl + 1, table))
			return true;
	}
	return false;
}

bool rp_table_included(const struct rp_opts *o, const char *schema,
		       const char *table)
{
	if (names_match(&o->skip_tables, schema, table, false))
		return false;
	/* a schema named in limit_tables keeps only its listed tables */
	size_t sl = strlen(schema);
	bool limited = false;
	for (size_t i = 0; i < o->limit_tables.n; i++) {
		const char *x = o->limit_tables.v[i];
		if (x && !strncmp(x, schema, sl) && x[sl] == '.')
			limited = true;
	}
	return !limited || names_match(&o->limit_tables, schema, table, false);
}

bool rp_names_has_table(const struct rp_names *list, const char *schema,
			const char *table, bool any)
{
	size_t sl = strlen(schema);
	for (size_t k = 0; k < list->n; k++) {
		const char *x = list->v[k];
		if (x && ((any && !strcmp(x, "*")) ||
			  (!strncmp(x, schema, sl) && x[sl] == '.' && !strcmp(x + sl + 1, table))))
			return true;
	}
	return false;
}

bool rp_event_skipped(const struct rp_opts *o, enum bl_row_op op,
		      const char *schema, const char *table)
{
	const struct rp_names *l = op == BL_OP_INSERT ? &o->skip_insert
				   : op == BL_OP_UPDATE ? &o->skip_update
							: &o->skip_delete;
	return names_match(l, schema, table, true);
}
