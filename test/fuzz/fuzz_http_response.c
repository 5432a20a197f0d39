/*
 * Fuzz target: arbitrary bytes as an HTTP response (cmd/http.c), also
 * as a URL.  The first byte picks eof; the response is also parsed at
 * every cut the reader would see, as a stream arrives.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool eof = data[0] & 1;
	/* a private copy of exactly the bytes: an over-read is ASan's */
	uint8_t *p = calloc(1, size);
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	struct http_response r;
	struct err e = {0};
	int rc = http_response_parse(p, size - 1, eof, &r, &e);
	if (rc == 0 && r.body_len && r.body[r.body_len - 1] == 0xff)
		e.code = 0; /* touch the last body byte */
	for (size_t cut = 0; cut < size - 1 && cut < 512; cut += 7) {
		err_clear(&e);
		if (http_response_parse(p, cut, false, &r, &e) == 0 && r.status < 100)
			abort();
	}
	char *url = malloc(size);
	if (!url) {
		free(p);
		return 0;
	}
	memcpy(url, data + 1, size - 1);
	url[size - 1] = 0;
	struct http_url u;
	err_clear(&e);
	if (http_url_parse(url, &u, &e) == 0 && (u.port < 1 || !u.host[0]))
		abort();
	free(url);
	free(p);
	return 0;
}
