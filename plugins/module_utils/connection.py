# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deprecated: 1.0.0's ``connection`` module, kept so that code importing it keeps working in 1.x; it goes
away in 2.0.0. Since 1.1.0 the collection's internals are private (modules whose names start with an
underscore): rely on its modules, plugins and documented return values only. This file only re-exports
what 1.0.0 had here."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._connection import (
    BOTO3_IMPORT_ERROR,
    CONNECTION_ARGSPEC,
    CONNECTION_KEYS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_MODE,
    HAS_BOTO3,
    SERVICES,
    USER_AGENT_EXTRA,
    BotoCoreError,
    ClientError,
    Clients,
    botocore_session,
    connection_params,
    error_code,
    error_message,
    preload,
    retry_config,
    shared_loader,
    to_aws_error,
)

__all__ = [
    "BOTO3_IMPORT_ERROR",
    "CONNECTION_ARGSPEC",
    "CONNECTION_KEYS",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RETRY_MODE",
    "HAS_BOTO3",
    "SERVICES",
    "USER_AGENT_EXTRA",
    "BotoCoreError",
    "ClientError",
    "Clients",
    "botocore_session",
    "connection_params",
    "error_code",
    "error_message",
    "preload",
    "retry_config",
    "shared_loader",
    "to_aws_error",
]
