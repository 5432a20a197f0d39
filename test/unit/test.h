/*
 * Minimal unit-test harness: TEST(suite, name) { ... } defines a test that
 * test/unit/gen-list.sh discovers; runner.c forks each one under alarm().
 * ASSERT_* print both operands and abort the test.
 */
#ifndef TEST_UNIT_TEST_H
#define TEST_UNIT_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST(suite, name)                      \
	void test_##suite##__##name(void);     \
	void test_##suite##__##name(void)

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* Skip the current test with a reason (counted as skipped, not passed). */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Read a whole file (abort the test when missing); caller frees. */
uint8_t *test_read_file(const char *path, size_t *n);
/* Directory holding fixtures (env CHAMELEON_FIXTURES or "fixtures"). */
const char *test_fixture_dir(void);

#define ASSERT(c)                                                    \
	do {                                                         \
		if (!(c))                                            \
			test_fail(__FILE__, __LINE__, "assert %s", #c); \
	} while (0)

#define ASSERT_EQ(a, b)                                                   \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);       \
		if (a_ != b_)                                             \
			test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", \
				  #a, #b, a_, b_);                        \
	} while (0)

#define ASSERT_UEQ(a, b)                                                   \
	do {                                                               \
		unsigned long long a_ = (unsigned long long)(a),           \
				   b_ = (unsigned long long)(b);           \
		if (a_ != b_)                                              \
			test_fail(__FILE__, __LINE__, "%s == %s: %llu != %llu", \
				  #a, #b, a_, b_);                         \
	} while (0)

#define ASSERT_STREQ(a, b)                                                 \
	do {                                                               \
		const char *a_ = (a), *b_ = (b);                           \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                     \
			test_fail(__FILE__, __LINE__, "%s == %s:\n  got:  %s\n  want: %s", \
				  #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

#define ASSERT_MEM_EQ(a, b, n)                                          \
	do {                                                            \
		if (memcmp((a), (b), (n)) != 0)                         \
			test_fail(__FILE__, __LINE__, "memory %s != %s (%zu bytes)", \
				  #a, #b, (size_t)(n));                 \
	} while (0)

#define ASSERT_ERR(rc, code) ASSERT_EQ((rc), -(code))

#endif
