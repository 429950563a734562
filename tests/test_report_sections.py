"""Report sections for benchmark evaluation, language fidelity and Multi-IF.

The rows come from the real code paths (evaluation.plan/execute/rows_for with a scripted
runner, fidelity.report_output, multi_if.result_rows), stored in a real Store and rendered; the
expected numbers are worked out here from the fixtures, independently of the report.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from babelscope.evaluation import execute, parse_conditions, plan, rows_for
from babelscope.languages import Language
from babelscope.report import render_report
from babelscope.report import sections as sections_mod
from babelscope.report.sections import register_fallback, render_generic, section_renderer
from babelscope.store import Store
from babelscope.tasks.base import DataSource, get_task

from report_html import parse_report, table_by_caption

EVIL = "<script>alert(1)</script>\"'&"
TAG = re.compile(r"\[(\w+):(\d+)\]")

# -- a Global-MMLU fixture whose accuracies are known by construction ---------------------------

LANGS = ["en", "sw", "de"]
#: cultural_sensitivity_label of item i ("-": unannotated) and its gold letter
LABELS = ["CS", "CA", "-", "CS", "CA", "CA", "CS", "-"]
GOLD = [i % 4 for i in range(len(LABELS))]
SUBSET = {"CS": "CS", "CA": "CA", "-": "unannotated"}
#: items answered right, per (language, English answer word in the prompt?)
RIGHT = {
    ("en", True): {0, 1, 2, 3, 4, 5, 6},
    ("sw", True): {0, 1, 4},
    ("sw", False): {0, 1, 2, 4, 5, 6},
    ("de", True): {1, 3, 4, 5, 7},
    ("de", False): {0, 3},
}
#: MGSM: the response per (language, item) and the reference answers
MGSM = {"en": [("12", "The answer is 12."), ("7", "It is 8."), ("30", "I cannot say."), ("4", "So 4")],
        "sw": [("12", "Jibu ni 12."), ("7", "sijui"), ("30", "hapana"), ("4", "5")]}


def expected_acc(code: str, english: bool, subset: str = "all") -> float:
    idx = [i for i, lab in enumerate(LABELS) if subset == "all" or SUBSET[lab] == subset]
    return sum(i in RIGHT[(code, english)] for i in idx) / len(idx)


class ScriptedRunner:
    """Multiple choice: items tagged "[code:i]" are answered as RIGHT says, others by a hash.
    Generation: MGSM's scripted responses, and FLORES segments copied from the reference for
    even segments."""

    def __init__(self, references: dict[str, str] | None = None):
        self.references = references or {}

    def loglikelihood(self, requests):
        out = []
        for r in requests:
            m = TAG.search(r.context)
            if m is None:  # udhr_continuation: deterministic, language-dependent
                out.append(-(sum(map(ord, r.context[-7:] + r.continuation)) % 97) / 10)
                continue
            code, i = m.group(1), int(m.group(2))
            english = r.context.rstrip().endswith("Answer:")
            pred = GOLD[i] if i in RIGHT[(code, english)] else (GOLD[i] + 1) % 4
            out.append(0.0 if r.continuation.strip() == "ABCD"[pred] else -5.0)
        return out

    def generate(self, requests):
        out = []
        for r in requests:
            m = TAG.search(r.context)
            if m is not None:
                out.append(MGSM[m.group(1)][int(m.group(2))][1])
            else:
                src_line = r.context.rstrip().rsplit("\n", 1)[0]
                out.append(self.references.get(src_line, "nothing like it"))
        return out


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _global_mmlu_data(d: Path) -> Path:
    for code in LANGS:
        _jsonl(d / code / "test.jsonl", [
            {"sample_id": f"{code}/{i}", "subject": "x", "question": f"[{code}:{i}] What?", "option_a": "a",
             "option_b": "b", "option_c": "c", "option_d": "d", "answer": "ABCD"[GOLD[i]],
             "cultural_sensitivity_label": lab} for i, lab in enumerate(LABELS)])
    return d


def _eval_rows(tasks, languages, data_dir, conditions=None, pivot="en", runner=None, limit=None):
    slices = plan(tasks, languages, DataSource(data_dir), parse_conditions(conditions), limit)
    execute(slices, runner or ScriptedRunner())
    return rows_for(slices, Language.parse(pivot), n_boot=50)


def _store_run(tmp_path, out, config, command="eval"):
    store = Store(tmp_path / "ws" / "results.sqlite")
    rid = store.start_run(command, "sig", config)
    store.add_results(rid, out.rows, out.items, out.artifacts)
    store.finish_run(rid)
    return store, rid


def _section(text: str, title: str) -> str:
    """The HTML of the section whose heading is ``title``."""
    m = re.search(r'<section id="[^"]*"><h2>' + re.escape(title) + r"</h2>(.*?)</section>", text, flags=re.S)
    assert m, f"no section {title!r}: {re.findall(r'<h2>(.*?)</h2>', text)}"
    return m.group(1)


def _num(cell) -> float | None:
    v = cell.attrs.get("data-value")
    return float(v) if v else None


@pytest.fixture
def mmlu_run(tmp_path):
    out = _eval_rows([get_task("global_mmlu")], LANGS, _global_mmlu_data(tmp_path / "gm"))
    store, rid = _store_run(tmp_path, out, {"model": "scripted", "tasks": ["global_mmlu"], "pivot": "en",
                                             "conditions": ["lit=default|shots=default|demos=same"]})
    yield store, rid
    store.close()


# -- evaluation ---------------------------------------------------------------------------------


def test_eval_section_accuracy_ci_n_and_gap_to_pivot(mmlu_run):
    store, rid = mmlu_run
    text = render_report(store, rid)
    assert "Evaluation: global_mmlu" in text and "custom view" not in text
    p = parse_report(text)
    t = table_by_caption(p, "Per language")
    recs = {r["Language"].text: r for r in t.records()}
    assert list(recs) == LANGS
    stored = {r["language"]: r for r in store.results(rid) if r["subset"] == "all" and r["metric"] == "acc"}
    # Global-MMLU's default prompt ends in "Answer:" in every language (lit=default is English)
    exp = {c: expected_acc(c, True) for c in LANGS}
    assert len(set(exp.values())) == 3  # the fixture tells the languages apart
    for code in LANGS:
        cell = recs[code]["acc"]
        assert _num(cell) == pytest.approx(exp[code])
        assert f"95% CI {stored[code]['ci_low']!r} to {stored[code]['ci_high']!r}" in cell.attrs["title"]
        assert _num(recs[code]["n"]) == len(LABELS) and recs[code]["n"].text == str(len(LABELS))
        assert _num(recs[code]["gap to en"]) == pytest.approx(exp[code] - exp["en"])
    assert recs["en"]["gap to en"].text == "0.000"
    assert recs["sw"]["Script"].text == "Latn" and recs["sw"]["Family"].text == "Atlantic-Congo"
    assert "sortable" in t.classes
    # one condition: no conditions matrix, and the summary's macro mean is over languages
    assert not [tb for tb in p.tables if "by language and condition" in tb.caption]
    summary = table_by_caption(p, "Mean over languages (macro: each language counts once)").records()[0]
    assert _num(summary["mean acc"]) == pytest.approx(sum(exp.values()) / 3)
    assert _num(summary["acc of en"]) == pytest.approx(exp["en"])
    # a bar chart of the headline metric, with the pivot's line
    sec = _section(text, "Evaluation: global_mmlu")
    assert sec.count('<svg class="chart"') == 1 and "pivot en" in sec
    # roll-ups by script and family over languages
    fam = {r["Family"].text: r for r in table_by_caption(p, "By family: mean over languages").records()}
    assert _num(fam["Indo-European"]["mean acc"]) == pytest.approx((exp["en"] + exp["de"]) / 2)


def test_global_mmlu_cultural_subsets_side_by_side(mmlu_run):
    store, rid = mmlu_run
    p = parse_report(render_report(store, rid))
    t = table_by_caption(p, "acc on all items (ALL), culturally sensitive (CS), culturally agnostic (CA) "
                            "and unannotated items")
    head = [h.text for h in t.head]
    assert head[head.index("ALL"):head.index("ALL") + 5] == ["ALL", "CS", "CA", "unannotated", "CS - CA"]
    for r in t.records():
        code = r["Language"].text
        for sub, col in (("all", "ALL"), ("CS", "CS"), ("CA", "CA"), ("unannotated", "unannotated")):
            assert _num(r[col]) == pytest.approx(expected_acc(code, True, sub)), (code, sub)
        assert _num(r["CS - CA"]) == pytest.approx(expected_acc(code, True, "CS") - expected_acc(code, True, "CA"))
        assert [_num(r[f"n {s}"]) for s in ("CS", "CA", "unannotated")] == [3, 3, 2]
    # subsets are not repeated as a generic "By subset" table
    assert not [tb for tb in p.tables if "by language and subset" in tb.caption]


def test_conditions_matrix(tmp_path):
    conds = parse_conditions("lit=native,en")
    out = _eval_rows([get_task("global_mmlu")], LANGS, _global_mmlu_data(tmp_path / "gm"), "lit=native,en")
    store, rid = _store_run(tmp_path, out, {"pivot": "en", "conditions": [c.name for c in conds]})
    p = parse_report(render_report(store, rid))
    t = table_by_caption(p, "acc by language and condition")
    native, english = (c.name for c in conds)
    assert [h.text for h in t.head][-3:] == [native, english, "spread (max - min)"]
    for r in t.records():
        code = r["Language"].text
        a, b = expected_acc(code, code == "en"), expected_acc(code, True)
        assert _num(r[native]) == pytest.approx(a) and _num(r[english]) == pytest.approx(b)
        assert _num(r["spread (max - min)"]) == pytest.approx(abs(a - b))
    # the per-language table has one row per (condition, language), gap taken within a condition
    recs = table_by_caption(p, "Per language").records()
    assert [(r["Condition"].text, r["Language"].text) for r in recs] == [(c.name, lang) for c in conds for lang in LANGS]
    sw_native = next(r for r in recs if r["Condition"].text == native and r["Language"].text == "sw")
    assert _num(sw_native["gap to en"]) == pytest.approx(expected_acc("sw", False) - expected_acc("en", True))
    # roll-ups are per condition
    script = table_by_caption(p, "By script: mean over languages").records()
    assert [r["condition"].text for r in script] == [native, english]
    store.close()


def test_generative_task_shows_extraction_failures(tmp_path):
    for code, rows in MGSM.items():
        (tmp_path / f"mgsm_{code}.tsv").write_text(
            "".join(f"[{code}:{i}] How many?\t{ans}\n" for i, (ans, _) in enumerate(rows)), encoding="utf-8")
    out = _eval_rows([get_task("mgsm")], ["en", "sw"], tmp_path)
    store, rid = _store_run(tmp_path, out, {"pivot": "en"})
    t = table_by_caption(parse_report(render_report(store, rid)), "Per language")
    recs = {r["Language"].text: r for r in t.records()}
    # en: 12 right, 8 wrong, nothing extracted from "I cannot say.", 4 right; sw: 12 right, 5 wrong, two failures
    assert _num(recs["en"]["exact_match"]) == pytest.approx(2 / 4)
    assert _num(recs["en"]["extraction failures"]) == pytest.approx(1 / 4)
    assert _num(recs["sw"]["exact_match"]) == pytest.approx(1 / 4)
    assert _num(recs["sw"]["extraction failures"]) == pytest.approx(2 / 4)
    assert _num(recs["sw"]["gap to en"]) == pytest.approx(1 / 4 - 2 / 4)  # gap is on the headline metric
    assert "scored as wrong" in t.head[t.column("extraction failures")].attrs["title"]
    store.close()


def _udhr_ll(context: str, continuation: str) -> float:
    """Scripted log-likelihood that grows with the option's length, so per-byte normalisation
    changes some predictions (acc and acc_norm differ on this fixture)."""
    per_byte = 1 + (sum(map(ord, context[-7:] + continuation)) % 13) / 50  # 1.00 .. 1.24 nats a byte
    return -per_byte * len(continuation.encode("utf-8"))


class _UDHRRunner(ScriptedRunner):
    def loglikelihood(self, requests):
        return [_udhr_ll(r.context, r.continuation) for r in requests]


def test_derived_task_is_labelled_and_shows_byte_normalised_accuracy(tmp_path):
    out = _eval_rows([get_task("udhr_continuation")], ["en", "sw"], None, limit=6, runner=_UDHRRunner())
    store, rid = _store_run(tmp_path, out, {"pivot": "en"})
    text = render_report(store, rid)
    sec = _section(text, "Evaluation: udhr_continuation")
    assert '<span class="badge warn">derived</span>' in sec and "not a published" in sec
    recs = {r["Language"].text: r for r in table_by_caption(parse_report(text), "Per language").records()}
    # expected: the scripted log-likelihoods recomputed here from each item's own context and
    # options; acc takes the largest, acc_norm the largest per UTF-8 byte of the bare option
    items = {s.language.tag: s.items for s in plan([get_task("udhr_continuation")], ["en", "sw"],
                                                    DataSource(None), parse_conditions(None), 6)}
    expected: dict[tuple[str, str], float] = {}
    for lang, its in items.items():
        acc = norm = 0
        for it in its:
            lls = [_udhr_ll(it.context, c) for c in it.continuations]
            per_byte = [ll / max(1, len(t.encode("utf-8"))) for ll, t in zip(lls, it.choice_texts)]
            acc += lls.index(max(lls)) == it.target
            norm += per_byte.index(max(per_byte)) == it.target
        expected[(lang, "acc")], expected[(lang, "acc_norm")] = acc / len(its), norm / len(its)
    assert any(expected[(lang, "acc")] != expected[(lang, "acc_norm")] for lang in items)  # the columns differ
    for (lang, metric), value in expected.items():
        assert _num(recs[lang][metric]) == pytest.approx(value), (lang, metric)
    assert "UTF-8 length in bytes" in text  # what acc_norm means is said
    store.close()


def test_translation_directions_matrix(tmp_path):
    flores = {"eng_Latn": "The cat sleeps on the warm mat today.", "deu_Latn": "Die Katze schläft heute auf der warmen Matte.",
              "fra_Latn": "Le chat dort aujourd'hui sur le tapis chaud."}
    for split in ("dev", "devtest"):
        d = tmp_path / "flores" / split
        d.mkdir(parents=True)
        for code, sent in flores.items():
            (d / f"{code}.{split}").write_text("".join(f"{sent} ({k})\n" for k in range(4)), encoding="utf-8")
    task = get_task("flores_translation")
    task.sources = ("en", "de")
    runner = ScriptedRunner({f"English: {flores['eng_Latn']} (0)": f"{flores['fra_Latn']} (0)",
                             f"German: {flores['deu_Latn']} (1)": f"{flores['fra_Latn']} (1)",
                             f"English: {flores['eng_Latn']} (2)": f"{flores['deu_Latn']} (2)"})
    out = _eval_rows([task], ["de", "fr"], tmp_path / "flores", runner=runner)
    store, rid = _store_run(tmp_path, out, {"pivot": "en", "sources": ["en", "de"]})
    text = render_report(store, rid)
    assert "Translation: flores_translation (chrF++)" in text
    p = parse_report(text)
    # expected cells: sacrebleu's corpus chrF++ on the hypotheses the scripted runner returns
    # (the reference for segments it knows, "nothing like it" otherwise), devtest lines 0-3
    import sacrebleu

    def src_line(lang_name, code, k):
        return f"{lang_name}: {flores[code]} ({k})"

    def hyp(lang_name, code, k):
        return runner.references.get(src_line(lang_name, code, k), "nothing like it")

    def chrf(hyps, refs):
        return sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score

    fr_refs = [f"{flores['fra_Latn']} ({k})" for k in range(4)]
    de_refs = [f"{flores['deu_Latn']} ({k})" for k in range(4)]
    cell = {("from=en", "fr"): chrf([hyp("English", "eng_Latn", k) for k in range(4)], fr_refs),
            ("from=de", "fr"): chrf([hyp("German", "deu_Latn", k) for k in range(4)], fr_refs),
            ("all", "de"): chrf([hyp("English", "eng_Latn", k) for k in range(4)], de_refs)}
    assert cell[("from=en", "fr")] != cell[("from=de", "fr")]
    stored = {(r["subset"], r["language"]): r["value"] for r in store.results(rid) if r["metric"] == "chrf_corpus"}
    for k, v in cell.items():
        assert stored[k] == pytest.approx(v), k
    t = table_by_caption(p, "chrf_corpus by direction: target (rows) x source (columns)")
    recs = {r["Language"].text: r for r in t.records()}
    assert _num(recs["fr"]["from en"]) == pytest.approx(cell[("from=en", "fr")])
    assert _num(recs["fr"]["from de"]) == pytest.approx(cell[("from=de", "fr")])
    # German's only source is English: its "all" row is the en -> de cell; de -> de is not a direction
    assert _num(recs["de"]["from en"]) == pytest.approx(cell[("all", "de")])
    assert recs["de"]["from de"].text == "\u2014" and "same language" in recs["de"]["from de"].attrs["title"]
    means = {r["Source"].text: r for r in table_by_caption(p, "chrf_corpus by source language: mean over targets").records()}
    assert _num(means["en"]["mean chrf_corpus"]) == pytest.approx((cell[("from=en", "fr")] + cell[("all", "de")]) / 2)
    assert _num(means["de"]["Targets"]) == 1
    store.close()


# -- fidelity -----------------------------------------------------------------------------------

#: Per language, four completions: one passes, one has an English line (line error), one is too
#: short to judge (skipped), one has an English word (word error; WPR is for ru and zh only).
FIDELITY_COMPLETIONS = [
    "один два три четыре пять шесть",
    "ENGLISHLINE one two three four five",
    "short",
    "один два house три четыре пять",
]


def test_fidelity_section_groups_and_aggregates(tmp_path):
    from babelscope.analyses.fidelity import report_output, score_completions
    from test_fidelity import WORDS, MarkerLid

    records = [{"source": src, "language": lang, "completion": c}
               for src, langs in (("okapi", ("ru", "fr")), ("sharegpt", ("ru",)))
               for lang in langs for c in FIDELITY_COMPLETIONS[: 4 if src == "okapi" else 2]]
    out = report_output(score_completions(records, MarkerLid("ru"), WORDS))
    store, rid = _store_run(tmp_path, out, {"lid": "marker"}, command="fidelity")
    text = render_report(store, rid)
    assert "Language fidelity</h2>" in text
    p = parse_report(text)
    # okapi/ru: 3 judged, 1 line error -> LPR 2/3; of the 2 without, 1 has an English word -> WPR 1/2
    # okapi/fr: the MarkerLid says "ru" for non-English lines, so every judged fr completion fails
    # sharegpt/ru: 2 judged, 1 line error -> LPR 1/2, WPR 1 (no English word in the one left)
    lpr = {("okapi", "ru"): 2 / 3, ("okapi", "fr"): 0.0, ("sharegpt", "ru"): 1 / 2}
    wpr = {("okapi", "ru"): 1 / 2, ("sharegpt", "ru"): 1.0}
    groups = {(r["Source"].text, r["LCB code"].text): r for r in table_by_caption(p, "Per source and language").records()}
    assert set(groups) == set(lpr)
    for k, r in groups.items():
        assert _num(r["LPR"]) == pytest.approx(lpr[k]), k
        assert _num(r["WPR"]) == (pytest.approx(wpr[k]) if k in wpr else None), k
    assert [_num(groups[("okapi", "ru")][c]) for c in ("n", "skipped", "completions")] == [3, 1, 4]
    assert "ar, hi, ja, ko, ru" in groups[("okapi", "fr")]["WPR"].attrs["title"]  # why fr has no WPR
    # per language: mean over its sources; overall: mean over languages; per source: over its languages
    langs = {r["Language"].text: r for r in table_by_caption(p, "Per language: mean over sources").records()}
    ru_lpr, ru_wpr = (2 / 3 + 1 / 2) / 2, (1 / 2 + 1.0) / 2
    assert _num(langs["ru"]["LPR"]) == pytest.approx(ru_lpr) and _num(langs["ru"]["WPR"]) == pytest.approx(ru_wpr)
    assert _num(langs["ru"]["LCPR"]) == pytest.approx(2 * ru_lpr * ru_wpr / (ru_lpr + ru_wpr))
    assert [_num(langs["ru"][c]) for c in ("n", "skipped")] == [5, 1]
    overall = table_by_caption(p, "Overall: mean over languages").records()
    assert len(overall) == 1 and _num(overall[0]["LPR"]) == pytest.approx((ru_lpr + 0.0) / 2)
    assert _num(overall[0]["WPR"]) == pytest.approx(ru_wpr)  # only ru has a WPR
    src = {r["Source"].text: r for r in table_by_caption(p, "Per source: mean over languages").records()}
    assert _num(src["okapi"]["LPR"]) == pytest.approx((2 / 3 + 0.0) / 2) and _num(src["sharegpt"]["LPR"]) == pytest.approx(1 / 2)
    assert f"Overall LPR {(ru_lpr / 2):.1%}" in text
    store.close()


def test_task_fidelity_rows_get_the_fidelity_section(tmp_path):
    from babelscope.analyses.fidelity import task_fidelity
    from babelscope.analyses.base import AnalysisOutput
    from test_fidelity import MarkerLid

    rows = task_fidelity("mgsm", ["ENGLISHLINE one two three four five", "un deux trois quatre cinq six"],
                         ["fr", "fr"], MarkerLid("fr"))
    store, rid = _store_run(tmp_path, AnalysisOutput(rows=rows), {"pivot": "en"})
    p = parse_report(render_report(store, rid))
    langs = table_by_caption(p, "Per language: mean over sources").records()
    assert [(r["Language"].text, _num(r["LPR"])) for r in langs] == [("fr", 0.5)]
    store.close()


# -- Multi-IF -----------------------------------------------------------------------------------


def test_multi_if_section_per_turn_and_language(tmp_path):
    from babelscope.analyses.base import AnalysisOutput
    from babelscope.lid import get_identifier
    from babelscope.tasks import multi_if as mi
    from test_multi_if import ANSWERS, ROWS, ScriptedModel, _write

    convs = mi.load_conversations(_write(tmp_path / "d.csv", ROWS))
    groups = mi.score(convs, mi.generate_responses(convs, ScriptedModel(ANSWERS), turns=3), lid=get_identifier("script"))
    out = AnalysisOutput(rows=mi.result_rows(groups, n_boot=50), items=mi.item_records(groups))
    store, rid = _store_run(tmp_path, out, {"turns": 3}, command="multi-if")
    text = render_report(store, rid)
    assert "Multi-IF: multi-turn instruction following" in text
    p = parse_report(text)
    # by hand (test_multi_if): en turn 2 fails no_comma but ends right -> inst strict 1/2, prompt strict 0;
    # hi turn 2 ends right only loosely -> inst loose 1, inst strict 1/2; hi has no turn 3
    detail = {(r["Turn"].text, r["Language"].text): r for r in table_by_caption(p, "Per turn and language").records()}
    assert set(detail) == {("turn1", "en"), ("turn1", "hi"), ("turn2", "en"), ("turn2", "hi"), ("turn3", "en")}
    assert _num(detail[("turn2", "en")]["inst strict"]) == 0.5 and _num(detail[("turn2", "en")]["prompt strict"]) == 0.0
    assert _num(detail[("turn2", "hi")]["inst loose"]) == 1.0 and _num(detail[("turn2", "hi")]["inst strict"]) == 0.5
    assert _num(detail[("turn3", "en")]["instructions"]) == 3 and _num(detail[("turn1", "hi")]["conversations"]) == 1
    overall = {(r["variant"], r["language"]): r["value"] for r in store.results(rid) if r["metric"] == "overall"}
    assert overall[("turn2", "en")] == pytest.approx((0 + 0.5 + 0 + 0.5) / 4)
    m = {r["Language"].text: r for r in table_by_caption(p, "overall by language and turn").records()}
    for (turn, lang), v in overall.items():
        assert _num(m[lang][turn]) == pytest.approx(v)
    assert _num(m["en"]["turn3 - turn1"]) == pytest.approx(overall[("turn3", "en")] - overall[("turn1", "en")])
    assert m["hi"]["turn3"].text == "\u2014" and "reached this turn" in m["hi"]["turn3"].attrs["title"]
    per_turn = {r["Turn"].text: r for r in table_by_caption(p, "Per turn: mean over languages").records()}
    assert _num(per_turn["turn2"]["mean overall"]) == pytest.approx((overall[("turn2", "en")] + overall[("turn2", "hi")]) / 2)
    assert _num(per_turn["turn3"]["Languages"]) == 1
    store.close()


# -- escaping and section lookup ----------------------------------------------------------------


def test_hostile_strings_in_eval_rows_are_escaped(tmp_path):
    out = _eval_rows([get_task("global_mmlu")], LANGS, _global_mmlu_data(tmp_path / "gm"))
    out.rows[:] = [dataclasses.replace(r, name=EVIL, extra={**r.extra, "task": EVIL, "note": EVIL, "condition": EVIL,
                                                              "language_name": EVIL, "derived": True})
                   for r in out.rows]
    store, rid = _store_run(tmp_path, out, {"pivot": EVIL, "conditions": [EVIL]})
    text = render_report(store, rid)
    assert "<script>alert(1)</script>" not in text and "alert(1)</" not in text
    assert len(re.findall(r"<script", text, flags=re.I)) == 2
    p = parse_report(text)
    assert [a.get("type") for a, _ in p.scripts] == ["application/json", None]
    heads = re.findall(r"<h2>(.*?)</h2>", text)
    assert "Evaluation: &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;" in heads
    assert "custom view" not in text  # the eval renderer drew it, not the generic fallback after a failure
    cells = [c.text for t in p.tables for row in t.rows for c in row]
    assert EVIL in cells  # the language name, shown intact as text
    store.close()


def test_section_lookup_by_name_then_row_shape(monkeypatch):
    from babelscope.report import evaluation, fidelity, multi_if

    eval_rows = [{"kind": "task", "name": "xcopa", "subset": "all", "condition": "c", "metric": "acc"}]
    assert section_renderer("xcopa", eval_rows) == (evaluation.render, "Evaluation: xcopa")
    assert section_renderer("multi_if", [{"kind": "task"}])[0] is multi_if.render
    assert section_renderer("fidelity", [])[0] is fidelity.render
    assert section_renderer("xnli:fidelity", [{"kind": "task"}]) == (fidelity.render, "Language fidelity: xnli:fidelity")
    # analyses and rows without the eval keys keep the generic tables; no rows at all too
    assert section_renderer("probe", [{**eval_rows[0], "kind": "analysis"}])[0] is render_generic
    assert section_renderer("xcopa", [{"kind": "task", "metric": "acc"}])[0] is render_generic
    assert section_renderer("xcopa")[0] is render_generic
    # a plugin's fallback goes first; a name's own entry beats any fallback
    monkeypatch.setattr(sections_mod, "_FALLBACKS", list(sections_mod._FALLBACKS))
    register_fallback(lambda name, rows: name.startswith("x"), "babelscope.report.sections:render_generic", "X {name}")
    assert section_renderer("xcopa", eval_rows) == (render_generic, "X xcopa")
    assert section_renderer("xnli:fidelity", [])[1] == "X xnli:fidelity"
    monkeypatch.setitem(sections_mod._REGISTRY, "xcopa", (multi_if.render, "Mine"))
    assert section_renderer("xcopa", eval_rows) == (multi_if.render, "Mine")



def test_translation_rows_get_the_translation_section():
    """Eval rows of a translation task go to translation.render by their shape (one ``from=``
    subset per source, or chrF++ first among the non-failure metrics), whatever the task's name;
    any other headline metric keeps the evaluation section. The rules are those the evaluation
    section applied itself before the choice moved to the section registry."""
    from babelscope.report import evaluation, translation

    def row(metric: str, subset: str = "all") -> dict:
        return {"kind": "task", "name": "ntrex", "subset": subset, "condition": "c", "metric": metric}

    assert section_renderer("ntrex", [row("chrf")]) == (translation.render, "Evaluation: ntrex")
    assert section_renderer("ntrex", [row("extraction_failure"), row("chrf")])[0] is translation.render
    assert section_renderer("ntrex", [row("acc"), row("acc", "from=fr")])[0] is translation.render
    assert section_renderer("ntrex", [row("acc"), row("chrf")])[0] is evaluation.render
    assert section_renderer("ntrex", [row("extraction_failure")])[0] is evaluation.render
