# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What flow logs cost a month, estimated from the bytes a destination takes in a day and a price table. Private to
the collection: not a public API, it may change in any release. Pure: no AWS call.

``PRICE_TABLE`` is the collection's table: the region and the date its prices were written down, where each comes
from and which could not be checked on AWS's own pricing page (``verified``, ``notes``). Prices differ by region and
change: a user's table (the role's ``flow_logs_price_table``, the info module's ``price_table``) is merged over it,
section by section (``merge_prices``). Flow logs are "vended logs": CloudWatch charges their delivery per GB
delivered in the month, in tiers, to CloudWatch Logs, to S3 and to Firehose; the destination charges its storage.

The estimate is deliberately simple and says so: tiers are applied to each destination's own volume (AWS applies
them to an account's - or an organisation's, with consolidated billing - whole monthly volume of vended logs, so the
estimate is an upper bound); storage is one month's records kept one month (a retention of N months holds N times
that at steady state); CloudWatch Logs stores records compressed (``stored_fraction``), and the S3 bytes measured are
compressed files, so what S3 delivery ingested is estimated back from them (``gzip_fraction``,
``parquet_fraction``). Firehose's own charges and whatever it delivers to are not included.
"""

from __future__ import annotations

import copy

#: A gigabyte as AWS bills it, and a month as its price pages count it (730 hours).
GB = 1024**3
MONTH_DAYS = 730 / 24

VENDED_S3_TIERS = [[10240, 0.25], [20480, 0.15], [20480, 0.075], [None, 0.05]]

PRICE_TABLE = dict(
    currency="USD",
    region="us-east-1",
    read_on="2026-12-07",
    verified=False,
    sources=[
        "Amazon CloudWatch pricing, Logs tab, Vended Logs: https://aws.amazon.com/cloudwatch/pricing/ (the tables "
        "of that page could not be read when this table was written; check the prices there)",
        "Amazon VPC User Guide, Publish flow logs to Amazon S3 (vended-log ingestion and archival charges apply to "
        "flow logs delivered to S3) and Flow log files (Parquet with Gzip takes 20 percent less storage than plain "
        "text with Gzip): https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html",
        "aws-samples/sample-cfm-tips-mcp, services/cloudwatch_service_vended_log.py (vended-log tiers for CloudWatch "
        "Logs and for S3 and Firehose, storage $0.03 and S3 Standard $0.023 per GB-month, us-east-1)",
        "AWS Pricing Calculator's assumption for CloudWatch Logs storage: archived data is 15 percent of what was "
        "ingested (as quoted by https://dev.classmethod.jp/articles/compare-archive-cost-cloudwatchlogs-s3/)",
    ],
    notes=[
        "Not verified against AWS's pricing page: every price below was taken from the secondary sources listed; "
        "check https://aws.amazon.com/cloudwatch/pricing/ and https://aws.amazon.com/s3/pricing/ for your region "
        "and override what differs with flow_logs_price_table.",
        "The Parquet conversion price (0.035 per GB in us-east-1) is derived from a Tokyo price list (0.056 per GB, "
        "Tokyo's vended-log prices being about 1.5 to 1.6 times us-east-1's): the least certain entry.",
        "Tiers are applied to each destination's volume alone; AWS applies them to the whole month's vended logs of "
        "the account or organisation, so the estimate is an upper bound.",
        "Storage is one month of records kept for one month; a retention of N months holds N times as much.",
        "Firehose: only the vended-log delivery charge; Firehose's own charges and its destination are not included.",
    ],
    cloudwatch_logs=dict(
        ingestion_tiers=[[10240, 0.50], [20480, 0.25], [20480, 0.10], [None, 0.05]],
        storage_per_gb_month=0.03,
        stored_fraction=0.15,
    ),
    s3=dict(
        ingestion_tiers=VENDED_S3_TIERS,
        parquet_per_gb=0.035,
        storage_per_gb_month=0.023,
        gzip_fraction=0.15,
        parquet_fraction=0.8,
    ),
    firehose=dict(ingestion_tiers=VENDED_S3_TIERS),
)
#: The table's sections by destination type.
SECTIONS = {"cloud-watch-logs": "cloudwatch_logs", "s3": "s3", "kinesis-data-firehose": "firehose"}
#: Keys of the table that are words, not prices.
TEXT_KEYS = ("currency", "region", "read_on", "verified", "sources", "notes")


def merge_prices(override=None):
    """The collection's table with ``override`` merged over it, section by section (checked by rules.py)."""
    table = copy.deepcopy(PRICE_TABLE)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(table.get(key), dict):
            table[key].update(copy.deepcopy(value))
        else:
            table[key] = copy.deepcopy(value)
    if override:
        table["verified"] = bool(override.get("verified", False))
    return table


def tiered(gigabytes, tiers):
    """The price of ``gigabytes`` in a month over ``tiers`` ([[size in GB or None for the rest, price per GB]])."""
    cost, left = 0.0, gigabytes
    for size, price in tiers:
        part = left if size is None else min(left, size)
        cost += part * price
        left -= part
        if left <= 0:
            break
    return cost


def _money(parts):
    found = {key: round(value, 2) for key, value in parts.items()}
    found["total"] = round(sum(parts.values()), 2)
    return found


def ingested_per_day(kind, bytes_per_day, table, parquet=False):
    """What the destination took in a day, uncompressed: CloudWatch Logs and Firehose measure it; S3's files are
    compressed, so it is estimated back from their size."""
    if kind != "s3":
        return bytes_per_day
    s3 = table["s3"]
    return bytes_per_day / (s3["gzip_fraction"] * (s3["parquet_fraction"] if parquet else 1))


def monthly_cost(kind, bytes_per_day, table, parquet=False):
    """The estimated cost of a month at ``bytes_per_day`` (what the destination measures: uncompressed for
    CloudWatch Logs and Firehose, stored files for S3): ``{ingestion, conversion, storage, total}``."""
    month_gb = ingested_per_day(kind, bytes_per_day, table, parquet) * MONTH_DAYS / GB
    section = table[SECTIONS[kind]]
    parts = dict(ingestion=tiered(month_gb, section["ingestion_tiers"]), conversion=0.0, storage=0.0)
    if kind == "cloud-watch-logs":
        parts["storage"] = month_gb * section["stored_fraction"] * section["storage_per_gb_month"]
    elif kind == "s3":
        parts["conversion"] = month_gb * section["parquet_per_gb"] if parquet else 0.0
        parts["storage"] = bytes_per_day * MONTH_DAYS / GB * section["storage_per_gb_month"]
    return _money(parts)


def s3_parquet_cost(ingested_bytes_per_day, table):
    """What the same records would cost a month delivered to S3 in Parquet instead."""
    s3 = table["s3"]
    month_gb = ingested_bytes_per_day * MONTH_DAYS / GB
    return _money(
        dict(
            ingestion=tiered(month_gb, s3["ingestion_tiers"]),
            conversion=month_gb * s3["parquet_per_gb"],
            storage=month_gb * s3["gzip_fraction"] * s3["parquet_fraction"] * s3["storage_per_gb_month"],
        )
    )


def table_summary(table):
    """What a report says of the table it priced with."""
    return {key: table.get(key) for key in TEXT_KEYS}
