/*
 * Fuzz target: an arbitrary server byte stream through the in-memory
 * transport: connect (framing, greeting, authentication exchanges), then a
 * query whose result set is read to the end, then binlog events.
 */
#include <string.h>

#include "mysqlproto/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_conn c;
	mp_conn_init(&c);
	/* sometimes tiny reads */
	mp__mem_transport(&c, data, size, size ? (size_t)data[0] % 7 : 0, NULL);
	struct mp_opts o;
	memset(&o, 0, sizeof(o));
	o.user = "u";
	o.password = "p";
	o.ssl_mode = MP_SSL_DISABLED;
	if (mp_connect(&c, &o) == 0) {
		struct mp_result r;
		if (mp_query(&c, "SELECT 1", &r) == 0) {
			struct mp_row row;
			while (mp_result_next(&c, &r, &row) == 1)
				;
		}
		mp_result_release(&c, &r);
		const uint8_t *ev;
		size_t n;
		for (int i = 0; i < 100 && mp_binlog_next(&c, &ev, &n) == 1; i++)
			;
	}
	mp_close(&c);
	return 0;
}
