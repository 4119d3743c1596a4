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


def _entry_key(request: Request, user_id: int) -> str:
    # The answer depends on the whole URL (`next` links are absolute) and on the negotiated media type. The
    # host was validated by then (CommonMiddleware); the raw header is cheaper than build_absolute_uri().
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    uri = f"{request.scheme}://{host}{request.get_full_path()} {request.accepted_media_type}"
    digest = hashlib.sha256(uri.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{settings.API_CACHE_PREFIX}:resp:{user_id}:{digest}"


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


class Prefetch:
    """The generation and entry of a cached read, fetched in the token check's Redis round trip.

    The token cache knows the user before the view runs; one MGET then serves both (see `prefetch_for`).
    """

    def __init__(self, request: Request) -> None:
        self.request = request
        self.user_id: int | None = None
        self.values: dict[str, bytes | None] = {}

    def keys(self, user_id: int) -> list[str]:
        self.user_id = user_id
        return [generations.key(generations.CONTENT, user_id), _entry_key(self.request, user_id)]

    def fill(self, keys: list[str], values: list[bytes | None]) -> None:
        self.values = dict(zip(keys, values, strict=True))


def prefetch_for(request: Request) -> Prefetch | None:
    """A Prefetch for GETs of views that opt in with `cached_reads = True`, kept on the request; else None."""
    view = request.parser_context.get("view") if request.parser_context else None
    if request.method != "GET" or not getattr(view, "cached_reads", False):
        return None
    prefetch = Prefetch(request)
    request._request.fbrain_cache_prefetch = prefetch  # type: ignore[attr-defined]
    return prefetch


def _read(client: Any, request: Request, keys: list[str]) -> list[bytes | None]:
    prefetch = getattr(request._request, "fbrain_cache_prefetch", None)
    if prefetch is not None and prefetch.user_id == request.user.pk and all(key in prefetch.values for key in keys):
        return [prefetch.values[key] for key in keys]
    return list(client.mget(*keys))


def serve(request: Request, build: Callable[[], tuple[Any, dict[str, str]]]) -> HttpResponse:
    """The cached answer of this GET for this user, or `build()` -> (data, headers) rendered and kept.

    Only successful answers are kept (`build` raises for errors). Redis trouble means no caching, never an error.
    """
    client = generations.cache_client()
    if client is None or not request.user.is_authenticated:
        return _render(request, *build())
    user_id = request.user.pk
    generation_key, entry_key = generations.key(generations.CONTENT, user_id), _entry_key(request, user_id)
    try:
        # The generation is read before the database: a change committed after this read retires the entry.
        generation, entry = _read(client, request, [generation_key, entry_key])
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
