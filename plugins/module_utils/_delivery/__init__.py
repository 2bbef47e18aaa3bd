# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where flow logs are delivered and with what permission: the delivery role (trust and policy documents, IAM rules,
plan and converge), the CloudWatch Logs group, the central S3 archive bucket and its key, and the checks that read a
bucket's policy to say why delivery would fail. Private to the collection: it may change in any release.
"""
