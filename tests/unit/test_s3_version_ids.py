"""S3 version ids: 32 URL-safe characters without ``-`` (a CI run failed when an id began with one: the AWS CLI read
``--version-id -JRq...`` as an option)."""

from __future__ import annotations

import re

from rootplane.services.s3.versions import new_version_id


def test_version_ids_are_32_characters_of_s3s_alphabet_and_unique():
    drawn = [new_version_id() for _ in range(5000)]
    assert all(re.fullmatch(r"[A-Za-z0-9._]{32}", version) for version in drawn)
    assert len(set(drawn)) == len(drawn)
