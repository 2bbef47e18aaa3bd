# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""S3: a bucket's policy and its object ownership setting, and the objects under a prefix. Private: may change in any
release.

Every call names the account expected to own the bucket (``ExpectedBucketOwner``) when it is known: S3 then
refuses the call for a bucket of the same name in another account instead of reading or changing it.
"""

from __future__ import annotations

import json

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call, policy_text


def _owner(owner):
    return dict(ExpectedBucketOwner=owner) if owner else {}


def get_bucket_policy(s3, bucket, owner=None):
    """The bucket policy as a dict, or None when the bucket has none. A missing bucket raises NoSuchBucket."""
    answer = call(
        s3,
        "get_bucket_policy",
        "s3:GetBucketPolicy",
        bucket,
        missing="NoSuchBucketPolicy",
        Bucket=bucket,
        **_owner(owner),
    )
    if answer is None or not answer.get("Policy"):
        return None
    return json.loads(answer["Policy"])


def put_bucket_policy(s3, bucket, policy, owner=None):
    call(
        s3,
        "put_bucket_policy",
        "s3:PutBucketPolicy",
        bucket,
        Bucket=bucket,
        Policy=policy_text(policy),
        **_owner(owner),
    )


def delete_bucket_policy(s3, bucket, owner=None):
    call(
        s3,
        "delete_bucket_policy",
        "s3:DeleteBucketPolicy",
        bucket,
        gone="NoSuchBucketPolicy",
        Bucket=bucket,
        **_owner(owner),
    )


def get_object_ownership(s3, bucket, owner=None):
    """The bucket's ObjectOwnership (BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter), or None when the
    bucket has no ownership controls (ACLs then apply as ObjectWriter)."""
    answer = call(
        s3,
        "get_bucket_ownership_controls",
        "s3:GetBucketOwnershipControls",
        bucket,
        missing="OwnershipControlsNotFoundError",
        Bucket=bucket,
        **_owner(owner),
    )
    rules = ((answer or {}).get("OwnershipControls") or {}).get("Rules") or []
    return rules[0].get("ObjectOwnership") if rules else None


#: ListObjectsV2's largest page.
OBJECTS_PAGE = 1000


def list_objects(s3, bucket, prefix, start_after=None, max_pages=1):
    """The objects under ``prefix``, in key order, after ``start_after`` (a key) when given, at most ``max_pages``
    pages of 1,000: ``{objects: [{key, size, last_modified}], truncated}``. A missing bucket raises NoSuchBucket.

    No ``ExpectedBucketOwner``: the bucket a flow log delivers to may be another account's, and listing it only
    reads key names."""
    kwargs = dict(Bucket=bucket, Prefix=prefix, MaxKeys=OBJECTS_PAGE)
    if start_after:
        kwargs["StartAfter"] = start_after
    objects, truncated = [], False
    for _page in range(max_pages):
        answer = call(s3, "list_objects_v2", "s3:ListBucket", "{}/{}".format(bucket, prefix), **kwargs)
        objects.extend(
            dict(key=o["Key"], size=o.get("Size", 0), last_modified=o.get("LastModified"))
            for o in answer.get("Contents") or []
        )
        truncated = bool(answer.get("IsTruncated") and answer.get("NextContinuationToken"))
        if not truncated:
            break
        kwargs["ContinuationToken"] = answer["NextContinuationToken"]
    return dict(objects=objects, truncated=truncated)
