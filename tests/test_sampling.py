"""--limit N as a seeded, stratified sample: properties checked against closed forms."""

from __future__ import annotations

from collections import Counter

import pytest

from babelscope.errors import ConfigError
from babelscope.tasks.base import MULTIPLE_CHOICE, Item
from babelscope.tasks.sampling import allocate, sample_items


def _items(sizes: dict[str, int], text: str = "") -> list[Item]:
    out = []
    for subject, n in sizes.items():  # file order: all of one subject, then the next (as TUMLU)
        for i in range(n):
            out.append(Item(id=f"{subject}/{i}", kind=MULTIPLE_CHOICE, context=f"{text}{subject}{i}", target=0,
                            subsets=(subject.lower(),), meta={"subject": subject}))
    return out


def test_allocation_is_proportional_by_largest_remainder():
    # 10 of 50/30/20: exact quotas 5, 3, 2
    assert allocate({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}
    # 4 of 5/3/2: quotas 2.0, 1.2, 0.8 -> floors 2, 1, 0; one left goes to the largest remainder (c: 0.8)
    assert allocate({"a": 5, "b": 3, "c": 2}, 4) == {"a": 2, "b": 1, "c": 1}
    assert allocate({"a": 2}, 9) == {"a": 2}


def test_sample_spans_subjects_and_head_does_not():
    items = _items({"Biology": 40, "Chemistry": 40, "History": 20})
    got = sample_items(items, 20)
    assert Counter(it.meta["subject"] for it in got) == {"Biology": 8, "Chemistry": 8, "History": 4}
    head = sample_items(items, 20, mode="head")
    assert head == items[:20] and {it.meta["subject"] for it in head} == {"Biology"}
    # dataset order is kept, and the sample is a subset of the items
    pos = [items.index(it) for it in got]
    assert pos == sorted(pos)


def test_sample_is_seeded_identical_across_languages_and_nested():
    az = _items({"Biology": 30, "Physics": 30}, text="az ")
    uz = _items({"Biology": 30, "Physics": 30}, text="uz ")
    a, b = sample_items(az, 10), sample_items(uz, 10)
    assert [x.id for x in a] == [x.id for x in b]            # parallel: same ids in both languages
    assert [x.id for x in sample_items(az, 10)] == [x.id for x in a]  # deterministic
    assert {x.id for x in sample_items(az, 10, seed=7)} != {x.id for x in a}
    # a larger N keeps every item of the smaller one (ranks are fixed per item)
    assert {x.id for x in a} <= {x.id for x in sample_items(az, 20)}


def test_limit_edge_cases():
    items = _items({"x": 3})
    assert sample_items(items, None) == items and sample_items(items, 5) == items
    assert sample_items(items, 0) == []
    with pytest.raises(ConfigError, match="--limit-mode"):
        sample_items(items, 1, mode="first")
