# The rows of bench/apply_wide.sh's binlogs, as CSV for PostgreSQL's COPY,
# computed as MariaDB computes them in bench/apply_wide.sh's generator
# (the same expressions; DOUBLE as Python's shortest exact repr, which
# PostgreSQL reads back to the same bits).
#   wide_rows.py insert FILE          rows 1..1,000,000
#   wide_rows.py mixed INS UPD DEL    600,000 rows, the final images of the
#                                     200,000 updated ones, the 200,000
#                                     deleted keys (one line, {a,b,...})
import datetime
import sys

T0 = datetime.datetime(2024, 1, 1)
D0 = datetime.date(2020, 1, 1)


def row(seq, updated=False):
    n = seq % 100000
    amount = seq % 1000000  # hundredths: (seq % 1000000) / 100
    label = "label of row %d with some words in it" % seq
    ratio = seq / 7.0
    flag = seq % 100
    if updated:
        n += 1
        amount += 50
        ratio *= 2
        label += "!"
        flag = -flag - 1
    at = T0 + datetime.timedelta(microseconds=seq * 1003000)
    return "%d,%d,C-%d,%s,%d.%02d,%s.%03d,%s,%r,%d,%s\n" % (
        seq, n, seq * 7919 % 1000003, label, amount // 100, amount % 100,
        at.strftime("%Y-%m-%d %H:%M:%S"), at.microsecond // 1000,
        (D0 + datetime.timedelta(days=seq % 3000)).isoformat(), ratio, flag,
        ("text %d " % seq) * 3)


def main():
    if sys.argv[1] == "insert":
        with open(sys.argv[2], "w") as f:
            for seq in range(1, 1000001):
                f.write(row(seq))
        return
    # mixed: 20 rounds of 30,000 inserts; of each round's rows the first
    # 10,000 are updated and the last 10,000 deleted
    ins, upd, dele = (open(p, "w") for p in sys.argv[2:5])
    dels = []
    for k in range(20):
        for seq in range(k * 30000 + 1, k * 30000 + 30001):
            ins.write(row(seq))
        for seq in range(k * 30000 + 1, k * 30000 + 10001):
            upd.write(row(seq, True))
        dels.extend(range(k * 30000 + 20001, k * 30000 + 30001))
    dele.write("{" + ",".join(map(str, dels)) + "}\n")
    for f in (ins, upd, dele):
        f.close()


main()
