#!/usr/bin/env python
"""Seeds, on moto server only, what flowlogs.aws never creates for the flow_log_bucket target: the bucket, its
object ownership setting, a statement of someone else's in its policy, and a customer managed KMS key.

Prints {"bucket", "key_id", "key_arn"} as JSON. Credentials come from the environment.
"""

from __future__ import annotations

import argparse
import json

import boto3
from botocore.exceptions import ClientError

OWNERSHIP = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter", "none")


def foreign_statement(bucket):
    """A statement the module must keep exactly as it is: deny anything over plain HTTP."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::{}".format(bucket), "arn:aws:s3:::{}/*".format(bucket)],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--ownership", choices=OWNERSHIP, default="BucketOwnerEnforced")
    parser.add_argument("--policy", choices=("foreign", "none", "keep"), default="keep")
    parser.add_argument("--key", action="store_true", help="also create a KMS key")
    args = parser.parse_args()
    s3 = boto3.client("s3", endpoint_url=args.endpoint_url, region_name=args.region)
    try:
        s3.create_bucket(Bucket=args.bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    if args.ownership == "none":
        s3.delete_bucket_ownership_controls(Bucket=args.bucket)
    else:
        rules = [{"ObjectOwnership": args.ownership}]
        s3.put_bucket_ownership_controls(Bucket=args.bucket, OwnershipControls={"Rules": rules})
    if args.policy == "foreign":
        policy = {"Version": "2012-10-17", "Statement": [foreign_statement(args.bucket)]}
        s3.put_bucket_policy(Bucket=args.bucket, Policy=json.dumps(policy))
    elif args.policy == "none":
        s3.delete_bucket_policy(Bucket=args.bucket)
    found = dict(bucket=args.bucket, key_id=None, key_arn=None)
    if args.key:
        key = boto3.client("kms", endpoint_url=args.endpoint_url, region_name=args.region).create_key(
            Description=args.bucket
        )["KeyMetadata"]
        found.update(key_id=key["KeyId"], key_arn=key["Arn"])
    print(json.dumps(found))


if __name__ == "__main__":
    main()
