"""In-process checks of the published IFEval/M-IFEval checker variants, for `make mutate`.

tests/test_ifeval_gpt4_published.py reproduces the paper's four GPT-4 numbers through the CLI
(a child process), which mutation testing cannot see (the child imports the installed tree).
The same expectation is asserted here in-process, so a mutant of ifeval/official.py that moves
any of the four numbers is killed. Expected values: the numbers published for GPT-4 in Zhou et
al. 2023 (see that file's docstring), independent of babelscope.
"""

from __future__ import annotations

from pathlib import Path

import pytest

for _module in ("langdetect", "nltk", "punkt"):
    pytest.importorskip(_module)

DATA = Path(__file__).parent / "data" / "ifeval"  # the authors' files, as in test_ifeval_gpt4_published.py
PROMPTS = DATA / "input_data.jsonl"
GPT4 = DATA / "input_response_data_gpt4_20231107_145030.jsonl"
PAPER = {"prompt_strict": 76.89, "inst_strict": 83.57, "prompt_loose": 79.30, "inst_loose": 85.37}


def test_gpt4_responses_give_the_published_numbers_in_process():
    from babelscope.tasks import multi_if as mi

    convs = mi.load_conversations(PROMPTS, checkers="ifeval")
    (g,) = mi.score(convs, mi.read_responses(GPT4, convs), turns=1, checkers="ifeval")
    res = list(g.results)
    assert len(res) == 541
    n_inst = sum(len(r.strict) for r in res)
    got = {
        "prompt_strict": 100 * sum(all(r.strict) for r in res) / len(res),
        "inst_strict": 100 * sum(sum(r.strict) for r in res) / n_inst,
        "prompt_loose": 100 * sum(all(r.loose) for r in res) / len(res),
        "inst_loose": 100 * sum(sum(r.loose) for r in res) / n_inst,
    }
    for metric, published in PAPER.items():
        assert got[metric] == pytest.approx(published, abs=0.01), (metric, got)
