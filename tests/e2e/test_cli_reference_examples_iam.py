"""The Examples of the AWS CLI command reference pages for IAM (docs.aws.amazon.com/cli/latest/reference/iam/...),
replayed with the AWS CLI as written there (account ids adapted) and judged on the documented output.
"""

from __future__ import annotations

import pytest

from docs_cli import BOOT_KEY, Cli

# simulate-custom-policy and get-context-keys-for-custom-policy: a policy whose Statement is one object, not a list
DYNAMODB_AFTER_DATE = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
                       '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
DYNAMODB_OWN_TABLE = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":'
                      '"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":'
                      '{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}')


@pytest.fixture(scope="module")
def root(server) -> Cli:
    return Cli(server, BOOT_KEY)


def test_simulate_custom_policy_examples(root):
    """simulate-custom-policy.html, Examples 1 and 2: a single-object Statement starts at line 1, column 38 (just
    inside its brace) and ends at column 167; a date before the condition's is an implicit deny."""
    def simulate(current_time: str) -> dict:
        return root.json("iam", "simulate-custom-policy", "--policy-input-list", DYNAMODB_AFTER_DATE,
                         "--action-names", "dynamodb:CreateBackup", "--context-entries",
                         f"ContextKeyName='aws:CurrentTime',ContextKeyValues='{current_time}',ContextKeyType=date")
    [allowed] = simulate("2019-04-25T11:00:00Z")["EvaluationResults"]
    assert (allowed["EvalActionName"], allowed["EvalResourceName"], allowed["EvalDecision"]) == \
        ("dynamodb:CreateBackup", "*", "allowed")
    [statement] = allowed["MatchedStatements"]
    assert (statement["SourcePolicyId"], statement["StartPosition"], statement["EndPosition"]) == \
        ("PolicyInputList.1", {"Line": 1, "Column": 38}, {"Line": 1, "Column": 167})
    assert allowed["MissingContextValues"] == []
    [denied] = simulate("2014-04-25T11:00:00Z")["EvaluationResults"]
    assert (denied["EvalDecision"], denied["MatchedStatements"], denied["MissingContextValues"]) == \
        ("implicitDeny", [], [])


def test_simulate_principal_policy_pretty_printed_statement(server, root):
    """simulate-principal-policy.html, Example 1: the user's policy Grant-Access-To-CodeCommit-ListRepo,
    pretty-printed, matches from line 3, column 19 to line 9, column 10."""
    policy = ('{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n'
              '            "Sid": "VisualEditor0",\n            "Effect": "Allow",\n'
              '            "Action": "codecommit:ListRepositories",\n            "Resource": "*"\n        }\n    ]\n}')
    root.json("iam", "create-user", "--user-name", "alejandro")
    root.json("iam", "put-user-policy", "--user-name", "alejandro", "--policy-name", "Grant-Access-To-CodeCommit-ListRepo",
              "--policy-document", policy)
    [result] = root.json("iam", "simulate-principal-policy", "--policy-source-arn",
                         "arn:aws:iam::000000000000:user/alejandro", "--action-names",
                         "codecommit:ListRepositories")["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    [statement] = result["MatchedStatements"]
    assert (statement["SourcePolicyId"], statement["StartPosition"], statement["EndPosition"]) == \
        ("Grant-Access-To-CodeCommit-ListRepo", {"Line": 3, "Column": 19}, {"Line": 9, "Column": 10})


def test_get_context_keys_for_custom_policy_example(root, tmp_path):
    """get-context-keys-for-custom-policy.html, Examples 1 and 2: the keys in the order the statement names them
    (the Resource's ${aws:username} before the Condition's aws:CurrentTime), from the command line or a file."""
    expected = {"ContextKeyNames": ["aws:username", "aws:CurrentTime"]}
    assert root.json("iam", "get-context-keys-for-custom-policy", "--policy-input-list", DYNAMODB_OWN_TABLE) == \
        expected
    policy_file = tmp_path / "policyfile.json"
    policy_file.write_text('[ "' + DYNAMODB_OWN_TABLE.replace('"', '\\"') + '" ]')
    assert root.json("iam", "get-context-keys-for-custom-policy", "--policy-input-list",
                     f"file://{policy_file}") == expected


def test_service_linked_role_examples(root):
    """create-service-linked-role.html, delete-service-linked-role.html and
    get-service-linked-role-deletion-status.html: lex.amazonaws.com's role is AWSServiceRoleForLexBots (as the Lex
    V1 guide's gs-create-role.html also shows), under /aws-service-role/lex.amazonaws.com/."""
    role = root.json("iam", "create-service-linked-role", "--aws-service-name", "lex.amazonaws.com",
                     "--description", "My service-linked role to support Lex")["Role"]
    assert (role["Path"], role["RoleName"], role["Arn"]) == (
        "/aws-service-role/lex.amazonaws.com/", "AWSServiceRoleForLexBots",
        "arn:aws:iam::000000000000:role/aws-service-role/lex.amazonaws.com/AWSServiceRoleForLexBots")
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": ["lex.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]
    assert sorted(role) == ["Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName"]
    task = root.json("iam", "delete-service-linked-role", "--role-name", "AWSServiceRoleForLexBots")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/lex.amazonaws.com/AWSServiceRoleForLexBots/")
    assert root.json("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task) == \
        {"Status": "SUCCEEDED"}


def test_service_specific_credential_examples(root):
    """create-service-specific-credential.html and list-service-specific-credentials.html: the user's first
    CodeCommit credential is <user>-at-<account>, the second <user>+1-at-<account>; the password is 32 random bytes
    in base64 (44 characters ending in "=")."""
    root.json("iam", "create-user", "--user-name", "developer")
    created = [root.json("iam", "create-service-specific-credential", "--user-name", "developer",
                         "--service-name", "codecommit.amazonaws.com")["ServiceSpecificCredential"]
               for _ in range(2)]
    for credential in created:
        assert len(credential["ServicePassword"]) == 44 and credential["ServicePassword"].endswith("=")
    listed = root.json("iam", "list-service-specific-credentials", "--user-name", "developer",
                       "--service-name", "codecommit.amazonaws.com")["ServiceSpecificCredentials"]
    assert [(item["ServiceSpecificCredentialId"], item["ServiceUserName"]) for item in listed] == [
        (created[0]["ServiceSpecificCredentialId"], "developer-at-000000000000"),
        (created[1]["ServiceSpecificCredentialId"], "developer+1-at-000000000000")]


def test_create_role_examples(root, tmp_path):
    """create-role.html, Examples 1-3: the new role's Path, RoleName, RoleId, Arn, CreateDate and trust policy (and
    Tags when given), without MaxSessionDuration even when --max-session-duration sets it; get-role shows it."""
    trust = tmp_path / "Test-Role-Trust-Policy.json"
    trust.write_text('{"Version": "2012-10-17", "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Principal": '
                     '{"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}]}')
    role = root.json("iam", "create-role", "--role-name", "Test-Role", "--assume-role-policy-document",
                     f"file://{trust}", "--max-session-duration", "7200")["Role"]
    assert sorted(role) == ["Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName"]
    assert root.json("iam", "get-role", "--role-name", "Test-Role")["Role"]["MaxSessionDuration"] == 7200
    tagged = root.json("iam", "create-role", "--role-name", "Tagged-Role", "--assume-role-policy-document",
                       f"file://{trust}", "--tags", '{"Key": "Department", "Value": "Accounting"}',
                       '{"Key": "Location", "Value": "Seattle"}')["Role"]
    assert sorted(tagged) == ["Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName", "Tags"]
    assert tagged["Tags"] == [{"Key": "Department", "Value": "Accounting"}, {"Key": "Location", "Value": "Seattle"}]


def test_update_role_description_example(root):
    """update-role-description.html: the answer is the role with its new Description, without MaxSessionDuration or
    RoleLastUsed."""
    root.json("iam", "create-role", "--role-name", "production-role", "--assume-role-policy-document",
              '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
              '"arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}]}')
    role = root.json("iam", "update-role-description", "--role-name", "production-role",
                     "--description", "Main production role")["Role"]
    assert sorted(role) == ["Arn", "AssumeRolePolicyDocument", "CreateDate", "Description", "Path", "RoleId",
                            "RoleName"]
    assert (role["RoleName"], role["Description"]) == ("production-role", "Main production role")


def test_instance_profile_role_examples(root):
    """list-instance-profiles.html: the roles of an instance profile show Path, RoleName, RoleId, Arn, CreateDate and
    the trust policy, not MaxSessionDuration (which list-roles.html's roles show)."""
    root.json("iam", "create-role", "--role-name", "example-dev-role", "--assume-role-policy-document",
              '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": '
              '"ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
    root.json("iam", "create-instance-profile", "--instance-profile-name", "example-dev-role")
    root.json("iam", "add-role-to-instance-profile", "--instance-profile-name", "example-dev-role",
              "--role-name", "example-dev-role")
    fields = ["Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName"]
    [profile] = root.json("iam", "list-instance-profiles")["InstanceProfiles"]
    assert [sorted(role) for role in profile["Roles"]] == [fields]
    got = root.json("iam", "get-instance-profile", "--instance-profile-name", "example-dev-role")["InstanceProfile"]
    assert [sorted(role) for role in got["Roles"]] == [fields]
    [listed] = [role for role in root.json("iam", "list-roles")["Roles"] if role["RoleName"] == "example-dev-role"]
    assert listed["MaxSessionDuration"] == 3600
