/* The DDL planner's test environment: see ddl_pg_env.h. */
#include "test/lib/ddl_pg_env.h"

/* ---- fixtures: schema shop (shop_pg), other (other_pg) ---- */

static const struct rp__pg_column a_cols[] = {
	{"id", "integer", true, false, NULL, 0, NULL},
	{"v", "character varying(20)", false, false, NULL, 0, NULL},
	{"n", "integer", false, false, "0", 0, NULL},
};
static const char *const a_pk[] = {"id"};
static const char *const a_v[] = {"v"};
static const char *const a_nv[] = {"n", "v"};
static const struct rp__pg_index a_idx[] = {
	{"a_pkey", "a_pkey", true, true, 1, a_pk},
	{"idx_a_v", NULL, false, false, 1, a_v},
	{"idx_a_nv", NULL, false, true, 2, a_nv},
};
static const char *const k_labels[] = {"x", "y", ""};
static const struct rp__pg_column k_cols[] = {
	{"id", "integer", true, false, NULL, 0, NULL},
	{"tag", "shop_pg.enum_k_tag", false, true, "'x'::shop_pg.enum_k_tag", 3,
	 k_labels},
};
static const struct rp__pg_index k_idx[] = {
	{"k_pkey", "k_pkey", true, true, 1, a_pk},
};

static struct rp__pg_table fixtures[] = {
	{"shop_pg", "a", 3, a_cols, 3, a_idx, false},
	{"shop_pg", "k", 2, k_cols, 1, k_idx, false},
	{"shop_pg", "empty", 3, a_cols, 0, NULL, true},
	{"shop_pg", "_a_new", 3, a_cols, 0, NULL, true},
	{"other_pg", "o", 3, a_cols, 0, NULL, false},
};

int ddl_lookups;
bool ddl_fail_lookup;

static int lookup(void *arg, const char *pg_schema, const char *table,
		  const struct rp__pg_table **out, struct err *e)
{
	(void)arg;
	ddl_lookups++;
	*out = NULL;
	if (ddl_fail_lookup)
		return err_set(e, ERR_PG, "lookup failed"), -1;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		if (!strcmp(fixtures[i].schema, pg_schema) &&
		    !strcmp(fixtures[i].name, table))
			*out = &fixtures[i];
	return 0;
}

static bool is_disabled(void *arg, const char *schema, const char *table)
{
	(void)arg;
	return !strcmp(schema, "shop") && !strcmp(table, "off");
}

static const char * override(void *arg, const char *schema, const char *table,
			     const char *ct)
{
	(void)arg;
	(void)schema;
	(void)table;
	return !strcmp(ct, "tinyint(1)") ? "boolean" : NULL;
}

static int ff(void *arg, const char *schema, const char *table)
{
	(void)arg;
	(void)schema;
	return !strcmp(table, "filled") ? 70 : 0;
}

static int schema_tables(void *arg, const char *pg_schema, const char *const **names,
			 size_t *n, struct err *e)
{
	static const char *const v[] = {"a", "k", "skipped"};
	(void)arg;
	(void)e;
	*names = v;
	*n = !strcmp(pg_schema, "shop_pg") ? 3 : 0;
	return 0;
}

static const struct rp_mapping maps[] = {{"shop", "shop_pg"}, {"other", "other_pg"}};
static const char *const skips[] = {"shop.skipped"};

static struct rp_opts opts;
struct rp__ddl_env ddl_env;

void ddl_setup(void)
{
	memset(&opts, 0, sizeof(opts));
	opts.mappings = maps;
	opts.n_mappings = 2;
	opts.skip_tables.v = skips;
	opts.skip_tables.n = 1;
	memset(&ddl_env, 0, sizeof(ddl_env));
	ddl_env.o = &opts;
	ddl_env.default_db = "shop";
	ddl_env.strict = true;
	ddl_env.when = 1714564800; /* 2024-05-01 12:00:00 UTC */
	ddl_env.disabled = is_disabled;
	ddl_env.lookup = lookup;
	ddl_env.tables = schema_tables;
	ddl_env.type_override = override;
	ddl_env.fillfactor = ff;
	ddl_fail_lookup = false;
	ddl_lookups = 0;
}

static struct arena arena;
static bool arena_ready;
struct rp__ddl_plan ddl_plan;
char ddl_sql[16384], ddl_fx[4096];

/* Parse and ddl_plan q; the SQL joined by ";\n" in ddl_sql, the effects as
 * "KIND schema.table[ -> s.t][: why]" lines in ddl_fx. */
struct arena *ddl_arena(void)
{
	if (arena_ready)
		arena_release(&arena);
	arena_init(&arena, 4096);
	arena_ready = true;
	return &arena;
}

void ddl_run(const char *q)
{
	ddl_arena();
	struct rp__ddl_stmt st;
	struct err e = {0};
	if (rp__ddl_parse(q, strlen(q), false, &arena, &st, &e))
		test_fail(__FILE__, __LINE__, "parse: %s", e.msg);
	if (rp__ddl_pg_plan(&st, &ddl_env, &arena, &ddl_plan, &e))
		test_fail(__FILE__, __LINE__, "ddl_plan: %s", e.msg);
	static const char *const kinds[] = {"CREATED", "DROPPED",   "RENAMED",
					    "ALTERED", "TRUNCATED", "COPY",
					    "DISABLE", "NOTE"};
	size_t n = 0;
	ddl_sql[0] = ddl_fx[0] = 0;
	for (size_t i = 0; i < ddl_plan.nsql; i++)
		n += (size_t)snprintf(ddl_sql + n, sizeof(ddl_sql) - n, "%s%s",
				      i ? ";\n" : "", ddl_plan.sql[i]);
	n = 0;
	for (size_t i = 0; i < ddl_plan.nfx; i++) {
		const struct rp__ddl_fx *f = &ddl_plan.fx[i];
		n += (size_t)snprintf(ddl_fx + n, sizeof(ddl_fx) - n, "%s%s %s.%s",
				      i ? "\n" : "", kinds[f->kind], f->schema,
				      f->table);
		if (f->kind == RP__FX_RENAMED)
			n += (size_t)snprintf(ddl_fx + n, sizeof(ddl_fx) - n,
					      " -> %s.%s", f->to_schema, f->to_table);
		if (f->why)
			n += (size_t)snprintf(ddl_fx + n, sizeof(ddl_fx) - n, ": %s",
					      f->why);
	}
}
