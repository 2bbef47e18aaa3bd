"""moto server, plus a small adapter for the AWS protocols botocore moved to and moto does not serve yet.

``python -m tests.support.moto_server -H 127.0.0.1 -p PORT`` runs moto's own server application (what
``moto_server`` runs) wrapped in ``ProtocolAdapter``, a WSGI middleware for the services of ``ADAPTED``: a request
in a protocol that the installed botocore speaks to such a service but moto cannot read is rewritten, before moto
sees it, into one moto reads. Everything else passes through untouched.

Today that is Athena. botocore 1.44.14 and newer speak ``rest-json`` to it (``GET /named-queries?WorkGroup=...``,
``GET /named-queries/{NamedQueryId}``, ...); moto 5.2.5 serves Athena only on ``POST /`` and answers the REST
paths with an HTML 404 page; moto 5.2.6 finds the operation from the REST path (botocore's model) but still reads
parameters as the ``json`` protocol sends them (typed, in the body). The adapter finds the operation with moto's
own router over botocore's service model, reads its parameters with moto's rest-json request parser, and hands moto
the same call with every parameter in a typed JSON body, the operation in ``X-Amz-Target`` (what moto 5.2.5 reads)
and the REST path kept (what moto 5.2.6 reads), on a route added for the REST paths. Answers need no rewriting:
botocore's rest-json parser reads the JSON body and ``__type`` error codes that moto answers with. With an older
botocore (json) the adapter never engages. When moto serves the new protocol itself, ``ADAPTED`` loses its entry
(``tests/unit/test_moto_server.py`` says when).

This is test support: it never ships in the collection and real AWS never needs it.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import io
import json
import os
import re
import signal
import sys

#: Service signing name -> (X-Amz-Target prefix, JSON version) of the json protocol moto serves it in, where
#: botocore may use another (botocore's newer models no longer carry the prefix).
ADAPTED = {"athena": ("AmazonAthena", "1.1")}
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def _service(environ):
    found = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else None


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


class ProtocolAdapter:
    """WSGI middleware: rest-json requests for a service of ``ADAPTED`` become json-protocol requests."""

    def __init__(self, app):
        self.app = app
        #: (service, operation) of every request rewritten, for tests.
        self.adapted = []

    def __call__(self, environ, start_response):
        service = _service(environ)
        if service in ADAPTED and "HTTP_X_AMZ_TARGET" not in environ:
            self._to_json(service, environ)
        return self.app(environ, start_response)

    def _to_json(self, service, environ):
        from moto.core.parse import PROTOCOL_PARSERS
        from moto.core.request import Request
        from moto.core.routing import get_service_router
        from moto.core.utils import get_service_model
        from werkzeug.exceptions import NotFound

        model = get_service_model(service)
        if model.protocol != "rest-json":
            return
        request = Request(environ)
        try:
            operation, uri_params = get_service_router(service).match(request)
        except NotFound:
            return  # not an operation of the model: moto answers as it would
        body = request.get_data()
        params = PROTOCOL_PARSERS["rest-json"](operation).parse(
            {
                "method": request.method,
                "values": request.values,
                "headers": request.headers,
                "body": body,
                "url_path": request.path,
                "url_params": uri_params,
            }
        )
        payload = json.dumps(_jsonable(params)).encode("utf-8")
        target_prefix, _json_version = ADAPTED[service]
        path = environ.get("PATH_INFO") or "/"
        environ.update(
            {
                "QUERY_STRING": "",
                "RAW_URI": path,
                "REQUEST_URI": path,
                "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(payload)),
                "HTTP_X_AMZ_TARGET": "{}.{}".format(target_prefix, operation.name),
                "wsgi.input": io.BytesIO(payload),
            }
        )
        self.adapted.append((service, operation.name))


#: The route the adapter adds to moto's for a service of ADAPTED.
REST_ROUTE = "{0}/(?P<rest_path>.+)$"


def moto_routes(service):
    """The URL paths moto itself routes to ``service`` (the adapter's own left out)."""
    import importlib

    return sorted(p for p in importlib.import_module("moto.{}.urls".format(service)).url_paths if p != REST_ROUTE)


def _route_rest_paths():
    """moto routes Athena's ``POST /`` only: its REST paths go to the same handler."""
    import importlib

    for service in ADAPTED:
        urls = importlib.import_module("moto.{}.urls".format(service))
        urls.url_paths.setdefault(REST_ROUTE, urls.url_paths["{0}/$"])


def application():
    """moto server's WSGI application, as ``moto_server`` builds it, behind the adapter."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    _route_rest_paths()
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    return ProtocolAdapter(app)


def main(argv=None):
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_simple(args.host, args.port, application(), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
