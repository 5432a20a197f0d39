/* Fuzz target: the server greeting parser. */
#include "mysqlproto/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_conn c;
	mp_conn_init(&c);
	if (mp__parse_greeting(&c, data, size) == 0)
		c.caps = 0;
	(void)mp__err_packet(&c, data, size);
	mp_close(&c);
	return 0;
}
