"""The resources a call touched, for the record's ``resources[]`` and LookupEvents' resource lookups.

Handlers may set ``ctx.audit["resources"] = [{"type": ..., "name": ..., "arn": ...}]``; otherwise well-known
request members name them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Resource", "resources_of"]

Resource = dict[str, str]

# (service, request member) -> CloudFormation-style resource type.
_MEMBERS: tuple[tuple[str, str, str], ...] = (
    ("iam", "UserName", "AWS::IAM::User"),
    ("iam", "RoleName", "AWS::IAM::Role"),
    ("iam", "GroupName", "AWS::IAM::Group"),
    ("iam", "PolicyArn", "AWS::IAM::Policy"),
    ("iam", "AccessKeyId", "AWS::IAM::AccessKey"),
    ("iam", "SerialNumber", "AWS::IAM::MFADevice"),
    ("s3", "Bucket", "AWS::S3::Bucket"),
    ("sqs", "QueueUrl", "AWS::SQS::Queue"),
    ("sqs", "QueueName", "AWS::SQS::Queue"),
    ("sns", "TopicArn", "AWS::SNS::Topic"),
    ("sns", "SubscriptionArn", "AWS::SNS::Subscription"),
    ("events", "Rule", "AWS::Events::Rule"),
    ("support", "caseId", "AWS::Support::Case"),
    ("cloudtrail", "Name", "AWS::CloudTrail::Trail"),
    ("organizations", "AccountId", "AWS::Organizations::Account"),
    ("organizations", "PolicyId", "AWS::Organizations::Policy"),
    ("sts", "TargetPrincipal", "AWS::Organizations::Account"),
)

_MEMBERS_OF: dict[str, tuple[tuple[str, str], ...]] = {
    service: tuple((member, kind) for member_service, member, kind in _MEMBERS if member_service == service)
    for service, _, _ in _MEMBERS
}

# Resource type -> ARN template for members that carry a bare name.
_ARNS = {
    "AWS::IAM::User": "arn:aws:iam::{account}:user/{name}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{name}",
    "AWS::IAM::Group": "arn:aws:iam::{account}:group/{name}",
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
}


def resources_of(service: str, account_id: str, params: dict[str, Any],
                 declared: list[Resource] | None) -> list[Resource]:
    """``declared`` when the handler named the resources, else those found among well-known request members."""
    if declared:
        return [dict(resource) for resource in declared]
    found: list[Resource] = []
    for member, resource_type in _MEMBERS_OF.get(service, ()):
        value = params.get(member)
        if isinstance(value, str) and value:
            resource = {"type": resource_type, "name": value}
            if value.startswith("arn:"):
                resource["arn"] = value
            elif resource_type in _ARNS:
                resource["arn"] = _ARNS[resource_type].format(account=account_id, name=value)
            found.append(resource)
    return found
