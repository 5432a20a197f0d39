#!/usr/bin/env python3
"""Cross-check chameleon's decode against mariadb-binlog's, value by value.

For every binlog in fixtures/binlog/*/ that has a NAME.mariadb-binlog.txt
reference decode (mariadb-binlog -vv --base64-output=decode-rows), run
`chameleon decode_binlog --format json NAME`, pair the row changes of both
in order, and compare every column value after normalising the two
renderings (mariadb-binlog prints DATE as 'YYYY:MM:DD', TIMESTAMP as epoch
seconds, BIT and SET as b'0101', ENUM as its index, floats with %g).  Files
where mariadb-binlog itself failed are compared up to the point where its
output stops.  Prints TAP.

Usage: crosscheck.py CHAMELEON [FILE...]
"""
import calendar
import glob
import json
import math
import re
import subprocess
import sys

ROW_RE = re.compile(r"^### (INSERT INTO|UPDATE|DELETE FROM) `(.*)`\.`(.*)`$")
VAL_RE = re.compile(r"^###   @(\d+)=(.*) /\* (\S+?)(?:\(([^)]*)\))?( [^*]*)?meta=(\d+) nullable=(\d) is_null=(\d) \*/$")


def parse_reference(path):
    """Row changes of a mariadb-binlog -vv decode: list of (op, schema, table, before, after)."""
    rows = []
    cur = None
    section = None
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\n").decode("latin-1")
            m = ROW_RE.match(line)
            if m:
                op = {"INSERT INTO": "insert", "UPDATE": "update", "DELETE FROM": "delete"}[m.group(1)]
                cur = [op, m.group(2), m.group(3), None, None]
                rows.append(cur)
                section = None
                continue
            if cur is None:
                continue
            if line == "### WHERE":
                section = 3
                cur[3] = {}
                continue
            if line == "### SET":
                section = 4
                cur[4] = {}
                continue
            if line.startswith("###   @") and section is not None:
                # the value ends at the last " /* TYPE ... */"
                k = line.rfind(" /* ")
                head, comment = line[:k], line[k + 4:]
                num, val = head[len("###   @"):].split("=", 1)
                cur[section][int(num)] = (val, comment.split(" meta=")[0], raw)
    return rows


def unescape(s):
    """A mariadb-binlog quoted string ('...' with \\xHH escapes) to bytes."""
    body = s[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 3 < len(body) + 0 and body[i + 1] == "x" and re.match(r"[0-9a-fA-F]{2}", body[i + 2:i + 4]):
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(ord(body[i]))
            i += 1
    return bytes(out)


def utc_seconds(text):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?Z$", text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    if y == 0:
        return 0.0
    frac = float(m.group(7)) if m.group(7) else 0.0
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) + frac


def same(ref, rtype, ours):
    """None when comparable and equal, a message when different, 'skip' when not comparable."""
    if ref == "NULL":
        return None if ours is None else "expected NULL"
    if ours is None:
        return "got null"
    t = rtype.split("(")[0]
    if t in ("TINYINT", "SHORTINT", "MEDIUMINT", "INT", "LONGINT"):
        m = re.match(r"^(-?\d+)(?: \((\d+)\))?$", ref)
        if not m or not isinstance(ours, int):
            return "not an integer"
        ok = {int(m.group(1))}
        if m.group(2):
            ok.add(int(m.group(2)))
        return None if ours in ok else "integer differs"
    if t == "DECIMAL":
        return None if ours == ref else "decimal differs"
    if t in ("DOUBLE", "FLOAT"):
        try:
            r = float(ref)
        except ValueError:
            return "skip"
        if not isinstance(ours, (int, float)):
            return "not a number"
        if r == ours or math.isclose(r, ours, rel_tol=1e-5, abs_tol=1e-30):
            return None
        return "float differs"
    if t.startswith("TIMESTAMP"):
        got = utc_seconds(ours) if isinstance(ours, str) else None
        if got is None:
            return "not a timestamp"
        return None if abs(got - float(ref)) < 1e-7 else "timestamp differs"
    if t == "DATE":
        return None if ours == ref.strip("'").replace(":", "-") else "date differs"
    if t.startswith("DATETIME") or t.startswith("TIME"):
        return None if ours == ref.strip("'") else "temporal differs"
    if t == "YEAR":
        # YEAR's range is 1901..2155 plus 0; mariadb-binlog prints the
        # stored 0 as 1900
        want = 0 if ref == "1900" else int(ref)
        return None if ours == want else "year differs"
    if t in ("BIT", "SET"):
        if not isinstance(ours, int):
            return "skip"      # SET label rendering
        return None if ours == int(ref[2:-1] or "0", 2) else "bits differ"
    if t == "ENUM":
        if not isinstance(ours, int):
            return "skip"      # label rendering
        return None if ours == int(ref) else "enum differs"
    if t in ("VARSTRING", "STRING", "BLOB/TEXT", "TINYBLOB/TINYTEXT", "MEDIUMBLOB/MEDIUMTEXT", "LONGBLOB/LONGTEXT"):
        want = unescape(ref)
        if isinstance(ours, dict) and "hex" in ours:
            got = bytes.fromhex(ours["hex"])
            # BINARY(n) is padded back with the zero bytes the row image drops
            if t == "STRING" and got.rstrip(b"\0") == want.rstrip(b"\0"):
                return None
            return None if got == want else "bytes differ"
        if isinstance(ours, str):
            # the column charset is one of these (gbk, sjis... go through iconv)
            for enc in ("utf-8", "cp1252", "gbk", "shift_jis", "cp932", "euc_jp", "euc_kr", "big5", "gb18030"):
                try:
                    if want.decode(enc) == ours:
                        return None
                except UnicodeDecodeError:
                    pass
            # mariadb-binlog prints a CHAR padded with spaces as stored
            if want.rstrip(b" ").decode("utf-8", "replace") == ours.rstrip(" "):
                return None
            return "text differs"
        return "not text"
    return "skip"


def ours_rows(chameleon, path):
    p = subprocess.run([chameleon, "decode_binlog", "--format", "json", "--no-verify-checksum", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rows = []
    cols = {}
    for line in p.stdout.decode("utf-8").splitlines():
        o = json.loads(line)
        if o["op"] == "table_map":
            cols[(o["schema"], o["table"])] = [c.get("name") for c in o["columns"]]
        elif o["op"] in ("insert", "update", "delete") and "schema" in o:
            names = cols.get((o["schema"], o["table"]), [])
            def by_index(img):
                if img is None:
                    return None
                out = {}
                for k, v in img.items():
                    if k.startswith("@"):
                        out[int(k[1:])] = v
                    else:
                        out[names.index(k) + 1] = v
                return out
            rows.append([o["op"], o["schema"], o["table"], by_index(o["before"]), by_index(o["after"])])
    return rows, p.returncode, p.stderr.decode("utf-8", "replace")


def main():
    chameleon = sys.argv[1]
    files = sys.argv[2:] or sorted(
        f[:-len(".mariadb-binlog.txt")] for f in glob.glob("fixtures/binlog/*/*.mariadb-binlog.txt")
        if not f.endswith(".payload-expanded.mariadb-binlog.txt"))
    print("1..%d" % len(files))
    failed = 0
    for n, f in enumerate(files, 1):
        # for MySQL 8 payload files the reference of the expanded payload is used
        expanded = f + ".payload-expanded.mariadb-binlog.txt"
        ref = parse_reference(expanded if glob.glob(expanded) else f + ".mariadb-binlog.txt")
        try:
            ours, rc, err = ours_rows(chameleon, f)
        except (UnicodeDecodeError, ValueError) as e:
            failed += 1
            print("not ok %d - %s: output is not valid UTF-8 JSON: %s" % (n, f, e))
            continue
        problems = []
        compared = skipped = 0
        if len(ours) < len(ref):
            problems.append("%d row changes, reference has %d (%s)" % (len(ours), len(ref), err.strip()[:200]))
        for i, (r, o) in enumerate(zip(ref, ours)):
            if r[:3] != o[:3]:
                problems.append("row %d: %s `%s`.`%s` vs %s `%s`.`%s`" % (i, *r[:3], *o[:3]))
                break
            for side in (3, 4):
                if r[side] is None:
                    continue
                for col, (val, rtype, raw) in r[side].items():
                    if o[side] is None or col not in o[side]:
                        problems.append("row %d col @%d: missing" % (i, col))
                        continue
                    res = same(val, rtype, o[side][col])
                    if res == "skip":
                        skipped += 1
                    elif res:
                        compared += 1
                        problems.append("row %d col @%d (%s): %s: reference %s, ours %r" % (
                            i, col, rtype, res, val[:80], o[side][col]))
                    else:
                        compared += 1
            if len(problems) > 5:
                break
        if problems:
            failed += 1
            print("not ok %d - %s" % (n, f))
            for p in problems[:6]:
                print("# " + p)
        else:
            print("ok %d - %s (%d rows, %d values equal, %d not comparable)" % (n, f, len(ref), compared, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
