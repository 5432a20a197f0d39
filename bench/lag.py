"""Helpers of bench/lag.sh.

  lag.py tick SECONDS STOPFILE SQL...
      print the SQL lines once, then the last one every SECONDS until
      STOPFILE exists (the input of a mariadb or psql client: one
      connection, one statement per line)
  lag.py report CORES MAX_ROWS DIR
      the table of the phases listed in DIR/phases (NAME|TITLE|SECONDS
      lines), from their files DIR/NAME.* (see lag.sh)
"""
import os
import sys
import time


def tick(period, stop, sql):
    out = sys.stdout
    for line in sql[:-1]:
        out.write(line + "\n")
    out.flush()
    nxt = time.monotonic()
    while not os.path.exists(stop):
        out.write(sql[-1] + "\n")
        out.flush()
        nxt += period
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)
        else:
            nxt = time.monotonic()


def numbers(path, n):
    """The lines of path with n numeric fields separated by '|'."""
    rows = []
    try:
        f = open(path)
    except OSError:
        return rows
    for line in f:
        p = line.strip().split("|")
        if len(p) != n:
            continue
        try:
            rows.append([float(x) for x in p])
        except ValueError:
            pass
    return rows


def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def lags(prefix):
    """Each heartbeat's lag in ms: the PostgreSQL clock at the first poll
    that saw it, minus the time MariaDB wrote it; in heartbeat order."""
    beats = sorted(numbers(prefix + ".hb", 2))  # id, ts
    polls = numbers(prefix + ".seen", 2)  # max id visible, clock
    out = []
    j = 0
    for bid, ts in beats:
        while j < len(polls) and polls[j][0] < bid:
            j += 1
        if j == len(polls):
            break  # never seen (cannot happen: lag.sh waits for it)
        out.append((polls[j][1] - ts) * 1000)
    return out


def source_times(prefix):
    """MariaDB's own time for each heartbeat in ms: from its NOW(6) to
    the end of its commit (the writer's next statement), sorted."""
    ts = dict((int(i), t) for i, t in numbers(prefix + ".hb", 2))
    out = [(done - ts[int(i)]) * 1000 for i, done in numbers(prefix + ".src", 2)
           if int(i) in ts]
    return sorted(out)


def read_kv(path):
    kv = {}
    try:
        for line in open(path):
            k, _, v = line.partition("=")
            kv[k.strip()] = v.strip()
    except OSError:
        pass
    return kv


def report(cores, max_rows, d):
    print()
    print("lag benchmark: start_replica following MariaDB into PostgreSQL on loopback, "
          "%s cores, replay_max_rows %s" % (cores, max_rows))
    print("%-40s %7s %7s %7s %7s %11s %8s %9s %7s %11s" % (
        "", "samples", "p50 ms", "p99 ms", "max ms", "src p50/p99", "tps", "commits/s",
        "CPU %", "p50 1st/5th"))
    notes = []
    for ph in open(os.path.join(d, "phases")):
        name, title, secs = ph.rstrip("\n").split("|", 2)
        prefix = os.path.join(d, name)
        v = lags(prefix)
        kv = read_kv(prefix + ".stats")
        secs = float(secs)
        if not v:
            print("%-40s %7d" % (title, 0))
            continue
        s = sorted(v)
        fifth = max(1, len(v) // 5)
        first, last = sorted(v[:fifth]), sorted(v[-fifth:])
        tps = kv.get("tps") or "-"
        src = source_times(prefix)
        src = "%.1f/%.1f" % (pct(src, 50), pct(src, 99)) if src else "-"
        commits = float(kv.get("commits", "0")) / secs
        hz = float(kv.get("hz", "100"))
        cpu = "%.0f/%.0f" % (float(kv.get("cpu_ticks", "0")) / hz / secs * 100,
                             float(kv.get("pg_ticks", "0")) / hz / secs * 100)
        print("%-40s %7d %7.1f %7.1f %7.1f %11s %8s %9.0f %7s %11s" % (
            title, len(s), pct(s, 50), pct(s, 99), s[-1], src, tps, commits, cpu,
            "%.1f/%.1f" % (pct(first, 50), pct(last, 50))))
        if kv.get("qps"):
            notes.append("%s: sysbench %s queries/s" % (title, kv["qps"]))
    print("(lag = PostgreSQL's clock when a heartbeat row (MariaDB NOW(6), every 10 ms)")
    print(" was first seen by a poll every 2 ms, minus its NOW(6); src: MariaDB's part of it,")
    print(" from NOW(6) to the end of the INSERT's commit; commits/s: PostgreSQL commits of")
    print(" the replica; CPU: user+system time per wall second of the replica / of its")
    print(" PostgreSQL backend;")
    print(" p50 1st/5th: the p50 of the first and of the last fifth of the heartbeats)")
    for n in notes:
        print(" " + n)


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "tick":
        try:
            tick(float(sys.argv[2]), sys.argv[3], sys.argv[4:])
        except BrokenPipeError:
            pass
    elif len(sys.argv) == 5 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


main()
