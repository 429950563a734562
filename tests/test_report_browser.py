"""The report in a real browser: headless Chromium driven by Playwright for Python.

Uses the system Chromium (Debian's ``chromium``; or $BABELSCOPE_CHROMIUM), never a browser
download. Where there is no Chromium or no playwright, every test here is skipped with the
reason printed. One browser serves the whole module, one page load per check, so the file
runs in a few seconds.

The report is built from rows whose every string field (task variant, corpus code, subset and
condition labels as task data supplies them, language names, the run's command and
configuration, artifacts) carries injected markup; the browser must run no injected script,
create no injected element and follow no javascript: link.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from babelscope.languages import Language
from babelscope.report import write_report
from babelscope.results import ResultRow
from babelscope.store import Store

pytestmark = pytest.mark.xdist_group("browser")  # one browser per run under -n 2 --dist loadgroup

INJECTIONS = [
    "<script>alert('s1')</script>",
    "<img src=x onerror=alert('img')>",
    "</script><script>alert('close')</script>",
    '<a href="javascript:alert(\'js\')">click</a>',
    "\u202egnp.exe<svg onload=alert('svg')>",
    "\"'><iframe srcdoc=\"<script>alert('if')</script>\">",
]
EVIL = " ".join(INJECTIONS)
LANGS = ["en", "sw", "hi", "ar", "yo", "am", "it", "tr"]


def _chromium() -> str | None:
    for cand in (os.environ.get("BABELSCOPE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if cand and (shutil.which(cand) or Path(cand).is_file()):
            return shutil.which(cand) or cand
    return None


def _skip(reason: str) -> None:
    print(f"\nbrowser tests skipped: {reason}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip("playwright is not installed (pip install playwright; it is in the dev extra)")
    exe = _chromium()
    if exe is None:
        _skip("no Chromium found (apt-get install chromium, or set BABELSCOPE_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _rows(evil: str) -> list[ResultRow]:
    rows = []
    for i, tag in enumerate(LANGS):
        lang = Language.parse(tag)
        for j, tok in enumerate(("gpt2", f"tok {evil}")):
            rows.append(ResultRow("tokenizers", "premium", lang, 1.0 + 0.3 * i + 0.1 * j, variant=tok,
                                  corpus_code=f"{tag} {evil}", extra={"language_name": f"{lang.name} {evil}"}))
        rows.append(ResultRow("bits_per_byte", "bits_per_byte", lang, 0.8 + 0.05 * i, corpus_code=evil))
        acc = 0.9 - 0.07 * i
        rows.append(ResultRow("xcopa", "acc", lang, acc, kind="task", n=100, ci_low=acc - 0.08, ci_high=acc + 0.08,
                              extra={"subset": "all", "condition": f"lit=default {evil}"}))
        rows.append(ResultRow("xcopa", "acc", lang, acc - 0.1, kind="task", n=40,
                              extra={"subset": f"CS {evil}", "condition": f"lit=default {evil}"}))
        for layer in range(4):
            rows.append(ResultRow("alignment", "score", lang, min(1.0, 0.2 * layer + 0.05 * i),
                                  extra={"layer": layer}))
        rows.append(ResultRow("alignment", "mean", lang, 0.4 + 0.03 * i))
        rows.append(ResultRow(f"custom {evil}", f"m {evil}", lang, 0.5, variant=evil, extra={evil: evil}))
    return rows


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("browser")
    store = Store(d / "results.sqlite")
    cfg = {"model": f"hf:{evil_path()}", "corpus": EVIL, "languages": LANGS + [EVIL], "pivot": "en",
           "analyses": ["tokenizers", "bits_per_byte", "alignment"]}
    rid = store.start_run(f"run {EVIL}", f"model:{EVIL}|babelscope:0.1.0", cfg)
    store.add_results(rid, _rows(EVIL), artifacts={EVIL: {EVIL: [EVIL]}})
    store.finish_run(rid)
    path = write_report(store, rid, d / "report.html")
    store.close()
    return path


def evil_path() -> str:
    return "javascript:alert('model')//" + INJECTIONS[1]


def _open(browser, report: Path, width: int = 1400):
    page = browser.new_page(viewport={"width": width, "height": 900})
    events: dict[str, list[str]] = {"dialogs": [], "errors": [], "requests": []}
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("request", lambda r: events["requests"].append(r.url) if not r.url.startswith("file:") else None)
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    return page, events


def test_charts_render_without_console_errors(browser, report):
    page, ev = _open(browser, report)
    sizes = page.eval_on_selector_all(
        "svg.chart", "els => els.map(e => { const b = e.getBoundingClientRect(); "
                     "return [b.width, b.height, e.querySelectorAll('rect').length]; })")
    assert len(sizes) >= 5  # grouped premium, bpb, xcopa, heatmap + its legend, alignment mean
    for w, h, rects in sizes:
        assert w > 100 and h > 20 and rects > 0
    assert page.locator("svg.chart .whisker").count() == len(LANGS)  # one CI whisker per language
    assert page.locator("svg.chart line.chance").count() >= 1
    assert page.locator("svg.chart rect.bar.pivot").count() >= 1
    assert ev["errors"] == [] and ev["requests"] == []
    page.close()


def test_sorting_a_numeric_column(browser, report):
    page, ev = _open(browser, report)
    table = page.locator("table.sortable", has=page.locator("th[data-type=num]")).first
    head = table.locator("thead th[data-type=num]").first
    col = head.evaluate("th => th.cellIndex")
    values = ("t => Array.from(t.tBodies[0].rows).map(r => r.cells[%d].getAttribute('data-value'))"
              ".filter(v => v !== null && v !== '').map(Number)" % col)
    head.click()
    up = table.evaluate(values)
    assert len(up) >= 2 and up == sorted(up)
    head.click()
    down = table.evaluate(values)
    assert down == sorted(up, reverse=True)
    assert head.get_attribute("aria-sort") == "descending"
    assert ev["errors"] == []
    page.close()


def test_injected_markup_runs_nothing_and_creates_nothing(browser, report):
    page, ev = _open(browser, report)
    page.wait_for_timeout(200)  # give any injected handler the chance to fire
    for a in page.locator("a[href]").all()[:5]:
        a.click(no_wait_after=True)  # javascript: links would fire here
    assert ev["dialogs"] == []
    counts = page.evaluate("""() => ({
        scripts: document.scripts.length,
        foreign: document.querySelectorAll('img, iframe, object, embed, svg[onload], [onerror], [onload]').length,
        jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    })""")
    assert counts == {"scripts": 2, "foreign": 0, "jsLinks": 0}
    assert "<script>alert('s1')</script>" in page.inner_text("body")  # shown as text, not run
    assert ev["errors"] == [] and ev["requests"] == []
    page.close()


@pytest.mark.parametrize("width", [420, 1400])
def test_no_horizontal_overflow(browser, report, width, tmp_path):
    page, ev = _open(browser, report, width)
    page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"page is {scroll}px wide in a {inner}px window"
    wide = page.eval_on_selector_all(
        "svg.chart", f"els => els.filter(e => e.getBoundingClientRect().right > {width} + 1).length")
    assert wide == 0
    page.close()
