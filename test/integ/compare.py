#!/usr/bin/env python3
"""Compare every table of a MariaDB schema with its PostgreSQL copy, value
by value, for every column type.

usage: compare.py MYSQL_SCHEMA PG_SCHEMA [TABLE...]
environment: MY_SOCK (MariaDB socket), PG_HOST, PG_PORT, ZERO_DATES (null)

Each side is read with its own client (mariadb, psql) using expressions
that print the stored value exactly (hex for text and bytes, full
precision for numbers); the rows are compared as sorted multisets, so
tables without a key compare too.  Prints one line per table and exits 1
on the first difference, naming the table, the column and both values.
"""
import os
import subprocess
import sys
from decimal import Decimal

NULL = "<NULL>"  # strings are compared as hex: no collision


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
        utc = " AT TIME ZONE 'UTC'" if dt == "timestamp" else ""
        return (f"IFNULL(DATE_FORMAT({m}, '%Y-%m-%d %H:%i:%s.%f'), '{NULL}')",
                f"to_char({p}{utc}, 'YYYY-MM-DD HH24:MI:SS.US')", "date")
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
            f"upper(encode(convert_to({p}::text, 'UTF8'), 'hex'))", "str")


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
        # PostgreSQL has no zero dates: the default policy stores NULL
        if side == "my" and (v.startswith("0000") or "-00" in v[:10]):
            return None
        return v
    if kind == "time":
        if side == "pg":
            return int(v)
        neg = v.startswith("-")
        hms, _, frac = v.lstrip("-").partition(".")
        h, mi, s = (int(x) for x in hms.split(":"))
        us = ((h * 60 + mi) * 60 + s) * 1000000 + int((frac + "000000")[:6])
        return -us if neg else us
    return v


def compare(mschema, pschema, tables):
    cols = my_query(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
        f"WHERE TABLE_SCHEMA = '{mschema}' ORDER BY TABLE_NAME, ORDINAL_POSITION")
    by_table = {}
    for t, c, dt in cols:
        by_table.setdefault(t, []).append((c, dt.lower()))
    names = tables or sorted(t for t in by_table
                             if my_query("SELECT TABLE_TYPE FROM information_schema.TABLES "
                                         f"WHERE TABLE_SCHEMA = '{mschema}' AND "
                                         f"TABLE_NAME = '{t}'")[0][0] == "BASE TABLE")
    total = 0
    for t in names:
        spec = [exprs(c, dt) for c, dt in by_table[t]]
        msql = "SET time_zone = '+00:00'; SELECT " + ", ".join(s[0] for s in spec) + \
            f" FROM {myq(mschema)}.{myq(t)}"
        psql = "SELECT " + ", ".join(s[1] for s in spec) + f" FROM {pgq(pschema)}.{pgq(t)}"
        mrows = [tuple(norm(v, s[2], "my") for v, s in zip(r, spec)) for r in my_query(msql)]
        prows = [tuple(norm(v, s[2], "pg") for v, s in zip(r, spec)) for r in pg_query(psql)]
        key = lambda r: tuple((x is None, str(x)) for x in r)
        mrows.sort(key=key)
        prows.sort(key=key)
        if len(mrows) != len(prows):
            print(f"{t}: {len(mrows)} rows in MariaDB, {len(prows)} in PostgreSQL")
            return 1
        for a, b in zip(mrows, prows):
            if a != b:
                for (c, _), x, y in zip(by_table[t], a, b):
                    if x != y:
                        print(f"{t}: column {c}: MariaDB {x!r} PostgreSQL {y!r}")
                        break
                return 1
        print(f"{t}: {len(mrows)} rows equal")
        total += len(mrows)
    print(f"total: {len(names)} tables, {total} rows equal")
    return 0


if __name__ == "__main__":
    sys.exit(compare(sys.argv[1], sys.argv[2], sys.argv[3:]))
