"""The test moto server's protocol adapter (tests/support/moto_server.py): Athena through whichever protocol the
installed botocore speaks, and a tripwire for the day moto serves it itself."""

from __future__ import annotations

import threading
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from werkzeug.serving import make_server

from tests.support import moto_server


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:{}".format(server.server_port)


@pytest.fixture
def athena_server():
    """(Athena client, adapter) on a moto server behind the adapter."""
    app = moto_server.application()
    server, url = _serve(app)
    client = boto3.client(
        "athena", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    yield client, app
    server.shutdown()


def test_athena_calls_work_through_the_test_server_whatever_protocol_botocore_speaks(athena_server):
    athena, app = athena_server
    group = "wg-" + uuid.uuid4().hex  # moto's state is per process: a work group of this test's own
    athena.create_work_group(Name=group, Configuration={})
    app.adapted.clear()

    created = athena.create_named_query(
        Name="rejected", Database="flowlogs", QueryString="SELECT 1", WorkGroup=group, Description="d"
    )
    listed = athena.list_named_queries(WorkGroup=group, MaxResults=50)
    fetched = athena.get_named_query(NamedQueryId=created["NamedQueryId"])["NamedQuery"]

    assert listed["NamedQueryIds"] == [created["NamedQueryId"]]
    assert (fetched["Name"], fetched["Database"], fetched["QueryString"]) == ("rejected", "flowlogs", "SELECT 1")
    protocol = athena.meta.service_model.protocol
    if protocol == "rest-json":  # botocore >= 1.44.14: every call was rewritten for moto
        assert app.adapted == [("athena", op) for op in ("CreateNamedQuery", "ListNamedQueries", "GetNamedQuery")]
    else:  # botocore <= 1.44.13 speaks json, which moto serves: the adapter stays out of the way
        assert (protocol, app.adapted) == ("json", [])


def test_moto_errors_reach_botocore_as_aws_error_codes_through_the_adapter(athena_server):
    athena, _app = athena_server

    with pytest.raises(ClientError) as raised:
        athena.create_work_group(Name="primary")  # moto has it already

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_adapter_is_still_needed():
    """The day moto routes Athena's REST paths itself, this fails: check whether ADAPTED still needs Athena (moto
    5.2.6 finds the operation from the path but reads untyped query-string parameters as strings)."""
    assert moto_server.moto_routes("athena") == ["{0}/$"], (
        "moto now routes Athena's REST paths itself: check tests/support/moto_server.py's ADAPTED"
    )
