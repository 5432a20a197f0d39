/*
 * Runs a fuzz target without libFuzzer: each file argument (or stdin)
 * is passed once to LLVMFuzzerTestOneInput.  Linked into every normal
 * build so the targets keep compiling, and used to replay crash files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_stream(FILE *f, const char *name)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *p = malloc(cap);
	if (!p)
		return 1;
	for (;;) {
		if (n == cap) {
			cap *= 2;
			uint8_t *q = realloc(p, cap);
			if (!q) {
				free(p);
				return 1;
			}
			p = q;
		}
		size_t k = fread(p + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", name);
		free(p);
		return 1;
	}
	LLVMFuzzerTestOneInput(p, n);
	free(p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return run_stream(stdin, "stdin");
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			rc = 1;
			continue;
		}
		rc |= run_stream(f, argv[i]);
		fclose(f);
	}
	return rc;
}
