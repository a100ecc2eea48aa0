"""Lighthouse's accessibility audit of every public page type, at phone and desktop sizes: the
score must be 100. Run by `make audit` (Lighthouse from npm, tests/browser/js; Debian's
Chromium), offline against the live server; skipped by a plain `pytest` run, which has axe-core
(test_accessibility_browser.py) for the same pages."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import CHROMIUM, SCREENSHOTS
from .test_accessibility_browser import PAGES

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "")
REPORTS = SCREENSHOTS.parent / "lighthouse"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.audit,
    pytest.mark.skipif(not LIGHTHOUSE, reason="`make audit` runs Lighthouse (LIGHTHOUSE unset)"),
]


def lighthouse(url: str, *, desktop: bool, report: Path) -> dict:
    command = [
        LIGHTHOUSE,
        url,
        "--only-categories=accessibility",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run "
        "--disable-background-networking --disable-component-update",
    ]
    if desktop:
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    subprocess.run(command, check=True, env=env, timeout=180, capture_output=True)
    return json.loads(report.read_text(encoding="utf-8"))


def failing_audits(result: dict) -> list[str]:
    audits = result["audits"]
    refs = result["categories"]["accessibility"]["auditRefs"]
    failing = []
    for ref in refs:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            items = audit.get("details", {}).get("items", [])
            where = [item.get("node", {}).get("snippet", "")[:120] for item in items[:3]]
            failing.append(f"{ref['id']}: {audit['title']} {where}")
    return failing


@pytest.mark.parametrize("desktop", [False, True], ids=["phone", "desktop"])
def test_accessibility_scores_100(live_server, seeded, desktop):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    REPORTS.mkdir(parents=True, exist_ok=True)
    scores, failures = {}, {}
    for name, path in PAGES.items():
        form = "desktop" if desktop else "phone"
        result = lighthouse(
            live_server.url + path, desktop=desktop, report=REPORTS / f"{name}-{form}.json"
        )
        scores[name] = round(result["categories"]["accessibility"]["score"] * 100)
        if scores[name] < 100:
            failures[name] = failing_audits(result)
    assert failures == {}, scores
