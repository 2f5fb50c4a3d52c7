"""read_with_pandas.py BASE — what a data journalist's notebook does: pandas reads orgwatch's
CSV URLs straight from the URL (no headers of its own, no paging) and the figures are checked
against the JSON API. Prints one line per check; exits 1 on the first mismatch."""
import json
import sys
import urllib.parse
import urllib.request

import pandas as pd

BASE = sys.argv[1].rstrip("/")


def get_json(path):
    with urllib.request.urlopen(BASE + path) as r:
        return json.load(r)


def every_item(path):
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        page = get_json(path + sep + "limit=1000" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def check(what, ok, detail):
    print(f"{'ok' if ok else 'MISMATCH'}: {what}: {detail}")
    if not ok:
        sys.exit(1)


# Every departure from Meta, one URL, all rows.
df = pd.read_csv(BASE + "/departures.csv?org=meta&status=all&all=true")
items = every_item("/departures?org=meta&status=all")
check("departures rows", len(df) == len(items), f"{len(df)} rows in the CSV, {len(items)} in the JSON pages")
check("departures columns", list(df.columns[:5]) == ["id", "person_id", "person", "org_id", "org"], ",".join(df.columns[:5]))
check("departures ids", list(df["id"]) == [d["id"] for d in items], "same ids in the same order")
check("partial dates kept as written", sorted(df["departed_on"].astype(str)) == sorted(d["departed_on"] for d in items), "departed_on")

# Departures per month: the sum of the CSV's counts is the JSON's total.
st = pd.read_csv(BASE + "/stats/departures.csv?group_by=month&from=2022&to=2025", dtype={"key": str})
js = get_json("/stats/departures?group_by=month&from=2022&to=2025")
check("stats columns", list(st.columns) == ["key", "label", "count"], ",".join(st.columns))
check("stats rows", len(st) == len(js["groups"]), f"{len(st)} groups")
check("stats total", int(st["count"].sum()) == js["total"], f"sum {int(st['count'].sum())}, total {js['total']}")
check("stats keys", list(st["key"]) == [g["key"] for g in js["groups"]], "the periods in order")

# Flows: one row per origin and destination.
fl = pd.read_csv(BASE + "/stats/flows.csv")
fj = get_json("/stats/flows")
check("flows", len(fl) == len(fj["flows"]) and int(fl["count"].sum()) == sum(f["count"] for f in fj["flows"]), f"{len(fl)} flows")

# A spreadsheet's import (Excel reads the byte-order mark): the same frame as without it.
xl = pd.read_csv(BASE + "/departures.csv?org=meta&status=all&all=true&excel=true", encoding="utf-8-sig")
check("excel=true reads the same", list(xl["id"]) == list(df["id"]), "same ids")
print(f"notebook read done: {len(df)} departures, {len(st)} months, {len(fl)} flows")
