#!/bin/sh
# Run every integration test script test/integ/t_*.sh with the chameleon
# binary; each prints TAP lines.  Exit status non-zero if any failed.
bin=${1:?usage: run.sh /abs/path/to/chameleon}
export CHAMELEON="$bin"
status=0
for t in test/integ/t_*.sh; do
	echo "# $t"
	sh "$t" "$bin" || status=1
done
exit $status
