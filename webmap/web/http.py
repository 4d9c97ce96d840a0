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


def cached_response(body: str | bytes, mimetype: str, max_age: int = 0,
                    immutable: bool = False) -> Response:
    """A response for a body that only changes with the dataset or a release: gzip when the
    client accepts it (q > 0), an ETag per encoding, If-None-Match (weak or strong) answered
    by werkzeug's conditional responses, and Cache-Control (`max_age` 0: revalidate)."""
    raw, etag, compressed = _prepared(body)
    gzipped = compressed is not None and request.accept_encodings["gzip"] > 0
    response = Response(compressed if gzipped else raw, mimetype=mimetype)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    # Two encodings, two representations: a cache must not answer one with the other's tag.
    response.set_etag(etag + ("-gz" if gzipped else ""))
    response.vary.add("Accept-Encoding")
    if max_age:
        response.headers["Cache-Control"] = f"public, max-age={max_age}" + (", immutable" if immutable else "")
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


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
