/*
 * Foreign keys of the source.  The information_schema query is shared
 * with detach_replica (which creates all of them); here, the keys whose
 * ON DELETE / ON UPDATE action changes other rows (CASCADE, SET NULL, SET
 * DEFAULT): InnoDB performs those changes inside the storage engine and
 * does not write them to the binary log, so the replica must perform them
 * itself.  They are created between replicated tables after the load
 * (NOT VALID: rows the source let in without a parent, e.g. with
 * foreign_key_checks=0, do not stop the copy); existing ones are kept.
 * The PostgreSQL statements are replay's (rp_load_fkey_sql).
 */
#include <string.h>
#include <strings.h>

#include "snapshot/internal.h"

void sn_fk_query(struct buf *q, const char *schema_list)
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

struct fkrow {
	char *f[9];	/* schema, table, name, column, ref schema, ref table,
			   ref column, update rule, delete rule */
};

static void on_fk(char **f, uint32_t n, void *ctx)
{
	struct buf *rows = ctx;
	if (n < 9)
		return;
	struct fkrow r;
	for (int i = 0; i < 9; i++)
		r.f[i] = f[i];
	buf_put(rows, &r, sizeof(r));
}

static bool cascading(const char *rule)
{
	return rule && (!strcasecmp(rule, "CASCADE") || !strcasecmp(rule, "SET NULL") ||
			!strcasecmp(rule, "SET DEFAULT"));
}

static const char *mapped_pg_schema(const struct sn *s, const char *mysql_schema)
{
	for (size_t k = 0; k < s->o->n_mappings; k++)
		if (!strcmp(s->o->mappings[k].mysql_schema, mysql_schema))
			return s->o->mappings[k].pg_schema;
	return NULL;
}

/* Create the key of rows v[0..n) (one per column); 1 when created. */
static int create(struct sn *s, const struct fkrow *v, size_t n, const char *ps,
		  const char *rs)
{
	char *const *f = v[0].f;
	const char *cols[64], *refcols[64];
	size_t nc = 0;
	for (size_t k = 0; k < n && nc < 64; k++, nc++) {
		cols[nc] = v[k].f[3];
		refcols[nc] = v[k].f[6];
	}
	struct rp_fkey key = {
		.schema = f[0], .table = f[1], .name = f[2], .ref_schema = f[4],
		.ref_table = f[5], .cols = cols, .ref_cols = refcols, .n = nc,
		.on_update = f[7], .on_delete = f[8],
	};
	struct buf q;
	buf_init(&q, 0);
	rp_load_fkey_sql(&q, sn__load_schema(s, ps), sn__load_schema(s, rs), &key);
	struct err e = {0};
	int made = 1;
	if (rp_load_exec(s->pg, buf_cstr(&q), &e)) {
		sn__report(s, SN_WARN, "foreign key %s of `%s`.`%s` not created: %s", f[2], f[0],
			   f[1], e.msg);
		made = 0;
	}
	buf_release(&q);
	return made;
}

/* One key (rows v[0..n)): dropped (drop), created, or passed over. */
static int one_key(struct sn *s, const struct fkrow *v, size_t n, bool drop, int *made)
{
	char *const *f = v[0].f;
	const char *ps = mapped_pg_schema(s, f[0]);
	const char *rs = f[4] ? mapped_pg_schema(s, f[4]) : NULL;
	bool involved = sn__find_table(s, f[0], f[1]) || (f[4] && sn__find_table(s, f[4], f[5]));
	if (!(cascading(f[7]) || cascading(f[8])) || !involved)
		return 0;
	if (!ps || !rs || !rp_table_included(s->o->filters, f[0], f[1]) ||
	    !rp_table_included(s->o->filters, f[4], f[5])) {
		sn__report(s, SN_WARN, "foreign key %s of `%s`.`%s` (ON DELETE %s ON UPDATE %s) "
			   "refers to a table that is not replicated: the rows its actions "
			   "change on the source are not in the binlog",
			   f[2], f[0], f[1], f[8], f[7]);
		return 0;
	}
	if (!drop) {
		*made += create(s, v, n, ps, rs);
		return 0;
	}
	/* keep_existing_schema: the tables are reloaded in parallel, the
	 * keys are added again after */
	struct buf q;
	buf_init(&q, 0);
	rp_fk_drop_sql(&q, ps, f[1], f[2]);
	struct err e = {0};
	int rc = rp_load_exec(s->pg, buf_cstr(&q), &e);
	if (rc)
		sn__report(s, SN_ERROR, "%s", e.msg);
	buf_release(&q);
	return rc ? -1 : 0;
}

int sn__cascade_fks(struct sn *s, bool drop)
{
	struct buf schemas, q, rows;
	buf_init(&schemas, 0);
	buf_init(&q, 0);
	buf_init(&rows, 0);
	sn__schema_list(s, &schemas);
	sn_fk_query(&q, buf_cstr(&schemas));
	int rc = sn__rows(s, s->coord, buf_cstr(&q), on_fk, &rows);
	const struct fkrow *v = (const struct fkrow *)rows.p;
	size_t n = rc ? 0 : rows.n / sizeof(*v);
	int made = 0;
	for (size_t i = 0; i < n && !rc;) {
		/* the rows of one key: same table and constraint name */
		size_t j = i;
		while (j < n && !strcmp(v[j].f[0], v[i].f[0]) && !strcmp(v[j].f[1], v[i].f[1]) &&
		       !strcmp(v[j].f[2], v[i].f[2]))
			j++;
		rc = one_key(s, v + i, j - i, drop, &made);
		i = j;
	}
	if (made && !drop)
		sn__report(s, SN_INFO, "%d foreign keys with cascading actions created (InnoDB "
			   "does not log the rows they change)", made);
	buf_release(&schemas);
	buf_release(&q);
	buf_release(&rows);
	return rc;
}
