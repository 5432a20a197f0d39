#!/bin/sh
# Print the list of TEST(suite, name) definitions found in the given files
# as X(suite, name) lines, for runner.c.
sed -n 's/^TEST(\([A-Za-z0-9_]*\), *\([A-Za-z0-9_]*\)).*/X(\1, \2)/p' "$@"
