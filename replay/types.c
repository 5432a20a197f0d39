/*
 * MySQL to PostgreSQL types (docs/types.md).  pg_chameleon's mapping
 * without its losses: unsigned integers widen, BIT keeps its bits,
 * FLOAT stays single precision, TIME becomes interval (MySQL's range is
 * +-838 hours), TIMESTAMP is timestamptz, binary data is bytea.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "binlog/binlog.h"
#include "replay/replay.h"

static void set(struct rp_pg_type *t, const char *name)
{
	snprintf(t->name, sizeof(t->name), "%s", name);
}

/* Bytes per character of a charset (MySQL's mbmaxlen). */
static unsigned mbmaxlen(uint16_t collation)
{
	const char *cs = bl_collation_charset(collation);
	if (!cs)
		return 0;
	if (!strcmp(cs, "utf8mb4") || !strcmp(cs, "utf16") || !strcmp(cs, "utf16le") ||
	    !strcmp(cs, "utf32") || !strcmp(cs, "gb18030"))
		return 4;
	if (!strcmp(cs, "utf8mb3") || !strcmp(cs, "ujis") || !strcmp(cs, "eucjpms"))
		return 3;
	if (!strcmp(cs, "ucs2") || !strcmp(cs, "sjis") || !strcmp(cs, "cp932") ||
	    !strcmp(cs, "gbk") || !strcmp(cs, "gb2312") || !strcmp(cs, "big5") ||
	    !strcmp(cs, "euckr"))
		return 2;
	return 1;
}

static void temporal(struct rp_pg_type *t, const char *base, unsigned fsp,
		     const char *suffix)
{
	if (fsp > 6)
		fsp = 6;
	snprintf(t->name, sizeof(t->name), "%s(%u)%s", base, fsp, suffix);
}

int rp_type_of_column(const struct bl_column *c, struct rp_pg_type *t)
{
	memset(t, 0, sizeof(*t));
	switch (c->type) {
	case BL_TYPE_TINY:
		set(t, "smallint");
		return 0;
	case BL_TYPE_SHORT:
		set(t, c->is_unsigned ? "integer" : "smallint");
		return 0;
	case BL_TYPE_INT24:
		set(t, "integer");
		return 0;
	case BL_TYPE_LONG:
		set(t, c->is_unsigned ? "bigint" : "integer");
		return 0;
	case BL_TYPE_LONGLONG:
		set(t, c->is_unsigned ? "numeric(20)" : "bigint");
		return 0;
	case BL_TYPE_FLOAT:
		set(t, "real");
		return 0;
	case BL_TYPE_DOUBLE:
		set(t, "double precision");
		return 0;
	case BL_TYPE_NEWDECIMAL:
		snprintf(t->name, sizeof(t->name), "numeric(%u,%u)", c->meta >> 8, c->meta & 0xff);
		return 0;
	case BL_TYPE_YEAR:
		set(t, "smallint");
		return 0;
	case BL_TYPE_BIT: {
		unsigned bits = (c->meta >> 8) * 8 + (c->meta & 0xff);
		snprintf(t->name, sizeof(t->name), "bit(%u)", bits ? bits : 1);
		return 0;
	}
	case BL_TYPE_DATE:
	case BL_TYPE_NEWDATE:
		set(t, "date");
		return 0;
	case BL_TYPE_DATETIME:
		temporal(t, "timestamp", 0, " without time zone");
		return 0;
	case BL_TYPE_DATETIME2:
		temporal(t, "timestamp", c->meta, " without time zone");
		return 0;
	case BL_TYPE_TIMESTAMP:
		temporal(t, "timestamp", 0, " with time zone");
		return 0;
	case BL_TYPE_TIMESTAMP2:
		temporal(t, "timestamp", c->meta, " with time zone");
		return 0;
	case BL_TYPE_TIME:
		temporal(t, "interval", 0, "");
		return 0;
	case BL_TYPE_TIME2:
		temporal(t, "interval", c->meta, "");
		return 0;
	case BL_TYPE_VARCHAR:
	case BL_TYPE_VAR_STRING:
	case BL_TYPE_STRING: {
		if (c->has_charset && c->collation == BL_COLLATION_BINARY) {
			set(t, "bytea");
			return 0;
		}
		unsigned m = c->has_charset ? mbmaxlen(c->collation) : 0;
		if (m && c->meta / m > 0 && c->meta / m <= 10485760)
			snprintf(t->name, sizeof(t->name), "character varying(%u)", c->meta / m);
		else
			set(t, "text");
		return 0;
	}
	case BL_TYPE_BLOB:
	case BL_TYPE_TINY_BLOB:
	case BL_TYPE_MEDIUM_BLOB:
	case BL_TYPE_LONG_BLOB:
		/* without charset metadata BLOB and TEXT look the same: bytea
		 * keeps every byte either way */
		set(t, c->has_charset && c->collation != BL_COLLATION_BINARY
			       ? "text" : "bytea");
		return 0;
	case BL_TYPE_ENUM:
		t->is_enum = true;
		set(t, "text");	/* until the enum type is created */
		return 0;
	case BL_TYPE_SET:
		set(t, "text");
		return 0;
	case BL_TYPE_JSON:
		set(t, "jsonb");
		return 0;
	case BL_TYPE_GEOMETRY:
		set(t, "bytea");
		return 0;
	case BL_TYPE_VECTOR:
		set(t, "real[]");
		return 0;
	default:
		return -ERR_UNSUPPORTED;
	}
}

/* The numbers in "name(a,b)", 0 when absent. */
static void args(const char *ct, unsigned *a, unsigned *b)
{
	*a = *b = 0;
	const char *p = strchr(ct, '(');
	if (!p)
		return;
	*a = (unsigned)strtoul(p + 1, NULL, 10);
	const char *q = strchr(p, ',');
	if (q && q < strchr(p, ')'))
		*b = (unsigned)strtoul(q + 1, NULL, 10);
}

int rp_type_of_mysql(const char *dt, const char *ct, unsigned long char_length,
		     struct rp_pg_type *t)
{
	memset(t, 0, sizeof(*t));
	bool uns = ct && strstr(ct, "unsigned") != NULL;
	unsigned a, b;
	args(ct ? ct : "", &a, &b);
	if (!strcasecmp(dt, "tinyint")) {
		set(t, "smallint");
	} else if (!strcasecmp(dt, "smallint")) {
		set(t, uns ? "integer" : "smallint");
	} else if (!strcasecmp(dt, "mediumint")) {
		set(t, "integer");
	} else if (!strcasecmp(dt, "int") || !strcasecmp(dt, "integer")) {
		set(t, uns ? "bigint" : "integer");
	} else if (!strcasecmp(dt, "bigint")) {
		set(t, uns ? "numeric(20)" : "bigint");
	} else if (!strcasecmp(dt, "decimal") || !strcasecmp(dt, "numeric")) {
		snprintf(t->name, sizeof(t->name), "numeric(%u,%u)", a ? a : 10, b);
	} else if (!strcasecmp(dt, "float")) {
		set(t, "real");
	} else if (!strcasecmp(dt, "double") || !strcasecmp(dt, "double precision") ||
		   !strcasecmp(dt, "real")) {
		set(t, "double precision");
	} else if (!strcasecmp(dt, "bit")) {
		snprintf(t->name, sizeof(t->name), "bit(%u)", a ? a : 1);
	} else if (!strcasecmp(dt, "year")) {
		set(t, "smallint");
	} else if (!strcasecmp(dt, "date")) {
		set(t, "date");
	} else if (!strcasecmp(dt, "datetime")) {
		temporal(t, "timestamp", a, " without time zone");
	} else if (!strcasecmp(dt, "timestamp")) {
		temporal(t, "timestamp", a, " with time zone");
	} else if (!strcasecmp(dt, "time")) {
		temporal(t, "interval", a, "");
	} else if (!strcasecmp(dt, "char") || !strcasecmp(dt, "varchar")) {
		if (char_length && char_length <= 10485760)
			snprintf(t->name, sizeof(t->name), "character varying(%u)", (unsigned)char_length);
		else
			set(t, "text");
	} else if (!strcasecmp(dt, "tinytext") || !strcasecmp(dt, "text") ||
		   !strcasecmp(dt, "mediumtext") || !strcasecmp(dt, "longtext")) {
		set(t, "text");
	} else if (!strcasecmp(dt, "binary") || !strcasecmp(dt, "varbinary") ||
		   !strcasecmp(dt, "tinyblob") || !strcasecmp(dt, "blob") ||
		   !strcasecmp(dt, "mediumblob") || !strcasecmp(dt, "longblob")) {
		set(t, "bytea");
	} else if (!strcasecmp(dt, "enum")) {
		t->is_enum = true;
		set(t, "text");
	} else if (!strcasecmp(dt, "set")) {
		set(t, "text");
	} else if (!strcasecmp(dt, "json")) {
		set(t, "jsonb");
	} else if (!strcasecmp(dt, "geometry") || !strcasecmp(dt, "point") ||
		   !strcasecmp(dt, "linestring") || !strcasecmp(dt, "polygon") ||
		   !strcasecmp(dt, "multipoint") || !strcasecmp(dt, "multilinestring") ||
		   !strcasecmp(dt, "multipolygon") ||
		   !strcasecmp(dt, "geometrycollection") ||
		   !strcasecmp(dt, "geomcollection")) {
		set(t, "bytea");
	} else if (!strcasecmp(dt, "vector")) {
		set(t, "real[]");
	} else if (!strcasecmp(dt, "bool") || !strcasecmp(dt, "boolean")) {
		set(t, "boolean");
	} else {
		return -ERR_UNSUPPORTED;
	}
	return 0;
}
