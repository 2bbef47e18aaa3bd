# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module and plugin shares, and nothing domain-specific: the connection to AWS (options, botocore
sessions and clients, assume role, retries, the task environment's AWS settings), the two error types and how a
botocore failure or an answer that is not AWS's becomes one, the plan-then-apply converge driver the resource modules
share, the wiring of a module's main(), and tag differences. Private to the collection: it may change in any release.
"""
