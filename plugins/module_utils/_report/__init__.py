# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: per target and per resource, before -> action -> after, with the delivery each target set up and
the compliance a pipeline gates on - as JSON, a text table and an HTML page. Pure: made from the targets' results,
without AWS calls. Private to the collection: it may change in any release.
"""
