"""MFA for staff: Django admin needs a verified TOTP device (django-otp), not only a password.

With AEFRONT_ADMIN_MFA on (MFA_REQUIRED_FOR_STAFF, the default), a staff user whose
session has not been verified is sent from any admin URL to `verify`, which asks for
the 6-digit code of their authenticator app. Devices are made by an operator with
`manage.py setup_mfa <username>`, never from the web: a stolen password must not be
enough to enrol the thief's own authenticator.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import django_otp
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice


def needs_verification(user) -> bool:
    return (
        settings.AEFRONT_ADMIN_MFA
        and user.is_authenticated
        and user.is_staff
        and not user.is_verified()
    )


class AdminMFAMiddleware:
    """After django-otp's OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin_prefix = reverse("admin:index")
        if request.path.startswith(admin_prefix) and needs_verification(request.user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_verify')}?{query}")
        return self.get_response(request)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="Code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        self.device = django_otp.match_token(self.user, token)
        if self.device is None:
            raise forms.ValidationError(
                "That code is not right, or it has expired. Enter the code shown now."
            )
        return token


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Ask a signed-in user for the current code of their TOTP device."""
    has_device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists()
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and has_device and form.is_valid():
        django_otp.login(request, form.device)
        return redirect(_next_url(request))
    context = {"form": form, "has_device": has_device, "next": _next_url(request)}
    return render(request, "registration/mfa_verify.html", context, status=200)
