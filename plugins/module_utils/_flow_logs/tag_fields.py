# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag-enriched flow log records: the ``tag_fields`` option and CreateFlowLogs' TagFieldSpecifications.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

A VPC flow log record can carry up to two tags of the network interface (``${interface-tag}``,
``${interface-tag-2}``), of the instance (``${instance-tag}``, ``${instance-tag-2}``) and of the Auto Scaling
group (``${asg-tag}``, ``${asg-tag-2}``); which tags is said per resource with TagFieldSpecifications, for
example ``{instance: [Name, team]}``: ``${instance-tag}`` shows the instance's Name tag, ``${instance-tag-2}`` its
team tag.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import (
    LOG_FORMAT_FIELD,
    TAG_FIELD_KEYS,
    TAG_FIELD_RESOURCES,
    TAG_KEY_LENGTH,
    TRANSIT_GATEWAY_TYPES,
)

#: tag_fields' keys -> TagFieldSpecifications' ResourceType.
OPTION_RESOURCES = {name.replace("-", "_"): name for name in TAG_FIELD_RESOURCES}


def _option(resource):
    return resource.replace("-", "_")


def _keys_problem(resource, keys):
    if not isinstance(keys, list) or not 1 <= len(keys) <= TAG_FIELD_KEYS:
        return "tag_fields.{}: give 1 or {} tag keys as a list, got {!r}".format(
            _option(resource), TAG_FIELD_KEYS, keys
        )
    for key in keys:
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_LENGTH:
            return "tag_fields.{}: {!r} is not a tag key (1 to {} characters)".format(
                _option(resource), key, TAG_KEY_LENGTH
            )
    if len(set(keys)) != len(keys):
        return "tag_fields.{}: {} is listed twice".format(_option(resource), keys[0])
    return None


def _format_problems(tag_fields, used):
    """A field of the format without its tag key, or a tag key no field of the format shows."""
    for resource, prefix in TAG_FIELD_RESOURCES.items():
        keys = tag_fields.get(resource) or []
        for position, field in enumerate((prefix, prefix + "-2"), start=1):
            if field in used and len(keys) < position:
                return "log_format: ${{{}}} shows tag key number {} of tag_fields.{}, which has {}".format(
                    field, position, _option(resource), "none" if not keys else len(keys)
                )
        if keys and prefix not in used and prefix + "-2" not in used:
            return "tag_fields.{}: log_format has no ${{{}}} field to show these tags in".format(
                _option(resource), prefix
            )
    return None


def _options_problem(given):
    """The first option of ``given`` that names no resource, or whose tag keys are wrong, as a message; or None."""
    for option, keys in given.items():
        if option not in OPTION_RESOURCES:
            return "tag_fields: {!r} is not allowed; use one of {}".format(option, ", ".join(OPTION_RESOURCES))
        problem = _keys_problem(OPTION_RESOURCES[option], keys)
        if problem:
            return problem
    return None


def _fields_used(log_format):
    """The fields a log format shows (none when it is not a string: log_format_problem says why)."""
    return set(LOG_FORMAT_FIELD.findall(log_format)) if isinstance(log_format, str) else set()


def tag_fields_problem(tag_fields, log_format, resource_type="VPC"):
    """What is wrong with ``tag_fields`` for this log format and resource type, as one message, or None.

    The messages start with the option they concern (``tag_fields.<resource>`` or ``log_format``)."""
    if tag_fields is not None and not isinstance(tag_fields, dict):
        return "tag_fields: a dictionary of resource -> tag keys, for example {instance: [Name]}"
    given = {k: v for k, v in (tag_fields or {}).items() if v is not None}
    if given and resource_type in TRANSIT_GATEWAY_TYPES:
        return "tag_fields: transit gateway flow logs carry no EC2 tags"
    problem = _options_problem(given)
    if problem:
        return problem
    return _format_problems(
        {OPTION_RESOURCES[option]: keys for option, keys in given.items()}, _fields_used(log_format)
    )


def normalize_tag_fields(tag_fields):
    """``tag_fields`` (option names or AWS's resource types as keys) in a comparable form: AWS's resource types in
    order, keys as given; None when unset."""
    found = {OPTION_RESOURCES.get(k, k): list(v) for k, v in (tag_fields or {}).items() if v}
    return {resource: found[resource] for resource in sorted(found)} or None


def tag_field_specifications(tag_fields):
    """CreateFlowLogs' TagFieldSpecifications for normalized ``tag_fields``."""
    return [dict(ResourceType=resource, TagKeys=keys) for resource, keys in (tag_fields or {}).items()]


def tag_fields_from_aws(specifications):
    """A flow log's TagFieldSpecifications (DescribeFlowLogs) as ``tag_fields``; None when AWS reports none."""
    found = {s.get("ResourceType"): list(s.get("TagKeys") or []) for s in specifications or [] if s.get("ResourceType")}
    return normalize_tag_fields(found)
