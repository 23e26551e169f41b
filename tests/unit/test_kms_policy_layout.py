"""KMS policies AWS writes come back from GetKeyPolicy in AWS's layout (one member a line, ``"Name" : value``, arrays on
their member's line): the default key policy and the AWS managed keys' policies (services/kms/policy.py)."""

from rootplane.services.kms.policy import aws_layout, default_policy


def test_the_default_key_policy_is_laid_out_as_aws_answers_it():
    assert default_policy("111122223333") == (
        '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n'
        '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n'
        '      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : "kms:*",\n    "Resource" : "*"\n'
        '  } ]\n}')


def test_arrays_stay_on_their_members_line():
    assert aws_layout({"Action": ["kms:Encrypt", "kms:Decrypt"], "Statement": [{"A": 1}, {"B": True}]}) == (
        '{\n  "Action" : [ "kms:Encrypt", "kms:Decrypt" ],\n  "Statement" : [ {\n    "A" : 1\n  }, {\n'
        '    "B" : true\n  } ]\n}')
