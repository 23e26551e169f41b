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


def _values(name: str, user_id: str) -> dict:
    return {"user_id": user_id, "account_id": ACCOUNT, "user_name": name, "name_key": name.lower(), "created_at": NOW}


def _user(name: str, user_id: str) -> UserRow:
    return UserRow(**_values(name, user_id))


def test_a_duplicate_name_answers_entity_already_exists(store):
    with store.transaction() as session:
        repo.put(session, _user("Bob", "AIDA1"))
    exists = errors.already_exists("User with name bob already exists.")
    with pytest.raises(AwsError) as caught, store.transaction() as session:
        repo.put(session, _user("bob", "AIDA2"), conflict=exists)
    assert (caught.value.code, caught.value.status) == ("EntityAlreadyExists", 409)
    with store.transaction(write=False) as session:
        assert repo.find_user(session, ACCOUNT, "BOB").user_id == "AIDA1"


def test_an_insert_without_the_unit_of_work_meets_the_same_constraint(store):
    with store.transaction() as session:
        assert repo.insert(session, UserRow, _values("Bob", "AIDA1"))["path"] == "/"  # the column default
    exists = errors.already_exists("User with name bob already exists.")
    with pytest.raises(AwsError) as caught, store.transaction() as session:
        repo.insert(session, UserRow, _values("carol", "AIDA3"))
        repo.insert(session, UserRow, _values("bob", "AIDA2"), conflict=exists)
    assert (caught.value.code, caught.value.status) == ("EntityAlreadyExists", 409)
    with store.transaction(write=False) as session:  # the failed request's other insert rolled back with it
        assert repo.find_user(session, ACCOUNT, "carol") is None
        assert repo.find_user(session, ACCOUNT, "BOB").user_id == "AIDA1"


def test_the_creation_check_sees_a_taken_name_and_the_quota_in_one_statement(store):
    with store.transaction() as session:
        assert repo.creation_check(session, UserRow, ACCOUNT, "Bob", 2) == (False, False)
        repo.insert(session, UserRow, _values("Bob", "AIDA1"))
        assert repo.creation_check(session, UserRow, ACCOUNT, "BOB", 2) == (True, False)
        repo.insert(session, UserRow, _values("carol", "AIDA2"))
        assert repo.creation_check(session, UserRow, ACCOUNT, "dave", 2) == (False, True)
        assert repo.creation_check(session, UserRow, ACCOUNT, "dave", 3) == (False, False)
        assert repo.creation_check(session, UserRow, "999988887777", "bob", 1) == (False, False)



def test_the_creation_check_counts_the_account_when_the_table_once_held_more_rows(store):
    """SQLite skips the quota probe while the table's largest rowid is below the quota; deleted rows leave it high."""
    with store.transaction() as session:
        for number in range(3):
            repo.insert(session, UserRow, _values(f"u{number}", f"AIDA{number}"))
    with store.transaction() as session:
        for number in range(2):
            repo.remove(session, repo.find_user(session, ACCOUNT, f"u{number}"))
    with store.transaction() as session:
        assert repo.creation_check(session, UserRow, ACCOUNT, "v", 2) == (False, False)
        repo.insert(session, UserRow, _values("v", "AIDAV"))
        assert repo.creation_check(session, UserRow, ACCOUNT, "w", 2) == (False, True)


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
