#!/usr/bin/env python3
"""Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in
README.md with a table (the TABLE variable) and a note (argument 2). Used by
scripts/size-table.sh and scripts/toolchain-bench.sh.

    TABLE="$table" python3 scripts/readme-table.py NAME "NOTE"
"""
import os
import re
import sys

name, note = sys.argv[1], sys.argv[2]
path = "README.md"
text = open(path).read()
start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
if start not in text or end not in text:
    raise SystemExit(f"README.md has no {name} markers")
new = f"{start}\n{os.environ['TABLE']}\n\n{note}\n{end}"
text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: new, text, flags=re.S)
open(path, "w").write(text)
