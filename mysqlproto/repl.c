/*
 * Replication: session setup (checksums, MariaDB capability and GTID
 * position, heartbeat), COM_REGISTER_SLAVE, COM_BINLOG_DUMP /
 * COM_BINLOG_DUMP_GTID and the event stream.  The events stay bytes:
 * binlog/ decodes them.
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
	if (mp__check_connected(c))
		return -c->err.code;
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
	buf_put_u8(&c->io->out, MP_COM_REGISTER_SLAVE);
	buf_put_u32le(&c->io->out, d->server_id);
	static const char host[] = "chameleon";
	buf_put_u8(&c->io->out, sizeof(host) - 1);
	buf_put(&c->io->out, host, sizeof(host) - 1);
	buf_put_u8(&c->io->out, 0);
	buf_put_u8(&c->io->out, 0);
	buf_put_u16le(&c->io->out, 0);
	buf_put_u32le(&c->io->out, 0);
	buf_put_u32le(&c->io->out, 0);
	rc = mp__send_packet(c);
	if (!rc)
		rc = mp__read_packet(c);
	if (rc)
		return rc;
	if (c->io->pkt.n && c->io->pkt.p[0] == 0xff)
		return mp__err_packet(c, c->io->pkt.p, c->io->pkt.n);
	uint16_t flags = (d->stop_at_end ? 1 : 0) | (d->annotate_rows ? 2 : 0);
	const char *file = d->file ? d->file : "";
	mp__reset_seq(c);
	mp__begin_packet(c);
	if (d->mysql_gtid_set) {
		/* COM_BINLOG_DUMP_GTID: flags server_id name_len name pos data_len data */
		buf_put_u8(&c->io->out, MP_COM_BINLOG_DUMP_GTID);
		buf_put_u16le(&c->io->out, (uint16_t)(flags | 4));	/* THROUGH_GTID */
		buf_put_u32le(&c->io->out, d->server_id);
		buf_put_u32le(&c->io->out, (uint32_t)strlen(file));
		buf_put(&c->io->out, file, strlen(file));
		buf_put_u64le(&c->io->out, d->pos ? d->pos : 4);
		buf_put_u32le(&c->io->out, (uint32_t)d->mysql_gtid_set_len);
		buf_put(&c->io->out, d->mysql_gtid_set, d->mysql_gtid_set_len);
	} else {
		buf_put_u8(&c->io->out, MP_COM_BINLOG_DUMP);
		buf_put_u32le(&c->io->out, (uint32_t)(d->pos ? d->pos : 4));
		buf_put_u16le(&c->io->out, flags);
		buf_put_u32le(&c->io->out, d->server_id);
		buf_put(&c->io->out, file, strlen(file));
	}
	return mp__send_packet(c);
}

int mp_binlog_next(struct mp_conn *c, const uint8_t **ev, size_t *n)
{
	if (mp__check_connected(c))
		return -c->err.code;
	int rc = mp__read_packet(c);
	if (rc)
		return rc;
	const uint8_t *p = c->io->pkt.p;
	size_t len = c->io->pkt.n;
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
