"""Shared fixtures: a cast of users across two projects, and small builders.

Project A ("alpha") has an enabler, an author and a project admin. Project B
("beta") has its own enabler, who is an outsider to A. Objects of B are used to
prove that members of A cannot reach them.
"""

from __future__ import annotations

import datetime
import os
import time
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from coding.models import Quote, QuoteTheme, Theme
from interviews.models import (
    LocalSystem,
    Membership,
    OrganisationType,
    Participant,
    Project,
    Transcript,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are deselected (not skipped) on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failed test: nothing may pass by not running."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which is not allowed: {report.longrepr}"


SAMPLE_TEXT = (
    "P01: We were told support would come “when things got bad enough”. 😊 It never did.\n\n"
    "Interviewer: What would have helped?\n\n"
    "P01: Support that was planned with us, not parachuted in. The café at £3 is not the point.\n"
)


def verify_mfa(client, user) -> None:
    """Give `user` a TOTP device and mark the client's session verified with it, as after
    entering a code (Django admin asks staff for one: aefront/mfa.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client(client):
    """The test client, whose force_login of a staff user includes the MFA step.

    Tests of the MFA step itself use `password_only_client`.
    """
    force_login = client.force_login

    def force_login_verified(user, backend=None):
        force_login(user, backend)
        if user.is_staff:
            verify_mfa(client, user)

    client.force_login = force_login_verified
    return client


@pytest.fixture
def password_only_client(db):
    from django.test import Client

    return Client()


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return get_user_model().objects.create_user(
            username=username, password="correct horse battery staple", **extra
        )

    return make


@pytest.fixture
def project_a(db) -> Project:
    return Project.objects.create(name="Alpha study", slug="alpha")


@pytest.fixture
def project_b(db) -> Project:
    return Project.objects.create(name="Beta study", slug="beta")


@pytest.fixture
def enabler(make_user, project_a):
    user = make_user("enabler_a")
    Membership.objects.create(user=user, project=project_a, role=Membership.Role.ENABLER)
    return user


@pytest.fixture
def author(make_user, project_a):
    user = make_user("author_a")
    Membership.objects.create(user=user, project=project_a, role=Membership.Role.AUTHOR)
    return user


@pytest.fixture
def project_admin(make_user, project_a):
    user = make_user("admin_a", is_staff=True)
    Membership.objects.create(user=user, project=project_a, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def outsider(make_user, project_b):
    """A member of project B only."""
    user = make_user("enabler_b")
    Membership.objects.create(user=user, project=project_b, role=Membership.Role.ENABLER)
    return user


@pytest.fixture
def local_system(project_a) -> LocalSystem:
    return LocalSystem.objects.create(project=project_a, name="Northfield")


@pytest.fixture
def participant(project_a, local_system) -> Participant:
    return Participant.objects.create(
        project=project_a,
        pseudonym="P01",
        role_title="chief executive",
        organisation_type=OrganisationType.ACUTE_TRUST,
        local_system=local_system,
    )


@pytest.fixture
def transcript(project_a, local_system, participant, enabler) -> Transcript:
    transcript = Transcript.objects.create(
        project=project_a,
        title="Interview with P01",
        interview_date=datetime.date(2018, 3, 14),
        local_system=local_system,
        enabler=enabler,
        text=SAMPLE_TEXT,
        speakers_confirmed=True,
    )
    transcript.participants.add(participant)
    return transcript


@pytest.fixture
def theme(project_a) -> Theme:
    return Theme.objects.create(project=project_a, name="Tailored support", colour="#4caf50")


@pytest.fixture
def make_quote():
    def make(transcript: Transcript, start: int, end: int, coder, *themes: Theme) -> Quote:
        quote = Quote.objects.create(
            transcript=transcript,
            start=start,
            end=end,
            text=transcript.text[start:end],
            coder=coder,
        )
        for theme in themes:
            QuoteTheme.objects.create(content_object=quote, tag=theme)
        return quote

    return make


@pytest.fixture
def transcript_b(project_b, outsider) -> Transcript:
    return Transcript.objects.create(project=project_b, title="Beta interview", text=SAMPLE_TEXT)


@pytest.fixture
def theme_b(project_b) -> Theme:
    return Theme.objects.create(project=project_b, name="Blame culture")


@pytest.fixture
def terminate_backend():
    """Ends the default connection's server process from a second connection, as an
    administrator's pg_terminate_backend or a server restart would; returns its pid."""
    import psycopg2

    def terminate() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        killer = psycopg2.connect(**connection.get_connection_params())
        try:
            killer.autocommit = True
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            killer.close()
        return pid

    return terminate


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the suite's kind (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2
    from psycopg2.errors import InsufficientPrivilege

    db = connection.settings_dict
    name = f"aefront_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
        dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"
    finally:
        # FORCE ends the restore's connections, but not an autovacuum worker that the
        # restored rows drew in unless the role may signal it (.ci/run grants
        # pg_signal_backend); without that, wait for the worker, which ends in moments.
        for attempt in range(40):
            try:
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except InsufficientPrivilege:
                if attempt == 39:
                    raise
                time.sleep(0.25)
        admin.close()
