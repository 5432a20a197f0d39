/*
 * decode_binlog's printer: write errors stop the output and give the exit
 * status (141 quietly for a reader gone, 1 otherwise); a reader gone is
 * also found without writing.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "cmd/print.h"
#include "test/unit/test.h"

TEST(cmd, printer_reader_gone)
{
	signal(SIGPIPE, SIG_IGN);	/* as the live commands do */
	int fds[2];
	ASSERT_EQ(pipe(fds), 0);
	FILE *w = fdopen(fds[1], "w");
	ASSERT(w != NULL);
	struct printer p;
	printer_init(&p, w, PRINT_JSON);
	ASSERT_EQ(printer_reader_gone(&p), 0);	/* a reader is there */
	buf_puts(&p.b, "{\"op\":\"begin\"}\n");
	ASSERT_EQ(printer_flush(&p), 0);
	close(fds[0]);
	ASSERT_EQ(printer_reader_gone(&p), -1);	/* found without writing */
	ASSERT_EQ(p.err, EPIPE);
	ASSERT_EQ(printer_write_status(&p, "decode_binlog"), PRINT_EPIPE_STATUS);
	printer_release(&p);
	fclose(w);
}

TEST(cmd, printer_write_errors)
{
	signal(SIGPIPE, SIG_IGN);
	int fds[2];
	ASSERT_EQ(pipe(fds), 0);
	close(fds[0]);
	FILE *w = fdopen(fds[1], "w");
	struct printer p;
	printer_init(&p, w, PRINT_TEXT);
	buf_puts(&p.b, "# at 4\n");
	ASSERT_EQ(printer_flush(&p), -1);
	ASSERT_EQ(p.err, EPIPE);
	/* nothing is written after the first failure */
	buf_puts(&p.b, "# at 120\n");
	ASSERT_EQ(printer_flush(&p), -1);
	ASSERT_EQ(p.b.n, 0);
	printer_release(&p);
	fclose(w);

	FILE *full = fopen("/dev/full", "w");
	if (!full)
		test_skip("no /dev/full");
	printer_init(&p, full, PRINT_NONE);
	p.events = 3;
	ASSERT_EQ(printer_end(&p), -1);	/* the counts line cannot be written */
	ASSERT_EQ(p.err, ENOSPC);
	ASSERT_EQ(printer_reader_gone(&p), -1);
	printer_release(&p);
	fclose(full);
}
