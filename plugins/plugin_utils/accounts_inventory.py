# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deprecated: 1.0.0's ``accounts_inventory`` module, kept so that code importing it keeps working in 1.x; it goes
away in 2.0.0. Since 1.1.0 the collection's internals are private (modules whose names start with an
underscore): rely on its modules, plugins and documented return values only. This file only re-exports
what 1.0.0 had here."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.plugin_utils._accounts_inventory import (
    ACCESS_ROLE,
    ACCOUNT_ID,
    DEFAULT_HOSTNAME_FORMAT,
    DISCOVERY_WORKERS,
    ENABLED_OPT_IN,
    HOSTNAME_FIELDS,
    MANAGEMENT_MODES,
    PARENT_ID,
    REGION,
    ROLE_NAME,
    TARGETS_GROUP,
    UNSAFE_GROUP_CHARS,
    UNSAFE_HOST_CHARS,
    access_role_arn,
    accounts_under,
    build_targets,
    discover_regions,
    drop_unreachable,
    enabled_regions,
    fetch_organization,
    host_name,
    host_vars,
    needs_tags,
    partition_of,
    region_partition,
    safe_group_name,
    safe_host_name,
    select_accounts,
    tag_matches,
    target_regions,
    validate_options,
)

__all__ = [
    "ACCESS_ROLE",
    "ACCOUNT_ID",
    "DEFAULT_HOSTNAME_FORMAT",
    "DISCOVERY_WORKERS",
    "ENABLED_OPT_IN",
    "HOSTNAME_FIELDS",
    "MANAGEMENT_MODES",
    "PARENT_ID",
    "REGION",
    "ROLE_NAME",
    "TARGETS_GROUP",
    "UNSAFE_GROUP_CHARS",
    "UNSAFE_HOST_CHARS",
    "access_role_arn",
    "accounts_under",
    "build_targets",
    "discover_regions",
    "drop_unreachable",
    "enabled_regions",
    "fetch_organization",
    "host_name",
    "host_vars",
    "needs_tags",
    "partition_of",
    "region_partition",
    "safe_group_name",
    "safe_host_name",
    "select_accounts",
    "tag_matches",
    "target_regions",
    "validate_options",
]
