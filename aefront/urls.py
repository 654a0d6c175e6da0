from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import aefront.converters  # noqa: F401 (registers <id:>)
from aefront import health, metrics, mfa, session_timeout
from aefront.api import pages as api_pages
from interviews.admin_scope import view_on_site

# A database fault met in any middleware layer answers 503, not 500.
handler500 = "aefront.middleware.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/", mfa.verify, name="mfa_verify"),
    path("accounts/keepalive/", session_timeout.keepalive, name="keepalive"),
    # Before the admin's own "view on site", which is not limited to the admin's projects.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("aefront.api.urls")),
    path("api/tokens/", api_pages.tokens, name="api_tokens"),
    path("api/tokens/<id:token_id>/revoke/", api_pages.revoke, name="api_token_revoke"),
    path("", include("interviews.urls")),
    path("", include("interviews.imports.urls")),
    path("", include("coding.urls")),
    path("", include("coding.report.urls")),
    path("", include("coding.refi.urls")),
    path("", include("aefront.jobs.urls")),
]

admin.site.site_header = "aefront administration"
admin.site.site_title = "aefront admin"
admin.site.index_title = "Projects, people and theme taxonomy"
