"""Global-MMLU (Singh et al. 2024): MMLU in 42 languages, with culturally sensitive subsets.

Every item counts in "all" and in one of CS (culturally sensitive), CA (culturally agnostic) or
unannotated (label "-"): the paper's point is that model rankings change between CS and CA, so
the three are reported as separate rows, never only the blend.

The default prompt is lm-evaluation-harness's ("{question}\\nA. ...\\nAnswer:", 0-shot);
demonstrations come from the dev split, the first k, as its "full" variant samples them.
The generative formulation is simple-evals' multilingual MMLU prompt ("Answer the following
multiple choice question ... 'Answer: $LETTER' ...", options as "A) ..."), read with its
multilingual answer patterns (extraction.mmmlu_letter).
"""

from __future__ import annotations

from pathlib import Path

from .base import GENERATE, Condition, DataSource, Item, Task, TaskError
from .data import field, hub_rows, read_rows
from .extraction import mmmlu_letter
from .schema import OPTION, TEXT, check_row
from .mc_format import demo_block, letters_and_words, lettered_item, lettered_prompt

FULL_LANGS = ("am ar bn cs de el en es fa fil fr ha he hi id ig it ja ko ky lt mg ms ne nl ny pl "
              "pt ro ru si sn so sr sv sw te tr uk vi yo zh").split()
LITE_LANGS = "ar bn de en es fr hi id it ja ko my pt sw yo zh".split()
LETTERS = ("A", "B", "C", "D")
#: simple-evals' QUERY_TEMPLATE_MULTICHOICE (the generative prompt of MMLU/MMMLU runs).
GENERATE_TEMPLATE = ("Answer the following multiple choice question. The last line of your response should be of the "
                     "following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by "
                     "step before answering.\n\n{question}\n\nA) {a}\nB) {b}\nC) {c}\nD) {d}")

#: What every Global-MMLU row must hold (answer letters are checked where they are read).
ROW = {"question": TEXT, **{f"option_{x}": OPTION for x in "abcd"}, "answer": TEXT}


def subset_of(label: object) -> str:
    """CS / CA / unannotated from ``cultural_sensitivity_label`` ('-' or empty: unannotated)."""
    text = str(label or "").strip().upper()
    if text in ("CS", "CA"):
        return text
    return "unannotated"


def find_file(d: Path, code: str, split: str) -> Path | None:
    """The local file of one language and split, in the layouts the dataset is published in."""
    pats = [f"{code}/{split}.jsonl", f"{code}/{split}.json", f"{code}/{split}.csv", f"{code}/{split}.parquet",
            f"{code}/{split}-*.parquet", f"global_mmlu_{split}_{code}.json", f"data/global_mmlu_{split}_{code}.json",
            f"{code}_{split}.jsonl", f"{split}.{code}.jsonl", f"{split}/{code}.jsonl"]
    for pat in pats:
        hits = sorted(d.glob(pat))
        if hits:
            return hits[0]
    return None


class GlobalMMLU(Task):
    name = "global_mmlu"
    description = "Global-MMLU, all / culturally sensitive (CS) / agnostic (CA) / unannotated"
    hub_repo = "CohereLabs/Global-MMLU"
    languages = {c: c for c in FULL_LANGS}
    supports_demos_any = True
    metrics = ("acc",)
    default_literals = "en"
    supports_generate = True

    def extract(self, response: str, code: str, item: Item) -> str | None:
        return mmmlu_letter(response)

    def rows(self, code: str, source: DataSource, split: str) -> list[dict]:
        if source.data_dir is None:
            return hub_rows(self.name, code, self.hub_repo, code, split)
        d = source.require_dir(self.name)
        path = find_file(d, code, split)
        if path is None:
            raise TaskError(f"task {self.name!r}, language {code}: no {split} file under {d} "
                            f"(expected e.g. {d / code / (split + '.jsonl')} or {d / f'global_mmlu_{split}_{code}.json'})")
        return read_rows(path, self.name, code)

    def _prompt(self, row: dict, letters, answer_word: str) -> tuple[str, int]:
        check_row(row, ROW)
        options = [str(field(row, f"option_{x}")) for x in "abcd"]
        answer = str(field(row, "answer")).strip().upper()
        if answer not in LETTERS:
            raise TaskError(f"{row['_where']}: answer {answer!r} is not one of A, B, C, D")
        return lettered_prompt(str(field(row, "question")), options, letters, answer_word), LETTERS.index(answer)

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        lits = self.literals_for(condition)
        letters, answer_word, _, _ = letters_and_words(code, lits, 4)
        prefix = ""
        shots = self.shots_for(condition)
        if shots:
            demo_code = self.demo_code(code, condition)  # h-transfer: any demo language
            demo_letters, demo_answer, _, _ = (letters, answer_word, None, None) if demo_code == code \
                else letters_and_words("en", lits if lits != "native" else "en", 4) if demo_code == "en" \
                else letters_and_words(demo_code, lits, 4)
            demos = []
            for r in self.rows(demo_code, source, "dev")[:shots]:
                p, g = self._prompt(r, demo_letters, demo_answer)
                demos.append(p + " " + demo_letters[g])
            prefix = demo_block(demos)
        out = []
        for i, r in enumerate(self.rows(code, source, source.split or "test")):
            p, gold = self._prompt(r, letters, answer_word)
            sub = subset_of(r.get("cultural_sensitivity_label"))
            options = [str(r[f"option_{x}"]) for x in "abcd"]
            meta = {"subject": r.get("subject"), "question": str(r.get("question", "")), "options": options}
            qid = str(r.get("sample_id") or i)
            if condition.formulation == "generate":
                text = GENERATE_TEMPLATE.format(question=str(r["question"]).strip(), a=options[0], b=options[1],
                                                c=options[2], d=options[3])
                out.append(Item(id=qid, kind=GENERATE, context=text, target=gold, max_tokens=512, subsets=(sub,),
                                meta={**meta, "formulation": "generate", "labels": list(LETTERS),
                                      "gold_label": LETTERS[gold]}))
            else:
                out.append(lettered_item(qid, prefix, p, letters, gold, subsets=(sub,), meta=meta))
        return out


class GlobalMMLULite(GlobalMMLU):
    name = "global_mmlu_lite"
    description = "Global-MMLU Lite (balanced CS/CA, 16 languages)"
    hub_repo = "CohereLabs/Global-MMLU-Lite"
    languages = {c: c for c in LITE_LANGS}
