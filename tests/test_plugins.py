"""Third-party plugins: a small package installed (a dist-info with entry points on sys.path,
exactly what pip writes) adds an analysis and a task that babelscope finds by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN = '''
from babelscope.analyses.base import AnalysisOutput
from babelscope.results import ResultRow
from babelscope.tasks.base import MULTIPLE_CHOICE, Item, Task


def script_share(ctx):
    """How many characters of each language's first segment are letters (a toy analysis)."""
    corpus = ctx.corpus()
    out = AnalysisOutput()
    for lang in ctx.all_languages:
        code = corpus.code_for(lang)
        text = corpus.segments(code, corpus.shared_ids([code])[:1])[0]
        out.rows.append(ResultRow(name="script_share", metric="letters", language=lang,
                                  value=sum(c.isalpha() for c in text) / len(text), corpus_code=code, n=1))
    return out


script_share.needs_model = False


class Echo(Task):
    name = "echo"
    languages = {"en": "en", "sw": "sw"}

    def items(self, code, source, condition):
        return [Item(id="1", kind=MULTIPLE_CHOICE, context="a", target=0, continuations=(" b", " c"),
                     choice_texts=("b", "c"))]
'''


def _install(root: Path) -> dict[str, str]:
    pkg = root / "bs_plugin_demo"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    dist = root / "bs_plugin_demo-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: bs-plugin-demo\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(textwrap.dedent("""
        [babelscope.analyses]
        script_share = bs_plugin_demo:script_share

        [babelscope.tasks]
        echo = bs_plugin_demo:Echo
    """), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    return env


def test_plugin_analysis_runs_in_a_study_and_plugin_task_is_registered(tmp_path):
    env = _install(tmp_path / "site")
    study = tmp_path / "s.toml"
    study.write_text('languages = ["de", "sw"]\nanalyses = ["script_share"]\nworkspace = "ws"\n', encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "babelscope", "--quiet", "run", str(study), "--json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    rows = json.loads(res.stdout)["rows"]
    from babelscope.corpora import open_corpus
    from babelscope.languages import Language

    corpus = open_corpus("udhr", [Language.parse(x) for x in ("en", "de", "sw")])
    for r in rows:  # each value recomputed here from the corpus itself
        code = corpus.code_for(Language.parse(r["language"]))
        text = corpus.segments(code, corpus.shared_ids([code])[:1])[0]
        assert r["value"] == sum(c.isalpha() for c in text) / len(text)
    assert {r["language"] for r in rows} == {"en", "de", "sw"}

    probe = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        from babelscope.tasks.base import TASKS, get_task
        from babelscope.analyses.registry import ANALYSES
        t = get_task("echo")
        e = ANALYSES.entry("script_share")
        print(type(t).__name__, "echo" in list(TASKS), e.plugin, e.needs_model)
    """)], env=env, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["Echo", "True", "bs-plugin-demo", "False"]


def test_without_the_plugin_the_names_are_unknown(tmp_path):
    res = subprocess.run([sys.executable, "-m", "babelscope", "run", "--analyses", "script_share",
                          "--languages", "de"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "unknown analysis 'script_share'" in res.stderr
