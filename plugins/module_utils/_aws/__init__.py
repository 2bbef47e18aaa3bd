# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The only layer that calls boto3, one module per service. Private to the collection: not a public API,
it may change in any release.

One function per AWS call (plus pagination and chunking). Each takes a client, returns plain snake_case data and
raises AwsError carrying AWS's error code; an error code that means "not there" is declared per call (``missing=``
for a read, ``gone=`` for a delete) instead of a hand-written try/except. Nothing here decides anything.
"""
