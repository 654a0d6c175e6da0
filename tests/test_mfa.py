"""Django admin needs a verified TOTP device: a password-only staff session is sent to
the code page, a right code lets it in, and `setup_mfa` makes the device."""

from __future__ import annotations

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def staff(project_admin, password_only_client):
    """A staff user signed in through the login form, with the password only."""
    sign_in(password_only_client, project_admin)
    return password_only_client


@pytest.fixture
def device(project_admin) -> TOTPDevice:
    return TOTPDevice.objects.create(user=project_admin, name="phone", confirmed=True)


def test_mfa_is_on_by_default(settings):
    assert settings.AEFRONT_ADMIN_MFA is True


@pytest.mark.parametrize("url", ["/admin/", "/admin/coding/theme/", "/admin/auth/user/1/change/"])
def test_a_password_only_staff_session_is_sent_to_the_code_page(staff, device, url):
    response = staff.get(url)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/mfa/"
    assert parse_qs(location.query)["next"] == [url]


def test_the_right_code_lets_staff_into_the_admin(staff, device):
    page = staff.get("/accounts/mfa/?next=/admin/coding/theme/")
    assert "6-digit code" in page.content.decode()

    response = staff.post(
        "/accounts/mfa/", {"token": current_code(device), "next": "/admin/coding/theme/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/coding/theme/"
    assert staff.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_and_the_admin_stays_closed(staff, device):
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    response = staff.post("/accounts/mfa/", {"token": wrong, "next": "/admin/"})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert staff.get("/admin/").status_code == 302


@pytest.mark.parametrize("token", ["", "12345", "abcdef", "1234567"])
def test_a_malformed_code_is_a_form_error(staff, device, token):
    response = staff.post("/accounts/mfa/", {"token": token})

    assert response.status_code == 200
    assert staff.get("/admin/").status_code == 302


def test_a_code_cannot_be_used_twice(staff, device, password_only_client, project_admin):
    code = current_code(device)
    assert staff.post("/accounts/mfa/", {"token": code}).status_code == 302
    staff.logout()
    sign_in(staff, project_admin)

    assert staff.post("/accounts/mfa/", {"token": code}).status_code == 200
    assert staff.get("/admin/").status_code == 302


def test_the_code_page_never_redirects_off_site(staff, device):
    response = staff.post(
        "/accounts/mfa/", {"token": current_code(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/admin/"


def test_staff_without_a_device_are_told_how_to_get_one(staff):
    response = staff.get("/accounts/mfa/")

    assert response.status_code == 200
    assert "manage.py setup_mfa admin_a" in response.content.decode()
    assert staff.post("/accounts/mfa/", {"token": "123456"}).status_code == 200
    assert staff.get("/admin/").status_code == 302


def test_the_admin_login_page_itself_stays_reachable(password_only_client):
    assert password_only_client.get("/admin/login/").status_code == 200


def test_pages_outside_the_admin_need_no_code(staff):
    assert staff.get("/").status_code == 200


def test_the_setting_switches_it_off(staff, settings):
    settings.AEFRONT_ADMIN_MFA = False

    assert staff.get("/admin/").status_code == 200


def test_setup_mfa_creates_a_device_and_prints_its_uri_and_secret(project_admin):
    out = StringIO()

    call_command("setup_mfa", "admin_a", stdout=out)

    device = TOTPDevice.objects.get(user=project_admin)
    text = out.getvalue()
    assert device.confirmed
    assert f"URI: {device.config_url}" in text
    assert device.config_url.startswith("otpauth://totp/aefront%3Aadmin_a?secret=")
    secret = text.split("Secret: ")[1].strip()
    assert f"secret={secret}" in device.config_url


def test_setup_mfa_refuses_to_replace_a_device_silently(project_admin, device):
    with pytest.raises(CommandError, match="already has an authenticator"):
        call_command("setup_mfa", "admin_a", stdout=StringIO())

    call_command("setup_mfa", "admin_a", "--replace", stdout=StringIO())

    assert TOTPDevice.objects.filter(user=project_admin).count() == 1
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_setup_mfa_names_an_unknown_user():
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("setup_mfa", "nobody", stdout=StringIO())
