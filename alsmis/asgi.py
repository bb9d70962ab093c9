"""ASGI entry point (for servers that speak ASGI; production runs gunicorn with alsmis.wsgi)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alsmis.settings.production")

application = get_asgi_application()
