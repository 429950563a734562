"""BLEnD (Myung et al. 2024) short answers: everyday cultural knowledge, 16 regions, 13 languages.

Data as published: ``annotations/<Region>_data.json`` ({id: question, en_question,
annotations [{answers, en_answers, count}], idks {idk, no-answer, not-applicable}}) and
``prompts/<Region>_prompts.csv`` (id, English, Translation; the paper uses inst-4 and pers-3).

Scoring follows the authors: questions where annotators mostly could not answer are skipped
(no-answer + not-applicable >= 3, or idk >= 5). A response matches an annotation when one of
its answers occurs in the response (also with '-' and ' ' swapped or removed), else when every
token of the answer occurs among the response's tokens after normalisation (case, accents,
punctuation). SEM-B is 1 for any match; SEM-W weights the match by the annotation's votes
relative to the most-voted one. The authors additionally lemmatise a few languages; we do not.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from .base import GENERATE, Condition, DataSource, Item, Task, TaskError
from .data import field, first_existing, read_rows
from .schema import TEXT, Spec, check_row

REGIONS = {
    "UK": "en-GB", "US": "en-US", "South_Korea": "ko-KR", "North_Korea": "ko-KP", "China": "zh-Hans",
    "Spain": "es-ES", "Mexico": "es-MX", "Indonesia": "id", "Greece": "el", "Ethiopia": "am",
    "Iran": "fa", "Algeria": "ar-DZ", "Azerbaijan": "az", "West_Java": "su", "Assam": "as",
    "Northern_Nigeria": "ha",
}


def keep_question(idks: dict[str, Any]) -> bool:
    """The authors' filter: drop questions most annotators could not answer."""
    na = int(idks.get("no-answer", 0) or 0) + int(idks.get("not-applicable", 0) or 0)
    return na < 3 and int(idks.get("idk", 0) or 0) < 5


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c) or ord(c) > 0x2FF)
    return re.sub(r"[^\w\s-]", " ", text)


def _variants(answer: str) -> set[str]:
    a = normalise(answer).strip()
    return {v for v in (a, a.replace("-", " "), a.replace(" ", "-"), a.replace("-", ""), a.replace(" ", "")) if v}


def matches(response: str, answer: str) -> bool:
    r = normalise(response)
    if any(v in r for v in _variants(answer)):
        return True
    tokens = set(r.replace("-", " ").split())
    want = normalise(answer).replace("-", " ").split()
    return bool(want) and all(t in tokens for t in want)


def sem_scores(response: str, annotations: list[dict[str, Any]]) -> tuple[float, float]:
    """(SEM-B, SEM-W) of one response against the question's annotations."""
    counts = [int(a.get("count", 1) or 1) for a in annotations]
    top = max(counts, default=1)
    best = 0
    for a, c in zip(annotations, counts):
        answers = list(a.get("answers") or []) + list(a.get("en_answers") or [])
        if any(matches(response, str(x)) for x in answers if str(x).strip()):
            best = max(best, c)
    return float(best > 0), best / top


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
            if not keep_question(q.get("idks") or {}):
                continue
            question = q["en_question"] if english else q.get("question", q.get("en_question"))
            out.append(Item(id=qid, kind=GENERATE, context=template.replace("{q}", str(question)),
                            target=q["annotations"], stop=("\n\n",), max_tokens=64))
        return out

    def score(self, item: Item, response: Any, code: str) -> dict[str, Any]:
        b, w = sem_scores(str(response), item.target)
        return {"response": str(response), "sem_b": b, "sem_w": w}
