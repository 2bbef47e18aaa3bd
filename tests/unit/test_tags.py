"""Tag differences: ``None`` leaves tags alone, ``aws:`` keys are never purged, values become strings."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils.tags import apply_tag_changes, tag_changes


@pytest.mark.parametrize(
    ("current", "desired", "purge", "expected_set", "expected_remove"),
    [
        ({"a": "1"}, None, True, {}, []),
        ({"a": "1"}, None, False, {}, []),
        (None, None, True, {}, []),
        (None, {"a": "1"}, True, {"a": "1"}, []),
        ({}, {}, True, {}, []),
        ({"a": "1"}, {"a": "1"}, True, {}, []),
        ({"a": "1"}, {"a": "2"}, True, {"a": "2"}, []),
        ({"a": "1", "b": "2"}, {"a": "1"}, True, {}, ["b"]),
        ({"a": "1", "b": "2"}, {"a": "1"}, False, {}, []),
        ({"a": "1", "b": "2", "c": "3"}, {}, True, {}, ["a", "b", "c"]),
        ({"c": "3", "a": "1"}, {"b": "2"}, True, {"b": "2"}, ["a", "c"]),
        ({"a": "1", "aws:cloudformation:stack-name": "s"}, {}, True, {}, ["a"]),
        ({"aws:createdBy": "x"}, {"b": "2"}, True, {"b": "2"}, []),
        ({"n": "1"}, {"n": 1}, True, {}, []),
        ({}, {"n": 1, "t": True}, True, {"n": "1", "t": "True"}, []),
        ({"n": "1"}, {"n": 2}, True, {"n": "2"}, []),
    ],
)
def test_tag_changes(current, desired, purge, expected_set, expected_remove):
    assert tag_changes(current, desired, purge) == (expected_set, expected_remove)


@pytest.mark.parametrize(
    ("current", "desired", "purge"),
    [
        ({"a": "1", "b": "2"}, {"a": "9", "c": "3"}, True),
        ({"a": "1", "b": "2"}, {"a": "9", "c": "3"}, False),
        ({"aws:x": "y", "k": "v"}, {}, True),
        (None, {"a": 1}, True),
    ],
)
def test_applying_changes_reaches_the_desired_tags(current, desired, purge):
    after = apply_tag_changes(current, *tag_changes(current, desired, purge))

    expected = {k: v for k, v in (current or {}).items() if not purge or k.startswith("aws:")}
    expected.update({str(k): str(v) for k, v in desired.items()})
    assert after == expected
    assert tag_changes(after, desired, purge) == ({}, [])


@pytest.mark.parametrize(
    ("current", "to_set", "to_remove", "expected"),
    [
        (None, {}, [], {}),
        (None, {"a": "1"}, [], {"a": "1"}),
        ({"a": "1", "b": "2"}, {}, ["b"], {"a": "1"}),
        ({"a": "1"}, {"a": "2"}, ["missing"], {"a": "2"}),
    ],
)
def test_apply_tag_changes(current, to_set, to_remove, expected):
    before = None if current is None else dict(current)

    assert apply_tag_changes(current, to_set, to_remove) == expected
    assert current == before  # the input is not modified
