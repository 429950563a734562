"""Belebele (Bandarkar et al. 2024): reading comprehension over FLORES passages, 122 variants.

Default prompt is lm-evaluation-harness's ("P: passage\nQ: question\nA: ...\nAnswer:",
scored on " A".." D"); the native-literal condition spells the passage/question/answer words
and letters in the target language. Demonstrations are the first k items of the same (or the
English) variant, skipping the item being asked.

The generative formulation is the paper's zero-shot instruction for chat models (passage,
query and "(A) ..." choices between "###" separators, then "Answer:"); the authors publish
no extractor, so the letter is read by extraction.lettered_answer (answer word, "(X)"/"X)"
label, or the bare letter).
"""

from __future__ import annotations

from .base import GENERATE, Condition, DataSource, Item, Task, TaskError
from .extraction import lettered_answer
from .data import field, first_existing, hub_rows, read_rows
from .literals import ANSWER, LATIN_LETTERS, PASSAGE, QUESTION, literal, option_letters
from .mc_format import demo_block, lettered_item
from .schema import OPTION, TEXT, check_row

#: What every Belebele row must hold.
ROW = {"flores_passage": TEXT, "question": TEXT, **{f"mc_answer{k}": OPTION for k in range(1, 5)},
       "correct_answer_num": TEXT}

CODES = tuple("""acm_Arab afr_Latn als_Latn amh_Ethi apc_Arab arb_Arab arb_Latn ars_Arab ary_Arab arz_Arab asm_Beng azj_Latn bam_Latn ben_Beng ben_Latn bod_Tibt bul_Cyrl cat_Latn ceb_Latn ces_Latn ckb_Arab dan_Latn deu_Latn ell_Grek eng_Latn est_Latn eus_Latn fin_Latn fra_Latn fuv_Latn gaz_Latn grn_Latn guj_Gujr hat_Latn hau_Latn heb_Hebr hin_Deva hin_Latn hrv_Latn hun_Latn hye_Armn ibo_Latn ilo_Latn ind_Latn isl_Latn ita_Latn jav_Latn jpn_Jpan kac_Latn kan_Knda kat_Geor kaz_Cyrl kea_Latn khk_Cyrl khm_Khmr kin_Latn kir_Cyrl kor_Hang lao_Laoo lin_Latn lit_Latn lug_Latn luo_Latn lvs_Latn mal_Mlym mar_Deva mkd_Cyrl mlt_Latn mri_Latn mya_Mymr nld_Latn nob_Latn npi_Deva npi_Latn nso_Latn nya_Latn ory_Orya pan_Guru pbt_Arab pes_Arab plt_Latn pol_Latn por_Latn ron_Latn rus_Cyrl shn_Mymr sin_Latn sin_Sinh slk_Latn slv_Latn sna_Latn snd_Arab som_Latn sot_Latn spa_Latn srp_Cyrl ssw_Latn sun_Latn swe_Latn swh_Latn tam_Taml tel_Telu tgk_Cyrl tgl_Latn tha_Thai tir_Ethi tsn_Latn tso_Latn tur_Latn ukr_Cyrl urd_Arab urd_Latn uzn_Latn vie_Latn war_Latn wol_Latn xho_Latn yor_Latn zho_Hans zho_Hant zsm_Latn zul_Latn """.split())


def belebele_prompt(row: dict, letters, words: tuple[str, str, str] | None) -> tuple[str, int]:
    check_row(row, ROW)
    options = [str(field(row, f"mc_answer{k}")) for k in range(1, 5)]
    gold_raw = str(field(row, "correct_answer_num")).strip()
    if gold_raw not in ("1", "2", "3", "4"):
        raise TaskError(f"{row['_where']}: correct_answer_num {gold_raw!r} is not 1-4")
    passage = str(field(row, "flores_passage"))
    question = str(field(row, "question")).strip()
    if words is None:  # lm-evaluation-harness's literal prompt
        head = f"P: {passage}\nQ: {question}\n"
        answer = "Answer"
    else:
        p_word, q_word, answer = words
        head = f"{p_word}: {passage}\n{q_word}: {question}\n"
    body = "".join(f"{letter}: {opt}\n" for letter, opt in zip(letters, options))
    return f"{head}{body}{answer}:", int(gold_raw) - 1


GENERATE_TEMPLATE = ("Given the following passage, query, and answer choices, output the letter corresponding to the "
                     "correct answer.\n###\nPassage:\n{passage}\n###\nQuery:\n{question}\n###\nChoices:\n"
                     "(A) {a}\n(B) {b}\n(C) {c}\n(D) {d}\n###\nAnswer:")


class Belebele(Task):
    name = "belebele"
    description = "Belebele reading comprehension (FLORES passages, 122 variants)"
    languages = {c: c for c in CODES}
    supports_demos_any = True
    metrics = ("acc", "acc_norm")
    default_literals = "en"
    supports_generate = True

    def extract(self, response: str, code: str, item: Item) -> str | None:
        return lettered_answer(response, ("A", "B", "C", "D"))

    def rows(self, code: str, source: DataSource) -> list[dict]:
        if source.data_dir is None:
            return hub_rows(self.name, code, "facebook/belebele", code, "test")
        d = source.require_dir(self.name)
        return read_rows(first_existing([d / f"{code}.jsonl", d / "Belebele" / f"{code}.jsonl",
                                         d / code / "test.jsonl"], self.name, code), self.name, code)

    def _format(self, code: str, lits: str):
        if lits == "native":
            return option_letters(code, 4), (literal(PASSAGE, "PASSAGE", code),
                                             literal(QUESTION, "QUESTION", code), literal(ANSWER, "ANSWER", code))
        return LATIN_LETTERS[:4], None

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        lits = self.literals_for(condition)
        letters, words = self._format(code, lits)
        docs = self.rows(code, source)
        shots = self.shots_for(condition)
        out = []
        demo_rows: list[dict] = []
        if shots:
            demo_code = self.demo_code(code, condition)  # h-transfer: any demo language
            demo_rows = docs if demo_code == code else self.rows(demo_code, source)
            d_letters, d_words = (letters, words) if demo_code == code else \
                self._format("en", "en") if demo_code == "eng_Latn" else self._format(demo_code, lits)
        for i, r in enumerate(docs):
            prompt, gold = belebele_prompt(r, letters, words)
            prefix = ""
            if shots:
                picked = [d for j, d in enumerate(demo_rows) if not (demo_rows is docs and j == i)][:shots]
                demos = []
                for d in picked:
                    p, g = belebele_prompt(d, d_letters, d_words)
                    demos.append(p + " " + d_letters[g])
                prefix = demo_block(demos)
            qid = f"{r.get('link', '')}#{r.get('question_number', i)}" if r.get("link") else str(i)
            options = [str(r[f"mc_answer{k}"]) for k in range(1, 5)]
            meta = {"question": str(r.get("question", "")), "options": options}
            if condition.formulation == "generate":
                text = GENERATE_TEMPLATE.format(passage=str(r["flores_passage"]).strip(), question=str(r["question"]).strip(),
                                                a=options[0], b=options[1], c=options[2], d=options[3])
                out.append(Item(id=qid, kind=GENERATE, context=text, target=gold, max_tokens=64,
                                meta={**meta, "formulation": "generate", "labels": ["A", "B", "C", "D"],
                                      "gold_label": "ABCD"[gold]}))
                continue
            out.append(lettered_item(qid, prefix, prompt, letters, gold, meta=meta))
        return out
