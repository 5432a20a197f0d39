#!/bin/sh
# One decode benchmark table (bench/run.sh, bench/wide.sh): chameleon
# decode_binlog --format json/text/none against mariadb-binlog -vv on the
# same binlog in the same run, best of 3, output to /dev/null.
# Usage: decode.sh CHAMELEON BINLOG TITLE
set -eu
bin=$1 binlog=$2 title=$3
rows=$("$bin" decode_binlog --format none "$binlog" | sed -n 's/.*row changes: \([0-9]*\).*/\1/p')
size=$(wc -c < "$binlog")
runs=3
set -- $(python3 bench/measure.py $runs mariadb-binlog --no-defaults --base64-output=decode-rows -vv "$binlog")
mb_s=$1 mb_rss=$2
set -- $(python3 bench/measure.py $runs "$bin" decode_binlog --format json "$binlog")
js_s=$1 js_rss=$2
set -- $(python3 bench/measure.py $runs "$bin" decode_binlog --format text "$binlog")
tx_s=$1 tx_rss=$2
set -- $(python3 bench/measure.py $runs "$bin" decode_binlog --format none "$binlog")
no_s=$1 no_rss=$2
python3 - "$title" "$rows" "$size" "$(nproc)" "$mb_s" "$mb_rss" "$js_s" "$js_rss" "$tx_s" "$tx_rss" "$no_s" "$no_rss" <<'PY'
import sys
title = sys.argv[1]
rows, size, cores = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = list(map(float, sys.argv[5:]))
print("%s: %d row events, %.1f MB binlog, %d cores, best of 3" % (title, rows, size / 1e6, cores))
print("%-46s %8s %12s %9s %8s" % ("", "seconds", "rows/s", "max RSS", "ratio"))
for name, (s, rss) in (("mariadb-binlog --base64-output=decode-rows -vv", m[0:2]),
                       ("chameleon decode_binlog --format json", m[2:4]),
                       ("chameleon decode_binlog --format text", m[4:6]),
                       ("chameleon decode_binlog --format none", m[6:8])):
    print("%-46s %8.3f %12s %7.1f MB %7.1fx" % (name, s, "{:,.0f}".format(rows / s), rss / 1024, m[0] / s))
print("(ratio = mariadb-binlog time / this time; 'none' is the decode path without output formatting)")
PY
