"""The practice profile: read it, and save it (Admin)."""

from __future__ import annotations

from frontdesk.db.models import PracticeProfile
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import PracticeProfileData, PracticeProfileForm
from frontdesk.services.practice.rows import PROFILE_ID, _profile_data, _write_profile


def get_profile(context: ServiceContext) -> PracticeProfileData | None:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        row = session.get(PracticeProfile, PROFILE_ID)
        return _profile_data(row) if row else None


def save_profile(
    context: ServiceContext, form: PracticeProfileForm, expected_version: int | None
) -> PracticeProfileData:
    """Create or update the practice profile (Admin)."""
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        row = _write_profile(uow, form, expected_version)
        uow.commit()
        return _profile_data(row)
