"""HTTP helpers: cacheable, compressed responses for data that only changes with the dataset."""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache

from flask import Response, request


@lru_cache(maxsize=64)
def _compressed(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def cached_response(body: str | bytes, mimetype: str, max_age: int = 3600) -> Response:
    """ETag/If-None-Match, Cache-Control and gzip when the client accepts it."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    etag = hashlib.sha256(raw).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", "") and len(raw) > 1024:
        response = Response(_compressed(raw), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(raw, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response
