"""WSGI entry point (gunicorn geopolitics.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geopolitics.settings")

application = get_wsgi_application()
