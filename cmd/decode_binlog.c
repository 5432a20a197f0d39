/* chameleon decode_binlog: placeholder until the decoder lands. */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_decode_binlog(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "decode_binlog: not implemented yet\n");
	return 1;
}
