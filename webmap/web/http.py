"""HTTP helpers: cacheable, compressed responses for data that only changes with the dataset."""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache

from flask import Response, request


@lru_cache(maxsize=256)
def _prepared(body: str | bytes) -> tuple[bytes, str, bytes | None]:
    """Encoded body, ETag and gzip of a body, computed once: bodies are memoized per dataset,
    so the same string object comes back and its hash is already known."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    etag = hashlib.sha256(raw).hexdigest()[:32]
    compressed = gzip.compress(raw, compresslevel=6, mtime=0) if len(raw) > 1024 else None
    return raw, etag, compressed


def cached_response(body: str | bytes, mimetype: str, max_age: int = 3600,
                    immutable: bool = False) -> Response:
    """ETag/If-None-Match, Cache-Control and gzip when the client accepts it."""
    raw, etag, compressed = _prepared(body)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    elif compressed is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(compressed, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(raw, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={max_age}" + (", immutable" if immutable else "")
    return response


def install_compression(app) -> None:
    """gzip (or brotli) for pages, with flask-compress: they carry a per-request CSP nonce,
    so they are compressed per request (38 KB → 7 KB for /embed). Data and assets are
    compressed once through cached_response and left alone here."""
    from flask_compress import Compress

    app.config.update(
        COMPRESS_MIMETYPES=["text/html"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_STREAMS=False,
        COMPRESS_MIN_SIZE=1024,
    )
    Compress(app)
