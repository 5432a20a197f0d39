#!/usr/bin/env python3
"""make bench's closing table: the figures of issue 15, picked from the
tables the benchmark scripts printed in this run (their log on stdin),
each beside its baseline from the same run, its target and the core count.
A figure whose benchmark did not run (or failed) is said missing."""
import os
import re
import sys

log = sys.stdin.read().splitlines()


def section(title):
    """The lines of the table whose title line starts with title."""
    for i, l in enumerate(log):
        if l.startswith(title):
            out = []
            for m in log[i + 1:]:
                if not m.strip():
                    break
                out.append(m)
            return out
    return []


def ratio_of(lines, label):
    for l in lines:
        if l.startswith(label):
            m = re.search(r"([0-9.]+)x", l[len(label):])
            if m:
                return float(m.group(1))
    return None


rows = []  # (figure, measured, target)
wide = section("wide-row decode benchmark")
for fmt in ("json", "text"):
    r = ratio_of(wide, "chameleon decode_binlog --format " + fmt)
    rows.append(("decode_binlog --format %s vs mariadb-binlog -vv (10 columns)" % fmt,
                 r, 5.0 if fmt == "json" else None))
aw = section("apply benchmark, 10 columns of common types")
rows.append(("insert-only apply (start_replica launch to last row) vs COPY",
             ratio_of(aw, "start_replica, 1,000,000 inserts"), 0.85))
rows.append(("mixed 60/20/20 apply vs set-based SQL, one transaction",
             ratio_of(aw, "start_replica, 1,000,000 changes 60/20/20"), 1.0))
# (init.sh prints a progress line starting the same way before its table)
for l in log:
    if l.startswith("chameleon init_replica"):
        m = re.findall(r"([0-9.]+)x", l)
        rows.append(("init_replica vs parallel COPY from local files",
                     float(m[0]) if m else None, 0.9))
        break
else:
    rows.append(("init_replica vs parallel COPY from local files", None, 0.9))

lag_p99 = None
sust = None
for l in log:
    if l.startswith("sysbench 4 threads at"):
        f = l.split()
        try:
            lag_p99 = float(f[f.index("tps") + 3])
        except (ValueError, IndexError):
            pass
    if l.startswith("sysbench 8 threads unthrottled"):
        sust = l

cores = os.cpu_count()
print()
print("issue 15 figures, this run, %d cores (each beside its baseline from the same run)" % cores)
print("%-66s %9s %9s" % ("", "measured", "target"))
for name, r, target in rows:
    got = "%.2fx" % r if r is not None else "missing"
    want = ">= %.2fx" % target if target else ""
    print("%-66s %9s %9s" % (name, got, want))
print("%-66s %9s %9s" % ("heartbeat lag p99 at 300 tps (ms)",
                          "%.1f" % lag_p99 if lag_p99 is not None else "missing", "< 20"))
if sust:
    f = sust.split()
    try:
        k = next(i for i, t in enumerate(f) if re.fullmatch(r"[0-9]+s", t))
        n, p50, p99, mx, src, tps, commits, cpu, fifths = f[k + 1:k + 10]
        print("sustained load, sysbench 8 threads unthrottled for %s: %s tps at the source, "
              "lag p50 %s / p99 %s / max %s ms, p50 first/last fifth %s ms"
              % (f[k], tps, p50, p99, mx, fifths))
    except (StopIteration, ValueError):
        print("sustained load:", sust)
print("(ratios: baseline time / chameleon time; the tables above give the seconds)")
