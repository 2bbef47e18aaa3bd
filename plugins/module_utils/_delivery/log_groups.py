# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch Logs group for flow-log delivery: rules, plan and converge."""

from __future__ import annotations

import re

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import (
    Conflict,
    Resource,
    StepType,
    apply,
    converge,
    predict,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
    tag_problem,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import log_group_name_problem

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


#: The actions of a log group plan (the report names what happened with them).
CREATE_LOG_GROUP = "create_log_group"
DELETE_LOG_GROUP = "delete_log_group"
PUT_RETENTION_POLICY = "put_retention_policy"
DELETE_RETENTION_POLICY = "delete_retention_policy"
ASSOCIATE_KMS_KEY = "associate_kms_key"
DISASSOCIATE_KMS_KEY = "disassociate_kms_key"
TAG_LOG_GROUP = "tag_log_group"
UNTAG_LOG_GROUP = "untag_log_group"
PUT_DELETION_PROTECTION = "put_deletion_protection"


def protection_problem(current, lift):
    """Why a delete of ``current`` must not start: the group is protected from deletion and ``lift`` (lift the
    protection first) was not asked. None when the delete may go ahead. Pure."""
    if not current or not current.get("deletion_protection") or lift:
        return None
    return "log group {} has deletion protection, so it cannot be deleted; nothing was deleted".format(current["name"])


def _plan_delete(params, current):
    """Delete the group; a protected one only when ``deletion_protection: false`` lifts the protection first."""
    if not current:
        return []
    problem = protection_problem(current, lift=params.get("deletion_protection") is False)
    if problem:
        raise ParameterError("deletion_protection", problem + " (set deletion_protection=false to lift it first)")
    plan = [dict(action=PUT_DELETION_PROTECTION, name=params["name"], enabled=False)]
    return (plan if current.get("deletion_protection") else []) + [dict(action=DELETE_LOG_GROUP, name=params["name"])]


def _plan_protection(params, current):
    wanted = params.get("deletion_protection")
    if wanted is None or bool(current.get("deletion_protection")) == wanted:
        return []
    return [dict(action=PUT_DELETION_PROTECTION, name=params["name"], enabled=wanted)]


def plan_log_group(params, current):
    """Actions that turn ``current`` (None if absent) into what ``params`` asks. Pure."""
    name = params["name"]
    if params.get("state", "present") == "absent":
        return _plan_delete(params, current)
    if current is None:
        return _plan_new(params)
    _check_class(params, current)
    plan = _plan_retention(params, current) + _plan_kms(params, current) + _plan_protection(params, current)
    to_set, to_remove = tag_changes(current.get("tags"), params.get("tags"), params.get("purge_tags", True))
    if to_set:
        plan.append(dict(action=TAG_LOG_GROUP, name=name, tags=to_set))
    if to_remove:
        plan.append(dict(action=UNTAG_LOG_GROUP, name=name, keys=to_remove))
    return plan


def _plan_new(params):
    name = params["name"]
    plan = [
        dict(
            action=CREATE_LOG_GROUP,
            name=name,
            kms_key_id=params.get("kms_key_id") or None,
            tags=normalize_tags(params.get("tags")) or {},
            log_group_class=params.get("log_group_class"),
            deletion_protection=bool(params.get("deletion_protection")),
        )
    ]
    if params.get("retention_in_days"):
        plan.append(dict(action=PUT_RETENTION_POLICY, name=name, days=params["retention_in_days"]))
    return plan


def _plan_retention(params, current):
    retention = params.get("retention_in_days")
    if retention is None or current.get("retention_policy_name"):
        return []  # unset, or an account-level retention policy governs the group: see governed_retention()
    if retention == 0 and current.get("retention_in_days"):
        return [dict(action=DELETE_RETENTION_POLICY, name=params["name"])]
    if retention and current.get("retention_in_days") != retention:
        return [dict(action=PUT_RETENTION_POLICY, name=params["name"], days=retention)]
    return []


def _plan_kms(params, current):
    kms = params.get("kms_key_id")
    if kms == "" and current.get("kms_key_id"):
        return [dict(action=DISASSOCIATE_KMS_KEY, name=params["name"])]
    if kms and current.get("kms_key_id") != kms:
        return [dict(action=ASSOCIATE_KMS_KEY, name=params["name"], kms_key_id=kms)]
    return []


def _check_class(params, current):
    group_class = params.get("log_group_class")
    if group_class and group_class != current.get("log_group_class", "STANDARD"):
        raise ParameterError(
            "log_group_class",
            "log group {} is {}; the class of an existing group cannot be changed (create a new group "
            "to use {})".format(params["name"], current.get("log_group_class"), group_class),
        )


def _new_group(step):
    return dict(
        name=step["name"],
        arn=None,
        retention_in_days=None,
        kms_key_id=step["kms_key_id"],
        log_group_class=step["log_group_class"] or "STANDARD",
        stored_bytes=0,
        creation_time=None,
        deletion_protection=step["deletion_protection"],
        tags=dict(step["tags"]),
    )


def _with(key, value_of):
    """A prediction that sets one key of the group."""

    def predict(group, step, _context):
        return dict(group, **{key: value_of(group, step)})

    return predict


def _create(logs, step, _current):
    try:
        logs_api.create_log_group(
            logs, step["name"], step["kms_key_id"], step["tags"], step["log_group_class"], step["deletion_protection"]
        )
    except AwsError as exc:
        # Another run created it first, or this very call did and its answer was lost (retried).
        if exc.code == "ResourceAlreadyExistsException":
            raise Conflict() from exc
        raise


STEP_TYPES = {
    CREATE_LOG_GROUP: StepType(_create, lambda _group, step, _c: _new_group(step)),
    DELETE_LOG_GROUP: StepType(lambda logs, step, _c: logs_api.delete_log_group(logs, step["name"]), lambda *_a: None),
    PUT_RETENTION_POLICY: StepType(
        lambda logs, step, _c: logs_api.put_retention_policy(logs, step["name"], step["days"]),
        _with("retention_in_days", lambda _g, step: step["days"]),
    ),
    DELETE_RETENTION_POLICY: StepType(
        lambda logs, step, _c: logs_api.delete_retention_policy(logs, step["name"]),
        _with("retention_in_days", lambda _g, _s: None),
    ),
    ASSOCIATE_KMS_KEY: StepType(
        lambda logs, step, _c: logs_api.associate_kms_key(logs, step["name"], step["kms_key_id"]),
        _with("kms_key_id", lambda _g, step: step["kms_key_id"]),
    ),
    DISASSOCIATE_KMS_KEY: StepType(
        lambda logs, step, _c: logs_api.disassociate_kms_key(logs, step["name"]),
        _with("kms_key_id", lambda _g, _s: None),
    ),
    TAG_LOG_GROUP: StepType(
        lambda logs, step, current: logs_api.tag_log_group(logs, current["arn"], step["tags"]),
        _with("tags", lambda group, step: apply_tag_changes(group["tags"], step["tags"], [])),
    ),
    UNTAG_LOG_GROUP: StepType(
        lambda logs, step, current: logs_api.untag_log_group(logs, current["arn"], step["keys"]),
        _with("tags", lambda group, step: apply_tag_changes(group["tags"], {}, step["keys"])),
    ),
    PUT_DELETION_PROTECTION: StepType(
        lambda logs, step, _c: logs_api.put_log_group_deletion_protection(logs, step["name"], step["enabled"]),
        _with("deletion_protection", lambda _g, step: step["enabled"]),
    ),
}


def apply_log_group_plan(logs, plan, current):
    """Apply ``plan``. Returns True when the group to create already exists (the caller re-plans)."""
    try:
        apply(STEP_TYPES, logs, plan, current)
    except Conflict:
        return True
    return False


def predict_log_group(current, plan):
    """The log group as it will be after ``plan`` (for check mode and diff). Pure."""
    return predict(STEP_TYPES, current, plan)


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


class LogGroup(Resource):
    step_types = STEP_TYPES

    def validate(self, params):
        validate_log_group_params(params)

    def context(self, clients, params):
        """Deletion protection asked for with a botocore that predates it: refused before any call."""
        if params.get("deletion_protection") is None:
            return None
        problem = logs_api.deletion_protection_unsupported(clients("logs"))
        if problem:
            raise ParameterError("deletion_protection", problem)
        return None

    def client(self, clients):
        return clients("logs")

    def read(self, client, params):
        return logs_api.describe_log_group(client, params["name"])

    def plan(self, params, current, context):
        return plan_log_group(params, current)

    def result(self, params, before, after, plan, context):
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


def converge_log_group(clients, params, check_mode=False, read_after=True, validated=False):
    """Make the log group match ``params``. Returns changed, log_group, actions, before, after."""
    return converge(LogGroup(), clients, params, check_mode, read_after, validated)
