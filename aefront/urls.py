from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import aefront.converters  # noqa: F401 (registers <id:>)
from aefront import mfa
from aefront.api import pages as api_pages

# A database fault met in any middleware layer answers 503, not 500.
handler500 = "aefront.middleware.server_error"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/", mfa.verify, name="mfa_verify"),
    path("admin/", admin.site.urls),
    path("api/", include("aefront.api.urls")),
    path("api/tokens/", api_pages.tokens, name="api_tokens"),
    path("api/tokens/<id:token_id>/revoke/", api_pages.revoke, name="api_token_revoke"),
    path("", include("interviews.urls")),
    path("", include("interviews.imports.urls")),
    path("", include("coding.urls")),
    path("", include("coding.report.urls")),
]

admin.site.site_header = "aefront administration"
admin.site.site_title = "aefront admin"
admin.site.index_title = "Projects, people and theme taxonomy"
