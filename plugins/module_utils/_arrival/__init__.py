# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof of delivery: whether each flow log's records reach its destination, and what they weigh and cost. Private
to the collection: not a public API, it may change in any release.

A flow log that AWS calls ACTIVE may deliver nothing (a role that trusts the wrong service, a bucket policy that
silently denies every write, a deleted log group). This package reads the destination itself - the log streams of a
CloudWatch Logs group (without reading events), the newest objects of an S3 prefix, a Firehose stream's metrics -
and gives each flow log an arrival verdict: ``delivering``, ``silent`` (with its likely cause), ``failed`` or
``unreadable`` (verdicts.py, pure). layout.py knows where AWS writes (pure), readers.py and volume.py make the few
batched read calls, prices.py turns the measured bytes per day into an estimated monthly cost (pure, a documented
price table), rules.py checks the options before any call, and check.py puts it together for the info module and
the role.
"""
