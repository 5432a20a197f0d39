/*
 * Replication: session setup (checksums, MariaDB capability and GTID
 * position, heartbeat), COM_REGISTER_SLAVE, COM_BINLOG_DUMP /
 * COM_BINLOG_DUMP_GTID, the event stream, and the source checks behind
 * check_source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqlproto/internal.h"

static int exec_fmt(struct mp_conn *c, const char *fmt, const char *arg)
{
	struct buf q;
	buf_init(&q, 0);
	buf_puts(&q, fmt);
	if (arg)
		mp_quote(&q, arg);
	int rc = mp_exec(c, buf_cstr(&q));
	buf_release(&q);
	return rc;
}

int mp_binlog_dump(struct mp_conn *c, const struct mp_dump *d)
{
	char checksum[32];
	bool found;
	int rc = mp_query_value(c, "SELECT @@global.binlog_checksum", checksum,
				sizeof(checksum), &found);
	if (rc)
		snprintf(checksum, sizeof(checksum), "NONE");	/* before 5.6 */
	err_clear(&c->err);
	if (found && strcasecmp(checksum, "NONE") != 0) {
		rc = exec_fmt(c, "SET @master_binlog_checksum = ", checksum);
		if (rc) {
			err_clear(&c->err);
			rc = exec_fmt(c, "SET @source_binlog_checksum = ", checksum);
		}
		if (rc)
			return rc;
	}
	if (c->is_mariadb) {
		rc = mp_exec(c, "SET @mariadb_slave_capability = 4");
		if (rc)
			return rc;
		if (d->maria_gtid) {
			rc = exec_fmt(c, "SET @slave_connect_state = ", d->maria_gtid);
			if (rc)
				return rc;
		}
	}
	if (d->heartbeat_ms) {
		char q[96];
		snprintf(q, sizeof(q), "SET @master_heartbeat_period = %llu",
			 (unsigned long long)d->heartbeat_ms * 1000000ull);
		rc = mp_exec(c, q);
		if (rc)
			return rc;
	}
	/* COM_REGISTER_SLAVE: server_id host user password port rank master_id */
	mp__reset_seq(c);
	mp__begin_packet(c);
	buf_put_u8(&c->out, MP_COM_REGISTER_SLAVE);
	buf_put_u32le(&c->out, d->server_id);
	static const char host[] = "chameleon";
	buf_put_u8(&c->out, sizeof(host) - 1);
	buf_put(&c->out, host, sizeof(host) - 1);
	buf_put_u8(&c->out, 0);
	buf_put_u8(&c->out, 0);
	buf_put_u16le(&c->out, 0);
	buf_put_u32le(&c->out, 0);
	buf_put_u32le(&c->out, 0);
	rc = mp__send_packet(c);
	if (!rc)
		rc = mp__read_packet(c);
	if (rc)
		return rc;
	if (c->pkt.n && c->pkt.p[0] == 0xff)
		return mp__err_packet(c, c->pkt.p, c->pkt.n);
	uint16_t flags = (d->stop_at_end ? 1 : 0) | (d->annotate_rows ? 2 : 0);
	const char *file = d->file ? d->file : "";
	mp__reset_seq(c);
	mp__begin_packet(c);
	if (d->mysql_gtid_set) {
		/* COM_BINLOG_DUMP_GTID: flags server_id name_len name pos data_len data */
		buf_put_u8(&c->out, MP_COM_BINLOG_DUMP_GTID);
		buf_put_u16le(&c->out, (uint16_t)(flags | 4));	/* THROUGH_GTID */
		buf_put_u32le(&c->out, d->server_id);
		buf_put_u32le(&c->out, (uint32_t)strlen(file));
		buf_put(&c->out, file, strlen(file));
		buf_put_u64le(&c->out, d->pos ? d->pos : 4);
		buf_put_u32le(&c->out, (uint32_t)d->mysql_gtid_set_len);
		buf_put(&c->out, d->mysql_gtid_set, d->mysql_gtid_set_len);
	} else {
		buf_put_u8(&c->out, MP_COM_BINLOG_DUMP);
		buf_put_u32le(&c->out, (uint32_t)(d->pos ? d->pos : 4));
		buf_put_u16le(&c->out, flags);
		buf_put_u32le(&c->out, d->server_id);
		buf_put(&c->out, file, strlen(file));
	}
	return mp__send_packet(c);
}

int mp_binlog_next(struct mp_conn *c, const uint8_t **ev, size_t *n)
{
	int rc = mp__read_packet(c);
	if (rc)
		return rc;
	const uint8_t *p = c->pkt.p;
	size_t len = c->pkt.n;
	if (len == 0)
		return err_set(&c->err, ERR_PROTO, "empty packet in the binlog stream");
	if (p[0] == 0xff)
		return mp__err_packet(c, p, len);
	if (p[0] == 0xfe && len < 9)
		return 0;	/* end of the binlog (non-blocking dump) */
	if (p[0] != 0x00)
		return err_set(&c->err, ERR_PROTO,
			       "unexpected packet 0x%02x in the binlog stream", p[0]);
	*ev = p + 1;
	*n = len - 1;
	return 1;
}

static struct mp_check *add(struct mp_check *out, int *k, int max,
			    const char *name)
{
	if (*k >= max)
		return NULL;
	struct mp_check *ch = &out[(*k)++];
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	return ch;
}

static void var(struct mp_conn *c, const char *name, char *out, size_t n,
		bool *found)
{
	char q[128];
	snprintf(q, sizeof(q), "SELECT @@global.%s", name);
	if (mp_query_value(c, q, out, n, found)) {
		err_clear(&c->err);
		*found = false;
		out[0] = 0;
	}
}

int mp_check_source(struct mp_conn *c, struct mp_check *out, int max)
{
	int k = 0;
	char v[192];
	bool found;
	struct mp_check *ch = add(out, &k, max, "server version");
	if (ch) {
		ch->ok = true;
		snprintf(ch->detail, sizeof(ch->detail), "%s (%s)", c->server_version,
			 c->is_mariadb ? "MariaDB" : "MySQL");
		unsigned major = (unsigned)atoi(c->server_version);
		if (!c->is_mariadb && major < 5) {
			ch->ok = false;
			snprintf(ch->fix, sizeof(ch->fix), "MySQL 5.6 or later is needed");
		}
	}
	var(c, "log_bin", v, sizeof(v), &found);
	ch = add(out, &k, max, "log_bin");
	if (ch) {
		ch->ok = found && (!strcmp(v, "1") || !strcasecmp(v, "ON"));
		snprintf(ch->detail, sizeof(ch->detail), "log_bin = %s", found ? v : "?");
		if (!ch->ok)
			snprintf(ch->fix, sizeof(ch->fix),
				 "start the server with log_bin (e.g. log-bin=mysql-bin "
				 "and a server_id) in its configuration, then restart");
	}
	var(c, "binlog_format", v, sizeof(v), &found);
	ch = add(out, &k, max, "binlog_format");
	if (ch) {
		ch->ok = found && !strcasecmp(v, "ROW");
		snprintf(ch->detail, sizeof(ch->detail), "binlog_format = %s",
			 found ? v : "?");
		if (!ch->ok)
			snprintf(ch->fix, sizeof(ch->fix),
				 "SET GLOBAL binlog_format = 'ROW'; and binlog_format=ROW "
				 "in the server configuration");
	}
	var(c, "binlog_row_image", v, sizeof(v), &found);
	ch = add(out, &k, max, "binlog_row_image");
	if (ch) {
		ch->ok = !found || !strcasecmp(v, "FULL");
		snprintf(ch->detail, sizeof(ch->detail), "binlog_row_image = %s",
			 found ? v : "(not set: FULL)");
		if (!ch->ok)
			snprintf(ch->fix, sizeof(ch->fix),
				 "SET GLOBAL binlog_row_image = 'FULL'; (partial images "
				 "cannot update rows whose key columns are absent)");
	}
	var(c, "binlog_row_metadata", v, sizeof(v), &found);
	ch = add(out, &k, max, "binlog_row_metadata");
	if (ch) {
		ch->ok = true;
		ch->warning = found && strcasecmp(v, "FULL") != 0;
		snprintf(ch->detail, sizeof(ch->detail), "binlog_row_metadata = %s",
			 found ? v : "(not available)");
		if (ch->warning)
			snprintf(ch->fix, sizeof(ch->fix),
				 "SET GLOBAL binlog_row_metadata = 'FULL'; gives column "
				 "names, charsets and signedness in the binlog itself");
	}
	var(c, "binlog_checksum", v, sizeof(v), &found);
	ch = add(out, &k, max, "binlog_checksum");
	if (ch) {
		ch->ok = true;
		snprintf(ch->detail, sizeof(ch->detail), "binlog_checksum = %s",
			 found ? v : "(not available: NONE)");
	}
	if (c->is_mariadb) {
		var(c, "gtid_binlog_pos", v, sizeof(v), &found);
		ch = add(out, &k, max, "gtid");
		if (ch) {
			ch->ok = true;
			snprintf(ch->detail, sizeof(ch->detail), "gtid_binlog_pos = %s",
				 found && v[0] ? v : "(empty)");
		}
	} else {
		var(c, "gtid_mode", v, sizeof(v), &found);
		ch = add(out, &k, max, "gtid_mode");
		if (ch) {
			ch->ok = true;
			ch->warning = found && strcasecmp(v, "ON") != 0;
			snprintf(ch->detail, sizeof(ch->detail), "gtid_mode = %s",
				 found ? v : "(not available)");
			if (ch->warning)
				snprintf(ch->fix, sizeof(ch->fix),
					 "optional: gtid_mode=ON and "
					 "enforce_gtid_consistency=ON allow GTID positioning");
		}
	}
	/* the current position */
	ch = add(out, &k, max, "binlog position");
	if (ch) {
		struct mp_position sp;
		if (mp_source_position(c, &sp) == 0) {
			ch->ok = true;
			snprintf(ch->detail, sizeof(ch->detail), "%.200s:%llu", sp.file,
				 (unsigned long long)sp.pos);
		} else {
			ch->ok = false;
			snprintf(ch->detail, sizeof(ch->detail), "%s", c->err.msg);
			snprintf(ch->fix, sizeof(ch->fix),
				 "enable the binary log; the account needs REPLICATION "
				 "CLIENT (BINLOG MONITOR on MariaDB)");
		}
		err_clear(&c->err);
	}
	/* privileges */
	ch = add(out, &k, max, "privileges");
	if (ch) {
		struct mp_result r;
		bool slave = false, client = false, all = false;
		if (mp_query(c, "SHOW GRANTS", &r) == 0) {
			struct mp_row row;
			while (mp_result_next(c, &r, &row) == 1) {
				char g[1024];
				snprintf(g, sizeof(g), "%.*s", (int)row.values[0].n,
					 (const char *)row.values[0].p);
				if (strstr(g, "ALL PRIVILEGES ON *.*"))
					all = true;
				if (strstr(g, "REPLICATION SLAVE") ||
				    strstr(g, "REPLICATION REPLICA"))
					slave = true;
				if (strstr(g, "REPLICATION CLIENT") ||
				    strstr(g, "BINLOG MONITOR"))
					client = true;
			}
			mp_result_release(c, &r);
		}
		err_clear(&c->err);
		ch->ok = all || slave;
		snprintf(ch->detail, sizeof(ch->detail), "%s",
			 all ? "ALL PRIVILEGES" : slave ? (client ? "REPLICATION SLAVE, "
								 "REPLICATION CLIENT"
								: "REPLICATION SLAVE")
							: "no REPLICATION SLAVE");
		if (!ch->ok)
			snprintf(ch->fix, sizeof(ch->fix),
				 "GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON "
				 "*.* TO the replication user");
	}
	return k;
}
