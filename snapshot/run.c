/*
 * sn_run: the steps of an initial copy in order (docs/init_replica.md):
 * connections and the catalog, the structure, the tables created in the
 * loading schema, the snapshot and the copy, keys and indexes, cascading
 * foreign keys, then one PostgreSQL transaction that swaps the loaded
 * schema in with the position.  Each step is another file's; this one
 * only sequences them and releases everything, whatever failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "snapshot/internal.h"

void sn__myident(struct buf *b, const char *id)
{
	buf_putc(b, '`');
	for (; *id; id++) {
		if (*id == '`')
			buf_putc(b, '`');
		buf_putc(b, *id);
	}
	buf_putc(b, '`');
}

void sn__schema_list(struct sn *s, struct buf *b)
{
	for (size_t i = 0; i < s->o->n_mappings; i++) {
		if (i)
			buf_putc(b, ',');
		mp_quote(b, s->o->mappings[i].mysql_schema);
	}
}

const char *sn__load_schema(struct sn *s, const char *pg_schema)
{
	if (s->o->keep_existing || s->o->mode == SN_SYNC)
		return pg_schema;
	return rp_load_schema_name(&s->mem, pg_schema);
}

int sn__rows(struct sn *s, struct mp_conn *c, const char *sql,
	     void (*cb)(char **f, uint32_t n, void *ctx), void *ctx)
{
	struct mp_result r;
	if (mp_query(c, sql, &r)) {
		sn__report(s, SN_ERROR, "source query failed: %s\n  %s", c->err.msg, sql);
		return -1;
	}
	struct mp_row row;
	int rc;
	char *f[32];
	while ((rc = mp_result_next(c, &r, &row)) == 1) {
		uint32_t n = row.n < 32 ? row.n : 32;
		for (uint32_t i = 0; i < n; i++)
			f[i] = row.is_null[i] ? NULL
					      : arena_strndup(&s->mem, (const char *)row.values[i].p,
							      row.values[i].n);
		cb(f, n, ctx);
	}
	mp_result_release(c, &r);
	if (rc < 0) {
		sn__report(s, SN_ERROR, "source query failed: %s", c->err.msg);
		return -1;
	}
	return 0;
}

/*
 * sync_tables: the tables' positions must belong to the server the
 * replica's position belongs to (init_replica recorded it): another
 * server behind the source's address is refused, as start_replica does.
 */
static int same_server(struct sn *s)
{
	struct rp_source_identity was;
	struct err e = {0};
	uint64_t id;
	char uuid[64];
	if (rp_load_source_identity(s->pg, s->o->source, &was, &e)) {
		sn__report(s, SN_ERROR, "%s", e.msg);
		return -1;
	}
	if (!was.known)
		return 0;
	if (mp_server_identity(s->coord, &id, uuid, sizeof(uuid))) {
		sn__report(s, SN_ERROR, "reading the source's server_id: %s",
			   s->coord->err.msg);
		return -1;
	}
	if (id == was.server_id && !strcmp(uuid, was.server_uuid))
		return 0;
	sn__report(s, SN_ERROR, "the source's history changed: it is now server_id %llu%s%s, "
		   "the replica's position belongs to server_id %llu%s%s (another server "
		   "answers at the source's address): run init_replica again, or point "
		   "db_conn back at the original server", (unsigned long long)id,
		   uuid[0] ? " " : "", uuid, (unsigned long long)was.server_id,
		   was.server_uuid[0] ? " " : "", was.server_uuid);
	return -1;
}

/* The coordinator, the catalog connection, the source registered. */
static int begin(struct sn *s)
{
	const struct sn_opts *o = s->o;
	s->coord = xcalloc(1, sizeof(*s->coord));
	mp_conn_init(s->coord);
	if (o->connect(o->arg, s->coord))
		return -1;
	s->is_mariadb = s->coord->is_mariadb;
	if ((o->mode != SN_SCHEMA && sn__preflight(s)) || sn__session_setup(s, s->coord))
		return -1;
	struct err e = {0};
	if (rp_load_open(&s->pg, o->conninfo, &e)) {
		sn__report(s, SN_ERROR, "cannot connect to PostgreSQL: %s", e.msg);
		return -1;
	}
	if (rp_load_catalog_prepare(s->pg, o->source, &e))
		goto fail;
	if (o->mode == SN_SYNC && same_server(s))
		return -1;
	if (o->mode == SN_SYNC && o->only_disabled) {
		const char **names;
		if (rp_load_disabled_list(s->pg, o->source, &s->mem, &names, &s->n_only, &e))
			goto fail;
		s->only = names;
	}
	if (o->mode == SN_INIT) {
		if (rp_load_set_status(s->pg, o->source, "initialising", NULL, &e))
			goto fail;
		s->status_set = true;
	}
	return 0;
fail:
	sn__report(s, SN_ERROR, "%s", e.msg);
	return -1;
}

/* Whether there is something to copy: 0 yes, 1 nothing (done), -1 no. */
static int check_tables(struct sn *s)
{
	const struct sn_opts *o = s->o;
	if (o->mode == SN_SYNC && s->n_only > (size_t)s->ntables) {
		for (size_t i = 0; i < s->n_only; i++) {
			const char *dot = strchr(s->only[i], '.');
			bool found = false;
			for (int k = 0; dot && k < s->ntables && !found; k++) {
				const struct rp_table_def *t = &s->tables[k].def;
				found = strlen(t->schema) == (size_t)(dot - s->only[i]) &&
					!strncmp(t->schema, s->only[i], (size_t)(dot - s->only[i])) &&
					!strcmp(t->name, dot + 1);
			}
			if (!found)
				sn__report(s, SN_ERROR, "table %s: not found in the source's "
					   "replicated schemas (schema.table, as in the source)",
					   s->only[i]);
		}
		return -1;
	}
	if (s->ntables)
		return 0;
	if (o->mode == SN_SYNC && o->only_disabled) {
		s->res->nothing = true;
		return 1;
	}
	sn__report(s, SN_ERROR, "no table to copy%s",
		   o->mode == SN_SYNC ? " (check the names: schema.table, in the source's "
					"schema_mappings and filters)"
				      : " in the source's schemas");
	return -1;
}

/* keep_existing_schema: every table must exist; cascading keys dropped. */
static int check_existing(struct sn *s)
{
	for (int i = 0; i < s->ntables; i++) {
		bool exists;
		struct err e = {0};
		if (rp_load_table_exists(s->pg, s->defs[i], &exists, &e)) {
			sn__report(s, SN_ERROR, "%s", e.msg);
			return -1;
		}
		if (!exists) {
			struct buf q;
			buf_init(&q, 0);
			rp_load_table_name(&q, s->defs[i], false);
			sn__report(s, SN_ERROR, "keep_existing_schema: the table %s does not exist "
				   "in PostgreSQL (create it, or set keep_existing_schema: No)",
				   buf_cstr(&q));
			buf_release(&q);
			return -1;
		}
	}
	return sn__cascade_fks(s, true);
}

/* The loading schemas and tables, or the existing tables emptied. */
static int create_tables(struct sn *s)
{
	const struct sn_opts *o = s->o;
	struct buf sql;
	buf_init(&sql, 0);
	buf_putl(&sql, "BEGIN;\n");
	for (size_t i = 0; i < o->n_mappings; i++)
		rp_load_schema_sql(&sql, o->mappings[i].pg_schema,
				   sn__load_schema(s, o->mappings[i].pg_schema));
	if (o->keep_existing)
		rp_load_truncate_sql(&sql, s->defs, (size_t)s->ntables);
	for (int i = 0; i < s->ntables && !o->keep_existing; i++) {
		/* sync_tables: recreated from the source's current structure */
		if (o->mode == SN_SYNC)
			rp_load_drop_sql(&sql, s->defs[i]);
		rp_load_create_sql(&sql, s->defs[i]);
	}
	buf_putl(&sql, "COMMIT;");
	struct err e = {0};
	int rc = rp_load_exec(s->pg, buf_cstr(&sql), &e);
	if (rc) {
		sn__report(s, SN_ERROR, "creating the tables: %s", e.msg);
		rp_load_rollback(s->pg);
	}
	buf_release(&sql);
	return rc;
}

/* A phase of jobs; its failure reported. */
static int run_phase(struct sn *s, const char *what)
{
	if (!sn__run_jobs(s, what))
		return 0;
	sn__report(s, SN_ERROR, "%s", s->fail_msg);
	return -1;
}

/* The snapshot, then the rows: non-transactional tables under the lock. */
static int copy(struct sn *s)
{
	if (sn__open_snapshot(s) || sn__plan_copy(s, s->coord, false))
		return -1;
	if (s->njobs) {
		sn__report(s, SN_INFO, "copying %d non-transactional table(s)%s", s->njobs,
			   s->locked ? " under the read lock" : "");
		if (run_phase(s, s->locked ? "copy (locked)" : "copy"))
			return -1;
	}
	if (s->locked) {
		if (sn__unlock(s))
			return -1;
		sn__report(s, SN_INFO, "source unlocked after %.1f s", clock_s() - s->t0);
	}
	/* keys and indexes of a table copied are built while the others are */
	s->index_early = true;
	int rc = sn__plan_copy(s, s->my[0], true) || run_phase(s, "copy");
	s->index_early = false;
	if (rc)
		return -1;
	for (int i = 0; i < s->o->workers; i++)
		if (mp_exec(s->my[i], "COMMIT"))
			sn__report(s, SN_DEBUG, "snapshot commit: %s", s->my[i]->err.msg);
	double t = clock_s() - s->t0;
	int early = 0;
	for (int i = 0; i < s->ntables; i++)
		early += s->tables[i].indexed;
	sn__report(s, SN_INFO, "copied %llu rows in %.1f s (%.0f rows/s); the keys and "
		   "indexes of %d table(s) built meanwhile", (unsigned long long)s->rows, t,
		   (double)s->rows / t, early);
	return 0;
}

/* Keys and indexes, in parallel over every PostgreSQL connection. */
static int indexes(struct sn *s)
{
	s->workers = s->o->workers;
	for (int i = 0; i < s->workers; i++) {
		struct err e = {0};
		if (!s->wpg[i] && rp_load_open(&s->wpg[i], s->o->conninfo, &e)) {
			sn__report(s, SN_ERROR, "cannot connect to PostgreSQL: %s", e.msg);
			return -1;
		}
	}
	sn__plan_indexes(s);
	if (!s->njobs)
		return 0;
	sn__report(s, SN_INFO, "building %d keys and indexes", s->njobs);
	return run_phase(s, NULL);
}

/* Column defaults, one statement each: one PostgreSQL refuses is left
 * out, with a warning. */
static void defaults(struct sn *s)
{
	for (int i = 0; i < s->ntables && !s->o->keep_existing; i++) {
		const struct rp_table_def *t = s->defs[i];
		for (int k = 0; k < t->ncols; k++) {
			struct buf d, one;
			buf_init(&d, 0);
			buf_init(&one, 0);
			struct err e = {0};
			if (rp_load_default_sql(&d, &t->cols[k], s->is_mariadb, &s->o->conv)) {
				rp_load_set_default_sql(&one, t, &t->cols[k], buf_cstr(&d));
				if (rp_load_exec(s->pg, buf_cstr(&one), &e))
					sn__report(s, SN_WARN, "`%s`.`%s` column %s: default %s not "
						   "kept: %s", t->schema, t->name, t->cols[k].name,
						   t->cols[k].def, e.msg);
			}
			buf_release(&d);
			buf_release(&one);
		}
	}
}

/* The swap and the position, in one transaction. */
static int swap(struct sn *s)
{
	const struct sn_opts *o = s->o;
	defaults(s);
	struct rp_load_record rec = {
		.kind = o->mode == SN_INIT ? RP_LOAD_INIT
			: o->mode == SN_SYNC ? RP_LOAD_SYNC : RP_LOAD_SCHEMA,
		.source = o->source, .file = s->res->at.file, .pos = s->res->at.pos,
		.gtid = s->res->gtid, .server_id = s->res->server_id,
		.server_uuid = s->res->server_uuid, .rows = s->rows,
		.seconds = clock_s() - s->t0,
	};
	/* the tables set aside, in the source's error column for show_status */
	struct buf note;
	buf_init(&note, 0);
	for (int i = 0; i < s->ntables; i++)
		if (sn__refused(&s->tables[i]))
			buf_printf(&note, "%s%s.%s", note.n ? ", " : "tables set aside "
				   "(show_errors; sync_tables --tables disabled): ",
				   s->tables[i].def.schema, s->tables[i].def.name);
	rec.note = note.n ? buf_cstr(&note) : NULL;
	bool swapped = (o->mode == SN_INIT && !o->keep_existing) || o->mode == SN_SCHEMA;
	struct buf sql;
	buf_init(&sql, 0);
	buf_putl(&sql, "BEGIN;\n");
	for (size_t i = 0; i < o->n_mappings && swapped; i++)
		rp_load_swap_sql(&sql, o->mappings[i].pg_schema,
				 sn__load_schema(s, o->mappings[i].pg_schema));
	for (size_t i = 0; i < o->grant_select_to.n; i++)
		for (size_t k = 0; k < o->n_mappings; k++)
			rp_load_grant_sql(&sql, o->mappings[k].pg_schema, o->grant_select_to.v[i]);
	rp_load_record_begin_sql(&sql, &rec);
	for (int i = 0; i < s->ntables; i++) {
		struct sn_table *t = &s->tables[i];
		if (!sn__refused(t)) {
			rp_load_record_table_sql(&sql, &rec, s->defs[i], t->rows);
			continue;
		}
		/* set aside: known to the catalog, empty, out of replication */
		if (o->mode == SN_INIT)
			rp_load_record_table_sql(&sql, &rec, s->defs[i], 0);
		rp_load_record_refused_sql(&sql, &rec, s->defs[i], t->why, t->statement, t->row);
	}
	rp_load_record_end_sql(&sql, &rec);
	buf_putl(&sql, "COMMIT;");
	struct err e = {0};
	int rc = rp_load_exec(s->pg, buf_cstr(&sql), &e);
	if (rc) {
		sn__report(s, SN_ERROR, "%s: %s",
			   swapped ? "swapping the loaded schema in" : "recording the copy", e.msg);
		rp_load_rollback(s->pg);
	}
	buf_release(&sql);
	buf_release(&note);
	return rc;
}

/* Everything after the structure is read. */
static int load(struct sn *s)
{
	const struct sn_opts *o = s->o;
	struct err e = {0};
	if (o->mode == SN_SYNC && rp_load_disable(s->pg, o->source, s->defs,
						  (size_t)s->ntables, &e)) {
		/* out of replication while copied: a failed run leaves them so */
		sn__report(s, SN_ERROR, "%s", e.msg);
		return -1;
	}
	sn__report(s, SN_INFO, "%d tables, about %llu rows; %d copy workers", s->ntables,
		   (unsigned long long)s->est_total, o->workers);
	if (o->keep_existing && check_existing(s))
		return -1;
	if (create_tables(s))
		return -1;
	if (o->mode != SN_SCHEMA && copy(s))
		return -1;
	if (indexes(s))
		return -1;
	if (o->mode != SN_SCHEMA && sn__cascade_fks(s, false))
		return -1;
	return swap(s);
}

/* Release everything; a failed init_replica leaves its source in 'error'. */
static void end(struct sn *s, int rc)
{
	if (s->locked && mp_exec(s->coord, "UNLOCK TABLES"))
		sn__report(s, SN_DEBUG, "unlock: %s", s->coord->err.msg);
	if (rc && s->status_set) {
		char msg[1100];
		snprintf(msg, sizeof(msg), "init_replica failed: %s",
			 s->fail_msg[0] ? s->fail_msg : "see the log");
		struct err e = {0};
		if (rp_load_set_status(s->pg, s->o->source, "error", msg, &e))
			sn__report(s, SN_ERROR, "%s", e.msg);
	}
	for (int i = 0; i < s->o->workers; i++) {
		if (s->my[i]) {
			mp_close(s->my[i]);
			free(s->my[i]);
		}
		rp_load_close(s->wpg[i]);
	}
	free(s->my);
	free(s->wpg);
	rp_load_close(s->pg);
	if (s->coord) {
		mp_close(s->coord);
		free(s->coord);
	}
	for (int i = 0; i < s->ntables; i++) {
		free(s->tables[i].def.cols);
		free(s->tables[i].def.idx);
		free(s->tables[i].why);
		free(s->tables[i].statement);
		free(s->tables[i].row);
	}
	free(s->tables);
	free(s->jobs);
	arena_release(&s->mem);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->done);
}

int sn_run(const struct sn_opts *o, struct sn_result *r)
{
	struct sn s;
	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(*r));
	s.o = o;
	s.res = r;
	s.t0 = clock_s();
	s.workers = o->workers;
	s.only = o->only;
	s.n_only = o->n_only;
	arena_init(&s.mem, 64 * 1024);
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.done, NULL);
	s.my = xcalloc((size_t)o->workers, sizeof(*s.my));
	s.wpg = xcalloc((size_t)o->workers, sizeof(*s.wpg));
	int rc = begin(&s);
	if (!rc) {
		sn__report(&s, SN_INFO, "source '%s': reading the structure of %zu schema(s)",
			   o->source, o->n_mappings);
		rc = sn__read_structure(&s);
	}
	if (!rc)
		rc = check_tables(&s);
	if (!rc)
		rc = load(&s);
	if (rc == 1)
		rc = 0;		/* nothing to do */
	r->ntables = s.ntables;
	r->rows = s.rows;
	for (int i = 0; i < s.ntables && !rc; i++) {
		if (!sn__refused(&s.tables[i]))
			continue;
		size_t n = strlen(r->refused);
		snprintf(r->refused + n, sizeof(r->refused) - n, "%s%s.%s", n ? ", " : "",
			 s.tables[i].def.schema, s.tables[i].def.name);
		r->nrefused++;
	}
	r->zero_dates = s.zero_dates;
	end(&s, rc);
	return rc ? -1 : 0;
}
