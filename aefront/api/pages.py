"""The profile's API tokens page: list your tokens, make one (its secret shown once),
revoke one. Session only (a page for people); the API lists and revokes too."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aefront.api.models import AccessToken
from aefront.api.tokens import issue_token, revoke_token
from aefront.errors import UserError, sentences


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="What is it for?")
    scope = forms.ChoiceField(choices=AccessToken.Scope.choices, initial=AccessToken.Scope.READ)


def _page(request: HttpRequest, form: TokenForm, secret: str = "", status: int = 200):
    tokens = AccessToken.objects.filter(user=request.user, revoked_at__isnull=True)
    context = {"form": form, "tokens": tokens, "secret": secret}
    return render(request, "api/tokens.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _, secret = issue_token(user=request.user, **form.cleaned_data)
    except UserError as refused:
        for line in sentences(refused):
            form.add_error(None, line)
        return _page(request, form, status=400)
    return _page(request, TokenForm(), secret=secret, status=201)


@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = revoke_token(user=request.user, token_id=token_id)
    except UserError as refused:
        messages.error(request, "; ".join(sentences(refused)))
    else:
        messages.success(request, f"Revoked “{token.name}”.")
    return redirect("api_tokens")
