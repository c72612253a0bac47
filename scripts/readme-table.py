#!/usr/bin/env python3
"""Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in
README.md with a table (the TABLE variable) and a note (argument 2). Used by
scripts/size-table.sh and scripts/toolchain-bench.sh.

    TABLE="$table" python3 scripts/readme-table.py NAME "NOTE"
    TABLE="$table" python3 scripts/readme-table.py --rows NAME "NOTE"

With --rows, only the rows of TABLE change: each replaces the README's row
with the same first cell (or joins the table), the others stay as they are,
and the rows are kept in order of their first cell. For a run over some of
the examples.
"""
import os
import re
import sys

args = sys.argv[1:]
rows_only = args[:1] == ["--rows"]
if rows_only:
    args = args[1:]
name, note = args
path = "README.md"
text = open(path).read()
start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
if start not in text or end not in text:
    raise SystemExit(f"README.md has no {name} markers")
table = os.environ["TABLE"]


def first_cell(row):
    return row.split("|")[1].strip()


if rows_only:
    old = re.search(re.escape(start) + r"\n(.*?)\n\n", text, flags=re.S)
    old_lines = old.group(1).splitlines() if old else []
    new_lines = table.splitlines()
    if len(old_lines) < 2 or old_lines[0] != new_lines[0]:
        raise SystemExit(f"README.md's {name} table has other columns: run over every example")
    body = {first_cell(r): r for r in old_lines[2:]}
    body.update({first_cell(r): r for r in new_lines[2:]})
    table = "\n".join(new_lines[:2] + [body[k] for k in sorted(body)])
new = f"{start}\n{table}\n\n{note}\n{end}"
text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: new, text, flags=re.S)
open(path, "w").write(text)
