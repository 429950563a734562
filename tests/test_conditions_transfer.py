"""The demos=<language> and script=native|latin conditions: parsing, prompts, romanisation.

Expected prompts are rebuilt in the tests from the raw data (the XCOPA sample rows, the UDHR
corpus) and expected romanisations come from calling uroman directly, not through babelscope.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babelscope.conditions import parse_conditions
from babelscope.errors import BabelscopeError, ConfigError
from babelscope.tasks.base import Condition, DataSource, get_task


def test_old_condition_names_are_unchanged_and_evaluation_still_exports_the_parser():
    from babelscope.evaluation import parse_conditions as from_evaluation

    assert from_evaluation is parse_conditions
    assert Condition().name == "lit=default|shots=default|demos=same"
    assert Condition(script="latin").name == "lit=default|shots=default|demos=same|script=latin"


def test_demos_take_any_language_and_are_canonicalised():
    conds = parse_conditions("demos=en,deu,Swahili,yo")
    assert [c.demos for c in conds] == ["en", "de", "sw", "yo"]
    assert conds[1].demo_language().iso639_3 == "deu"


def test_script_axis_multiplies_the_other_axes():
    names = [c.name for c in parse_conditions("shots=1;demos=same,sw;script=native,latin")]
    assert names == ["lit=default|shots=1|demos=same", "lit=default|shots=1|demos=same|script=latin",
                     "lit=default|shots=1|demos=sw", "lit=default|shots=1|demos=sw|script=latin"]


@pytest.mark.parametrize("spec,needle", [("demos=en,qqx", "qqx"), ("script=cyrillic", "cyrillic"),
                                         ("scritp=latin", "scritp")])
def test_bad_condition_specs_name_the_value(spec, needle):
    with pytest.raises(ConfigError) as e:
        parse_conditions(spec)
    assert needle in str(e.value)


def test_a_task_without_the_demo_language_fails_up_front():
    xcopa = get_task("xcopa")
    with pytest.raises(ConfigError, match="demos=en"):
        xcopa.check_condition(Condition(demos="en"))  # XCOPA has no English split
    with pytest.raises(ConfigError, match="same language or English"):
        get_task("tumlu").check_condition(Condition(shots=1, demos="sw"))
    xcopa.check_condition(Condition(shots=1, demos="sw"))  # Swahili is an XCOPA language


def _xcopa_rows(root: Path, code: str, split: str) -> list[dict]:
    path = next(p for p in [root / "data" / code / f"{split}.{code}.jsonl", root / code / f"{split}.{code}.jsonl"]
                if p.exists())
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_xcopa_cross_lingual_demonstrations_come_from_the_source_language(shared_data):
    root = shared_data / "xcopa"
    items = get_task("xcopa").items("th", DataSource(root), Condition(shots=1, demos="sw"))
    sw_val = _xcopa_rows(root, "sw", "val")
    th_test = _xcopa_rows(root, "th", "test")
    demo, test = items[0].context.split("\n\n")
    # The demonstration is a Swahili validation premise (minus its final stop) with the
    # Swahili connector; the question is the Thai test premise.
    assert any(demo.startswith(r["premise"].strip()[:-1]) for r in sw_val)
    assert any(w in demo for w in ("kwa hiyo", "kwa sababu"))
    assert test.startswith(th_test[0]["premise"].strip()[:-1])


def test_script_latin_romanises_items_with_uroman(shared_data):
    import uroman

    u = uroman.Uroman()
    src = DataSource(shared_data / "xcopa")
    task = get_task("xcopa")
    native = task.items("th", src, Condition())
    latin = task.items("th", src, Condition(script="latin"))
    assert len(native) == len(latin)
    for n, lt in zip(native[:5], latin[:5]):
        assert lt.context == u.romanize_string(n.context, lcode="tha")
        assert lt.continuations == tuple(u.romanize_string(c, lcode="tha") for c in n.continuations)
        assert lt.target == n.target and lt.context.isascii()
    # A Latin-script language is left exactly as it is (uroman would strip its accents).
    it_native = task.items("it", src, Condition())[0]
    assert task.items("it", src, Condition(script="latin"))[0].context == it_native.context


def test_udhr_demonstrations_never_show_the_test_article():
    task = get_task("udhr_continuation")
    task.code_for("de")
    task.code_for("sw")
    plain = task.items("de", DataSource(), Condition())
    spans_sw, _, _ = task.spans("sw", DataSource())
    spans_de, _, _ = task.spans("de", DataSource())
    items = task.items("de", DataSource(), Condition(shots=2, demos="sw"))
    assert len(items) == len(plain)
    for it, base, (number, ctx, gold) in zip(items, plain, spans_de):
        prefix = it.context[: len(it.context) - len(base.context)]
        assert it.context.endswith(base.context) and it.continuations == base.continuations
        blocks = [b for b in prefix.split("\n\n") if b]
        assert len(blocks) == 2
        used = [s for s in spans_sw if f"{s[1]} {s[2]}" in blocks]
        assert len(used) == 2, "each demonstration is a Swahili context + its true continuation"
        assert all(s[0] != number for s in used), "the test article's translation is never a demonstration"


def test_naming_a_demo_language_turns_on_demonstrations():
    task = get_task("udhr_continuation")
    assert task.shots_for(Condition()) == 0
    assert task.shots_for(Condition(demos="en")) == task.default_demo_shots == 2
    assert task.shots_for(Condition(demos="en", shots=0)) == 0


def test_rows_carry_the_source_language_as_typed_fields():
    from babelscope.languages import Language
    from babelscope.results import ResultRow
    from babelscope.transfer.matrix import annotate_rows, matrices_from_rows

    rows = [ResultRow(name="t", metric="acc", language=Language.parse(t), value=v, kind="task",
                      extra={"task": "t", "subset": "all", "condition": f"lit=default|shots=default|demos={s}"})
            for (s, t, v) in [("sw", "de", 0.5), ("de", "sw", 0.25), ("de", "de", 0.75), ("sw", "sw", 0.5)]]
    annotate_rows(rows)
    d = rows[0].to_dict()
    sw = Language.parse("sw")
    assert (d["source_language"], d["source_iso639_3"], d["source_script"], d["source_family"]) == \
        (sw.tag, sw.iso639_3, sw.script, sw.family)
    assert (d["language"], d["iso639_3"]) == ("de", "deu")
    [m] = matrices_from_rows([r.to_dict() for r in rows])
    assert [s.tag for s in m.sources] == ["sw", "de"] and [t.tag for t in m.targets] == ["de", "sw"]
    assert m.get(Language.parse("de"), Language.parse("sw")).value == 0.25


def test_unknown_task_language_for_demos_is_a_user_error():
    with pytest.raises(BabelscopeError):
        get_task("mgsm").check_condition(Condition(shots=1, demos="yo"))


def test_romanised_corpus_and_the_share_of_the_gap_the_script_explains():
    import uroman

    from babelscope.corpora.base import ParallelCorpus
    from babelscope.corpora.romanized import romanize_corpus
    from babelscope.languages import Language
    from babelscope.transfer.script_effect import gap_share

    langs = {"ru": Language.parse("ru"), "de": Language.parse("de")}
    corpus = ParallelCorpus("t", "1", {"ru": {"s1": "Все люди рождаются свободными"},
                                       "de": {"s1": "Alle Menschen sind frei geboren, Würde"}}, langs)
    rom = romanize_corpus(corpus)
    assert rom.texts["ru"]["s1"] == uroman.Uroman().romanize_string("Все люди рождаются свободными", lcode="rus")
    assert rom.texts["de"] == corpus.texts["de"]  # Latin script: untouched (umlaut kept)
    assert corpus.texts["ru"]["s1"].startswith("Все")  # the original is not modified
    # Closed form: premium 2.0 native, 1.5 romanised, pivot 1.0 -> half the gap is the script.
    assert gap_share(2.0, 1.5, 1.0) == 0.5
    assert gap_share(1.0, 1.3, 1.0) is None
