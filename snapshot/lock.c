/*
 * The consistent snapshot on the source.  With the RELOAD privilege: a
 * coordinator connection takes FLUSH TABLES WITH READ LOCK, every copy
 * worker opens START TRANSACTION WITH CONSISTENT SNAPSHOT, and the
 * binlog position is read while nothing can commit (the lock is released
 * by sn__unlock once the non-transactional tables are copied).  Without
 * it, on MariaDB: one lock-free snapshot whose position the session
 * reports (binlog_snapshot_file / binlog_snapshot_position), copied by
 * one worker.  Also the pre-flight checks and the sessions' settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "snapshot/internal.h"

int sn__preflight(struct sn *s)
{
	struct mp_check chk[32];
	int n = mp_check_source(s->coord, chk, 32);
	int bad = 0;
	for (int i = 0; i < n; i++) {
		/* replication after the copy reads column names, keys and
		 * ENUM/SET labels from the table maps */
		if (!strcmp(chk[i].name, "binlog_row_metadata") &&
		    (chk[i].warning || strstr(chk[i].detail, "not available"))) {
			sn__report(s, SN_ERROR, "source check binlog_row_metadata failed: %s; "
				   "fix: SET GLOBAL binlog_row_metadata = 'FULL' (MySQL 8.0.1+, "
				   "MariaDB 10.5+): replication needs the column names in the "
				   "binlog", chk[i].detail);
			bad++;
			continue;
		}
		if (chk[i].ok || chk[i].warning)
			continue;
		sn__report(s, SN_ERROR, "source check %s failed: %s%s%s", chk[i].name,
			   chk[i].detail, chk[i].fix[0] ? "; fix: " : "", chk[i].fix);
		bad++;
	}
	if (n < 0) {
		sn__report(s, SN_ERROR, "cannot check the source: %s", s->coord->err.msg);
		return -1;
	}
	return bad ? -1 : 0;
}

int sn__session_setup(struct sn *s, struct mp_conn *c)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SET SESSION time_zone = '+00:00', character_set_results = NULL, "
		 "net_read_timeout = %d, net_write_timeout = %d, sql_mode = ''",
		 s->o->net_timeout, s->o->net_timeout);
	if (mp_exec(c, sql)) {
		sn__report(s, SN_ERROR, "source session setup: %s", c->err.msg);
		return -1;
	}
	return 0;
}

/* A source and a PostgreSQL connection per worker. */
static int connect_workers(struct sn *s)
{
	for (int i = 0; i < s->o->workers; i++) {
		s->my[i] = xcalloc(1, sizeof(*s->my[i]));
		mp_conn_init(s->my[i]);
		if (s->o->connect(s->o->arg, s->my[i]) || sn__session_setup(s, s->my[i]))
			return -1;
		struct err e = {0};
		if (rp_load_open(&s->wpg[i], s->o->conninfo, &e)) {
			sn__report(s, SN_ERROR, "cannot connect to PostgreSQL: %s", e.msg);
			return -1;
		}
	}
	return 0;
}

/* FLUSH TABLES WITH READ LOCK, or on MariaDB without RELOAD the decision
 * to go lock-free (*lockfree, one worker). */
static int lock(struct sn *s, bool *lockfree)
{
	struct mp_conn *c = s->coord;
	char sql[64];
	snprintf(sql, sizeof(sql), "SET SESSION lock_wait_timeout = %ld", s->o->lock_timeout);
	*lockfree = false;
	if (!mp_exec(c, sql) && !mp_exec(c, "FLUSH TABLES WITH READ LOCK")) {
		s->locked = true;
		return 0;
	}
	/* without RELOAD (managed servers): MariaDB tells the binlog
	 * position of one consistent snapshot without any lock */
	bool denied = strstr(c->err.msg, "denied") || strstr(c->err.msg, "RELOAD");
	if (!c->is_mariadb || !denied) {
		sn__report(s, SN_ERROR, "FLUSH TABLES WITH READ LOCK failed: %s (the source "
			   "user needs the RELOAD privilege)", c->err.msg);
		return -1;
	}
	sn__report(s, SN_WARN, "FLUSH TABLES WITH READ LOCK refused (%s): one lock-free "
		   "snapshot instead (MariaDB binlog_snapshot_file/position), copied by one "
		   "worker; grant RELOAD for parallel copy workers", c->err.msg);
	err_clear(&c->err);
	*lockfree = true;
	s->workers = 1;
	return 0;
}

/* The position of worker 0's snapshot, as the session reports it. */
static int lockfree_position(struct sn *s)
{
	struct mp_conn *my = s->my[0];
	struct mp_result r;
	struct mp_row row;
	if (mp_query(my, "SHOW STATUS LIKE 'binlog_snapshot_%'", &r)) {
		sn__report(s, SN_ERROR, "reading the snapshot position: %s", my->err.msg);
		return -1;
	}
	char file[BL_FILE_MAX] = "", pos[32] = "";
	while (mp_result_next(my, &r, &row) == 1) {
		if (row.n < 2)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)row.values[0].n,
			 (const char *)row.values[0].p);
		if (!strcasecmp(name, "binlog_snapshot_file"))
			snprintf(file, sizeof(file), "%.*s", (int)row.values[1].n,
				 (const char *)row.values[1].p);
		else if (!strcasecmp(name, "binlog_snapshot_position"))
			snprintf(pos, sizeof(pos), "%.*s", (int)row.values[1].n,
				 (const char *)row.values[1].p);
	}
	mp_result_release(my, &r);
	if (!file[0] || !pos[0]) {
		sn__report(s, SN_ERROR, "the server did not give the snapshot's binlog position "
			   "(binlog_snapshot_file): grant RELOAD");
		return -1;
	}
	bl_pos_set(&s->res->at, file, strtoull(pos, NULL, 10));
	struct buf q;
	buf_init(&q, 0);
	buf_putl(&q, "SELECT BINLOG_GTID_POS(");
	mp_quote(&q, file);
	buf_printf(&q, ", %s)", pos);
	bool found;
	if (mp_query_value(s->coord, buf_cstr(&q), s->res->gtid, sizeof(s->res->gtid),
			   &found)) {
		/* without GTID: replication resumes by file and position */
		s->res->gtid[0] = 0;
		err_clear(&s->coord->err);
	}
	buf_release(&q);
	for (int i = 0; i < s->ntables; i++)
		if (!s->tables[i].transactional)
			sn__report(s, SN_WARN, "`%s`.`%s` (%s) has no snapshot: without the read "
				   "lock its copy may hold changes made after the position "
				   "(they are applied again by replication)",
				   s->tables[i].def.schema, s->tables[i].def.name,
				   s->tables[i].engine);
	return 0;
}

/* The position under the read lock. */
static int locked_position(struct sn *s)
{
	struct mp_position p;
	int rc = mp_source_position(s->coord, &p);
	if (rc) {
		sn__report(s, SN_ERROR, "%s%s", rc == -ERR_CONFIG ? "" :
			   "reading the binlog position: ", s->coord->err.msg);
		return -1;
	}
	bl_pos_set(&s->res->at, p.file, p.pos);
	snprintf(s->res->gtid, sizeof(s->res->gtid), "%s", p.gtid);
	return 0;
}

int sn__open_snapshot(struct sn *s)
{
	bool lockfree;
	if (connect_workers(s) || lock(s, &lockfree))
		return -1;
	for (int i = 0; i < s->workers; i++) {
		if (mp_exec(s->my[i], "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ") ||
		    mp_exec(s->my[i], "START TRANSACTION WITH CONSISTENT SNAPSHOT")) {
			sn__report(s, SN_ERROR, "cannot open a snapshot: %s", s->my[i]->err.msg);
			return -1;
		}
	}
	if (lockfree ? lockfree_position(s) : locked_position(s))
		return -1;
	/* whose position it is: start_replica refuses another server
	 * behind the same address (docs/operations.md) */
	struct sn_result *r = s->res;
	if (mp_server_identity(s->coord, &r->server_id, r->server_uuid,
			       sizeof(r->server_uuid))) {
		sn__report(s, SN_ERROR, "reading the source's server_id: %s",
			   s->coord->err.msg);
		return -1;
	}
	sn__report(s, SN_INFO, "snapshot at %s:%llu%s%s", r->at.file,
		   (unsigned long long)r->at.pos, r->gtid[0] ? ", GTID " : "", r->gtid);
	return 0;
}

int sn__unlock(struct sn *s)
{
	if (mp_exec(s->coord, "UNLOCK TABLES")) {
		sn__report(s, SN_ERROR, "UNLOCK TABLES: %s", s->coord->err.msg);
		return -1;
	}
	s->locked = false;
	return 0;
}
