"""The authorizer answers the root user acting in its own account, with no policy applying, without evaluating
(issue #19: the request's facts cost a tenth of a GetUser); the answer must be the one ``evaluate`` gives."""

import pytest

from rootplane.authz import authorizer
from rootplane.authz.gather import NOTHING_APPLIES
from rootplane.policy import PolicySet, RequestFacts, evaluate

ACCOUNT = "111122223333"


@pytest.mark.parametrize("action", ["iam:GetUser", "iam:CreateUser", "s3:PutObject", "sqs:SendMessage",
                                    "kms:Decrypt", "sts:GetCallerIdentity", "organizations:ListAccounts"])
@pytest.mark.parametrize("resource_account", [None, ACCOUNT])
def test_the_shortcut_is_what_evaluate_decides_for_the_root_user_of_the_resources_account(action, resource_account):
    facts = RequestFacts(action=action, resource="*", principal_arn=f"arn:aws:iam::{ACCOUNT}:root",
                         principal_account=ACCOUNT, resource_account=resource_account, principal_is_root=True)
    assert evaluate(facts, NOTHING_APPLIES) == authorizer._ROOT_OWN_ACCOUNT
    assert evaluate(facts, PolicySet()) == authorizer._ROOT_OWN_ACCOUNT


def test_nothing_applies_is_an_empty_policy_set():
    assert NOTHING_APPLIES == PolicySet()
