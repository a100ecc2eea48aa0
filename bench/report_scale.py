"""The sections of bench/RESULTS.md about scale: every answer as a multiple of the framework
floor, deep pages against first pages, the admin, the editorial-day mix and the export job.
Each function returns (lines, targets missed)."""

from __future__ import annotations

from bench.common import OUT, read_json

FLOOR_UNCACHED_TARGET = 20.0  # an uncached answer at the large size, in floors
FLOOR_CACHED_TARGET = 4.0
GROWTH_TARGET = 1.5
DEEP_TARGET = 1.5
ADMIN_TARGET_MS = 200.0
MIX_THROUGHPUT_TARGET = 0.8  # of the no-edit mix
MIX_P95_TARGET = 1.5
EXPORT_MEMORY_TARGET_MB = 200


def _ms(entry: dict | None) -> str:
    return f"{entry['median_ms']:.1f}" if entry else "—"


def _x(value: float | None, target: float | None = None) -> str:
    if value is None:
        return "—"
    if target is None:
        return f"{value:.1f}×"
    return f"{value:.1f}× {'✓' if value <= target else '✗'}"


def _over(entry: dict | None, floor: dict | None) -> float | None:
    if not entry or not floor:
        return None
    return entry["median_ms"] / floor["median_ms"]


def floor_tables(small: dict, large: dict, sizes: tuple[str, str]) -> tuple[list[str], list]:
    """Through gunicorn (targets) and in process: uncached and cached, in floors."""
    a, b = sizes
    misses = []
    lines = []
    for title, key_uncached, key_cached in (("gunicorn", "http_uncached", "http"),):
        floor_a = small.get(key_cached, {}).get("floor")
        floor_b = large.get(key_cached, {}).get("floor")
        ufloor_a = small.get(key_uncached, {}).get("floor")
        ufloor_b = large.get(key_uncached, {}).get("floor")
        lines += [
            f"Through {title}: the floor is {_ms(floor_a)} ms at {a} and {_ms(floor_b)} ms at "
            f"{b} (median, with the caches on; {_ms(ufloor_a)} and {_ms(ufloor_b)} ms in the "
            "uncached runs). Each answer: median ms, then the multiple of the floor of the "
            f"same run. Targets at {b}: uncached within {FLOOR_UNCACHED_TARGET:g}× the floor "
            f"and {GROWTH_TARGET}× its own figure at {a}; cached within "
            f"{FLOOR_CACHED_TARGET:g}×.",
            "",
            f"| answer | uncached {a} | uncached {b} | ×floor {b} | growth | cached {a} | "
            f"cached {b} | ×floor {b} |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, entry in large.get(key_uncached, {}).items():
            if name == "floor":
                continue
            small_u = small.get(key_uncached, {}).get(name)
            small_c = small.get(key_cached, {}).get(name)
            large_c = large.get(key_cached, {}).get(name)
            over_u = _over(entry, ufloor_b)
            over_c = _over(large_c, floor_b)
            growth = entry["median_ms"] / small_u["median_ms"] if small_u else None
            lines.append(
                f"| {name} | {_ms(small_u)} | {_ms(entry)} | "
                f"{_x(over_u, FLOOR_UNCACHED_TARGET)} | {_x(growth, GROWTH_TARGET)} | "
                f"{_ms(small_c)} | {_ms(large_c)} | {_x(over_c, FLOOR_CACHED_TARGET)} |"
            )
            if over_u and over_u > FLOOR_UNCACHED_TARGET:
                misses.append(f"{name} uncached at {b}: {over_u:.1f}× the floor")
            if growth and growth > GROWTH_TARGET:
                misses.append(f"{name} uncached: {growth:.2f}× its figure at {a}")
            if over_c and over_c > FLOOR_CACHED_TARGET:
                misses.append(f"{name} cached at {b}: {over_c:.1f}× the floor")
    floor_a, floor_b = small.get("floor"), large.get("floor")
    lines += [
        "",
        f"In process (the test client, no server): the floor is {_ms(floor_a)} ms at {a} and "
        f"{_ms(floor_b)} ms at {b}.",
        "",
        f"| answer | uncached {a} | ×floor | uncached {b} | ×floor | cached {a} | ×floor | "
        f"cached {b} | ×floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, uncached_key in (("api", None), ("pages", "rendered")):
        for name, entry in large.get(kind, {}).items():
            first = small.get(kind, {}).get(name)
            u_b = entry[uncached_key] if uncached_key else entry
            u_a = (first[uncached_key] if uncached_key else first) if first else None
            c_a = first["cached"] if first else None
            label = name if kind == "api" else f"page {name}"
            lines.append(
                f"| {label} | {_ms(u_a)} | {_x(_over(u_a, floor_a))} | {_ms(u_b)} | "
                f"{_x(_over(u_b, floor_b))} | {_ms(c_a)} | {_x(_over(c_a, floor_a))} | "
                f"{_ms(entry['cached'])} | {_x(_over(entry['cached'], floor_b))} |"
            )
    return lines, misses


def deep_table(runs: dict[str, dict]) -> tuple[list[str], list]:
    lines = [
        "Computed (caches off), median / p95 ms. Page-numbered API lists: page 1 against the "
        "last page the count cap allows (beyond it a page number is refused); claims and "
        "stances: the first cursor page of 200 against the page 8,000 rows in; the public "
        "sources index: the newest page against the oldest (`?after=`); a root topic: page 1 "
        f"against its last page. Target: the deep page within {DEEP_TARGET}× the first.",
        "",
        "| corpus | list | first page | deep page | deep / first |",
        "|---|---|---|---|---|",
    ]
    misses = []
    for size, data in runs.items():
        for name, entry in data.get("deep_pages", {}).items():
            growth = entry["deep"]["median_ms"] / entry["first"]["median_ms"]
            first, deep = entry["first"], entry["deep"]
            lines.append(
                f"| {size} | {name} `{entry['deep_url']}` | {first['median_ms']:.1f} / "
                f"{first['p95_ms']:.1f} | {deep['median_ms']:.1f} / {deep['p95_ms']:.1f} | "
                f"{_x(growth, DEEP_TARGET)} |"
            )
            if growth > DEEP_TARGET:
                misses.append(f"{name} at {size}: the deep page takes {growth:.2f}× the first")
    return lines, misses


def admin_table(runs: dict[str, dict]) -> tuple[list[str], list]:
    sizes = list(runs)
    lines = [
        "Signed in as a superuser, in process; median / p95 ms, the page's size, its queries "
        "and the time the database took for them in one request. Target: within "
        f"{ADMIN_TARGET_MS:.0f} ms (median) at every size.",
        "",
        "| screen | " + " | ".join(f"{s} ms | {s} KB | {s} queries (SQL ms)" for s in sizes) + " |",
        "|---|" + "---|---|---|" * len(sizes),
    ]
    misses = []
    screens = {size: read_json(OUT / f"admin-{size}.json") for size in sizes}
    names = list(screens[sizes[-1]])
    for name in names:
        cells = []
        for size in sizes:
            entry = screens[size].get(name)
            if not entry:
                cells.append("— | — | —")
                continue
            ok = "✓" if entry["median_ms"] <= ADMIN_TARGET_MS else "✗"
            cells.append(
                f"{entry['median_ms']:.1f} / {entry['p95_ms']:.1f} {ok} | "
                f"{entry['bytes'] / 1024:,.0f} | {entry['queries']} ({entry.get('sql_ms', '–')})"
            )
            if entry["median_ms"] > ADMIN_TARGET_MS:
                misses.append(f"admin {name} at {size}: {entry['median_ms']:.0f} ms")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines, misses


def editorial_table(runs: dict[str, dict]) -> tuple[list[str], list]:
    any_run = next((d["editorial"] for d in runs.values() if "editorial" in d), None)
    if any_run is None:
        return ["Not run."], []
    lines = [
        f"{any_run['readers']} readers picking at random among {any_run['urls']} page and API "
        f"URLs, {any_run['seconds']:.0f} s per scenario, gunicorn {any_run['workers']} "
        f"processes × {any_run['threads']} threads on the same 2 cores as the readers. "
        "A publication takes a published source back to draft or publishes it again "
        "(alternately): a withdrawal makes the answers it touches stale at once, a publication "
        "lets an answer built less than "
        f"{any_run.get('settle_seconds', 0)} s before stand (PUBLIC_PAGE_SETTLE_SECONDS). "
        "A draft edit changes the note of a claim on a draft source. Targets: "
        f"with one publication a second, reader throughput at least "
        f"{MIX_THROUGHPUT_TARGET:.0%} and p95 within {MIX_P95_TARGET}× of the no-edit mix; "
        "draft edits leave the readers' figures as they are.",
        "",
        "| corpus | scenario | reader req/s | p50 ms | p95 ms | failed | writes | one write "
        "takes (median / max ms) | req/s vs no edits | p95 vs no edits |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    misses = []
    for size, data in runs.items():
        scenarios = data.get("editorial", {}).get("scenarios", {})
        base = scenarios.get("no edits")
        for name, entry in scenarios.items():
            share = entry["requests_per_s"] / base["requests_per_s"] if base else None
            p95 = entry["p95_ms"] / base["p95_ms"] if base else None
            write = (
                f"{entry['write_median_ms']:.0f} / {entry['write_max_ms']:.0f}"
                if entry.get("writes")
                else "–"
            )
            checked = name != "no edits" and "5 s" not in name
            share_mark = (" ✓" if share >= MIX_THROUGHPUT_TARGET else " ✗") if checked else ""
            p95_mark = (" ✓" if p95 <= MIX_P95_TARGET else " ✗") if checked else ""
            lines.append(
                f"| {size} | {name} | {entry['requests_per_s']:.0f} | {entry['median_ms']:.0f} "
                f"| {entry['p95_ms']:.0f} | {entry['failures']} | {entry['writes']} | {write} | "
                f"{share:.0%}{share_mark} | {p95:.2f}×{p95_mark} |"
            )
            if checked and share < MIX_THROUGHPUT_TARGET:
                misses.append(f"mix at {size}, {name}: reader throughput {share:.0%}")
            if checked and p95 > MIX_P95_TARGET:
                misses.append(f"mix at {size}, {name}: reader p95 {p95:.2f}× the no-edit mix")
    return lines, misses


def export_job_table(runs: dict[str, dict]) -> tuple[list[str], list]:
    lines = [
        "A whole-corpus export run as a background job (`claims/jobs.py`, RQ on Redis): one "
        "`manage.py run_worker` process, its peak resident memory (VmHWM) sampled while it "
        f"runs (bench/jobs.py; the database named in DATABASE_URL, DEBUG=0). Target: under "
        f"{EXPORT_MEMORY_TARGET_MB} MB.",
        "",
        "| corpus | job | claims | time | claims/s | file | worker peak memory | command |",
        "|---|---|---|---|---|---|---|---|",
    ]
    misses = []
    found = False
    for size in runs:
        job = read_json(OUT / f"export-job-{size}.json")
        if not job:
            continue
        found = True
        ok = job["peak_mb"] < EXPORT_MEMORY_TARGET_MB
        claims = f"{job['claims']:,}"
        if job.get("total"):  # stopped before the end
            claims = f"{job['claims']:,} of {job['total']:,} (unfinished)"
        size_cell = f"{job['bytes'] / 1e6:,.0f} MB" if job.get("bytes") else "—"
        lines.append(
            f"| {size} | {job['kind']} | {claims} | {job['seconds']:.0f} s | "
            f"{job['claims'] / job['seconds']:,.0f} | {size_cell} | "
            f"{job['peak_mb']:.0f} MB {'✓' if ok else '✗'} | `{job['command']}` |"
        )
        if not ok:
            misses.append(f"export job at {size}: {job['peak_mb']:.0f} MB")
    return (lines if found else ["Not run."]), misses
