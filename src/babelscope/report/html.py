"""The report page: one self-contained HTML file per run, read from the store only.

Self-contained means no network request of any kind: styles and script are inlined, charts are
inline SVG, fonts are the system's, and a Content-Security-Policy forbids fetching anything,
so the file can be mailed, archived or opened offline and shows exactly what the run stored.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

from ..version import __version__
from ..store import RunInfo, Store
from .comparison import models_in, render_comparison
from .fmt import DASH, esc, fmt_duration, fmt_time, json_for_script, slug
from .sections import SectionContext, section_renderer

log = logging.getLogger("babelscope.report")

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")
#: Artifacts longer than this (as JSON text) are cut in the report (the store keeps them whole).
ARTIFACT_CHARS = 20_000


def default_report_path(store: Store, run_id: str) -> Path:
    """``<workspace>/reports/<run_id>.html``, beside the store file."""
    return store.path.parent / "reports" / f"{run_id}.html"


def write_report(store: Store, run_id: str, path: str | Path | None = None) -> Path:
    """Write the run's report (run id, unique prefix or "latest") and return its path.

    Written to a temporary file and renamed, so a reader never sees half a report.
    """
    run = store.run(run_id)
    out = Path(path).expanduser() if path is not None else default_report_path(store, run.run_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(store, run.run_id)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def render_report(store: Store, run_id: str) -> str:
    """The report's HTML text."""
    run = store.run(run_id)
    rows = store.results(run.run_id)
    artifacts = store.artifacts(run.run_id)
    sections = []
    models = models_in(rows)
    if len(models) > 1:  # a study of several models: the comparison first, then each model's sections
        html = render_comparison(rows, lambda name: store.items(run.run_id, name), str(run.config.get("pivot") or ""))
        sections.append(("s-models", "Model comparison", html))
    for m_i, model in enumerate(models or [None]):
        own = [r for r in rows if model is None or r.get("model") in (model, None if m_i == 0 else model)]
        arts = artifacts if m_i == 0 else {**artifacts, **{k.rsplit("@", 1)[0]: v for k, v in artifacts.items()
                                                            if k.endswith(f"@{model}")}}
        for i, name in enumerate(_section_order(run, own)):
            sec_rows = [r for r in own if r["name"] == name]
            ctx = SectionContext(name, sec_rows, run, arts, store)
            title, html = _render_section(ctx)
            if len(models) > 1:
                title = f"{title} · {model}" if any(r.get("model") for r in sec_rows) else title
            sections.append((f"s{m_i}-{i}-{slug(name)}", title, html))
    # --- h-transfer (issue 13): a card per language of the run (report/cards.py) ---
    from .cards import render_cards

    cards = render_cards(artifacts)
    if cards:
        sections.append(("language-cards", "Language cards", cards))
    # --- end h-transfer ---
    toc = "".join(f'<a href="#{sid}">{esc(title)}</a>' for sid, title, _ in sections)
    if artifacts:
        toc += '<a href="#artifacts">Artifacts</a>'
    toc += '<a href="#config">Configuration</a>'
    body = "".join(
        f'<section id="{sid}"><h2>{esc(title)}</h2>{html}</section>' for sid, title, html in sections
    ) or '<p class="warning">This run stored no result rows.</p>'
    data = {"run": run.to_dict(), "rows": [{k: v for k, v in r.items() if k != "tag"} for r in rows]}
    return "".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>babelscope report {esc(run.run_id)}</title>",
        f"<style>{_asset('report.css')}</style></head><body>",
        _header(run, rows, toc),
        f"<main>{body}{_artifacts(artifacts)}{_config(run)}</main>",
        f"<footer>babelscope {esc(__version__)} &middot; report generated {esc(fmt_time(time.time()))} "
        "&middot; self-contained: this file makes no network requests. The rows shown are embedded "
        "below as JSON (<code>#babelscope-data</code>).</footer>",
        f'<script type="application/json" id="babelscope-data">{json_for_script(data)}</script>',
        f"<script>{_asset('report.js')}</script>",
        "</body></html>\n",
    ])


def _render_section(ctx: SectionContext) -> tuple[str, str]:
    fn, title = section_renderer(ctx.name, ctx.rows)
    kind = ctx.rows[0].get("kind") if ctx.rows else ""
    langs = len({r.get("language") for r in ctx.rows})
    meta = (f'<p class="lede">{esc(kind)} <code>{esc(ctx.name)}</code> &middot; {langs} language(s) '
            f"&middot; {len(ctx.rows)} row(s)</p>")
    try:
        return title, meta + fn(ctx)
    except Exception as e:  # a broken plugin renderer must not cost the user the whole report
        log.exception("report section %s failed", ctx.name)
        from .sections import render_generic

        note = (f'<p class="warning">The custom view of this section failed '
                f"({esc(type(e).__name__)}: {esc(e)}); showing the generic tables.</p>")
        return title, meta + note + render_generic(ctx)


def _section_order(run: RunInfo, rows: list[dict[str, Any]]) -> list[str]:
    """The configured analyses' order first, then names in the order their rows were stored."""
    names: dict[str, None] = {}
    present = {r["name"] for r in rows}
    for a in run.config.get("analyses") or []:
        if isinstance(a, str) and a in present:
            names.setdefault(a, None)
    for r in rows:
        names.setdefault(r["name"], None)
    return list(names)


def _header(run: RunInfo, rows: list[dict[str, Any]], toc: str) -> str:
    cfg = run.config
    langs: dict[str, str] = {}
    for r in rows:
        langs.setdefault(str(r.get("language")), str(r.get("language_name") or ""))
    if langs:
        shown = ", ".join(f"{t}" for t in langs)
        lang_html = f"{len(langs)}: <code>{esc(shown)}</code>"
    elif cfg.get("languages"):
        lang_html = f"<code>{esc(_text(cfg.get('languages')))}</code>"
    else:
        lang_html = DASH
    corpus = _text(cfg.get("corpus"))
    if cfg.get("split"):
        corpus += f" ({_text(cfg.get('split'))})"
    status_cls = {"finished": "", "running": " warn"}.get(run.status, " bad")
    duration = fmt_duration(run.finished - run.created) if run.finished else DASH
    facts = [
        ("status", f'<span class="badge{status_cls}">{esc(run.status)}</span>'),
        ("command", f"<code>{esc(run.command)}</code>"),
        ("model", f"<code>{esc(_text(cfg.get('model')) or DASH)}</code>"),
        ("corpus", f"<code>{esc(corpus or DASH)}</code>"),
        ("pivot", f"<code>{esc(_text(cfg.get('pivot')) or DASH)}</code>"),
        ("languages", lang_html),
        ("analyses", esc(", ".join(_section_order(run, rows)) or DASH)),
        ("created", esc(fmt_time(run.created))),
        ("finished", f"{esc(fmt_time(run.finished))} ({esc(duration)})"),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts)
    return (
        '<header class="run">'
        f'<h1>babelscope report<span class="sub">run <code>{esc(run.run_id)}</code></span></h1>'
        f'<div class="signature" title="Two results are comparable only when their signatures match">'
        f'<span class="k">signature</span><code>{esc(run.signature or DASH)}</code></div>'
        f'<dl class="facts">{dl}</dl>'
        f'<nav class="toc">{toc}</nav>'
        '<p class="tools"><button type="button" data-download="csv">Download rows (CSV)</button>'
        '<button type="button" data-download="json">Download rows (JSON)</button></p>'
        "</header>"
    )


def _artifacts(artifacts: dict[str, Any]) -> str:
    if not artifacts:
        return ""
    parts = ['<section id="artifacts"><h2>Artifacts</h2>']
    for name, data in artifacts.items():
        text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
        cut = ""
        if len(text) > ARTIFACT_CHARS:
            cut = f" (first {ARTIFACT_CHARS:,} of {len(text):,} characters)"
            text = text[:ARTIFACT_CHARS]
        parts.append(f"<details><summary>{esc(name)}{esc(cut)}</summary><pre class=\"blob\">{esc(text)}</pre></details>")
    return "".join(parts) + "</section>"


def _config(run: RunInfo) -> str:
    text = json.dumps(run.config, ensure_ascii=False, indent=1, default=str)
    return (f'<section id="config"><h2>Configuration</h2><details><summary>Run configuration (JSON)</summary>'
            f'<pre class="blob">{esc(text)}</pre></details></section>')


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _asset(name: str) -> str:
    """Inline CSS/JS shipped beside this module; made safe to sit inside its element."""
    text = resources.files("babelscope.report").joinpath(name).read_text(encoding="utf-8")
    return text.replace("</", "<\\/")
