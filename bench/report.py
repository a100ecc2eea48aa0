"""Writes bench/RESULTS.md from the JSON files of one `make bench` run (var/bench/)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import report_scale as scale
from bench.common import OUT, ROOT, label, read_json

RESULTS = ROOT / "bench" / "RESULTS.md"
RAW_TARGET = 2.0
GROWTH_TARGET = 1.5
SEARCH_TARGET = 5.0
MEMORY_TARGET_MB = 200


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip()


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    dirty = (
        " (with uncommitted changes)"
        if _git("status", "--porcelain", "--untracked-files=no")
        else ""
    )
    return [
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Commit: `{_git('rev-parse', '--short', 'HEAD')}`{dirty}",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {memory_kb / 2**20:.0f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {postgres} on the same machine",
        "- Load average (1, 5, 15 min) when the report was written: "
        + ", ".join(f"{value:.1f}" for value in os.getloadavg())
        + " — other work on the same cores slows every figure alike, the floor included",
        f"- Command: `{os.environ.get('BENCH_COMMAND', 'make bench')}`",
    ]


def ms(entry: dict | None) -> str:
    if not entry:
        return "—"
    return f"{entry['median_ms']:.1f} / {entry['p95_ms']:.1f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def mark(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}× {'✓' if value <= target else '✗'}"


def corpus_table(runs: dict[int, dict]) -> list[str]:
    lines = [
        "| corpus | sources (published) | claims | stances | propositions | topics | "
        "most stances on one proposition | database | generated in |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, data in runs.items():
        c, g = data["corpus"], data.get("generation", {})
        built = (
            f"{g['seconds']:.0f} s ({g['claims_per_s']:,.0f} claims/s)"
            if g.get("seconds")
            else "reused"
        )
        lines.append(
            f"| {label(size)} | {c['sources']:,} ({c['published_sources']:,}) | {c['claims']:,} | "
            f"{c['stances']:,} | {c['propositions']:,} | {c['topics']:,} | "
            f"{c['largest_proposition']:,} | {c['database_mb']:,} MB | {built} |"
        )
    return lines


def list_table(small: dict, large: dict, sizes: tuple[str, str]) -> tuple[list[str], list[str]]:
    a, b = sizes
    lines = [
        f"| endpoint | rows {a} / {b} | raw {a} | app {a} | app/raw | cached {a} | raw {b} | "
        f"app {b} | app/raw | cached {b} | cached/raw {b} | growth (app) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    misses = []
    for name in small["raw"]:
        app_s, raw_s = small["api"][name], small["raw"][name]
        app_l, raw_l = large["api"][name], large["raw"][name]
        r_s = ratio(app_s["median_ms"], raw_s["median_ms"])
        r_l = ratio(app_l["median_ms"], raw_l["median_ms"])
        r_c = ratio(app_l["cached"]["median_ms"], raw_l["median_ms"])
        growth = ratio(app_l["median_ms"], app_s["median_ms"])
        lines.append(
            f"| `{app_s['url']}` | {app_s.get('rows')} / {app_l.get('rows')} | {ms(raw_s)} | "
            f"{ms(app_s)} | {mark(r_s, RAW_TARGET)} | "
            f"{ms(app_s['cached'])} | {ms(raw_l)} | {ms(app_l)} | {mark(r_l, RAW_TARGET)} | "
            f"{ms(app_l['cached'])} | {mark(r_c, RAW_TARGET)} | {mark(growth, GROWTH_TARGET)} |"
        )
        for what, value, target in (
            (f"app/raw at {a} (computed)", r_s, RAW_TARGET),
            (f"app/raw at {b} (computed)", r_l, RAW_TARGET),
            ("growth (computed)", growth, GROWTH_TARGET),
        ):
            if value is not None and value > target:
                misses.append(f"`{app_s['url']}` {what}: {value:.2f}× (target {target}×)")
    return lines, misses


def growth_table(
    small: dict, large: dict, sizes: tuple[str, str], section: str, skip: set[str]
) -> tuple[list[str], list[str]]:
    a, b = sizes
    lines = [
        f"| endpoint | computed {a} | computed {b} | growth | cached {a} | cached {b} |",
        "|---|---|---|---|---|---|",
    ]
    misses = []
    for name, entry in small[section].items():
        if name in skip or name not in large[section]:
            continue
        other = large[section][name]
        growth = ratio(other["median_ms"], entry["median_ms"])
        lines.append(
            f"| {name} `{entry['url']}` | {ms(entry)} | {ms(other)} | "
            f"{mark(growth, GROWTH_TARGET)} | {ms(entry.get('cached'))} | "
            f"{ms(other.get('cached'))} |"
        )
        if growth and growth > GROWTH_TARGET:
            misses.append(f"API {name}: growth {growth:.2f}× (computed)")
    return lines, misses


def page_table(small: dict, large: dict, sizes: tuple[str, str]) -> tuple[list[str], list[str]]:
    a, b = sizes
    lines = [
        f"| page | rendered {a} | rendered {b} | growth | cached {a} | cached {b} | growth |",
        "|---|---|---|---|---|---|---|",
    ]
    misses = []
    for name, entry in small["pages"].items():
        other = large["pages"].get(name)
        if other is None:
            continue
        g_r = ratio(other["rendered"]["median_ms"], entry["rendered"]["median_ms"])
        g_c = ratio(other["cached"]["median_ms"], entry["cached"]["median_ms"])
        lines.append(
            f"| {name} `{entry['url']}` | {ms(entry['rendered'])} | {ms(other['rendered'])} | "
            f"{mark(g_r, GROWTH_TARGET)} | {ms(entry['cached'])} | {ms(other['cached'])} | "
            f"{mark(g_c, GROWTH_TARGET)} |"
        )
        if g_r and g_r > GROWTH_TARGET:
            misses.append(f"page {name} rendered: growth {g_r:.2f}×")
        if g_c and g_c > GROWTH_TARGET:
            misses.append(f"page {name} cached: growth {g_c:.2f}×")
    return lines, misses


def http_table(small: dict, large: dict, sizes: tuple[str, str]) -> list[str]:
    a, b = sizes
    setup = large.get("http_setup", {})
    lines = [
        f"gunicorn {setup.get('workers')} processes × {setup.get('threads')} threads, "
        f"{setup.get('clients')} concurrent keep-alive clients on the same 2 cores; median / p95 "
        "latency in ms, and requests per second.",
        "",
        f"| endpoint | {a} | req/s {a} | {b} | req/s {b} | growth |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in small.get("http", {}).items():
        other = large.get("http", {}).get(name)
        if other is None:
            continue
        growth = ratio(other["median_ms"], entry["median_ms"])
        lines.append(
            f"| {name} | {ms(entry)} | {entry['requests_per_s']:.0f} | {ms(other)} | "
            f"{other['requests_per_s']:.0f} | {mark(growth, GROWTH_TARGET)} |"
        )
    return lines


def search_table(runs: dict[int, dict]) -> tuple[list[str], list[str]]:
    lines = [
        "| corpus | term | claims matching | ORM query (25 best) | API `?q=` | ORM / primary-key "
        "lookup | API / claim detail |",
        "|---|---|---|---|---|---|---|",
    ]
    misses = []
    largest = max(runs)
    for size, data in runs.items():
        search = data["search"]
        pk_orm, pk_api = search["pk_orm"]["median_ms"], search["pk_api"]["median_ms"]
        for level, entry in search["terms"].items():
            r_orm = ratio(entry["orm"]["median_ms"], pk_orm)
            r_api = ratio(entry["api"]["median_ms"], pk_api)
            target = level == "rare"
            lines.append(
                f"| {label(size)} | {level}: “{entry['term']}” | {entry['matches']:,} | "
                f"{ms(entry['orm'])} | {ms(entry['api'])} | "
                f"{mark(r_orm, SEARCH_TARGET) if target else f'{r_orm:.1f}×'} | "
                f"{mark(r_api, SEARCH_TARGET) if target else f'{r_api:.1f}×'} |"
            )
            if target and size == largest and r_orm and r_orm > SEARCH_TARGET:
                misses.append(
                    f"rare-term search at {label(size)}: {r_orm:.1f}× a primary-key lookup"
                )
        lines.append(
            f"| {label(size)} | primary key / claim detail | 1 | {ms(search['pk_orm'])} | "
            f"{ms(search['pk_api'])} | 1× | 1× |"
        )
    return lines, misses


def export_table(runs: dict[int, dict]) -> tuple[list[str], list[str]]:
    lines = [
        "| corpus | export | size | lines | time | peak memory (process) | after start-up |",
        "|---|---|---|---|---|---|---|",
    ]
    misses = []
    for size, data in runs.items():
        for name, entry in data.get("exports", {}).items():
            lines.append(
                f"| {label(size)} | {name} `{entry['url']}` | {entry['bytes'] / 2**20:,.0f} MB | "
                f"{entry['lines']:,} | {entry['seconds']:.0f} s | "
                f"{entry['peak_mb']:.0f} MB {'✓' if entry['peak_mb'] < MEMORY_TARGET_MB else '✗'} "
                f"| {entry['baseline_mb']:.0f} MB |"
            )
            if entry["peak_mb"] >= MEMORY_TARGET_MB:
                misses.append(f"{name} at {label(size)}: peak {entry['peak_mb']:.0f} MB")
    return lines, misses


def import_table(result: dict) -> list[str]:
    if not result:
        return ["(not measured)"]
    return [
        "| path | sources | characters | time | sources/s | |",
        "|---|---|---|---|---|---|",
        f"| `import_sources` (clean, lay out, validate, write with history, one transaction) | "
        f"{result['sources']:,} | {result['characters']:,} | {result['importer_s']:.2f} s | "
        f"{result['importer_sources_per_s']:,.0f} | {result['importer_mb_per_s']:.1f} MB/s |",
        f"| baseline: `bulk_create` of the same cleaned rows | {result['sources']:,} | "
        f"{result['characters']:,} | {result['baseline_s']:.2f} s | "
        f"{result['baseline_sources_per_s']:,.0f} | importer takes {result['ratio']}× as long |",
    ]


def tally_line(runs: dict[int, dict]) -> str:
    return ", ".join(f"{ms(data.get('tally'))} ms at {label(size)}" for size, data in runs.items())


def notes() -> list[str]:
    """What the person running the bench wrote about this run (var/bench/notes.md), if any."""
    path = OUT / "notes.md"
    if not path.exists():
        return []
    return ["## Notes on this run", "", path.read_text(encoding="utf-8").strip(), ""]


def main(sizes: list[int]) -> None:
    runs = {size: read_json(OUT / f"{label(size)}.json") for size in sizes}
    small, large = runs[min(sizes)], runs[max(sizes)]
    names = (label(min(sizes)), label(max(sizes)))
    lists, misses = list_table(small, large, names)
    others, m2 = growth_table(small, large, names, "api", set(small["raw"]))
    pages, m3 = page_table(small, large, names)
    search, m4 = search_table(runs)
    exports, m5 = export_table(runs)
    by_label = {label(size): runs[size] for size in sorted(sizes)}
    floors, m6 = scale.floor_tables(small, large, names)
    deep, m7 = scale.deep_table(by_label)
    admin, m8 = scale.admin_table(by_label)
    editorial, m9 = scale.editorial_table(by_label)
    export_job, m10 = scale.export_job_table(by_label)
    misses += m2 + m3 + m4 + m5 + m6 + m7 + m8 + m9 + m10
    text = [
        "# Benchmark results",
        "",
        "Produced by `make bench` (bench/run.py); every figure below comes from the same run. "
        "Times are median / p95 in milliseconds unless marked. Targets: list endpoints at most "
        f"{RAW_TARGET}× their raw baseline, at most {GROWTH_TARGET}× growth from the small to "
        f"the large corpus for every list endpoint and page, a rare-term search within "
        f"{SEARCH_TARGET}× a primary-key lookup, exports under {MEMORY_TARGET_MB} MB.",
        "",
        *machine(),
        "",
        "## Corpora",
        "",
        *corpus_table(runs),
        "",
        *notes(),
        "## Every answer against the framework floor",
        "",
        "The floor: a view that does nothing (`/bench/floor/`, bench/urls.py), served through "
        "the same settings, middleware and server in the same run.",
        "",
        *floors,
        "",
        "## The editorial day",
        "",
        *editorial,
        "",
        "## Deep pages",
        "",
        *deep,
        "",
        "## The admin at size",
        "",
        *admin,
        "",
        "## A whole-corpus export as a background job",
        "",
        *export_job,
        "",
        "## API lists against the raw limit (in process)",
        "",
        "raw: the same page of rows from one hand-written SQL query through a cursor, encoded "
        "with orjson, in the same process (bench/raw.py). app: the request through Django and "
        "DRF with the test client (middleware, throttling, filters, pagination, serialization, "
        "orjson), computed every time (response cache off). cached: the same request answered "
        "from the response cache, as every repeated anonymous read is until the next edit.",
        "",
        *lists,
        "",
        "## Other API endpoints (in process)",
        "",
        "computed: the response cache off; cached: answered from it (the comparison and "
        "export endpoints are not cached).",
        "",
        *others,
        "",
        "## Public pages (in process)",
        "",
        "rendered: the page cache off (the corpus counts, worked out once per edit, stay "
        "cached as they are between two edits); cached: served from the page cache (one query "
        "for the public version). After an edit, the first page view also pays for the corpus "
        f"counts: {tally_line(runs)}.",
        "",
        *pages,
        "",
        "## Through gunicorn",
        "",
        *http_table(small, large, names),
        "",
        "## Search (stored tsvector, GIN index)",
        "",
        *search,
        "",
        "## Exports (streamed)",
        "",
        *exports,
        "",
        "## Import throughput",
        "",
        *import_table(read_json(OUT / "import.json")),
        "",
        "## Targets missed",
        "",
        *([f"- {miss}" for miss in misses] or ["None."]),
        "",
    ]
    RESULTS.write_text("\n".join(text), encoding="utf-8")
    print(f"== wrote {RESULTS.relative_to(ROOT)}; {len(misses)} targets missed")


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]])
