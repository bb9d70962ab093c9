"""The ALS MIS project: settings, URLs, WSGI/ASGI entry points, health check, shared tasks, demo."""
