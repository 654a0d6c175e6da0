"""Fixtures of the coding tests."""

import pytest

from interviews.models import Membership


@pytest.fixture
def second(make_user, project_a):
    """A second enabler of project alpha: another coder of the same transcripts."""
    user = make_user("enabler_two")
    Membership.objects.create(user=user, project=project_a, role=Membership.Role.ENABLER)
    return user
