#!/usr/bin/env python3
"""Run a command N times with stdout to /dev/null; print the best wall time
and the largest max RSS in KiB (measured by GNU time, Debian package
'time'; 0 when it is missing) as 'SECONDS RSS_KIB'.  Exits non-zero if the
command fails.  Usage: measure.py N COMMAND..."""
import os
import subprocess
import sys
import tempfile
import time

n = int(sys.argv[1])
cmd = sys.argv[2:]
gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
best = None
rss = 0
for _ in range(n):
    with tempfile.NamedTemporaryFile("r") as rf, open(os.devnull, "wb") as null:
        full = [gnu_time, "-f", "%M", "-o", rf.name] + cmd if gnu_time else cmd
        t0 = time.monotonic()
        p = subprocess.run(full, stdout=null, stderr=subprocess.DEVNULL)
        dt = time.monotonic() - t0
        if p.returncode != 0:
            sys.exit("command failed: %s" % " ".join(cmd))
        if gnu_time:
            rss = max(rss, int(rf.read().strip().splitlines()[-1]))
    best = dt if best is None else min(best, dt)
print("%.3f %d" % (best, rss))
