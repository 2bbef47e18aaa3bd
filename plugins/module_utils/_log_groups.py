# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch Logs group for flow-log delivery: rules, plan and converge."""

from __future__ import annotations

import copy
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_spec import log_group_name_problem
from ansible_collections.flowlogs.aws.plugins.module_utils._tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
    tag_problem,
)

#: The only retention periods CloudWatch Logs accepts. 0 here means "no retention policy" (never expire).
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
RETENTION_CHOICES = (0, *RETENTION_DAYS)
LOG_GROUP_CLASSES = ("STANDARD", "INFREQUENT_ACCESS")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z\-]*:kms:[a-z0-9\-]+:\d{12}:key/[A-Za-z0-9\-]+$")


def validate_log_group_name(name, option="name"):
    problem = log_group_name_problem(name)
    if problem:
        raise ParameterError(option, problem)


def log_group_problems(params):
    """Every rule ``params`` break, one ParameterError per option (CloudWatch Logs refuses more than moto)."""
    problems = []
    problem = log_group_name_problem(params.get("name"))
    if problem:
        problems.append(ParameterError("name", problem))
    retention = params.get("retention_in_days")
    if retention is not None and retention not in RETENTION_CHOICES:
        problems.append(
            ParameterError(
                "retention_in_days",
                "{} is not allowed; use one of {} (0 removes the retention policy)".format(
                    retention, ", ".join(str(d) for d in RETENTION_CHOICES)
                ),
            )
        )
    kms = params.get("kms_key_id")
    if kms and not KMS_KEY_ARN.match(kms):
        problems.append(
            ParameterError(
                "kms_key_id",
                "{!r} is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); use an empty string to "
                "disassociate the key".format(kms),
            )
        )
    group_class = params.get("log_group_class")
    if group_class is not None and group_class not in LOG_GROUP_CLASSES:
        problems.append(ParameterError("log_group_class", "use one of {}".format(", ".join(LOG_GROUP_CLASSES))))
    problem = tag_problem(params.get("tags"), "logs")
    if problem:
        problems.append(ParameterError("tags", problem))
    return problems


def validate_log_group_params(params):
    """Reject what CloudWatch Logs would reject, before any call (moto accepts more than AWS)."""
    problems = log_group_problems(params)
    if problems:
        raise problems[0]


def plan_log_group(params, current):
    """Actions that turn ``current`` (None if absent) into what ``params`` asks. Pure."""
    name = params["name"]
    if params.get("state", "present") == "absent":
        return [dict(action="delete_log_group", name=name)] if current else []

    retention = params.get("retention_in_days")
    kms = params.get("kms_key_id")
    if current is None:
        plan = [
            dict(
                action="create_log_group",
                name=name,
                kms_key_id=kms or None,
                tags=normalize_tags(params.get("tags")) or {},
                log_group_class=params.get("log_group_class"),
            )
        ]
        if retention:
            plan.append(dict(action="put_retention_policy", name=name, days=retention))
        return plan

    plan = []
    if retention is not None and current.get("retention_policy_name"):
        pass  # an account-level retention policy governs the group: see governed_retention()
    elif retention is not None:
        if retention == 0 and current.get("retention_in_days"):
            plan.append(dict(action="delete_retention_policy", name=name))
        elif retention and current.get("retention_in_days") != retention:
            plan.append(dict(action="put_retention_policy", name=name, days=retention))
    if kms is not None:
        if kms == "" and current.get("kms_key_id"):
            plan.append(dict(action="disassociate_kms_key", name=name))
        elif kms and current.get("kms_key_id") != kms:
            plan.append(dict(action="associate_kms_key", name=name, kms_key_id=kms))
    group_class = params.get("log_group_class")
    if group_class and group_class != current.get("log_group_class", "STANDARD"):
        raise ParameterError(
            "log_group_class",
            "log group {} is {}; the class of an existing group cannot be changed (create a new group "
            "to use {})".format(name, current.get("log_group_class"), group_class),
        )
    to_set, to_remove = tag_changes(current.get("tags"), params.get("tags"), params.get("purge_tags", True))
    if to_set:
        plan.append(dict(action="tag_log_group", name=name, tags=to_set))
    if to_remove:
        plan.append(dict(action="untag_log_group", name=name, keys=to_remove))
    return plan


def predict_log_group(current, plan):
    """The log group as it will be after ``plan`` (for check mode and diff). Pure."""
    after = copy.deepcopy(current)
    for step in plan:
        action = step["action"]
        if action == "create_log_group":
            after = dict(
                name=step["name"],
                arn=None,
                retention_in_days=None,
                kms_key_id=step["kms_key_id"],
                log_group_class=step["log_group_class"] or "STANDARD",
                stored_bytes=0,
                creation_time=None,
                tags=dict(step["tags"]),
            )
        elif action == "delete_log_group":
            after = None
        elif action == "put_retention_policy":
            after["retention_in_days"] = step["days"]
        elif action == "delete_retention_policy":
            after["retention_in_days"] = None
        elif action == "associate_kms_key":
            after["kms_key_id"] = step["kms_key_id"]
        elif action == "disassociate_kms_key":
            after["kms_key_id"] = None
        elif action == "tag_log_group":
            after["tags"] = apply_tag_changes(after["tags"], step["tags"], [])
        elif action == "untag_log_group":
            after["tags"] = apply_tag_changes(after["tags"], {}, step["keys"])
    return after


def apply_log_group_plan(logs, plan, current):
    """Apply ``plan``. Returns True when the group to create already exists (the caller re-plans)."""
    arn = (current or {}).get("arn")
    for step in plan:
        action = step["action"]
        name = step["name"]
        if action == "create_log_group":
            try:
                logs_api.create_log_group(logs, name, step["kms_key_id"], step["tags"], step["log_group_class"])
            except AwsError as exc:
                # Another run created it first, or this very call did and its answer was lost (retried).
                if exc.code == "ResourceAlreadyExistsException":
                    return True
                raise
        elif action == "delete_log_group":
            logs_api.delete_log_group(logs, name)
        elif action == "put_retention_policy":
            logs_api.put_retention_policy(logs, name, step["days"])
        elif action == "delete_retention_policy":
            logs_api.delete_retention_policy(logs, name)
        elif action == "associate_kms_key":
            logs_api.associate_kms_key(logs, name, step["kms_key_id"])
        elif action == "disassociate_kms_key":
            logs_api.disassociate_kms_key(logs, name)
        elif action == "tag_log_group":
            logs_api.tag_log_group(logs, arn, step["tags"])
        elif action == "untag_log_group":
            logs_api.untag_log_group(logs, arn, step["keys"])
    return False


def governed_retention(params, current):
    """The warning for a retention the account's retention policy overrides, or None."""
    retention = params.get("retention_in_days")
    if not current or retention is None or not current.get("retention_policy_name"):
        return None
    if retention == (current.get("retention_in_days") or 0):
        return None
    return (
        "retention_in_days: {} not applied: the account-level retention policy {} governs log group {} ({}); "
        "change it with logs:PutAccountPolicy".format(
            retention,
            current["retention_policy_name"],
            current["name"],
            "{} days".format(current["retention_in_days"]) if current.get("retention_in_days") else "never expire",
        )
    )


def converge_log_group(clients, params, check_mode=False):
    """Make the log group match ``params``. Returns changed, log_group, actions, before, after."""
    validate_log_group_params(params)
    logs = clients("logs")
    before = logs_api.describe_log_group(logs, params["name"])
    plan = plan_log_group(params, before)
    after = predict_log_group(before, plan)
    if plan and not check_mode:
        if apply_log_group_plan(logs, plan, before):
            # The group appeared since it was read: converge the group that is there now.
            found = logs_api.describe_log_group(logs, params["name"])
            apply_log_group_plan(logs, plan_log_group(params, found), found)
        after = None if params.get("state") == "absent" else logs_api.describe_log_group(logs, params["name"])
    found = dict(
        changed=bool(plan),
        log_group=after or {},
        actions=[step["action"] for step in plan],
        before=before or {},
        after=after or {},
    )
    warning = governed_retention(params, after or before)
    if warning:
        found["warnings"] = [warning]
    return found
