"""Global condition keys a request always carries, as the IAM User Guide's "AWS global condition context keys" page
lists them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)."""

from __future__ import annotations

from botocore.config import Config
from harness import error_of, iam_user_key, policy_document


def test_aws_user_agent_is_the_clients_user_agent(server, unique):
    """aws:UserAgent "is always included in the request context": the User-Agent header the client sent."""
    name = f"agent-{unique}"
    key = iam_user_key(server, name)
    server.client("iam").put_user_policy(UserName=name, PolicyName="agent", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"StringLike": {"aws:UserAgent": f"* app/{unique}*"}}}))
    tagged = server.client_for(key, "iam", config=Config(user_agent_appid=unique, retries={"max_attempts": 1}))
    assert tagged.get_user()["User"]["UserName"] == name
    plain = server.client_for(key, "iam")
    assert error_of(plain.get_user) == (
        "AccessDenied", f"User: arn:aws:iam::000000000000:user/{name} is not authorized to perform: iam:GetUser on "
        f"resource: arn:aws:iam::000000000000:user/{name} because no identity-based policy allows the iam:GetUser action", 403)
