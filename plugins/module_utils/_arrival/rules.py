# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of the arrival check's options, checked before any AWS call: the window and a price table. Private to
the collection: not a public API, it may change in any release. Pure: no AWS call.

``arrival_problems(params)`` returns a ParameterError per option (``delivery_window``, ``price_table``), in the
info module's names; the role names them back to its variables.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.prices import PRICE_TABLE, TEXT_KEYS
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError

#: A window shorter than one aggregation interval plus the way to the destination would call delivering flow logs
#: silent; longer than a day proves little.
WINDOW_MINUTES = (10, 1440)
SECTIONS = ("cloudwatch_logs", "s3", "firehose")


def arrival_problems(params):
    """Every problem with ``delivery_window`` and ``price_table``, one ParameterError each."""
    problems = []
    window = params.get("delivery_window")
    low, high = WINDOW_MINUTES
    if window is not None and (isinstance(window, bool) or not isinstance(window, int) or not low <= window <= high):
        problems.append(
            ParameterError(
                "delivery_window",
                "must be a number of minutes from {} to {} (flow logs deliver every 1 to 10 minutes, and records take "
                "a few more minutes on the way), got {!r}".format(low, high, window),
            )
        )
    detail = price_table_problem(params.get("price_table"))
    if detail:
        problems.append(ParameterError("price_table", detail))
    return problems


def price_table_problem(table):
    """What is wrong with a price table given to override the collection's, in words, or None."""
    if table is None:
        return None
    if not isinstance(table, dict):
        return "must be a dictionary of the sections {} (and {}), got {!r}".format(
            ", ".join(SECTIONS), ", ".join(TEXT_KEYS), table
        )
    for key, value in table.items():
        if key not in SECTIONS and key not in TEXT_KEYS:
            return "{!r} is not a key of the price table; the keys are {} and {}".format(
                key, ", ".join(SECTIONS), ", ".join(TEXT_KEYS)
            )
        found = _section_problem(key, value) if key in SECTIONS else None
        if found:
            return found
    return None


def _section_problem(section, value):
    known = PRICE_TABLE[section]
    if not isinstance(value, dict):
        return "{} must be a dictionary of {}, got {!r}".format(section, ", ".join(known), value)
    for key, price in value.items():
        if key not in known:
            return "{s}.{k} is not a price of the table; {s} has {known}".format(
                s=section, k=key, known=", ".join(known)
            )
        found = _tiers_problem(section, price) if key == "ingestion_tiers" else _number_problem(section, key, price)
        if found:
            return found
    return None


def _number_problem(section, key, price):
    if isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0:
        return "{}.{} must be a number, 0 or more, got {!r}".format(section, key, price)
    return None


def _tiers_problem(section, tiers):
    shape = (
        "{}.ingestion_tiers must be a list of [gigabytes, price per GB] pairs, the last [null, price] for the rest, "
        "got {!r}".format(section, tiers)
    )
    if not isinstance(tiers, list) or not tiers:
        return shape
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if not isinstance(tier, (list, tuple)) or len(tier) != 2 or (tier[0] is None) != last:
            return shape
        if _number_problem(section, "ingestion_tiers", tier[1]) or (not last and _number_problem(section, "", tier[0])):
            return shape
    return None
