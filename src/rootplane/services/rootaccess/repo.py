"""Queries over the organizations' root-access feature switches."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rootplane.services.rootaccess.tables import OrganizationFeaturesRow

__all__ = ["find_features", "put_features"]


def find_features(session: Session, organization_id: str) -> OrganizationFeaturesRow | None:
    return session.get(OrganizationFeaturesRow, organization_id)


def put_features(session: Session, row: OrganizationFeaturesRow) -> OrganizationFeaturesRow:
    session.add(row)
    return row
