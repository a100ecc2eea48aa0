"""`python bench/cleaning.py [MiB]`: seconds to clean hostile Markdown, per kind of input
(wall time, and the CPU time of this process, which other load on the machine does not add to).

Each input is MiB mebibytes (default 5, the importer's file cap) of one pattern that made the
old regular expressions rescan the rest of the line from every opening mark: unclosed ``**``
and ``__``, runs of ``*``, ``[`` and backticks, nested brackets, ``#`` runs inside a heading,
a paragraph broken into thousands of fragments. Pure Python: no database, no Django set-up.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.importing.cleaning import MARKDOWN, clean

# name → the unit repeated to the size asked for (between a first line and a last)
PATTERNS: dict[str, str] = {
    "unclosed ** in one line": "**word ",
    "unclosed __ in one line": "__word ",
    "run of *": "*",
    "* and words": "*a ",
    "unclosed [ in one line": "[word ",
    "nested brackets": "[[(",
    "unclosed ![": "![a",
    "links without ) ": "[a](b ",
    "backticks": "`a ``",
    "# runs in a heading": "#",
    "short lines of **": "**a\n",
    "fragments of one paragraph": "broken fragment\n",
    "plain words": "Moscow and Tehran deepened ties. ",
    "a long related-links list": "- Another headline\n",
}
PREFIX = {
    "a long related-links list": "Title\n\nA paragraph of the article.\n\nRelated posts\n\n",
    "# runs in a heading": "# a ",
    "fragments of one paragraph": "A" * 120 + "\n",
}
SUFFIX = {"# runs in a heading": "b\nA paragraph below.\n"}


def hostile(name: str, size: int) -> str:
    """`size` characters (about) of one hostile pattern, ready for the cleaner."""
    unit = PATTERNS[name]
    body = unit * (size // len(unit))
    return PREFIX.get(name, "Title\n") + body + SUFFIX.get(name, "")


def main() -> None:
    mib = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    size = int(mib * 1024 * 1024)
    inputs = {name: hostile(name, size) for name in PATTERNS}
    inputs["all of the above, mixed"] = "\n".join(
        hostile(name, size // len(PATTERNS)) for name in PATTERNS
    )
    worst = 0.0
    print(f"{'input':32} {'size':>9}  {'wall':>7}  {'CPU':>7}")
    for name, text in inputs.items():
        wall, cpu = time.perf_counter(), time.process_time()
        clean(text, fmt=MARKDOWN)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        worst = max(worst, wall)
        print(f"{name:32} {len(text.encode()) / 1024 / 1024:5.1f} MiB  {wall:6.2f}s  {cpu:6.2f}s")
    print(f"slowest (wall): {worst:.2f} s")


if __name__ == "__main__":
    main()
