"""Rows: the IAM "organizations features" of one organization."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["OrganizationFeaturesRow"]


class OrganizationFeaturesRow(Base):
    """The two centralized-root-access switches of an organization (absent row = both off).

    The flags survive trusted access for IAM being disabled: they are hidden, not erased (aws-spec.md a.5).
    """

    __tablename__ = "organization_root_features"

    organization_id: Mapped[str] = mapped_column(String(34), primary_key=True)
    root_credentials_management: Mapped[bool] = mapped_column(Boolean, default=False)
    root_sessions: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
