# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What helps people read the flow logs, matched to their record format: saved Logs Insights queries and
Contributor Insights rules on a log group, and the Glue table and Athena named queries over an S3 destination.
Private to the collection: it may change in any release.
"""
