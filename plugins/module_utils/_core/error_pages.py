# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An HTML page where an AWS answer was expected (a proxy, a load balancer, an endpoint that is not the AWS API, or
one that does not serve the protocol botocore speaks), named in a few words with its likely reason.

Private to the collection: not a public API, it may change in any release.
"""

from __future__ import annotations

import re

from ansible_collections.flowlogs.aws.plugins.module_utils._core.botocore_cache import botocore_session

#: Services whose protocol botocore changed: service -> (protocol now, last botocore release with the one before,
#: the one before, the endpoints known to serve only the one before). An endpoint that does not serve the new
#: protocol answers its REST paths with an HTML 404 page.
PROTOCOL_CHANGES = {
    "athena": ("rest-json", "1.44.13", "json", "moto 5.2.6 and older"),
}


def botocore_protocol(service):
    """The protocol the installed botocore speaks to ``service`` (its service model's), or None."""
    try:
        return botocore_session().get_service_model(service).protocol
    except Exception:  # pylint: disable=broad-except  # an unknown service: no protocol to name
        return None


def not_html(message, status=None, operation=None):
    """An HTML error page (a proxy, a load balancer, an endpoint that is not the AWS API) in a few words, with the
    likely reason."""
    text = str(message)
    if "<html" not in text.lower() and not text.lstrip().lower().startswith("<!doctype"):
        return message
    title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
    return "{} (an HTML page, not an AWS API answer: {})".format(
        title.group(1).strip() if title else "an HTML error page", _html_reason(status, operation)
    )


def not_parsed(text, operation=None):
    """botocore's ResponseParserError (its text ends with the body it could not read as XML) in a few words: an HTML
    page by its title, any other body by its first characters, each with the likely reason."""
    text = str(text)
    head, _sep, body = text.partition(":\n")
    if not body:
        return text
    body = _decoded(body)
    named = not_html(body, None, operation)
    if named is not body:
        return named
    excerpt = " ".join(body.split())
    return '"{}{}" ({}, not an AWS API answer: check endpoint_url and any proxy in the way)'.format(
        excerpt[:60], "..." if len(excerpt) > 60 else "", "not XML" if "invalid XML" in head else "unreadable"
    )


def _decoded(body):
    """The body botocore put in its message as ``repr(bytes)``, as text."""
    import ast

    if body.startswith(("b'", 'b"')):
        try:
            return ast.literal_eval(body).decode("utf-8", "replace")
        except (ValueError, SyntaxError):
            return body
    return body


def _html_reason(status, operation):
    service = operation.split(":", 1)[0] if operation and ":" in operation else None
    protocol = botocore_protocol(service) if status == 404 and service else None
    if protocol is None:
        return "check endpoint_url and any proxy in the way"
    import botocore

    changed = PROTOCOL_CHANGES.get(service)
    if changed and changed[0] == protocol:
        return (
            "the endpoint does not serve the {protocol} protocol that botocore {version} speaks to {service};"
            " botocore {last} and older speak {before}, the only protocol {servers} serve for {service}:"
            " use botocore<={last} with that endpoint, or an endpoint that serves {protocol}".format(
                protocol=protocol,
                version=botocore.__version__,
                service=service,
                last=changed[1],
                before=changed[2],
                servers=changed[3],
            )
        )
    return (
        "the endpoint has no such path for the {} protocol that botocore {} speaks to {}: check endpoint_url,"
        " any proxy in the way, and that the endpoint serves this protocol".format(
            protocol, botocore.__version__, service
        )
    )
