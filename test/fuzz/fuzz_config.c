/* Fuzz target: arbitrary bytes as a configuration file. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("config", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		struct config c;
		struct err e = {0};
		if (config_load(&c, path, &e) == 0)
			free(config_pg_conninfo(&c));
		config_release(&c);
	}
	close(fd);
	return 0;
}
