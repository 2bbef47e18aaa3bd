# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Paired one to one with CONNECTION_ARGSPEC in plugins/module_utils/connection.py.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region to work in, for example C(eu-west-1).
      - When unset, the C(AWS_REGION) or C(AWS_DEFAULT_REGION) environment variable or the profile's
        region is used, as boto3 does.
    type: str
    aliases: [aws_region]
  profile:
    description:
      - A named profile from the AWS shared credentials/config files.
      - When unset, the C(AWS_PROFILE) environment variable is used, as boto3 does.
      - Do not combine with O(access_key) and O(secret_key).
    type: str
    aliases: [aws_profile]
  access_key:
    description:
      - AWS access key ID. When unset, boto3's credential chain is used (environment variables
        C(AWS_ACCESS_KEY_ID), shared files, instance or container role).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key that goes with O(access_key). Never logged.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS session token for temporary credentials. Never logged.
    type: str
    aliases: [aws_session_token]
  endpoint_url:
    description:
      - Send every AWS API call, of every service the module uses, to this URL instead of the public AWS endpoints,
        for example a proxy or a local test server such as moto.
      - When unset, the C(AWS_ENDPOINT_URL) environment variable is used, as boto3 does, and so are the endpoints
        of one service (C(AWS_ENDPOINT_URL_EC2)-style variables, for a VPC interface endpoint) and
        C(AWS_USE_FIPS_ENDPOINT).
    type: str
    aliases: [aws_endpoint_url]
  aws_ca_bundle:
    description:
      - The CA bundle (a PEM file) that verifies the TLS certificates of the AWS endpoints, for example
        a corporate TLS-inspecting proxy's CA or the CA of a private O(endpoint_url).
      - When unset, the C(AWS_CA_BUNDLE) environment variable or the profile's C(ca_bundle) is used, as boto3
        does, else the certificates that come with botocore.
      - A file that does not exist is refused before any AWS call.
    type: path
  validate_certs:
    description:
      - When V(false), TLS certificates of the AWS endpoints are not verified at all.
      - Strongly discouraged (anyone on the path can read and change the calls); set O(aws_ca_bundle) instead.
      - Ignored when O(aws_ca_bundle) is set.
    type: bool
    default: true
  aws_config:
    description:
      - "Settings of botocore's C(Config), merged over the collection's (C(standard) retries with 10 attempts,
        C(connect_timeout=10), C(read_timeout=60)), for example
        C({retries: {mode: adaptive, max_attempts: 5}, proxies: {https: 'http://proxy:3128'}})."
      - A C(user_agent_extra) is added to the collection's own C(flowlogs.aws) user agent, not put in its place.
      - Unknown settings are refused before any AWS call, naming the allowed ones. See
        U(https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html).
    type: dict
  assume_role_arn:
    description:
      - Assume this IAM role with STS before doing anything, typically to work in another account of
        an organization, for example C(arn:aws:iam::111111111111:role/OrganizationAccountAccessRole).
    type: str
  assume_role_external_id:
    description:
      - External ID to pass to STS AssumeRole when the role's trust policy requires one.
    type: str
  assume_role_session_name:
    description:
      - Session name for STS AssumeRole; it shows in the target account's CloudTrail.
    type: str
    default: flowlogs-aws
  sts_region:
    description:
      - The region whose STS endpoint O(assume_role_arn) is assumed through.
      - Default - O(region), unless it is an opt-in region (one an account must enable, such as C(af-south-1)), then
        C(us-east-1) - its tokens work in every region the target account enabled, whether or not the controller's
        own account enabled it.
    type: str
    version_added: 2.0.0
  expected_account_id:
    description:
      - The 12-digit AWS account ID the credentials (after O(assume_role_arn)) must resolve to.
      - When they resolve to another account the module fails before any other AWS call, naming both
        accounts, and nothing is read or changed. A guard against a wrong profile or a copy-pasted role ARN.
      - Free after O(assume_role_arn) (the assumed role's ARN names its account); otherwise one STS
        C(GetCallerIdentity) call, which needs no permission.
    type: str
notes:
  - The connection options have amazon.aws's names, aliases and environment variables, and every module is
    in the C(flowlogs.aws.aws) action group, which includes amazon.aws's C(aws) group; C(module_defaults)
    for C(group/aws) or C(group/amazon.aws.aws) also reach these modules' connection options. See the
    collection's "amazon.aws habits" guide.
  - Every AWS call is retried by botocore's own C(standard) retry mode, up to 10 attempts, with
    exponential backoff on throttling and transient errors. Set C(AWS_RETRY_MODE=adaptive) or
    C(AWS_MAX_ATTEMPTS) in the environment to change that.
requirements:
  - python >= 3.8
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
"""
