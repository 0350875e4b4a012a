"""
ASGI entrypoint: HTTP goes to Django, WebSockets to the channels routing.

Run with:  daphne example_channels.asgi:application
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_channels.settings")

# Initialise Django (apps, settings) before importing consumers/models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from example_channels.routing import websocket_urlpatterns  # noqa: E402
from example_channels.security import (  # noqa: E402
    OriginAbsentOrAllowedHostsOriginValidator,
)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginAbsentOrAllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
