"""Root password recovery: single-use, time-limited reset links and setting the new password.

A link is an HMAC over the account, its expiry and the root user's current password state, under a console secret
kept in the store (services/signin), so links work across restarts and on every server process sharing the store.
Setting a password changes that state, so a link works once; an expired link does nothing.
Whether a link may be sent at all is ``root_access.may_recover_password`` (the centralized root access rule).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac

from sqlalchemy.orm import Session

from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.console.signin import set_root_password
from rootplane.services.iam import root_access
from rootplane.services.mail import outbox
from rootplane.services.signin import repo as signin_repo

__all__ = ["LINK_LIFETIME", "Recovery"]

LINK_LIFETIME = _dt.timedelta(hours=1)
SUBJECT = "Password recovery for your root user"


_SECRET = "recovery-links"


def _mac(key: bytes, account: AccountRow, expires: int) -> str:
    state = f"{account.account_id}|{expires}|{account.root_password_hash or ''}|{account.root_password_changed_at}"
    return hmac.new(key, state.encode(), hashlib.sha256).hexdigest()


class Recovery:
    """Issues and redeems reset links."""

    def request(self, session: Session, email: str, now: _dt.datetime, base_url: str,
                smtp_url: str | None) -> AccountRow | None:
        """Send a reset link to a root user that may recover its password; the account, or None (nothing sent)."""
        account = accounts.find_account_by_email(session, email) if email else None
        if account is None or not root_access.may_recover_password(session, account.account_id):
            return None
        expires = int((now + LINK_LIFETIME).timestamp())
        key = signin_repo.ensure_secret(session, _SECRET)
        token = f"{account.account_id}.{expires}.{_mac(key, account, expires)}"
        body = (f"Someone asked to reset the password of the root user of AWS account {account.account_id}.\n\n"
                f"To choose a new password, open this link within {int(LINK_LIFETIME.total_seconds() // 60)} "
                f"minutes:\n{base_url}/console/reset?token={token}\n\n"
                "The link works once. If you did not ask for this, ignore this message.\n")
        outbox.send_message(session, account.email, SUBJECT, body, now, smtp_url)
        return account

    def redeem(self, session: Session, token: str, now: _dt.datetime) -> AccountRow | None:
        """The account a live, unused link is for (None for anything else)."""
        try:
            account_id, expires_text, mac = token.split(".")
            expires = int(expires_text)
        except (ValueError, AttributeError):
            return None
        if now.timestamp() >= expires:
            return None
        account = accounts.find_account(session, account_id)
        key = signin_repo.find_secret(session, _SECRET)
        if account is None or key is None or not root_access.may_recover_password(session, account_id):
            return None
        return account if hmac.compare_digest(_mac(key, account, expires), mac) else None

    def reset(self, session: Session, token: str, password: str, now: _dt.datetime) -> tuple[AccountRow | None, str]:
        """Set a new root password through a link: (account, "") on success, else (account or None, why not)."""
        account = self.redeem(session, token, now)
        if account is None:
            return None, "This link is not valid. It may have expired or already been used."
        return account, set_root_password(session, account.account_id, password, now)
