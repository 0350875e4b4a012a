"""
Origin handling for a loopback-only benchmark baseline.

* LoopbackCsrfViewMiddleware: Django's CsrfViewMiddleware, but an Origin
  header whose host is a loopback name (settings.CSRF_LOOPBACK_HOSTS) is
  accepted on any port. Requests without an Origin header are handled by
  Django as usual (over plain HTTP only the token/cookie pair is checked).

* OriginAbsentOrAllowedHostsValidator: like channels'
  AllowedHostsOriginValidator, but a WebSocket handshake *without* an Origin
  header is accepted too (non-browser clients). A present Origin must name a
  host in settings.ALLOWED_HOSTS (any port).
"""

from urllib.parse import urlsplit

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware


class LoopbackCsrfViewMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request):
        if super()._origin_verified(request):
            return True
        try:
            parsed = urlsplit(request.META["HTTP_ORIGIN"])
            hostname = parsed.hostname
        except ValueError:
            return False
        return parsed.scheme in ("http", "https") and hostname in set(
            settings.CSRF_LOOPBACK_HOSTS
        )


class OriginAbsentOrAllowedHostsValidator(OriginValidator):
    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)


def OriginAbsentOrAllowedHostsOriginValidator(application):
    return OriginAbsentOrAllowedHostsValidator(application, settings.ALLOWED_HOSTS)
