/* Fuzz target: arbitrary bytes as a request to the metrics endpoint. */
#include <string.h>

#include "cmd/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char method[16], path[64];
	struct err e = {0};
	int rc = metrics_parse_request(data, size, method, sizeof(method), path,
				       sizeof(path), &e);
	/* a whole request has a method and a path, cut to their buffers */
	if (rc == 1 &&
	    (strlen(method) >= sizeof(method) || strlen(path) >= sizeof(path)))
		__builtin_trap();
	if (rc < 0 && e.off > size)
		__builtin_trap();
	return 0;
}
