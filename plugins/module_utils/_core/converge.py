# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One converge driver for the resources a module owns (log group, delivery role, alarms). Private: may change
in any release.

read -> plan -> predict -> apply -> re-read -> result, the same for every resource. A plan is a list of steps (dicts
with an ``action`` and its arguments); each action has a StepType that knows how to apply it and how it changes the
state, so check mode predicts with the very table a real run applies with.
"""

from __future__ import annotations

import copy


class Conflict(Exception):
    """Another run created the resource between the read and the create: re-read, re-plan, apply once more."""


class StepType:
    """``apply(client, step, current)`` makes the change in AWS; ``predict(state, step, context)`` returns the
    state after it (pure, on a copy)."""

    def __init__(self, apply, predict):
        self.apply = apply
        self.predict = predict


class Resource:
    """What the driver needs to converge one kind of resource; subclasses fill in the blanks."""

    #: action name -> StepType
    step_types = {}

    def validate(self, params):
        """Raise ParameterError for input AWS would refuse, before any call."""

    def client(self, clients):
        """The client (or clients) the reads and steps use."""
        raise NotImplementedError

    def context(self, clients, params):
        """What planning needs besides params and state (the account, say); None by default."""
        del clients, params

    def read(self, client, params):
        """The resource as AWS has it now (None when absent)."""
        raise NotImplementedError

    def plan(self, params, current, context):
        """The steps turning ``current`` into what ``params`` ask (pure)."""
        raise NotImplementedError

    def predict_state(self, before, plan, context):
        """The state after ``plan`` (check mode and diff), with the step types' predictions."""
        return predict(self.step_types, before, plan, context)

    def read_after(self, client, params):
        """The resource after a real run: nothing to read once it was deleted."""
        return None if params.get("state") == "absent" else self.read(client, params)

    def on_conflict(self, client, params):
        """Before re-reading after a Conflict (wait until the resource the other run made is readable)."""

    def result(self, params, before, after, plan, context):
        """The module's result: changed, the resource, actions, ``before`` and ``after`` for the diff."""
        raise NotImplementedError


def predict(step_types, current, plan, context=None):
    """The state after ``plan``, without any call."""
    state = copy.deepcopy(current)
    for step in plan:
        state = step_types[step["action"]].predict(state, step, context)
    return state


def apply(step_types, client, plan, current):
    for step in plan:
        step_types[step["action"]].apply(client, step, current)


def converge(resource, clients, params, check_mode=False, read_after=True, validated=False):
    """Make the resource match ``params``; in check mode, predict the same plan's outcome instead.

    ``read_after``: read the resource back after the changes (modules do); without, the result is the
    prediction of the plan that was applied (a fleet target saves the calls). ``validated``: the caller checked
    ``params`` with the same rules already (the role's target model did), so they are not checked again."""
    if not validated:
        resource.validate(params)
    context = resource.context(clients, params)  # checks that need the target come before any client
    client = resource.client(clients)
    before = resource.read(client, params)
    plan = resource.plan(params, before, context)
    after = resource.predict_state(before, plan, context)
    if plan and not check_mode:
        try:
            apply(resource.step_types, client, plan, before)
        except Conflict:
            resource.on_conflict(client, params)
            current = resource.read(client, params)
            apply(resource.step_types, client, resource.plan(params, current, context), current)
        if read_after:
            after = resource.read_after(client, params)
    return resource.result(params, before, after, plan, context)
