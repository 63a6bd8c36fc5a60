"""The ASGI application: WebSockets (the exchange's rooms) under /ws/. Pages are served over WSGI (dangjian/wsgi.py,
gunicorn), measured about 4x faster here; this server answers HTTP too, so one address can serve both in
development, but production routes only /ws/ to it (docs/deploy.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from dangjian.exchange.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
