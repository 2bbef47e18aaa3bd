# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
""" "Why can't A reach B?" answered from flow-log records: the question and its time window, reading and parsing the
records, a verdict per conversation and per target, what the flow logs could show (coverage), and the report of every
target's answer. Private to the collection: it may change in any release.
"""
