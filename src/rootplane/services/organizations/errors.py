"""Organizations errors with AWS's codes and messages (JSON 1.1, HTTP 400, ``Reason`` where modelled)."""

from __future__ import annotations

from rootplane.core.errors import AwsError

__all__ = ["org_error", "constraint", "invalid_input", "handshake_constraint", "not_in_use", "access_denied", "MESSAGES"]

MESSAGES = {
    "AWSOrganizationsNotInUseException": "Your account is not a member of an organization.",
    "AlreadyInOrganizationException": "The provided account is already a member of an organization.",
    "AccessDeniedException": "You don't have permissions to access this resource.",
    "AccountNotFoundException": "You specified an account that doesn't exist.",
    "AccountAlreadyClosedException": "The provided account is already closed.",
    "AccountAlreadyRegisteredException": "The provided account is already a delegated administrator for your organization.",
    "AccountNotRegisteredException": "The provided account is not a registered delegated administrator for your organization.",
    "OrganizationNotEmptyException": "To delete an organization you must first remove all member accounts (except the management account).",
    "OrganizationalUnitNotFoundException": "You specified an organizational unit that doesn't exist.",
    "OrganizationalUnitNotEmptyException": "The specified organizational unit is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.",
    "DuplicateOrganizationalUnitException": "An OU with the same name already exists.",
    "ParentNotFoundException": "You specified parent that doesn't exist.",
    "ChildNotFoundException": "You specified a child that doesn't exist.",
    "SourceParentNotFoundException": "You specified a source parent that doesn't exist.",
    "DestinationParentNotFoundException": "You specified a destination parent that doesn't exist.",
    "DuplicateAccountException": "That account is already present in the specified destination.",
    "RootNotFoundException": "You specified a root that doesn't exist.",
    "PolicyNotFoundException": "You specified a policy that doesn't exist.",
    "PolicyInUseException": "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
    "DuplicatePolicyException": "A policy with the same name already exists.",
    "DuplicatePolicyAttachmentException": "The selected policy is already attached to the specified target.",
    "PolicyNotAttachedException": "The policy isn't attached to the specified target in the specified root.",
    "PolicyTypeAlreadyEnabledException": "The specified policy type is already enabled.",
    "PolicyTypeNotEnabledException": "This operation can be performed only for enabled policy types.",
    "PolicyTypeNotAvailableForOrganizationException": "You can't use the specified policy type with the feature set currently enabled for this organization. For example, you can enable SCPs only after you enable all features in the organization.",
    "TargetNotFoundException": "You specified a target that doesn't exist.",
    "MalformedPolicyDocumentException": "The provided policy document does not meet the requirements of the specified policy type.",
    "CreateAccountStatusNotFoundException": "We can't find an create account request with the CreateAccountRequestId that you specified.",
    "EffectivePolicyNotFoundException": "We can't find an effective policy of the specified type for the target.",
    "HandshakeNotFoundException": "We can't find a handshake with the HandshakeId that you specified.",
    "HandshakeAlreadyInStateException": "The specified handshake is already in the requested state.",
    "InvalidHandshakeTransitionException": "You can't perform the operation on the handshake in its current state.",
    "DuplicateHandshakeException": "A handshake with the same action and target already exists.",
    "ResourcePolicyNotFoundException": "We can't find a resource policy request with the parameter that you specified.",
    "MasterCannotLeaveOrganizationException": "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
}


def org_error(code: str, message: str | None = None) -> AwsError:
    """A modelled Organizations error with AWS's default message for ``code``."""
    return AwsError(code, message or MESSAGES[code], 400)


def not_in_use() -> AwsError:
    return org_error("AWSOrganizationsNotInUseException")


def access_denied(message: str | None = None) -> AwsError:
    return org_error("AccessDeniedException", message)


def constraint(reason: str, message: str) -> AwsError:
    """ConstraintViolationException with its ``Reason``."""
    return AwsError("ConstraintViolationException", message, 400, fields={"Reason": reason})


def invalid_input(reason: str, message: str) -> AwsError:
    """InvalidInputException with its ``Reason``."""
    return AwsError("InvalidInputException", message, 400, fields={"Reason": reason})


def handshake_constraint(reason: str, message: str) -> AwsError:
    """HandshakeConstraintViolationException with its ``Reason``."""
    return AwsError("HandshakeConstraintViolationException", message, 400, fields={"Reason": reason})
