"""AWS MSK IAM authentication for --command-config, through AWS's own signer package.

A Java client connects to an MSK IAM listener with `sasl.mechanism=AWS_MSK_IAM` (IAMLoginModule),
or with OAUTHBEARER and `IAMOAuthBearerLoginCallbackHandler`. kafka-audit does both as OAUTHBEARER,
which MSK's IAM listeners accept, with a token from `aws-msk-iam-sasl-signer-python` (the optional
extra `kafka-audit[msk]`): a SigV4-presigned `kafka-cluster:Connect` request, signed with the
credentials boto3 finds (environment, profile, instance role), the JAAS `awsProfileName`, or the
role of `awsRoleArn`. The region comes from AWS_REGION / AWS_DEFAULT_REGION, else from the
bootstrap host name (`b-1.NAME.ID.c2.kafka.REGION.amazonaws.com`).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from typing import Any

from auditor.errors import InputError

IAM_HANDLERS = (
    "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
    "software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler",
)
_REGION_IN_HOST = re.compile(r"\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com")


def is_msk_iam(props: Mapping[str, str]) -> bool:
    mechanism = props.get("sasl.mechanism", "").strip().upper()
    keys = ("sasl.client.callback.handler.class", "sasl.login.callback.handler.class")
    handlers = {props.get(key, "").strip() for key in keys}
    return mechanism == "AWS_MSK_IAM" or (mechanism == "OAUTHBEARER" and bool(handlers & set(IAM_HANDLERS)))


def msk_iam_kwargs(props: Mapping[str, str], options: Mapping[str, str], source: str) -> dict[str, Any]:
    """kafka-python OAUTHBEARER settings whose token provider signs with AWS's MSK IAM signer."""
    if importlib.util.find_spec("aws_msk_iam_sasl_signer") is None:
        raise InputError(
            f"{source}: MSK IAM authentication needs AWS's signer: pip install 'kafka-audit[msk]' "
            "(aws-msk-iam-sasl-signer-python)"
        )
    region = _region(props)
    if region is None:
        raise InputError(f"{source}: MSK IAM needs the AWS region: set AWS_REGION (or use the MSK bootstrap host name)")
    return {
        "sasl_mechanism": "OAUTHBEARER",
        "sasl_oauth_token_provider": _provider(region, options.get("awsProfileName"), options.get("awsRoleArn")),
    }


def _region(props: Mapping[str, str]) -> str | None:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        return region
    match = _REGION_IN_HOST.search(props.get("bootstrap.servers", ""))
    return match.group(1) if match else None


def _provider(region: str, profile: str | None, role_arn: str | None) -> Any:
    from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
    from kafka.net.sasl.oauth import AbstractTokenProvider

    class MskIamTokenProvider(AbstractTokenProvider):  # type: ignore[misc]
        """A fresh signed token per login (the signer's tokens last 15 minutes)."""

        def token(self) -> str:
            if role_arn:
                token, _ = MSKAuthTokenProvider.generate_auth_token_from_role_arn(region, role_arn)
            elif profile:
                token, _ = MSKAuthTokenProvider.generate_auth_token_from_profile(region, profile)
            else:
                token, _ = MSKAuthTokenProvider.generate_auth_token(region)
            return str(token)

    return MskIamTokenProvider()
