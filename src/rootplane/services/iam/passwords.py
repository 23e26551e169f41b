"""Password hashing (argon2) and the account password policy that IAM user passwords must meet."""

from __future__ import annotations

import datetime as _dt
import functools
import string
from typing import TYPE_CHECKING, Any

from rootplane.services.iam import errors

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = [
    "hash_password", "verify_password", "UNUSABLE", "policy_output", "policy_from_params", "check_password",
    "expires_at", "is_expired", "reuse_depth", "root_password_problem",
]

UNUSABLE = "!"  # a login profile without a usable password (root "allow password recovery")
_SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")

#: AWS's default policy when the account has none: 8+ characters and three of four character classes.
DEFAULT_MINIMUM = 8


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2's hasher, imported at the first password operation (most servers never hash a password)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash or password_hash == UNUSABLE:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def policy_from_params(params: dict[str, Any]) -> dict[str, Any]:
    """UpdateAccountPasswordPolicy input -> stored policy (AWS defaults for omitted members)."""
    policy: dict[str, Any] = {
        "MinimumPasswordLength": params.get("MinimumPasswordLength", 6),
        "RequireSymbols": bool(params.get("RequireSymbols", False)),
        "RequireNumbers": bool(params.get("RequireNumbers", False)),
        "RequireUppercaseCharacters": bool(params.get("RequireUppercaseCharacters", False)),
        "RequireLowercaseCharacters": bool(params.get("RequireLowercaseCharacters", False)),
        "AllowUsersToChangePassword": bool(params.get("AllowUsersToChangePassword", False)),
        "HardExpiry": bool(params.get("HardExpiry", False)),
    }
    for member in ("MaxPasswordAge", "PasswordReusePrevention"):
        if params.get(member):
            policy[member] = params[member]
    return policy


def policy_output(policy: dict[str, Any]) -> dict[str, Any]:
    """GetAccountPasswordPolicy's PasswordPolicy shape."""
    return {**policy, "ExpirePasswords": bool(policy.get("MaxPasswordAge"))}


def check_password(password: str, policy: dict[str, Any] | None, user_name: str | None = None) -> None:
    """Raise PasswordPolicyViolation unless ``password`` meets the account's policy (or AWS's default one)."""
    has = {
        "upper": any(c in string.ascii_uppercase for c in password),
        "lower": any(c in string.ascii_lowercase for c in password),
        "digit": any(c in string.digits for c in password),
        "symbol": any(c in _SYMBOLS or (not c.isalnum() and not c.isspace()) for c in password),
    }
    if policy is None:
        ok = (len(password) >= DEFAULT_MINIMUM and sum(has.values()) >= 3
              and (user_name is None or password.lower() != user_name.lower()))
    else:
        ok = (len(password) >= policy.get("MinimumPasswordLength", 6)
              and (has["symbol"] or not policy.get("RequireSymbols"))
              and (has["digit"] or not policy.get("RequireNumbers"))
              and (has["upper"] or not policy.get("RequireUppercaseCharacters"))
              and (has["lower"] or not policy.get("RequireLowercaseCharacters")))
    if not ok:
        raise errors.password_violation("Password does not conform to the account password policy.")


def expires_at(changed_at: _dt.datetime, policy: dict[str, Any] | None) -> _dt.datetime | None:
    """When a password set at ``changed_at`` expires under the policy's MaxPasswordAge (None: never)."""
    days = (policy or {}).get("MaxPasswordAge")
    return changed_at + _dt.timedelta(days=days) if days else None


def is_expired(changed_at: _dt.datetime, policy: dict[str, Any] | None, now: _dt.datetime) -> bool:
    expiry = expires_at(changed_at, policy)
    return expiry is not None and now >= expiry


def reuse_depth(policy: dict[str, Any] | None) -> int:
    """How many passwords (the current one included) a new password must differ from."""
    return int((policy or {}).get("PasswordReusePrevention") or 0)


_ROOT_SYMBOLS = set("!@#$%^&*()<>[]{}|_+-=")
ROOT_MAXIMUM = 128


def root_password_problem(password: str, account_name: str, email: str) -> str | None:
    """Why ``password`` breaks AWS's root password rules (None when it meets them): 8 to 128 characters, three of
    upper case, lower case, digits and the symbols ``! @ # $ % ^ & * () <> [] {} | _ + - =``, not the account
    name or e-mail address."""
    if not DEFAULT_MINIMUM <= len(password) <= ROOT_MAXIMUM:
        return f"The password must be {DEFAULT_MINIMUM} to {ROOT_MAXIMUM} characters long."
    classes = (any(c in string.ascii_uppercase for c in password), any(c in string.ascii_lowercase for c in password),
               any(c in string.digits for c in password), any(c in _ROOT_SYMBOLS for c in password))
    if sum(classes) < 3:
        return ("The password must contain at least three of: upper-case letters, lower-case letters, numbers, "
                "and the symbols ! @ # $ % ^ & * () <> [] {} | _ + - =.")
    if password.lower() in (account_name.lower(), email.lower()):
        return "The password must not be your account name or email address."
    return None
