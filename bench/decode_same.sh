#!/bin/sh
# Byte-for-byte check of a decoder change: decode_binlog --format json and
# --format text of every fixture binlog (and of build/bench/wide.binlog
# when it exists) with two chameleon binaries; stdout, stderr and the exit
# status must be the same.  Usage: sh bench/decode_same.sh OLD NEW
# (e.g. a copy of build/chameleon from before the change, and the new one).
set -u
old=${1:?usage: decode_same.sh OLD NEW} new=${2:?usage: decode_same.sh OLD NEW}
files=$(find fixtures/binlog fixtures/regress/fuzz_event -type f |
	grep -v -e '\.json$' -e '\.txt$' -e '\.md$' -e README | sort)
[ -f build/bench/wide.binlog ] && files="$files build/bench/wide.binlog"
n=0 bad=0
for f in $files; do
	for fmt in json text; do
		a=$({ "$old" decode_binlog --format $fmt "$f"; echo "exit $?"; } 2>&1 | md5sum)
		b=$({ "$new" decode_binlog --format $fmt "$f"; echo "exit $?"; } 2>&1 | md5sum)
		n=$((n + 1))
		if [ "$a" != "$b" ]; then
			echo "DIFFERENT: --format $fmt $f"
			bad=$((bad + 1))
		fi
	done
done
echo "decode_same: $n outputs compared, $bad different"
[ $bad -eq 0 ]
