/*
 * Unit-test runner: forks each test under alarm(), prints TAP, and ends
 * with "unit: N passed, N failed, N skipped".
 * Usage: unit-tests [--no-fork] [suite[::test]]...
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/unit/test.h"

#define X(s, n) void test_##s##__##n(void);
#include "test-list.h"
#undef X

struct tcase {
	const char *suite, *name;
	void (*fn)(void);
};

static const struct tcase cases[] = {
#define X(s, n) {#s, #n, test_##s##__##n},
#include "test-list.h"
#undef X
	{NULL, NULL, NULL},
};

#define SKIP_EXIT 77

static bool no_fork;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	if (no_fork)
		abort();
	_exit(1);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "# skip: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(SKIP_EXIT);
}

const char *test_fixture_dir(void)
{
	const char *d = getenv("CHAMELEON_FIXTURES");
	return d && *d ? d : "fixtures";
}

uint8_t *test_read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		test_fail(__FILE__, __LINE__, "cannot open '%s': %s", path,
			  strerror(errno));
	size_t cap = 1 << 16, len = 0;
	uint8_t *p = malloc(cap);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			p = realloc(p, cap);
		}
		size_t k = fread(p + len, 1, cap - len, f);
		if (k == 0)
			break;
		len += k;
	}
	fclose(f);
	*n = len;
	return p;
}

static bool selected(const struct tcase *t, int argc, char **argv)
{
	bool any = false;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = true;
		char full[256];
		snprintf(full, sizeof(full), "%s::%s", t->suite, t->name);
		if (strcmp(argv[i], t->suite) == 0 || strcmp(argv[i], full) == 0)
			return true;
	}
	return !any;
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0, n = 0;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--no-fork") == 0)
			no_fork = true;
	int total = 0;
	for (const struct tcase *t = cases; t->fn; t++)
		total += selected(t, argc, argv);
	printf("1..%d\n", total);
	fflush(stdout);
	for (const struct tcase *t = cases; t->fn; t++) {
		if (!selected(t, argc, argv))
			continue;
		n++;
		int status = 0;
		if (no_fork) {
			t->fn();
		} else {
			pid_t pid = fork();
			if (pid == 0) {
				alarm(120);
				t->fn();
				fflush(NULL);
				_exit(0);
			}
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d - %s::%s\n", n, t->suite, t->name);
			pass++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == SKIP_EXIT) {
			printf("ok %d - %s::%s # SKIP\n", n, t->suite, t->name);
			skip++;
		} else {
			if (WIFSIGNALED(status))
				printf("# killed by signal %d%s\n", WTERMSIG(status),
				       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
			printf("not ok %d - %s::%s\n", n, t->suite, t->name);
			fail++;
		}
		fflush(stdout);
	}
	printf("unit: %d passed, %d failed, %d skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}
