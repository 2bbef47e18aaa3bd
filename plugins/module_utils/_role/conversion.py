# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Variables converted as an argument spec says, every message led by the variable it is about.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call. Used for the role's
variables (``_role/variables.py``), whatever the entry point of meta/argument_specs.yml.
"""

from __future__ import annotations

import json
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._role.rules import Problem


def _from_json(value, spec):
    """``-e key=value`` gives strings: a list or dict variable may come as JSON."""
    if isinstance(value, str) and spec.get("type") in ("list", "dict") and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def convert(raw, options):
    """The role's variables converted as the argument spec ``options`` says (the conversion Ansible's own
    role argument validation applies, but kept: ``-e flow_logs_retention_in_days=30`` is the int 30).

    Returns (variables, problems: Problems). Variables the spec does not know are left out.
    """
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    # None is unset (the defaults say null), whatever the spec allows: converted variables convert again unchanged.
    given = {k: _from_json(v, options[k]) for k, v in raw.items() if k in options and v is not None}
    try:
        result = ArgumentSpecValidator(options).validate(given, validate_role_argument_spec=True)
    except (TypeError, ValueError):
        # A converter raised past Ansible's own handling ('team' as a dict): find the variable, keep the rest.
        return _convert_each(given, options)
    problems = [_problem(message, options) for message in result.error_messages]
    if any(p.variable not in options for p in problems):
        return _convert_each(given, options)  # a message that names no variable: find it
    return dict(result.validated_parameters), problems


def _convert_each(given, options):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    variables, problems = {}, []
    for name, spec in options.items():
        one = {name: given[name]} if name in given else {}
        try:
            result = ArgumentSpecValidator({name: spec}).validate(one, validate_role_argument_spec=True)
        except (TypeError, ValueError) as exc:
            problems.append(Problem(name, "{!r} is not a {}: {}".format(given.get(name), spec.get("type", "str"), exc)))
            variables[name] = given.get(name)
            continue
        variables.update(result.validated_parameters)
        problems += [_problem(message, options) for message in result.error_messages]
    return variables, problems


CHOICES_MESSAGE = re.compile(r"^value of (\S+) must be one of: (.*), got: (.*)$")


def _problem(message, options):
    """Ansible's validator names the variable somewhere inside its message: the Problem of that variable (the
    longest name found; a "must be one of" message in the role's own words)."""
    choices = CHOICES_MESSAGE.match(message)
    if choices:
        return Problem(choices.group(1), "must be one of: {}, got: {}".format(choices.group(2), choices.group(3)))
    named = sorted((name for name in options if name in message), key=len, reverse=True)
    return Problem(named[0] if named else "", message)
