/*
 * Foreign keys from the source, shared by init_replica (the keys with
 * cascading actions) and detach_replica (all of them).
 */
#include <strings.h>

#include "cmd/source.h"
#include "replay/replay.h"

void cmd_fk_query(struct buf *q, const char *schema_list)
{
	buf_printf(q, "SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, "
		      "k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, "
		      "k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE "
		      "FROM information_schema.KEY_COLUMN_USAGE k "
		      "JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
		      "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND "
		      "r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME "
		      "WHERE k.TABLE_SCHEMA IN (%s) AND k.REFERENCED_TABLE_NAME IS NOT NULL "
		      "ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, "
		      "k.ORDINAL_POSITION", schema_list);
}

static void ident_list(struct buf *q, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putl(q, ", ");
		rp_quote_ident(q, v[i]);
	}
}

void cmd_fk_add_sql(struct buf *q, const char *table, const char *name,
		    const char *const *cols, const char *ref, const char *const *refcols,
		    size_t n, const char *on_update, const char *on_delete)
{
	static const char *const rules[] = {"CASCADE", "SET NULL", "SET DEFAULT",
					    "RESTRICT", "NO ACTION", NULL};
	buf_putl(q, "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = ");
	rp_quote_literal(q, name);
	buf_putl(q, " AND conrelid = ");
	rp_quote_literal(q, table);
	buf_printf(q, "::regclass) THEN ALTER TABLE %s ADD CONSTRAINT ", table);
	rp_quote_ident(q, name);
	buf_putl(q, " FOREIGN KEY (");
	ident_list(q, cols, n);
	buf_printf(q, ") REFERENCES %s (", ref);
	ident_list(q, refcols, n);
	buf_putc(q, ')');
	for (int w = 0; w < 2; w++) {
		const char *rule = w ? on_delete : on_update;
		for (int k = 0; rule && rules[k]; k++)
			if (!strcasecmp(rule, rules[k]))
				buf_printf(q, " ON %s %s", w ? "DELETE" : "UPDATE", rules[k]);
	}
	buf_putl(q, " NOT VALID; END IF; END$$;\n");
}
