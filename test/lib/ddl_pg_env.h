/*
 * The DDL planner's test environment (test/lib/ddl_pg_env.c): fixture
 * tables in schema shop (shop_pg) and other (other_pg), the planner's
 * callbacks, and ddl_run(), which parses and plans one statement.
 */
#ifndef TEST_LIB_DDL_PG_ENV_H
#define TEST_LIB_DDL_PG_ENV_H

#include "replay/ddl_parse_int.h"
#include "replay/ddl_pg.h"
#include "test/unit/test.h"

extern int ddl_lookups;	     /* lookup callback calls since ddl_setup() */
extern bool ddl_fail_lookup; /* make the lookup callback fail */
extern struct rp__ddl_env ddl_env;
extern struct rp__ddl_plan ddl_plan;
/* the plan's SQL joined by ";\n"; its effects as
 * "KIND schema.table[ -> s.t][: why]" lines */
extern char ddl_sql[16384], ddl_fx[4096];

void ddl_setup(void);
/* the planner's arena, emptied */
struct arena *ddl_arena(void);
void ddl_run(const char *q);

#define EXPECT(q, sql, fx, sum)                                            \
	do {                                                               \
		ddl_run(q);                                                \
		ASSERT_STREQ(ddl_sql, sql);                                \
		ASSERT_STREQ(ddl_fx, fx);                                  \
		if (sum)                                                   \
			ASSERT_STREQ(ddl_plan.summary, (const char *)sum); \
		else                                                       \
			ASSERT(ddl_plan.summary == NULL);                  \
	} while (0)

#define NOTHING(q) EXPECT(q, "", "", NULL)

#endif
