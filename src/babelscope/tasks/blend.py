"""BLEnD (Myung et al. 2024) short answers: everyday cultural knowledge, 16 regions, 13 languages.

Data as published: ``annotations/<Region>_data.json`` ({id: question, en_question,
annotations [{answers, en_answers, count}], idks {idk, no-answer, not-applicable}}) and
``prompts/<Region>_prompts.csv`` (id, English, Translation; the paper uses inst-4 and pers-3).

Scoring follows the authors' ``soft_exact_match`` + ``lemma_check`` (blend_scoring.py):
questions where annotators mostly could not answer, or with no annotations at all, are
skipped; a local-language run matches the local answers (with the language's lemmatiser) and
then the English ones, an English run only the English ones. Where an official lemmatiser
does not install offline babelscope substitutes one, and the signature says which
(:func:`BLEnD.signature_notes`).
"""

from __future__ import annotations

import json
from typing import Any

from .base import GENERATE, Condition, DataSource, Item, Task, TaskError
from .blend_scoring import REGION_LANGUAGE, answerable, sem_scores, signature_note
from .data import field, first_existing, read_rows
from .schema import TEXT, Spec, check_row

REGIONS = {
    "UK": "en-GB", "US": "en-US", "South_Korea": "ko-KR", "North_Korea": "ko-KP", "China": "zh-Hans",
    "Spain": "es-ES", "Mexico": "es-MX", "Indonesia": "id", "Greece": "el", "Ethiopia": "am",
    "Iran": "fa", "Algeria": "ar-DZ", "Azerbaijan": "az", "West_Java": "su", "Assam": "as",
    "Northern_Nigeria": "ha",
}


def keep_question(idks: dict[str, Any]) -> bool:
    """The authors' filter on annotator abstentions (see blend_scoring.answerable)."""
    return answerable({"idks": idks, "annotations": [None]})


class BLEnD(Task):
    name = "blend"
    kind = GENERATE
    description = "BLEnD short-answer cultural knowledge (SEM-B / SEM-W)"
    languages = dict(REGIONS)
    metrics = ("sem_b", "sem_w")
    default_literals = "native"
    supports_shots = False
    prompt_id = "inst-4"

    def _root(self, source: DataSource):
        d = source.require_dir(self.name)
        return d / "data" if (d / "data" / "annotations").is_dir() else d

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        root = self._root(source)
        path = first_existing([root / "annotations" / f"{code}_data.json"], self.name, code)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise TaskError(f"task 'blend', language {code}: {path} is not JSON ({e})") from None
        prompts = {field(r, "id"): r for r in read_rows(first_existing([root / "prompts" / f"{code}_prompts.csv"], self.name, code), self.name, code)}
        if self.prompt_id not in prompts:
            raise TaskError(f"task 'blend', language {code}: prompt {self.prompt_id!r} missing from {root / 'prompts'}")
        english = self.literals_for(condition) == "en"
        column = "English" if english else "Translation"
        check_row(prompts[self.prompt_id], {column: TEXT})
        template = prompts[self.prompt_id][column]
        out = []
        for n, (qid, q) in enumerate(data.items(), 1):
            where = f"task 'blend', language {code}, {path} question {qid!r} (#{n})"
            if not isinstance(q, dict) or "annotations" not in q or ("question" not in q and "en_question" not in q):
                raise TaskError(f"{where}: needs question/en_question and annotations")
            text_key = "en_question" if english or "question" not in q else "question"
            check_row({**q, "_where": where}, {"annotations": Spec("list"), text_key: TEXT,
                                               "idks": Spec("mapping", required=False)})
            if not answerable(q):  # unannotated / mostly unanswerable: the official scorer skips them
                continue
            question = q["en_question"] if english else q.get("question", q.get("en_question"))
            prompt = template.replace("{q}", str(question))
            out.append(Item(id=qid, kind=GENERATE, context=prompt, target=q["annotations"], stop=("\n\n",),
                            max_tokens=64, meta={"english_run": english, "question": str(question)}))
        return out

    def score(self, item: Item, response: Any, code: str) -> dict[str, Any]:
        language = "English" if item.meta.get("english_run") else REGION_LANGUAGE.get(code, "English")
        b, w = sem_scores(None if response is None else str(response), item.target, language,
                          english_run=language == "English", prompt=item.context)
        return {"response": None if response is None else str(response), "sem_b": b, "sem_w": w}

    def signature_notes(self, codes: list[str], english: bool = False) -> str:
        """Where this run's lemmatisers differ from the official scorer's, for the signature."""
        langs = sorted({"English"} | ({REGION_LANGUAGE.get(c, "English") for c in codes} if not english else set()))
        return ";".join(f"{lang}:{signature_note(lang)}" for lang in langs)
