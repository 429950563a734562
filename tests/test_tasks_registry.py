"""Every registered task imports, and every language it declares resolves to a Language."""

from __future__ import annotations

import pytest

from babelscope.tasks.base import TASKS, get_task


@pytest.mark.parametrize("name", list(TASKS))
def test_task_loads_and_languages_resolve(name):
    t = get_task(name)
    assert t.name == name
    codes = t.language_codes()
    assert set(codes) == set(t.languages)
    tags = [lang.tag for lang in codes.values()]
    assert len(tags) == len(set(tags)), "two dataset codes resolve to the same language"


def test_declared_language_counts():
    assert len(get_task("global_mmlu").languages) == 42
    assert len(get_task("belebele").languages) == 122
    assert len(get_task("xcopa").languages) == 11
    assert len(get_task("mgsm").languages) == 11
    assert len(get_task("m3exam").languages) == 9
