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
    text = render_report(store, run.run_id)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    except OSError as e:
        from ..errors import StoreError

        raise StoreError(f"cannot write the report to {out} ({e.strerror or e}); pass --out FILE "
                         "in a writable folder") from e
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
    """The report's HTML text, from the page template with autoescape on.

    Everything the template prints is escaped unless it is ``Markup``: only the section bodies
    (each section module escapes what it prints) and the inlined CSS, script and JSON are.
    """
    from markupsafe import Markup

    run = store.run(run_id)
    rows = store.results(run.run_id)
    artifacts = store.artifacts(run.run_id)
    sections = []
    models = models_in(rows)
    if len(models) > 1:  # a study of several models: the comparison first, then each model's sections
        html = render_comparison(rows, lambda name: store.items(run.run_id, name), str(run.config.get("pivot") or ""))
        sections.append(("s-models", "Model comparison", Markup(html)))
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
            sections.append((f"s{m_i}-{i}-{slug(name)}", title, Markup(html)))
    # --- h-transfer (issue 13): a card per language of the run (report/cards.py) ---
    from .cards import render_cards

    cards = render_cards(artifacts)
    if cards:
        sections.append(("language-cards", "Language cards", Markup(cards)))
    # --- end h-transfer ---
    cfg = run.config
    langs: dict[str, None] = {}
    for r in rows:
        langs.setdefault(str(r.get("language")), None)
    corpus = _text(cfg.get("corpus"))
    if cfg.get("split"):
        corpus += f" ({_text(cfg.get('split'))})"
    data = {"run": run.to_dict(), "rows": [{k: v for k, v in r.items() if k != "tag"} for r in rows]}
    return _template("page.html.j2").render(
        csp=CSP, run=run, dash=DASH, version=__version__, generated=fmt_time(time.time()),
        status_class={"finished": "", "running": " warn"}.get(run.status, " bad"),
        model=_text(cfg.get("model")), corpus=corpus, pivot=_text(cfg.get("pivot")),
        languages=list(langs), configured_languages=_text(cfg.get("languages")),
        analyses=", ".join(_section_order(run, rows)),
        created=fmt_time(run.created), finished=fmt_time(run.finished),
        duration=fmt_duration(run.finished - run.created) if run.finished else DASH,
        resume=run.resume if run.status in ("interrupted", "failed", "running") else None,
        sections=sections, artifacts=_artifact_blobs(artifacts),
        config_json=json.dumps(run.config, ensure_ascii=False, indent=1, default=str),
        css=Markup(_asset("report.css")), js=Markup(_asset("report.js")),
        data_json=Markup(json_for_script(data)),
    ) + "\n"


def _template(name: str) -> Any:
    """A template from report/templates, autoescape on for every file."""
    global _ENV
    if _ENV is None:
        import jinja2

        _ENV = jinja2.Environment(
            loader=jinja2.PackageLoader("babelscope.report", "templates"),
            autoescape=True, keep_trailing_newline=False, undefined=jinja2.StrictUndefined,
            finalize=_escape_like_esc,
        )
    return _ENV.get_template(name)


_ENV: Any = None


def _escape_like_esc(value: Any) -> Any:
    """Escape as ``fmt.esc`` does (``&quot;``, ``&#x27;``), so template and section text agree;
    autoescape then leaves the Markup alone. Markup (section bodies, inlined assets) passes."""
    from markupsafe import Markup

    return value if isinstance(value, Markup) else Markup(esc(value))


def _artifact_blobs(artifacts: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, JSON text, cut note) per artifact, long ones cut (the store keeps them whole)."""
    out = []
    for name, data in artifacts.items():
        text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
        cut = ""
        if len(text) > ARTIFACT_CHARS:
            cut = f" (first {ARTIFACT_CHARS:,} of {len(text):,} characters)"
            text = text[:ARTIFACT_CHARS]
        out.append((str(name), text, cut))
    return out


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
