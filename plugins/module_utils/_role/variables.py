# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flowlogs.aws.flow_logs role's variables: converted as meta/argument_specs.yml says, checked, misspellings
refused, then turned into the target model (model.py) the tasks hand down.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.
"""

from __future__ import annotations

import difflib
import os

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import log_group_name_problem
from ansible_collections.flowlogs.aws.plugins.module_utils._role.analysis import analysis_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._role.conversion import convert
from ansible_collections.flowlogs.aws.plugins.module_utils._role.model import CONNECTION, target_of
from ansible_collections.flowlogs.aws.plugins.module_utils._role.rules import (
    Problem,
    place_problems,
    target_problems,
    unique,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.query import query_problems

#: Known names that are not the role's inputs: the playbooks' own, what the role leaves, and what the
#: flowlogs.aws.accounts inventory plugin sets besides the role's own variables.
PLAYBOOK_VARIABLES = (
    "flow_logs_hosts",
    "flow_logs_refresh_inventory",
    "flow_logs_fail_on_noncompliant",
    "flow_logs_result",
    "flow_logs_discovery",
    "flow_logs_troubleshoot_result",
    "flow_logs_account_name",
    "flow_logs_account_tags",
    # published with set_stats (AWX passes a job's to the next jobs of a workflow as extra variables)
    "flow_logs_totals",
    "flow_logs_report_files",
    # the merge_reports playbook's
    "flow_logs_merge_reports",
)


def connection_options(v):
    return {option: v.get(var) for option, var in CONNECTION.items()}


def _problem(text):
    """A rule that still speaks in "variable: detail" text (the troubleshoot question's), as a Problem."""
    name, _sep, detail = text.partition(": ")
    return Problem(name, detail)


def main_problems(v):
    """Every problem of the main entry point's (converted) variables, each naming the variable."""
    return target_problems(v, analysis_problems)


def troubleshoot_problems(v):
    """Problems with the variables of the role's troubleshoot entry point: the target and the question."""
    problems = place_problems(v)
    group = v.get("flow_logs_log_group_name")
    if group not in (None, "") and log_group_name_problem(group):
        problems.append(Problem("flow_logs_log_group_name", log_group_name_problem(group)))
    return problems + [_problem(p) for p in query_problems(v)]


#: Each entry point of meta/argument_specs.yml and the rules its variables follow once converted.
ENTRY_POINT_RULES = dict(main=main_problems, troubleshoot=troubleshoot_problems)


# ---------------------------------------------------------------- conversion, as meta/argument_specs.yml says

SPEC_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
    "roles",
    "flow_logs",
    "meta",
    "argument_specs.yml",
)
_SPECS = {}


def role_argument_specs():
    """The role's meta/argument_specs.yml (read once per process: the role's action plugins read it when Ansible
    loads them, before it forks a worker per host and task), or None where the collection's files are not at hand (a
    module shipped to a remote host: the controller converted the variables already)."""
    if "specs" not in _SPECS:
        try:
            import yaml

            with open(SPEC_PATH, encoding="utf-8") as handle:
                # libyaml's loader where PyYAML has it: ~10x faster than the pure-Python one on this 60 KB file.
                _SPECS["specs"] = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))[
                    "argument_specs"
                ]
        except (ImportError, OSError):
            _SPECS["specs"] = None
    return _SPECS["specs"]


def check_variables(raw, names=None, entry_point="main"):
    """(converted variables, problems, warnings) of the role's variables as a target sees them: converted as the
    argument spec of ``entry_point`` says, every rule of it checked, unknown ``flow_logs_*`` names refused (or warned
    about, with ``flow_logs_unknown_variables: warn``); a variable another entry point documents is known, and left
    out. ``names``: every flow_logs_* name the target has. Problems are Problems, at most one per variable."""
    specs = role_argument_specs()
    rules = ENTRY_POINT_RULES[entry_point]
    if specs is None:
        return dict(raw), rules(raw), []
    options = specs[entry_point]["options"]
    variables, problems = convert(raw, options)
    unknown = unknown_variable_problems(names if names is not None else raw, known_variables(specs))
    warnings = []
    if variables.get("flow_logs_unknown_variables") == "warn":
        warnings, unknown = [str(p) for p in unknown], []
    # A variable that did not convert is reported once, and the other rules see its default instead.
    bad = {p.variable for p in problems}
    sane = {k: (options[k].get("default") if k in bad and k in options else value) for k, value in variables.items()}
    order = {name: index for index, name in enumerate(options)}
    checked = sorted(unique(problems + rules(sane)), key=lambda p: order.get(p.variable, -1))
    return variables, unknown + checked, warnings


def read_target(raw, names=None):
    """(Target or None, converted variables, problems, warnings) of the main entry point's variables."""
    variables, problems, warnings = check_variables(raw, names)
    return (None if problems else target_of(variables)), variables, problems, warnings


def known_variables(argument_specs):
    """Every variable any entry point of the role's argument specs documents, and the playbooks' own."""
    known = set(PLAYBOOK_VARIABLES)
    for entry in (argument_specs or {}).values():
        known.update((entry or {}).get("options") or {})
    return known


def unknown_variable_problems(names, known):
    """A ``flow_logs_*`` name the role does not know is almost always a typo: name the closest known one."""
    problems = []
    # Every name shares the prefix: compare what follows it, or everything looks alike.
    suffixes = {k[len("flow_logs_") :]: k for k in known}
    for name in sorted(set(names) - set(known)):
        close = difflib.get_close_matches(name[len("flow_logs_") :], sorted(suffixes), n=1, cutoff=0.6)
        hint = (
            "did you mean {}?".format(suffixes[close[0]]) if close else "see ansible-doc -t role flowlogs.aws.flow_logs"
        )
        problems.append(Problem(name, "not a variable of the flowlogs.aws.flow_logs role; {}".format(hint)))
    return problems


class RoleVariablesError(ParameterError):
    """The role's variables have problems; the message lists them all, each naming its variable."""

    def __init__(self, problems):
        super().__init__(problems[0].variable, problems[0].detail)
        self.problems = list(problems)
        self.args = ("; ".join(str(p) for p in self.problems),)

    def __str__(self):
        return self.args[0]


def role_variable_problems(role_vars):
    """Problems with the role's variables as a target has them (its ``flow_logs_*`` names), as text: the checks
    the role's tasks run before any AWS call, each naming the variable and what it accepts."""
    return [
        str(p) for p in check_variables({k: v for k, v in dict(role_vars).items() if k.startswith("flow_logs_")})[1]
    ]
