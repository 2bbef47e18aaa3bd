# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS SDK's environment variables, sorted by what they are: secrets, credentials, or settings.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call, no Ansible object.
"""

from __future__ import annotations

#: Credentials botocore reads from the environment each time it resolves them; a session never keeps them.
CREDENTIAL_VARIABLES = frozenset(
    (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
    )
)
#: Words that make a variable's value a secret (AWS_SECRET_ACCESS_KEY, AWS_CONTAINER_AUTHORIZATION_TOKEN...).
SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD")


def is_secret(name):
    """Whether a variable's value must never be shown; ``..._FILE`` names a file (AWS_WEB_IDENTITY_TOKEN_FILE)."""
    upper = str(name).upper()
    return any(word in upper for word in SECRET_WORDS) and not upper.endswith("_FILE")


def session_settings(environ):
    """The ``AWS_*`` variables of ``environ`` a botocore session may read once and keep, as a sorted tuple of pairs.

    A session caches its profile (AWS_PROFILE, AWS_DEFAULT_PROFILE), its parsed config and credentials files, and a
    credential chain built from the metadata-service, web-identity and container settings of the moment: any
    ``AWS_*`` variable but credentials and secrets, which botocore reads again each time.
    """
    return tuple(
        sorted(
            (name, value)
            for name, value in environ.items()
            if name.startswith("AWS_") and name not in CREDENTIAL_VARIABLES and not is_secret(name)
        )
    )
