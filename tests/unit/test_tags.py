"""Tag differences: ``None`` leaves tags alone, ``aws:`` keys are never purged, values become strings."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import apply_tag_changes, tag_changes


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


# ---------------------------------------------------------------- what each service accepts (#9)

from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import tag_problem  # noqa: E402

NOC = {"team": "Network (NOC)"}
ALLOWED = " (letters, digits, spaces, _ . : / = + - @)"


@pytest.mark.parametrize(
    ("tags", "service", "expected"),
    [
        # IAM and CloudWatch Logs allow letters, spaces, digits and _ . : / = + - @ only; EC2 allows any.
        (NOC, "ec2", None),
        (NOC, "iam", "value 'Network (NOC)' of tag team has characters iam does not allow" + ALLOWED),
        (NOC, "logs", "value 'Network (NOC)' of tag team has characters logs does not allow" + ALLOWED),
        (NOC, "cloudwatch", "value 'Network (NOC)' of tag team has characters cloudwatch does not allow" + ALLOWED),
        ({"équipe": "réseau 1/2 = x+y @ z"}, "iam", None),  # letters of any script, the allowed punctuation
        ({"aws:team": "x"}, "ec2", "tag keys starting with aws: are reserved for AWS (aws:team)"),
        ({"k" * 129: "x"}, "iam", "tag key {}... is longer than 128 characters".format("k" * 20)),
        ({"k" * 128: "x"}, "ec2", "tag key {}... is longer than 127 characters".format("k" * 20)),
        ({"k": "v" * 256}, "ec2", "value of tag k is longer than 255 characters"),
        ({"k": "v" * 257}, "logs", "value of tag k is longer than 256 characters"),
        ({"": "x"}, "ec2", "an empty tag key is not allowed"),
        ({"t{}".format(i): "x" for i in range(51)}, "ec2", "51 tags; AWS allows at most 50 per resource"),
        ({"t{}".format(i): "x" for i in range(50)}, "iam", None),
    ],
)
def test_tags_each_service_would_refuse(tags, service, expected):
    assert tag_problem(tags, service) == expected
