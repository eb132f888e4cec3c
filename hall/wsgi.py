"""WSGI entry point (gunicorn): production settings unless DJANGO_SETTINGS_MODULE says
otherwise; `manage.py` (and so `make run`) keeps the embedded local settings."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.production")
application = get_wsgi_application()
