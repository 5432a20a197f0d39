/*
 * The source's structure from information_schema: the tables of the
 * mapped schemas (filtered by limit_tables / skip_tables, and for
 * sync_tables by the chosen names), their columns with the PostgreSQL
 * type (docs/types.md, type_override) and value conversion, their
 * indexes, and the replica key.  What PostgreSQL makes of it is
 * replay/load_ddl.c's; foreign keys are snapshot/fkeys.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "snapshot/internal.h"

static bool chosen(const struct sn *s, const char *schema, const char *table)
{
	if (s->o->only_schema && !strcmp(s->o->only_schema, schema))
		return true;
	struct rp_names only = {s->n_only, s->only};
	return rp_names_has_table(&only, schema, table, false);
}

struct tlist {
	struct sn *s;
	int cap;
};

static void on_table(char **f, uint32_t n, void *ctx)
{
	struct tlist *l = ctx;
	struct sn *s = l->s;
	if (n < 5 || !f[0] || !f[1])
		return;
	if (!rp_table_included(s->o->filters, f[0], f[1]))
		return;
	if (s->o->mode == SN_SYNC && !chosen(s, f[0], f[1]))
		return;
	if (s->ntables == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		s->tables = xreallocarray(s->tables, (size_t)l->cap, sizeof(*s->tables));
	}
	struct sn_table *t = &s->tables[s->ntables++];
	memset(t, 0, sizeof(*t));
	t->def.schema = f[0];
	t->def.name = f[1];
	t->engine = f[2] ? f[2] : "";
	t->est_rows = f[3] ? strtoull(f[3], NULL, 10) : 0;
	t->def.comment = f[4] && f[4][0] ? f[4] : NULL;
	t->transactional = !strcasecmp(t->engine, "InnoDB") ||
			   !strcasecmp(t->engine, "XtraDB") ||
			   !strcasecmp(t->engine, "TokuDB") ||
			   !strcasecmp(t->engine, "RocksDB") ||
			   !strcasecmp(t->engine, "ndbcluster");
}

struct sn_table *sn__find_table(struct sn *s, const char *schema, const char *name)
{
	for (int i = 0; i < s->ntables; i++)
		if (!strcmp(s->tables[i].def.schema, schema) &&
		    !strcmp(s->tables[i].def.name, name))
			return &s->tables[i];
	return NULL;
}

struct colls {
	int n;
	const char *name[2048];
	uint16_t id[2048];
};

static void on_coll(char **f, uint32_t n, void *ctx)
{
	struct colls *c = ctx;
	if (n >= 2 && f[0] && f[1] && c->n < 2048) {
		c->name[c->n] = f[0];
		c->id[c->n++] = (uint16_t)atoi(f[1]);
	}
}

/* The SRID attributes of geometry columns (MySQL 8's SRS_ID, MariaDB's
 * REF_SYSTEM_ID): schema, table, column, SRID. */
struct srids {
	int n, cap;
	struct srid {
		const char *schema, *table, *column;
		uint32_t srid;
	} *v;
};

static void on_srid(char **f, uint32_t n, void *ctx)
{
	struct srids *l = ctx;
	if (n < 4 || !f[0] || !f[1] || !f[2] || !f[3])
		return;
	uint32_t srid = (uint32_t)strtoul(f[3], NULL, 10);
	if (!srid)
		return;	/* MariaDB: 0 is no REF_SYSTEM_ID (or REF_SYSTEM_ID=0) */
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, (size_t)l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = (struct srid){f[0], f[1], f[2], srid};
}

static bool srid_of(const struct srids *l, const char *schema, const char *table,
		    const char *column, uint32_t *srid)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].schema, schema) && !strcmp(l->v[i].table, table) &&
		    !strcmp(l->v[i].column, column)) {
			*srid = l->v[i].srid;
			return true;
		}
	return false;
}

struct colctx {
	struct sn *s;
	struct colls *colls;
	struct srids *srids;
	int bad;
	int geometry;	/* geometry columns seen */
};

/* The override of pg_chameleon's type_override for this column, or NULL. */
static const char *type_override(const struct sn_opts *o, const struct sn_table *t,
				 const char *column_type)
{
	for (size_t i = 0; i < o->n_overrides; i++) {
		const struct sn_type_override *x = &o->overrides[i];
		if (!strcasecmp(x->mysql_type, column_type) &&
		    rp_names_has_table(&x->tables, t->def.schema, t->def.name, true))
			return x->pg_type;
	}
	return NULL;
}

void sn__copy_kind(struct rp_column_def *c, bool has_collation, uint16_t collation)
{
	const char *dt = c->data_type;
	struct rp_copy_col *cv = &c->cv;
	cv->kind = RP_CV_ASIS;
	if (!strcasecmp(dt, "date") || !strcasecmp(dt, "datetime")) {
		cv->kind = RP_CV_DATE;
	} else if (!strcasecmp(dt, "timestamp")) {
		cv->kind = RP_CV_TIMESTAMP;
	} else if (!strcasecmp(dt, "float")) {
		/* read as a double (sn__select_sql): every digit arrives */
	} else if (!strcasecmp(dt, "bit")) {
		cv->kind = RP_CV_BIT;
		unsigned bits = 1;
		if (sscanf(c->column_type, "bit(%u)", &bits) != 1)
			bits = 1;
		cv->bits = bits;
	} else if (!strcasecmp(dt, "vector")) {
		cv->kind = RP_CV_VECTOR;
	} else if (rp_is_geometry_type(dt) && !strncmp(c->pg.name, "geometry", 8)) {
		cv->kind = RP_CV_GEOMETRY;	/* PostGIS */
	} else if (!strcmp(c->pg.name, "bytea")) {
		cv->kind = RP_CV_BYTES;
	} else if (has_collation) {
		cv->kind = RP_CV_TEXT;
		cv->col.collation = collation;
		cv->col.has_charset = true;
	}
}

/* The collation id of a text column, or a reported error (bad++). */
static void text_collation(struct colctx *cc, const struct sn_table *t,
			   struct rp_column_def *c, const char *coll)
{
	for (int i = 0; i < cc->colls->n; i++)
		if (!strcmp(cc->colls->name[i], coll)) {
			sn__copy_kind(c, true, cc->colls->id[i]);
			break;
		}
	if (c->cv.kind != RP_CV_TEXT) {
		/* not found: reported; the column stays without charset */
		c->cv.kind = RP_CV_TEXT;
		sn__report(cc->s, SN_ERROR, "`%s`.`%s` column %s: unknown collation %s",
			   t->def.schema, t->def.name, c->name, coll);
		cc->bad++;
	} else if (!bl_collation_charset(c->cv.col.collation)) {
		sn__report(cc->s, SN_ERROR, "`%s`.`%s` column %s: collation %s (%u) "
			   "is not supported", t->def.schema, t->def.name, c->name, coll,
			   c->cv.col.collation);
		cc->bad++;
	}
}

static void on_column(char **f, uint32_t n, void *ctx)
{
	struct colctx *cc = ctx;
	if (n < 11 || !f[0] || !f[1] || !f[2])
		return;
	struct sn_table *t = sn__find_table(cc->s, f[0], f[1]);
	if (!t)
		return;
	struct rp_table_def *d = &t->def;
	d->cols = xreallocarray(d->cols, (size_t)d->ncols + 1, sizeof(*d->cols));
	struct rp_column_def *c = &d->cols[d->ncols++];
	memset(c, 0, sizeof(*c));
	c->name = f[2];
	c->data_type = f[3] ? f[3] : "";
	c->column_type = f[4] ? f[4] : "";
	unsigned long char_len = f[5] ? strtoul(f[5], NULL, 10) : 0;
	c->nullable = f[6] && !strcmp(f[6], "YES");
	c->def = f[7];
	const char *coll = f[8];
	c->comment = f[9] && f[9][0] ? f[9] : NULL;
	c->extra = f[10] ? f[10] : "";
	if (rp_type_of_mysql(c->data_type, c->column_type, char_len, &c->pg)) {
		sn__report(cc->s, SN_ERROR, "`%s`.`%s` column %s: type %s cannot be mapped",
			   d->schema, d->name, c->name, c->column_type);
		cc->bad++;
		return;
	}
	if (rp_is_geometry_type(c->data_type))
		cc->geometry++;
	if (cc->s->postgis && rp_is_geometry_type(c->data_type)) {
		uint32_t srid = 0;
		bool has = srid_of(cc->srids, f[0], f[1], c->name, &srid);
		if (rp_geometry_type(c->data_type, has, srid, &c->pg))
			BUG("geometry type %s", c->data_type);
	}
	const char *ov = type_override(cc->s->o, t, c->column_type);
	if (ov) {
		snprintf(c->pg.name, sizeof(c->pg.name), "%s", ov);
		c->pg.is_enum = false;
	}
	/* ENUM: an enum type of the labels, as pg_chameleon */
	sn__copy_kind(c, false, 0);
	if (c->cv.kind == RP_CV_ASIS && coll && strcasecmp(c->data_type, "float"))
		text_collation(cc, t, c, coll);
}

static void on_index(char **f, uint32_t n, void *ctx)
{
	struct sn *s = ctx;
	if (n < 5 || !f[0] || !f[1] || !f[2] || !f[4])
		return;
	struct sn_table *t = sn__find_table(s, f[0], f[1]);
	if (!t)
		return;
	struct rp_table_def *d = &t->def;
	struct rp_index_def *x = NULL;
	for (int i = 0; i < d->nidx; i++)
		if (!strcmp(d->idx[i].name, f[2]))
			x = &d->idx[i];
	if (!x) {
		d->idx = xreallocarray(d->idx, (size_t)d->nidx + 1, sizeof(*d->idx));
		x = &d->idx[d->nidx++];
		memset(x, 0, sizeof(*x));
		x->name = f[2];
		x->primary = !strcmp(f[2], "PRIMARY");
		x->unique = f[3] && !strcmp(f[3], "0");
		x->spatial = n > 5 && f[5] && !strcasecmp(f[5], "SPATIAL");
	}
	if (x->ncols < 64)
		x->cols[x->ncols++] = f[4];
}

static const struct rp_column_def *col_of(const struct rp_table_def *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

/* The replica key: the primary key, else the first unique index of NOT
 * NULL columns, else every column. */
static void choose_key(struct rp_table_def *t)
{
	t->key_kind = "all";
	for (int k = 0; k < t->nidx && !t->key; k++) {
		const struct rp_index_def *x = &t->idx[k];
		bool ok = x->primary || x->unique;
		for (int j = 0; ok && j < x->ncols; j++) {
			const struct rp_column_def *col = col_of(t, x->cols[j]);
			ok = col && (x->primary || !col->nullable);
		}
		if (ok) {
			t->key = x;
			t->key_kind = x->primary ? "primary" : "unique";
		}
	}
}

/* Destination schema, replica key, fillfactor of each table. */
static void complete(struct sn *s)
{
	const struct sn_opts *o = s->o;
	for (int i = 0; i < s->ntables; i++) {
		struct sn_table *t = &s->tables[i];
		for (size_t k = 0; k < o->n_mappings; k++)
			if (!strcmp(o->mappings[k].mysql_schema, t->def.schema))
				t->def.pg_schema = o->mappings[k].pg_schema;
		t->def.load_schema = sn__load_schema(s, t->def.pg_schema);
		choose_key(&t->def);
		for (size_t k = 0; k < o->n_fillfactors; k++)
			if (rp_names_has_table(&o->fillfactors[k].tables, t->def.schema, t->def.name,
					false))
				t->def.fillfactor = o->fillfactors[k].fillfactor;
		s->est_total += t->est_rows;
	}
	s->defs = arena_calloc(&s->mem, s->ntables ? (size_t)s->ntables : 1, sizeof(*s->defs));
	for (int i = 0; i < s->ntables; i++)
		s->defs[i] = &s->tables[i].def;
}

/*
 * Whether geometry columns become PostGIS geometry (the target has the
 * extension; said once in the log either way), and then the SRID
 * attributes of the source's geometry columns: MySQL 8's
 * COLUMNS.SRS_ID (NULL: none), MariaDB's GEOMETRY_COLUMNS.SRID (0: none).
 */
static int geometry_setup(struct sn *s, struct buf *schemas, struct srids *out)
{
	struct err e = {0};
	char version[64];
	if (rp_load_postgis(s->pg, &s->postgis, version, sizeof(version), &e)) {
		sn__report(s, SN_ERROR, "cannot read PostgreSQL's extensions: %s", e.msg);
		return -1;
	}
	if (!s->postgis)
		return 0;	/* said after the columns, if there is a geometry one */
	sn__report(s, SN_INFO, "PostGIS %s in the target database: geometry columns "
		   "become geometry", version);
	struct buf q;
	buf_init(&q, 0);
	int rc = 0;
	if (s->is_mariadb)
		buf_printf(&q, "SELECT G_TABLE_SCHEMA, G_TABLE_NAME, G_GEOMETRY_COLUMN, SRID "
			       "FROM information_schema.GEOMETRY_COLUMNS "
			       "WHERE G_TABLE_SCHEMA IN (%s)", buf_cstr(schemas));
	else if (atoi(s->coord->server_version) >= 8)
		buf_printf(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, SRS_ID "
			       "FROM information_schema.COLUMNS "
			       "WHERE SRS_ID IS NOT NULL AND TABLE_SCHEMA IN (%s)",
			   buf_cstr(schemas));
	if (q.n)
		rc = sn__rows(s, s->coord, buf_cstr(&q), on_srid, out);
	buf_release(&q);
	return rc;
}

int sn__read_structure(struct sn *s)
{
	if (!s->o->n_mappings) {
		sn__report(s, SN_ERROR, "source '%s' has no schema_mappings", s->o->source);
		return -1;
	}
	struct buf q, schemas;
	buf_init(&q, 0);
	buf_init(&schemas, 0);
	sn__schema_list(s, &schemas);
	struct tlist tl = {s, 0};
	buf_printf(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_ROWS, TABLE_COMMENT "
		       "FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
		       "AND TABLE_SCHEMA IN (%s) ORDER BY TABLE_SCHEMA, TABLE_NAME",
		   buf_cstr(&schemas));
	int rc = sn__rows(s, s->coord, buf_cstr(&q), on_table, &tl);
	struct colls *colls = xcalloc(1, sizeof(*colls));
	if (!rc)
		rc = sn__rows(s, s->coord, "SELECT COLLATION_NAME, ID FROM "
					   "information_schema.COLLATIONS", on_coll, colls);
	struct srids srids = {0, 0, NULL};
	if (!rc)
		rc = geometry_setup(s, &schemas, &srids);
	struct colctx cc = {s, colls, &srids, 0, 0};
	buf_reset(&q);
	buf_printf(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, "
		       "CHARACTER_MAXIMUM_LENGTH, IS_NULLABLE, COLUMN_DEFAULT, COLLATION_NAME, "
		       "COLUMN_COMMENT, EXTRA FROM information_schema.COLUMNS "
		       "WHERE TABLE_SCHEMA IN (%s) ORDER BY TABLE_SCHEMA, TABLE_NAME, "
		       "ORDINAL_POSITION", buf_cstr(&schemas));
	if (!rc)
		rc = sn__rows(s, s->coord, buf_cstr(&q), on_column, &cc);
	if (!rc && cc.geometry && !s->postgis)
		sn__report(s, SN_INFO, "no PostGIS in the target database: %d geometry "
			   "column(s) become bytea (MySQL's SRID and WKB)", cc.geometry);
	buf_reset(&q);
	buf_printf(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, "
		       "INDEX_TYPE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (%s) "
		       "ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME = 'PRIMARY' DESC, "
		       "INDEX_NAME, SEQ_IN_INDEX", buf_cstr(&schemas));
	if (!rc)
		rc = sn__rows(s, s->coord, buf_cstr(&q), on_index, s);
	free(colls);
	free(srids.v);
	buf_release(&q);
	buf_release(&schemas);
	if (rc)
		return rc;
	if (cc.bad)
		return -1;
	complete(s);
	return 0;
}
