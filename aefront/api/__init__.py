"""The public API under /api/v1/: Django REST Framework over the same access module
and services as the pages (see aefront/api/views.py for the map of endpoints)."""
