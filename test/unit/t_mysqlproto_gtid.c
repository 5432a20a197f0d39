/* The stream's pieces that need no server: the GTID set of
 * COM_BINLOG_DUMP_GTID. */
#include "base/rd.h"
#include "mysqlproto/mysqlproto.h"
#include "test/unit/test.h"

TEST(proto, gtid_set_encode)
{
	struct buf b;
	buf_init(&b, 0);
	ASSERT_EQ(mp_gtid_set_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,"
				      " 00000000-0000-0000-0000-000000000001:3", &b), 0);
	struct rd r;
	rd_init(&r, b.p, b.n);
	ASSERT_EQ(rd_u64le(&r), 2);	/* two SIDs */
	struct bytes uuid = rd_bytes(&r, 16);
	ASSERT_MEM_EQ(uuid.p, "\x3e\x11\xfa\x47\x71\xca\x11\xe1\x9e\x33\xc8\x0a\xa9\x42\x95\x62", 16);
	ASSERT_EQ(rd_u64le(&r), 2);	/* intervals [1, 6) and [7, 8) */
	ASSERT_EQ(rd_u64le(&r), 1);
	ASSERT_EQ(rd_u64le(&r), 6);
	ASSERT_EQ(rd_u64le(&r), 7);
	ASSERT_EQ(rd_u64le(&r), 8);
	uuid = rd_bytes(&r, 16);
	ASSERT_EQ(uuid.p[15], 1);
	ASSERT_EQ(rd_u64le(&r), 1);
	ASSERT_EQ(rd_u64le(&r), 3);
	ASSERT_EQ(rd_u64le(&r), 4);
	ASSERT_EQ(rd_done(&r), 0);
	buf_reset(&b);
	ASSERT_EQ(mp_gtid_set_encode("not-a-uuid:1", &b), -1);
	buf_reset(&b);
	ASSERT_EQ(mp_gtid_set_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:tag:1", &b), -1);
	buf_release(&b);
}
