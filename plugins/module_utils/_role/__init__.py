# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flowlogs.aws.flow_logs role in Python: its variables (converted as meta/argument_specs.yml says, checked,
misspellings refused), the destinations, resource types and analysis they describe, and one target (one account in one
region) discovered and converged by the modules' own converge functions. Private to the collection: it may change in
any release.
"""
