"""Cached JSON answers of hot API reads, per user, valid until that user's content changes (or API_CACHE_SECONDS)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from rest_framework.request import Request

from fbrain.core import generations

logger = logging.getLogger(__name__)

ENTRY_MAX_BYTES = 256 * 1024


def _entry_key(request: Request) -> str:
    # The answer depends on the whole URL (`next` links are absolute) and on the negotiated media type. The
    # host was validated by then (CommonMiddleware); the raw header is cheaper than build_absolute_uri().
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    uri = f"{request.scheme}://{host}{request.get_full_path()} {request.accepted_media_type}"
    digest = hashlib.sha256(uri.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{settings.API_CACHE_PREFIX}:resp:{request.user.pk}:{digest}"


def _render(request: Request, data: Any, headers: dict[str, str]) -> HttpResponse:
    renderer = request.accepted_renderer
    body = renderer.render(data, request.accepted_media_type, {"request": request})
    return HttpResponse(body, content_type=request.accepted_renderer.media_type, headers=headers)


def _encode(generation: bytes, response: HttpResponse) -> bytes:
    etag = response.headers.get("ETag", "")
    return b"\n".join([generation, str(int(time.time())).encode(), etag.encode(), response.content])


def _decode(request: Request, entry: bytes, generation: bytes) -> HttpResponse | None:
    stored_generation, stored_at, etag, body = entry.split(b"\n", 3)
    if stored_generation != generation or time.time() - int(stored_at) > settings.API_CACHE_SECONDS:
        return None
    headers = {"ETag": etag.decode()} if etag else {}
    return HttpResponse(body, content_type=request.accepted_renderer.media_type, headers=headers)


def serve(request: Request, build: Callable[[], tuple[Any, dict[str, str]]]) -> HttpResponse:
    """The cached answer of this GET for this user, or `build()` -> (data, headers) rendered and kept.

    Only successful answers are kept (`build` raises for errors). Redis trouble means no caching, never an error.
    """
    client = generations.cache_client()
    if client is None or not request.user.is_authenticated:
        return _render(request, *build())
    generation_key, entry_key = generations.key(generations.CONTENT, request.user.pk), _entry_key(request)
    try:
        # The generation is read before the database: a change committed after this read retires the entry.
        generation, entry = client.mget(generation_key, entry_key)
    except Exception:
        logger.warning("API cache unavailable", exc_info=True)
        return _render(request, *build())
    if generation is not None and entry is not None:
        cached = _decode(request, entry, generation)
        if cached is not None:
            return cached
    response = _render(request, *build())
    try:
        if generation is None:
            client.set(generation_key, generations.new_value(), nx=True, ex=generations.GENERATION_TTL_SECONDS)
        elif len(response.content) <= ENTRY_MAX_BYTES:
            client.set(entry_key, _encode(generation, response), ex=settings.API_CACHE_SECONDS)
    except Exception:
        logger.warning("could not fill the API cache", exc_info=True)
    return response
