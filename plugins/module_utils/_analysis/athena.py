# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Athena over flow logs delivered to S3: the Glue database and table, and the named queries - plan and converge.
Private: may change in any release.

The module owns the table it names and the named queries ``<table>-<question>`` on its database in the
workgroup. It never deletes the database (other tables may live there) nor anything in S3.
"""

from __future__ import annotations

import copy

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.athena_table import (
    DEFAULT_DATABASE,
    DEFAULT_TABLE,
    DEFAULT_WORKGROUP,
    desired_named_queries,
    desired_table,
    logs_root,
    named_query_names,
    validate_athena_params,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import athena as athena_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import glue as glue_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import Resource, StepType, converge

CREATE_DATABASE = "create_database"
CREATE_TABLE = "create_table"
UPDATE_TABLE = "update_table"
DELETE_TABLE = "delete_table"
CREATE_NAMED_QUERY = "create_named_query"
UPDATE_NAMED_QUERY = "update_named_query"
DELETE_NAMED_QUERY = "delete_named_query"
DATABASE_DESCRIPTION = "VPC flow logs (flowlogs.aws)"
TABLE_FIELDS = (
    "table_type",
    "location",
    "columns",
    "partition_keys",
    "input_format",
    "output_format",
    "serde",
    "serde_parameters",
    "description",
)
#: Table properties the module sets; any other (added by Glue, Athena or a person) is kept as it is.
OWN_PARAMETERS = ("EXTERNAL", "storage.location.template", "skip.header.line.count")


def _present(params):
    return params.get("state", "present") != "absent"


def own_parameters(parameters):
    return {k: v for k, v in (parameters or {}).items() if k in OWN_PARAMETERS or k.startswith("projection.")}


def wanted_table(params, context):
    table = desired_table(params, context["accounts"], context["regions"])
    table["description"] = "VPC flow logs delivered to {}".format(logs_root(params))
    return table


def plan_athena(params, current, context):
    """Steps turning ``current`` ({database, table, named_queries}) into what ``params`` ask. Pure."""
    plan = []
    table = current.get("table")
    if not _present(params):
        if table is not None:
            plan.append(dict(action=DELETE_TABLE, database=params["database"], name=params["table"]))
    else:  # the database first: the table lives in it
        if current.get("database") is None:
            plan.append(dict(action=CREATE_DATABASE, name=params["database"], description=DATABASE_DESCRIPTION))
        plan.extend(_plan_table(table, wanted_table(params, context)))
    if params.get("named_queries", True):  # otherwise the named queries are left as they are
        plan += _plan_named_queries(params, current.get("named_queries") or [])
    return plan


def _plan_table(found, desired):
    if found is None:
        return [dict(action=CREATE_TABLE, table=desired)]
    changed = [f for f in TABLE_FIELDS if found.get(f) != desired.get(f)]
    if own_parameters(found.get("parameters")) != desired["parameters"]:
        changed.append("parameters")
    if not changed:
        return []
    # UpdateTable replaces the whole table: keep the properties others set.
    kept = {k: v for k, v in (found.get("parameters") or {}).items() if k not in own_parameters(found["parameters"])}
    table = dict(desired, parameters=dict(kept, **desired["parameters"]))
    return [dict(action=UPDATE_TABLE, table=table, fields=changed)]


def _plan_named_queries(params, found):
    wanted, copies = desired_named_queries(params), _by_name(found)
    plan = []
    for name, desired in sorted(wanted.items()):
        kept, *extra = copies.pop(name, None) or [None]
        if kept is None:
            plan.append(dict(action=CREATE_NAMED_QUERY, name=name, query=desired))
        elif any(kept.get(f) != desired[f] for f in ("query_string", "description")):
            plan.append(
                dict(action=UPDATE_NAMED_QUERY, name=name, named_query_id=kept["named_query_id"], query=desired)
            )
        plan.extend(_delete_query(q) for q in extra)
    for name in sorted(copies):
        plan.extend(_delete_query(q) for q in copies[name])
    return plan


def _by_name(queries):
    """{name: its named queries, by id}: the first of each name is the one kept, the others are copies."""
    found = {}
    for query in sorted(queries, key=lambda q: (q["name"], q.get("named_query_id") or "")):
        found.setdefault(query["name"], []).append(query)
    return found


def _delete_query(query):
    return dict(action=DELETE_NAMED_QUERY, name=query["name"], named_query_id=query["named_query_id"])


# ---------------------------------------------------------------- step types


def _with_query(state, step, _context):
    query = dict(copy.deepcopy(step["query"]), named_query_id=step.get("named_query_id"))
    kept = [q for q in state["named_queries"] if not (step.get("named_query_id") and _same_id(q, step))]
    return dict(state, named_queries=[*kept, query])


def _same_id(query, step):
    return query.get("named_query_id") == step.get("named_query_id")


STEP_TYPES = {
    CREATE_DATABASE: StepType(
        lambda services, step, _c: glue_api.create_database(services["glue"], step["name"], step["description"]),
        lambda state, step, _c: dict(state, database=dict(name=step["name"], description=step["description"])),
    ),
    CREATE_TABLE: StepType(
        lambda services, step, _c: glue_api.create_table(services["glue"], step["table"]),
        lambda state, step, _c: dict(state, table=copy.deepcopy(step["table"])),
    ),
    UPDATE_TABLE: StepType(
        lambda services, step, _c: glue_api.update_table(services["glue"], step["table"]),
        lambda state, step, _c: dict(state, table=copy.deepcopy(step["table"])),
    ),
    DELETE_TABLE: StepType(
        lambda services, step, _c: glue_api.delete_table(services["glue"], step["database"], step["name"]),
        lambda state, _step, _c: dict(state, table=None),
    ),
    CREATE_NAMED_QUERY: StepType(
        lambda services, step, _c: athena_api.create_named_query(services["athena"], step["query"]),
        _with_query,
    ),
    UPDATE_NAMED_QUERY: StepType(
        lambda services, step, _c: athena_api.update_named_query(
            services["athena"], step["named_query_id"], step["query"]
        ),
        _with_query,
    ),
    DELETE_NAMED_QUERY: StepType(
        lambda services, step, _c: athena_api.delete_named_query(
            services["athena"], step["named_query_id"], step["name"]
        ),
        lambda state, step, _c: dict(state, named_queries=[q for q in state["named_queries"] if not _same_id(q, step)]),
    ),
}


# ---------------------------------------------------------------- read, normalize, converge


def read_athena(services, params):
    """The database, the table and the module's named queries (every copy) on the database in the workgroup - when
    the task manages them (``named_queries``): reading them costs a call per named query of the workgroup."""
    queries = []
    if params.get("named_queries", True):
        workgroup = params.get("workgroup") or DEFAULT_WORKGROUP
        names = set(named_query_names(params).values())
        found = athena_api.list_named_queries(services["athena"], workgroup, names)
        queries = [q for q in found if q.get("database") == params["database"]]
    return dict(
        database=glue_api.get_database(services["glue"], params["database"]),
        table=glue_api.get_table(services["glue"], params["database"], params["table"]),
        named_queries=queries,
    )


def normalized_athena(state):
    """Named queries sorted by name, what diff and return values show."""
    queries = sorted(
        (dict(q) for q in state["named_queries"]), key=lambda q: (q["name"], q.get("named_query_id") or "")
    )
    return dict(database=state["database"], table=state["table"], named_queries=queries)


class Athena(Resource):
    """The Glue table over flow logs in S3, and the module's Athena named queries."""

    step_types = STEP_TYPES

    def validate(self, params):
        validate_athena_params(params)

    def context(self, clients, params):
        """The accounts and regions partition projection enumerates: the options, else the target's own."""
        if not _present(params):
            return None
        accounts = params.get("source_accounts") or [clients.identity()["account"]]
        return dict(accounts=list(accounts), regions=list(params.get("regions") or [clients.region]))

    def client(self, clients):
        return dict(glue=clients("glue"), athena=clients("athena"))

    def read(self, client, params):
        return read_athena(client, params)

    def plan(self, params, current, context):
        return plan_athena(params, current, context)

    def predict_state(self, before, plan, context):
        return normalized_athena(super().predict_state(before, plan, context))

    def read_after(self, client, params):
        return normalized_athena(self.read(client, params))

    def result(self, params, before, after, plan, context):
        return dict(
            changed=bool(plan),
            database=after["database"],
            table=after["table"],
            named_queries=after["named_queries"],
            actions=[step["action"] for step in plan],
            before=normalized_athena(before),
            after=after,
        )


def converge_flow_log_athena(clients, params, check_mode=False, read_after=True, validated=False):
    """Make the Glue database and table over flow logs in S3, and the Athena named queries, match ``params``.

    Returns changed, database, table, named_queries, actions, before, after."""
    params = dict(params)
    params["database"] = params.get("database") or DEFAULT_DATABASE
    params["table"] = params.get("table") or DEFAULT_TABLE
    params["workgroup"] = params.get("workgroup") or DEFAULT_WORKGROUP
    params["named_queries"] = params.get("named_queries") is not False
    return converge(Athena(), clients, params, check_mode, read_after, validated)
