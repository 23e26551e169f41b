"""The database, not only Python, keeps IAM's invariants (security finding 6), on SQLite and PostgreSQL: a second
writer whose checks passed before the first committed meets a constraint, answered as AWS answers."""

from __future__ import annotations

import datetime as _dt

import pytest
from harness import drop_postgres_database, required_postgres_database
from sqlalchemy.exc import IntegrityError

from rootplane.core.errors import AwsError
from rootplane.services.accounts.tables import AccessKeyRow, AccountRow
from rootplane.services.iam import errors, repo
from rootplane.services.iam.tables import LoginProfileRow, UserRow
from rootplane.schema import metadata
from rootplane.store.engine import Store

NOW = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
ACCOUNT = "111122223333"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        url = required_postgres_database()
    store = Store(url, metadata())
    store.migrate()
    with store.transaction() as session:
        session.add(AccountRow(account_id=ACCOUNT, name="a", email="a@example.com", created_at=NOW))
    yield store
    store.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def _user(name: str, user_id: str) -> UserRow:
    return UserRow(user_id=user_id, account_id=ACCOUNT, user_name=name, name_key=name.lower(), created_at=NOW)


def test_a_duplicate_name_answers_entity_already_exists(store):
    with store.transaction() as session:
        repo.put(session, _user("Bob", "AIDA1"))
    exists = errors.already_exists("User with name bob already exists.")
    with pytest.raises(AwsError) as caught, store.transaction() as session:
        repo.put(session, _user("bob", "AIDA2"), conflict=exists)
    assert (caught.value.code, caught.value.status) == ("EntityAlreadyExists", 409)
    with store.transaction(write=False) as session:
        assert repo.find_user(session, ACCOUNT, "BOB").user_id == "AIDA1"


@pytest.mark.parametrize("child", [
    lambda: AccessKeyRow(access_key_id="AKIAORPHAN", secret_access_key="s", account_id=ACCOUNT, user_name="gone",
                         user_id="AIDAGONE", created_at=NOW),
    lambda: LoginProfileRow(user_id="AIDAGONE", password_hash="h", created_at=NOW, password_changed_at=NOW),
], ids=["access key", "login profile"])
def test_no_credential_without_its_user(store, child):
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.add(child())


def test_a_user_with_a_key_cannot_be_deleted_under_the_checks(store):
    with store.transaction() as session:
        repo.put(session, _user("keeper", "AIDAKEEP"))
        session.add(AccessKeyRow(access_key_id="AKIAKEEP", secret_access_key="s", account_id=ACCOUNT,
                                 user_name="keeper", user_id="AIDAKEEP", created_at=NOW))
    with pytest.raises(IntegrityError), store.transaction() as session:
        repo.remove(session, repo.find_user(session, ACCOUNT, "keeper"))
