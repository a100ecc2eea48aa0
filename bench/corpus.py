"""`python bench/corpus.py <sources> <claims per source> <seed>`: prints "yes" when the database
already holds exactly that generated corpus (same parameters and generator version), "no"
otherwise, so that `make bench` regenerates only when it must."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import setup_django


def main() -> None:
    setup_django()
    from bench.generator import generating

    sources, per_source, seed = (int(value) for value in sys.argv[1:4])
    wanted = generating.Parameters(sources=sources, claims_per_source=per_source, seed=seed)
    print("yes" if generating.describe() == wanted else "no")


if __name__ == "__main__":
    main()
