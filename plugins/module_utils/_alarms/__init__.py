# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alarms on rejected traffic seen in CloudWatch Logs flow logs: the rules of their options, the metric filter and
alarm each rule gets, plan and converge. Private to the collection: it may change in any release.
"""
