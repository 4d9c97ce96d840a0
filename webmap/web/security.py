"""Security headers (flask-talisman): a strict CSP with per-request nonces, framing policy.

- `script-src`/`style-src`: the app itself plus a per-request nonce for the inline blocks
  Folium generates; no 'unsafe-inline'. Pages carry no inline `style` attribute.
- `img-src`: the app and the configured tile host only.
- `frame-ancestors`: 'self' and the origins of `WEBMAP_FRAME_ANCESTORS` (the prefecture's
  site); X-Frame-Options is not sent, since it cannot list several origins.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask
from flask_talisman import Talisman

from webmap.web.config import Settings

_INLINE_TAG = re.compile(r"<(script|style)(?![^>]*\bsrc=)(?![^>]*\bnonce=)([^>]*)>")


def tile_origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def content_security_policy(settings: Settings) -> dict[str, list[str] | str]:
    images = ["'self'", "data:"]
    origin = tile_origin(settings.tiles_url) if settings.tiles_enabled else None
    if origin:
        images.append(origin)
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": images,
        "connect-src": "'self'",
        "font-src": "'self'",
        "frame-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": ["'self'", *settings.frame_ancestors],
    }


def install_security(app: Flask, settings: Settings) -> Talisman:
    return Talisman(
        app,
        content_security_policy=content_security_policy(settings),
        content_security_policy_nonce_in=["script-src", "style-src"],
        force_https=False,  # TLS ends at the prefecture's reverse proxy
        frame_options=None,
        strict_transport_security=settings.hsts,
        session_cookie_secure=settings.hsts,
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )


def add_nonce(html: str, nonce: str) -> str:
    """Give every inline <script>/<style> block the request's nonce."""
    if not nonce:
        return html
    return _INLINE_TAG.sub(lambda m: f'<{m.group(1)} nonce="{nonce}"{m.group(2)}>', html)
