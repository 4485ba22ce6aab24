"""SQLAlchemy models: the tables every area shares (practice, people, audit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from frontdesk.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Tables whose changes the central audit listener records (see services.kernel.audit).
    __audited__: bool = False
    # Columns whose values never reach the audit trail (it records that they changed).
    __audit_redact__: tuple[str, ...] = ()


class Edited:
    """Records people edit: who changed them last, when, and an optimistic-lock version."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The ORM refuses an UPDATE whose WHERE version = … matches nothing (StaleDataError).
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class PracticeProfile(Edited, Base):
    """The practice's letterhead details. One row (id = 1)."""

    __tablename__ = "practice_profile"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    main_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    toll_free_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    fax: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    website: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    logo_mime: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False, default="")


class Location(Edited, Base):
    __tablename__ = "locations"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    # What Spanish documents print instead of the name ("" prints the name).
    spanish_name: Mapped[str] = mapped_column(
        String(120), nullable=False, default="", server_default=""
    )
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class Provider(Edited, Base):
    __tablename__ = "providers"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    credentials: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    specialty: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class User(Edited, Base):
    """A person who signs in. Deactivated, never deleted, so the audit trail keeps names."""

    __tablename__ = "users"
    __audited__ = True
    __audit_redact__ = ("password_hash",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    # Deferred: on a server with per-person roles only admins may read it (column grants), so
    # loading an account must not ask for it.
    password_hash: Mapped[str] = mapped_column(
        String(200), nullable=False, default="", deferred=True
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Setting(Base):
    """A practice-wide setting (workstation settings live in QSettings instead)."""

    __tablename__ = "settings"
    __audited__ = True

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class AuditEntry(Base):
    """One line of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    username: Mapped[str] = mapped_column(String(120), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    workstation: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    # On PostgreSQL: the server's session_user, stamped by the database (None on SQLite and
    # before revision 0010). ``username``/``user_id``/``workstation`` are what the app claimed.
    db_user: Mapped[str | None] = mapped_column(String(120), nullable=True)
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    entity: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    patient_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    details: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)

    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_patient_at", "patient_id", "at"),
        Index("ix_audit_entries_username_at", "username", "at"),
    )


class CommittedUnit(Base):
    """A unit of work that committed on a server: its id is written inside the transaction,
    so after a connection lost during COMMIT the app can ask whether the save happened.
    Kept for a day (pruned by the unit of work); SQLite never needs it (a local file)."""

    __tablename__ = "committed_units"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(120), nullable=False, default="")


# The other areas' tables register themselves on Base.metadata when imported.
from frontdesk.db import (  # noqa: E402, F401
    models_handouts,
    models_history,
    models_inbox,
    models_patients,
    models_requests,
    models_scheduling,
)
