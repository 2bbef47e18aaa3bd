# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flow logs themselves: what AWS accepts (fields, resource and destination types), the desired flow log and the
one judge() that compares it with what exists, planning and the batched writer (make-before-break replacement,
chunking, the wait for a new delivery role), the audit of a region's resources, and a flow log's record format.
Private to the collection: it may change in any release.
"""
