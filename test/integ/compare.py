#!/usr/bin/env python3
"""Compare every table of a MariaDB schema with its PostgreSQL copy, value
by value, for every column type.

usage: compare.py [--all] [--columns set|exact] [--ignore TABLE]...
                  [--zero-dates infinity|null] [--text-nul replace|strip]
                  MYSQL_SCHEMA PG_SCHEMA [TABLE...]
environment: MY_SOCK (MariaDB socket), PG_HOST, PG_PORT

Each side is read with its own client (mariadb, psql) using expressions
that print the stored value exactly (hex for text and bytes, full
precision for numbers); the rows are compared as sorted multisets, so
tables without a key compare too.  Prints one line per table and exits 1
on the first difference, naming the table, the column and both values.

--columns set|exact  first compare the columns of each table: the same
                     names (set: in any order, as ddl_column_order: append
                     leaves them; exact: in the same order)
--all                every table is compared (not only up to the first
                     difference), each line starts with "ok " or "differs ",
                     and the two schemas must hold the same tables: a
                     table on one side only is a difference of its own
--ignore TABLE       a table left out of the comparison (one that is not
                     replicated, such as a skip_tables entry)
--zero-dates P       the policy chameleon ran with (docs/types.md): a MariaDB
                     date, datetime or timestamp PostgreSQL cannot hold (year,
                     month or day 0, a day past the month's end) is expected
                     as -infinity (infinity, the default) or NULL (null); every
                     other date is compared to the microsecond
--text-nul P         likewise for NUL bytes in text columns (not binary
                     ones): expected as U+FFFD (replace, the default) or
                     removed (strip)
"""
import calendar
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal

NULL = "<NULL>"  # strings are compared as hex: no collision
POLICY = {"zero_dates": "infinity", "text_nul": "replace"}


def my_query(sql):
    out = subprocess.run(
        ["mariadb", "--no-defaults", "--default-character-set=utf8mb4", "-S",
         os.environ["MY_SOCK"], "-uroot", "-N", "-B", "-e", sql],
        check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.split("\n") if line != ""]


def pg_query(sql):
    out = subprocess.run(
        ["psql", "-X", "-q", "-h", os.environ["PG_HOST"], "-p", os.environ["PG_PORT"],
         "-U", "postgres", "-At", "-F", "\t", "-P", "null=" + NULL, "-c", sql],
        check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.split("\n") if line != ""]


def myq(name):
    return "`" + name.replace("`", "``") + "`"


def pgq(name):
    return '"' + name.replace('"', '""') + '"'


def exprs(col, dt):
    """(MariaDB expression, PostgreSQL expression, kind) for one column."""
    m, p = myq(col), pgq(col)
    if dt in ("tinyint", "smallint", "mediumint", "int", "bigint", "year"):
        return f"IFNULL(CAST({m} AS CHAR), '{NULL}')", f"{p}::text", "int"
    if dt in ("decimal", "numeric"):
        return f"IFNULL(CAST({m} AS CHAR), '{NULL}')", f"{p}::text", "dec"
    if dt == "float":
        return f"IFNULL(CAST({m} + 0e0 AS CHAR), '{NULL}')", f"{p}::float8::text", "float"
    if dt == "double":
        return f"IFNULL(CAST({m} AS CHAR), '{NULL}')", f"{p}::text", "float"
    if dt in ("date", "datetime", "timestamp"):
        # the stored text, invalid dates included (DATE_FORMAT refuses some)
        utc = " AT TIME ZONE 'UTC'" if dt == "timestamp" else ""
        return (f"IFNULL(CAST({m} AS CHAR), '{NULL}')",
                f"CASE WHEN isfinite({p}) THEN to_char({p}{utc}, "
                f"'YYYY-MM-DD HH24:MI:SS.US') ELSE {p}::text END", "date")
    if dt == "time":
        return (f"IFNULL(CAST({m} AS CHAR), '{NULL}')",
                f"(extract(epoch from {p}) * 1000000)::bigint::text", "time")
    if dt == "bit":
        return f"IFNULL(BIN({m}), '{NULL}')", f"{p}::text", "bits"
    if dt in ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob",
              "geometry", "point", "linestring", "polygon", "multipoint",
              "multilinestring", "multipolygon", "geometrycollection"):
        return f"IFNULL(HEX({m}), '{NULL}')", f"upper(encode({p}, 'hex'))", "str"
    # text, enum, set, MariaDB json (longtext): the UTF-8 bytes
    return (f"IFNULL(HEX(CONVERT({m} USING utf8mb4)), '{NULL}')",
            f"upper(encode(convert_to({p}::text, 'UTF8'), 'hex'))", "text")


def my_date(v):
    """A MariaDB date text as PostgreSQL's to_char prints it, or what the
    zero-date policy stores for a day PostgreSQL cannot hold."""
    day, _, tm = v.partition(" ")
    y, m, d = (int(x) for x in day.split("-"))
    if not (1 <= y and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]):
        return "-infinity" if POLICY["zero_dates"] == "infinity" else None
    hms, _, frac = (tm or "00:00:00").partition(".")
    return f"{day} {hms}.{(frac + '000000')[:6]}"


def norm(v, kind, side):
    if v == NULL:
        return None
    if kind == "int":
        return int(v)
    if kind == "bits":
        return int(v, 2)
    if kind == "dec":
        return Decimal(v)
    if kind == "float":
        return float(v)
    if kind == "date":
        return my_date(v) if side == "my" else v
    if kind == "text" and side == "my" and "00" in v:
        # NUL bytes per text_nul (hex pairs: split on byte boundaries)
        raw = bytes.fromhex(v)
        sub = b"\xef\xbf\xbd" if POLICY["text_nul"] == "replace" else b""
        return raw.replace(b"\0", sub).hex().upper()
    if kind == "time":
        if side == "pg":
            return int(v)
        neg = v.startswith("-")
        hms, _, frac = v.lstrip("-").partition(".")
        h, mi, s = (int(x) for x in hms.split(":"))
        us = ((h * 60 + mi) * 60 + s) * 1000000 + int((frac + "000000")[:6])
        return -us if neg else us
    return v


def lit(value):
    """A MariaDB string literal (backslashes are escapes there)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_lit(value):
    return "'" + value.replace("'", "''") + "'"


def show(mcols, row):
    """A row for a message: column=value, text decoded from its hex."""
    out = []
    for (c, dt), v in zip(mcols, row):
        if isinstance(v, str) and exprs(c, dt)[2] == "text" and not dt.endswith(
                ("binary", "blob")):
            try:
                v = bytes.fromhex(v).decode()
            except ValueError:
                pass
        out.append(f"{c}={v!r}")
    return "(" + ", ".join(out) + ")"


def compare_table(mschema, pschema, t, mcols, pcols, columns):
    """(ok, row count, message) for one table present on both sides."""
    if columns == "exact" and [c for c, _ in mcols] != pcols:
        return False, 0, "columns: MariaDB %s, PostgreSQL %s" % (
            [c for c, _ in mcols], pcols)
    if columns == "set" and sorted(c for c, _ in mcols) != sorted(pcols):
        missing = [c for c, _ in mcols if c not in pcols]
        extra = [c for c in pcols if c not in [m for m, _ in mcols]]
        return False, 0, "columns: missing in PostgreSQL %s, only in PostgreSQL %s" % (
            missing, extra)
    spec = [exprs(c, dt) for c, dt in mcols]
    msql = "SET time_zone = '+00:00'; SELECT " + ", ".join(s[0] for s in spec) + \
        f" FROM {myq(mschema)}.{myq(t)}"
    psql = "SELECT " + ", ".join(s[1] for s in spec) + f" FROM {pgq(pschema)}.{pgq(t)}"
    mrows = [tuple(norm(v, s[2], "my") for v, s in zip(r, spec)) for r in my_query(msql)]
    prows = [tuple(norm(v, s[2], "pg") for v, s in zip(r, spec)) for r in pg_query(psql)]
    key = lambda r: tuple((x is None, str(x)) for x in r)
    mrows.sort(key=key)
    prows.sort(key=key)
    if len(mrows) != len(prows):
        only_m = Counter(mrows) - Counter(prows)
        only_p = Counter(prows) - Counter(mrows)
        ex = ""
        if only_m:
            ex += "; first row in MariaDB only: %s" % (show(mcols, sorted(only_m, key=key)[0]),)
        if only_p:
            ex += "; first row in PostgreSQL only: %s" % (show(mcols, sorted(only_p, key=key)[0]),)
        return False, 0, f"{len(mrows)} rows in MariaDB, {len(prows)} in PostgreSQL{ex}"
    for a, b in zip(mrows, prows):
        if a != b:
            for (c, _), x, y in zip(mcols, a, b):
                if x != y:
                    return False, 0, f"column {c}: MariaDB {x!r} PostgreSQL {y!r}"
    return True, len(mrows), f"{len(mrows)} rows equal"


def compare(mschema, pschema, tables, every=False, columns=None, ignore=()):
    cols = my_query(
        "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE FROM information_schema.COLUMNS c "
        "JOIN information_schema.TABLES t USING (TABLE_SCHEMA, TABLE_NAME) "
        f"WHERE c.TABLE_SCHEMA = {lit(mschema)} AND t.TABLE_TYPE = 'BASE TABLE' "
        "ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION")
    by_table = {}
    for t, c, dt in cols:
        if t not in ignore:
            by_table.setdefault(t, []).append((c, dt.lower()))
    pg_cols = {}
    if columns or every:
        for t, c in pg_query(
                "SELECT c.relname, a.attname FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                f"WHERE n.nspname = {pg_lit(pschema)} AND c.relkind IN ('r', 'p') "
                "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"):
            pg_cols.setdefault(t, []).append(c)
    names = tables or sorted(by_table)
    total = failed = 0
    if every:
        for t in sorted(set(pg_cols) - set(by_table) - set(ignore)):
            print(f"differs {t}: in PostgreSQL only")
            failed += 1
    for t in names:
        if t not in by_table:
            ok, n, msg = False, 0, "no such table in MariaDB"
        elif (columns or every) and t not in pg_cols:
            ok, n, msg = False, 0, "no such table in PostgreSQL"
        else:
            try:
                ok, n, msg = compare_table(mschema, pschema, t, by_table[t],
                                           pg_cols.get(t, []), columns)
            except subprocess.CalledProcessError as x:
                if not every:
                    raise
                ok, n, msg = False, 0, "query failed: " + " ".join(x.stderr.split())[:300]
        if every:
            print(("ok " if ok else "differs ") + f"{t}: {msg}")
        else:
            print(f"{t}: {msg}")
        if not ok:
            failed += 1
            if not every:
                return 1
        total += n
    print(f"total: {len(names)} tables, {total} rows equal" +
          (f", {failed} differ" if failed else ""))
    return 1 if failed else 0


def main(argv):
    every, columns, ignore, rest = False, None, [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--all":
            every = True
        elif a == "--columns" and i + 1 < len(argv) and argv[i + 1] in ("set", "exact"):
            columns = argv[i + 1]
            i += 1
        elif a == "--zero-dates" and i + 1 < len(argv) and argv[i + 1] in ("infinity", "null"):
            POLICY["zero_dates"] = argv[i + 1]
            i += 1
        elif a == "--text-nul" and i + 1 < len(argv) and argv[i + 1] in ("replace", "strip"):
            POLICY["text_nul"] = argv[i + 1]
            i += 1
        elif a == "--ignore" and i + 1 < len(argv):
            ignore.append(argv[i + 1])
            i += 1
        elif a.startswith("--"):
            sys.exit(__doc__)
        else:
            rest.append(a)
        i += 1
    if len(rest) < 2:
        sys.exit(__doc__)
    return compare(rest[0], rest[1], rest[2:], every, columns, ignore)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
