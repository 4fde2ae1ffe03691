# SPDX-License-Identifier: MIT
"""What RedisRevocation is given, checked when it is built: redis-py
itself (an optional extra), its URL or its client; and the URL as a repr
may show it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from iron_fast.errors import ConfigError

_URL_SCHEMES = ("redis", "rediss", "unix")


def import_redis() -> Any:
    """redis-py, imported only when a RedisRevocation is built: it is an
    optional extra, and ``import iron_fast`` must work without it."""
    try:
        import redis
        import redis.asyncio
        import redis.backoff
    except ImportError:
        raise ConfigError(
            "RedisRevocation needs redis-py: pip install 'iron-fast[redis]'",
            option="revocation",
        ) from None
    return redis


def check_url(url: object) -> str:
    """``url`` if it is a Redis URL redis-py accepts, else ConfigError."""
    if not isinstance(url, str):
        raise ConfigError(
            f"the revocation store URL must be a str, not "
            f"{type(url).__name__}",
            option="revocation",
        )
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in _URL_SCHEMES:
        # The URL itself is not echoed: it may hold a password.
        shown = f"'{scheme}://'" if scheme.isalnum() else "no scheme"
        raise ConfigError(
            "the revocation store URL must start with redis://, rediss:// "
            f"or unix://, got {shown}",
            option="revocation",
        )
    from redis.connection import parse_url

    try:
        # redis-py's own reading of the URL, so that what passes here is
        # what its clients will accept.
        parse_url(url)  # type: ignore[no-untyped-call]
    except (TypeError, ValueError):
        raise ConfigError(
            "the revocation store URL cannot be parsed (its text is not "
            "shown: it may hold a password)",
            option="revocation",
        ) from None
    return url


def shown_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` and the query (which
    may carry ``password=``) left out."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:***@{hostport}" if user else f":***@{hostport}"
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}{query}"


def client_kind(redis_mod: Any, client: object) -> str:
    """``"sync"`` or ``"async"`` for a redis-py client, else ConfigError."""
    if isinstance(
        client, redis_mod.asyncio.Redis | redis_mod.asyncio.RedisCluster
    ):
        return "async"
    if isinstance(client, redis_mod.Redis | redis_mod.RedisCluster):
        timeouts = _sync_timeouts(client)
        if None in timeouts:
            raise ConfigError(
                "the given redis.Redis client has no socket_timeout or "
                "socket_connect_timeout: a hung Redis would hang every "
                "request. Build it with socket_timeout=... and "
                "socket_connect_timeout=... (seconds), or pass a URL.",
                option="revocation",
            )
        return "sync"
    raise ConfigError(
        "client must be a redis-py client (redis.Redis, "
        "redis.asyncio.Redis or their Cluster variants), not "
        f"{type(client).__name__}",
        option="revocation",
    )


def _sync_timeouts(client: Any) -> tuple[object, object]:
    pool = getattr(client, "connection_pool", None)
    if pool is None:  # RedisCluster: each node's pool takes these
        kwargs = getattr(client, "nodes_manager", None)
        kwargs = getattr(kwargs, "connection_kwargs", {})
    else:
        kwargs = pool.connection_kwargs
    return kwargs.get("socket_timeout"), kwargs.get("socket_connect_timeout")
