import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aefront.settings")

django_application = get_wsgi_application()

from aefront.request_limits import bounded_wsgi  # noqa: E402 (after Django is set up)

# The input stream stops at AEFRONT_MAX_REQUEST_BYTES whatever the client declared.
application = bounded_wsgi(django_application)
