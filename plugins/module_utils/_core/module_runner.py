# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wiring every module's main() shares: params in, converge, result or a clear failure out."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import (
    BOTO3_IMPORT_ERROR,
    HAS_BOTO3,
    Clients,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import failure_message


def run_converge(converge, params, check_mode, diff):
    """Run one converge function; returns (result, error message or None). Shared by modules and
    controller-side action plugins."""
    clients = Clients(params)
    try:
        result = converge(clients, params, check_mode=check_mode)
    except ParameterError as exc:
        return dict(changed=False, option=exc.option, aws_stats=clients.stats), str(exc)
    except AwsError as exc:
        clients.locate(exc)
        return dict(_done_before(exc), error=exc.as_dict(), aws_stats=clients.stats), str(exc)
    result["aws_stats"] = clients.stats
    before, after = result.pop("before", None), result.pop("after", None)
    if diff and result.get("changed"):
        result["diff"] = dict(before=before, after=after)
    if result.get("failures"):
        return result, failure_message(result)
    return result, None


def _done_before(exc):
    """What a converge did before an error stopped it midway (its partial result, when it has one)."""
    done = dict(getattr(exc, "partial", None) or {})
    done.pop("before", None), done.pop("after", None)
    done["changed"] = any(e["action"] not in ("unchanged", "failed") for e in done.get("flow_logs") or [])
    return done


def run_module(module, converge):
    if not HAS_BOTO3:
        module.fail_json(
            msg=missing_required_lib("boto3 and botocore"),
            exception="".join(traceback.format_exception(BOTO3_IMPORT_ERROR)),
        )
    result, error = run_converge(converge, module.params, module.check_mode, module._diff)
    if error:
        module.fail_json(msg=error, **result)
    module.exit_json(**result)
