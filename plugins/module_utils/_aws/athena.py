# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon Athena: named (saved) queries of a workgroup. Private: may change in any release."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call, paginate


def named_query_from_aws(found):
    return dict(
        name=found["Name"],
        named_query_id=found.get("NamedQueryId"),
        database=found.get("Database"),
        workgroup=found.get("WorkGroup"),
        description=found.get("Description"),
        query_string=found.get("QueryString"),
    )


def list_named_queries(athena, workgroup, names):
    """The named queries of ``workgroup`` called one of ``names``. ListNamedQueries gives ids only, so each is read
    with GetNamedQuery (BatchGetNamedQuery would take 50 at once; moto, the test endpoint, lacks it)."""
    ids = paginate(
        athena, "list_named_queries", "NamedQueryIds", "athena:ListNamedQueries", workgroup, WorkGroup=workgroup
    )
    found = []
    for named_query_id in ids:
        answer = call(
            athena,
            "get_named_query",
            "athena:GetNamedQuery",
            named_query_id,
            missing="InvalidRequestException",
            NamedQueryId=named_query_id,
        )
        query = (answer or {}).get("NamedQuery")
        if query and query.get("Name") in names:
            found.append(named_query_from_aws(query))
    return found


def create_named_query(athena, query):
    """Create a named query; returns its id."""
    answer = call(
        athena,
        "create_named_query",
        "athena:CreateNamedQuery",
        query["name"],
        Name=query["name"],
        Description=query["description"],
        Database=query["database"],
        QueryString=query["query_string"],
        WorkGroup=query["workgroup"],
    )
    return answer.get("NamedQueryId")


def update_named_query(athena, named_query_id, query):
    call(
        athena,
        "update_named_query",
        "athena:UpdateNamedQuery",
        query["name"],
        NamedQueryId=named_query_id,
        Name=query["name"],
        Description=query["description"],
        QueryString=query["query_string"],
    )


def delete_named_query(athena, named_query_id, name=None):
    call(
        athena,
        "delete_named_query",
        "athena:DeleteNamedQuery",
        name or named_query_id,
        gone="InvalidRequestException",
        NamedQueryId=named_query_id,
    )
