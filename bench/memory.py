"""Peak memory of the streamed exports: `python bench/memory.py <label>`.

Each export runs in a fresh process of its own (`python bench/memory.py <label> --one <url>`)
that starts Django, answers one small request (so that the baseline includes a warmed-up app),
then reads the whole export through the app, as a client would, writing it nowhere. The peak
resident memory of that process (ru_maxrss) is the figure; the baseline is subtracted nowhere.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, PYTHON, ROOT, read_json, say, write_json

EXPORTS = {
    "CSV (one row per stance)": "/api/v1/exports/claims.csv",
    "Web Annotation JSON-LD": "/api/v1/exports/annotations.jsonld",
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def one(url: str) -> dict:
    from bench.common import setup_django

    setup_django()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get("/api/v1/topics/").status_code == 200
    baseline = peak_mb()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return {
        "url": url,
        "seconds": round(time.perf_counter() - started, 1),
        "bytes": size,
        "lines": lines,
        "baseline_mb": round(baseline, 1),
        "peak_mb": round(peak_mb(), 1),
    }


def main() -> None:
    if sys.argv[2:3] == ["--one"]:
        print(json.dumps(one(sys.argv[3])))
        return
    out = OUT / f"{sys.argv[1]}.json"
    data = read_json(out)
    data["exports"] = {}
    for name, url in EXPORTS.items():
        result = subprocess.run(
            [str(PYTHON), __file__, sys.argv[1], "--one", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        data["exports"][name] = json.loads(result.stdout.strip().splitlines()[-1])
        say(f"export {name}: {data['exports'][name]}")
    write_json(out, data)


if __name__ == "__main__":
    main()
