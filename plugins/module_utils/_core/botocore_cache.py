# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a process shares between the botocore clients of all its targets: one data loader (service models
parsed once), one botocore session per profile, and each service's client class built once.

Private to the collection: not a public API, it may change in any release. Nothing here holds credentials.
"""

from __future__ import annotations

import os

from ansible_collections.flowlogs.aws.plugins.module_utils._core.aws_environment import session_settings

try:
    import botocore  # noqa: F401  pylint: disable=unused-import

    HAS_BOTOCORE = True
except ImportError:  # pragma: no cover - exercised by sanity's import test
    HAS_BOTOCORE = False

#: Services the collection calls; their models are parsed once per process (see preload()).
SERVICES = ("ec2", "iam", "logs", "sts")
_LOADER = []


def shared_loader():
    """One botocore data loader for every session of this process, so service models are parsed once
    instead of once per target (the EC2 model alone costs ~0.1 s to parse)."""
    if not _LOADER:
        import botocore.loaders

        _LOADER.append(botocore.loaders.create_loader())
    return _LOADER[0]


#: botocore sessions of this process, one per profile and AWS_* settings of the environment (see botocore_session()).
_SESSIONS = {}


def botocore_session(profile=None):
    """The botocore session of this process for ``profile`` and the ``AWS_*`` settings of the environment.

    A session costs ~15 ms to build, so it is built once per process and shared by every target: it
    only holds configuration (the shared loader, event handlers, the profile's config). Credentials
    never live on it: Clients resolves them per target and passes them to each client it creates.
    A task's ``environment`` may change AWS_PROFILE or the config files: a session keeps what it read first,
    so the key holds every setting botocore may keep (see _core/aws_environment.session_settings).
    """
    import botocore.session

    key = (profile, session_settings(os.environ))
    session = _SESSIONS.get(key)
    if session is None:
        session = botocore.session.Session(profile=profile)
        session.register_component("data_loader", shared_loader())
        # STS's regional endpoints, whatever the config says: the global endpoint's (legacy) session tokens are
        # refused in opt-in regions even where the account enabled them (AuthFailure), which would pass for a
        # region not enabled (the default of recent botocore releases; older ones used the global endpoint).
        session.set_config_variable("sts_regional_endpoints", "regional")
        _SESSIONS[key] = session
    return session


_CLIENT_CLASSES = {}


#: Set to 0 (or false, no, off) to leave botocore's client creation alone (see cache_client_classes()).
CLIENT_CLASS_CACHE_ENV = "FLOWLOGS_AWS_CLIENT_CLASS_CACHE"
#: What botocore's private ClientCreator._create_client_class must look like for the cache to replace it.
CLIENT_CLASS_SIGNATURE = ("self", "service_name", "service_model")
BOTOCORE_TESTED = ((1, 34), (2, 0))


def client_class_cache_refusal(version, parameters, environ):
    """Why the client class cache must stay off (pure), or None: switched off, an untested botocore, or a
    private method that no longer has the shape the cache replaces."""
    if str(environ.get(CLIENT_CLASS_CACHE_ENV, "1")).lower() in ("0", "false", "no", "off"):
        return "switched off with {}".format(CLIENT_CLASS_CACHE_ENV)
    try:
        found = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        found = None
    low, high = BOTOCORE_TESTED
    if found is None or not low <= found < high:
        return "botocore {} is outside the versions it was made for ({}.{} to {}.x)".format(
            version, low[0], low[1], high[0] - 1
        )
    if tuple(parameters) != CLIENT_CLASS_SIGNATURE:
        return "botocore's ClientCreator._create_client_class takes ({}), not ({})".format(
            ", ".join(parameters), ", ".join(CLIENT_CLASS_SIGNATURE)
        )
    return None


def cache_client_classes():
    """Build each service's client class once per process instead of once per client; returns why not, or None.

    botocore builds a new client class (one method per API operation: ~800 for EC2, ~20 ms) for every client it
    creates. The class depends only on the service model and the session's event handlers, so for the sessions
    made by botocore_session() (all alike) it is built once, by preload() on the controller before Ansible forks
    its workers. Clients of any other botocore session are left alone. It replaces a private botocore method,
    so it steps aside (and says why) when botocore is not a version it was made for, when that method changed
    shape, or when FLOWLOGS_AWS_CLIENT_CLASS_CACHE=0.
    """
    import inspect

    import botocore
    from botocore.client import ClientCreator

    original = ClientCreator._create_client_class  # pylint: disable=protected-access
    if getattr(original, "flowlogs_cached", False):
        return None
    refusal = client_class_cache_refusal(botocore.__version__, list(inspect.signature(original).parameters), os.environ)
    if refusal:
        return refusal

    def create_client_class(self, service_name, service_model):
        emitter = self._event_emitter  # pylint: disable=protected-access
        if not any(s.get_component("event_emitter") is emitter for s in _SESSIONS.values()):
            return original(self, service_name, service_model)
        key = (service_name, service_model.api_version)
        if key not in _CLIENT_CLASSES:
            _CLIENT_CLASSES[key] = original(self, service_name, service_model)
        return _CLIENT_CLASSES[key]

    create_client_class.flowlogs_cached = True
    ClientCreator._create_client_class = create_client_class  # pylint: disable=protected-access
    return None


_PRELOADED = []


def preload(services=SERVICES):
    """Parse the models of ``services`` now: called on the controller before Ansible forks its workers, which
    then inherit them. Returns (level, note) pairs - why the client class cache is off (``info`` when switched
    off on purpose, else ``warning``), or why preloading failed (``warning``) - for the caller to log, once per
    process; the run goes on either way (this only warms caches)."""
    if not HAS_BOTOCORE or _PRELOADED:
        return []
    from botocore import xform_name

    _PRELOADED.append(True)
    notes = []
    try:
        session = botocore_session()
        refusal = cache_client_classes()
        if refusal:
            level = "info" if refusal.startswith("switched off") else "warning"
            notes.append((level, "client class cache off: " + refusal))
        for service in services:
            client = session.create_client(
                service, region_name="us-east-1", aws_access_key_id="preload", aws_secret_access_key="preload"
            )
            # The paginators too: the first can_paginate() of a worker would otherwise load them, walking botocore's
            # data directories to list every service (~20 ms of CPU per task and target).
            client.can_paginate(xform_name(client.meta.service_model.operation_names[0]))
    except Exception as exc:  # pylint: disable=broad-exception-caught
        reason = "{}: {}".format(type(exc).__name__, exc)
        notes.append(("warning", "preloading botocore failed ({}); clients are built per target".format(reason)))
    return notes
