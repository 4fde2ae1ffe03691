# SPDX-License-Identifier: MIT
"""The compiled core (Rust, PyO3). Mirrors ``src/python/`` exactly."""

from collections.abc import Mapping
from typing import Any, Final, TypedDict, final

from typing_extensions import Self, disjoint_base

__all__ = [
    "DEFAULT_TTL",
    "MAX_CHUNKS",
    "MAX_COOKIE_BYTES",
    "MAX_ITERATIONS",
    "MIN_PASSWORD_LENGTH",
    "TIMESTAMP_SKEW_SEC",
    "_CACHE_LIMITS",
    "ResponseJar",
    "Sealer",
    "__version__",
    "add_cookie_headers",
    "decode_cookie_value",
    "from_json",
    "get_cookie",
    "seal_data",
    "seal_fields",
    "sealer_for",
    "to_json",
    "unseal_data",
]

_Secret = str | bytes
# Exists only for type checkers (the binding takes any object and checks
# it); stubtest is told so in scripts/stubtest-allowlist.txt.
Password = _Secret | Mapping[int | str, _Secret]

DEFAULT_TTL: Final[int]
"""iron-session's default ttl: 14 days, in seconds."""
MIN_PASSWORD_LENGTH: Final[int]
"""A text secret's minimum length, in UTF-16 code units as JS counts."""
TIMESTAMP_SKEW_SEC: Final[int]
"""iron's default clock skew: seconds a seal is still read past expiry."""

MAX_COOKIE_BYTES: Final[int]
"""Browsers cap one cookie at 4096 bytes, over the whole Set-Cookie line."""
MAX_CHUNKS: Final[int]
"""iron-session 9's cap on the cookies one session is split over: 4."""

MAX_ITERATIONS: Final[int]
"""The largest PBKDF2 iteration count a Sealer accepts: 2**20, 128 times
h3 2.x's 8192. Each seal and each unseal the verified-seal cache cannot
answer derives two keys at that count (iron and iron-session use 1)."""

__version__: Final[str]

_CACHE_LIMITS: Final[dict[str, int]]
"""``max_cached_token``: the longest token the verified-seal cache keeps;
``gil_release``: the plaintext bytes from which the GIL is released around
the crypto. The first is below the second, so the cache's lock is only
taken with the GIL held (tests check it)."""

@final
class Sealer:
    """A compiled password configuration.

    Password parsing and per-password key material are done once, here;
    ``seal`` and ``unseal`` then do only the per-seal work. Build one per
    configuration and keep it: it is immutable and safe to share between
    threads. The GIL is released around the crypto of a seal of 8 KiB of
    data or more; below that the crypto takes less time than handing the
    GIL to another thread and back (``benches/threads.py``).

    ``password`` is a ``str`` of at least 32 UTF-16 code units (as
    JavaScript counts them), 32 raw key ``bytes``, or a mapping
    ``{id: secret}`` for rotation: the highest integer id seals, every id
    unseals. Raises ``PasswordError`` for an unusable configuration.

    ``iterations`` is the PBKDF2 iteration count of the seals it reads and
    writes: 1 (iron's default, all that iron-session writes) up to
    ``MAX_ITERATIONS``; h3 2.x seals with 8192. Every password of the
    configuration uses it; raw key bytes ignore it. Each seal has its own
    random salts, so the count is paid on every seal and on every unseal
    the verified-seal cache cannot answer (two keys each), never once per
    sealer. Raises ``IronError`` for a count that is not an ``int`` in
    that range.

    ``ttl`` is the default lifetime of a seal in seconds (``DEFAULT_TTL``,
    14 days; 0 = never expires), ``timestamp_skew_sec`` the clock skew
    allowed when unsealing (60) and ``localtime_offset_ms`` an offset
    added to the local clock (0), as in iron.

    ``cache_size`` (512; 0 turns it off) bounds the sealer's cache of
    recently verified seals: the seals it opened or made, at most one
    cookie long, with their plaintext. A seal found there (the same user's
    cookie on the next request) is not verified and decrypted again; its
    expiration is still checked every time, and its data parsed into a
    fresh object. Nothing on the wire changes. The cost: the plaintext of
    up to ``cache_size`` recent sessions stays in memory (wiped when
    replaced or dropped), at most about 3.5 MB for 512.
    """

    # PyO3 builds the object in __new__ (there is no __init__), and
    # stubtest checks the stub against that.
    def __new__(
        cls,
        password: Password,
        *,
        iterations: int = 1,
        ttl: int = ...,
        timestamp_skew_sec: int = ...,
        localtime_offset_ms: int = 0,
        cache_size: int = 512,
    ) -> Sealer: ...
    @property
    def ttl(self) -> int:
        """Default lifetime of a seal, in seconds (0 = never expires)."""
    @property
    def iterations(self) -> int:
        """The PBKDF2 iteration count of this sealer's seals."""
    @property
    def password_id(self) -> str | None:
        """The id seals are made with: the highest integer id; ``""`` for
        a map with none but a ``"default"`` entry (iron's seal of a
        password without an id, as h3 writes); None otherwise (such a
        sealer can only unseal)."""
    @property
    def password_ids(self) -> list[str]:
        """Every id this sealer can unseal with, as written in seals."""
    def seal(self, data: object, *, ttl: int | None = None) -> str:
        """Seal ``data`` (plain JSON) into an iron-session value
        ``Fe26.2*…~2``. ``ttl`` in seconds overrides the sealer's.

        Raises ``SerializationError`` for data that is not plain JSON and
        ``PasswordError`` if the sealer has no integer password id."""
    def unseal(self, seal: str) -> Any:
        """Open a seal (with or without the ``~2`` marker; anything from
        the first ``~`` on is ignored, as iron-session 9 does).

        Returns the sealed JSON value (``None`` for JSON ``null``).
        Raises ``ExpiredSeal``, ``UnknownPassword`` or ``BadSeal``."""
    def unseal_or_none(self, seal: str) -> tuple[Any, str | None]:
        """Like ``unseal`` but never raises for a bad seal: returns
        ``(value, None)`` or ``(None, reason)`` where reason is
        ``"invalid"``, ``"expired"`` or ``"unknown-password"``."""
    def _seal_with(
        self,
        data: object,
        *,
        ttl: int,
        now_ms: int,
        encryption_salt: str,
        hmac_salt: str,
        iv: bytes,
        password_id: str | None = None,
    ) -> str:
        """Deterministic seal for test vectors only: fixed salts, IV and
        clock. Never use it to make real seals."""
    def _unseal_at(self, seal: str, *, now_ms: int) -> Any:
        """``unseal`` with the clock pinned to ``now_ms``, without the
        cache; for tests."""
    def _cache_info(self) -> tuple[int, int, int, int]:
        """The verified-seal cache: (capacity, entries, hits, misses)."""

def sealer_for(
    password: Password,
    *,
    iterations: int = 1,
    timestamp_skew_sec: int = 60,
    localtime_offset_ms: int = 0,
) -> Sealer:
    """The compiled Sealer for a password configuration, built once and
    cached. Raises PasswordError for an unusable password and IronError
    for an iteration count outside 1 to ``MAX_ITERATIONS``."""

def seal_data(
    data: object,
    *,
    password: Password,
    ttl: int = 1209600,
    iterations: int = 1,
) -> str:
    """iron-session ``sealData``: seal ``data`` into ``Fe26.2*…~2``.

    ``ttl`` is in seconds (``DEFAULT_TTL``, 14 days); 0 means the seal
    never expires. ``iterations`` is the PBKDF2 count, as on ``Sealer``
    (1 is iron-session's). Raises SerializationError for data that is not
    plain JSON, PasswordError for an unusable password and IronError for a
    bad ``iterations``. The Sealer for ``password`` is built once
    (``sealer_for``) and reused."""

def unseal_data(
    seal: str,
    *,
    password: Password,
    ttl: int | None = None,
    iterations: int = 1,
) -> Any:
    """iron-session 9 ``unsealData``: the sealed data, or ``{}`` for any
    bad, expired, tampered or unknown-password seal (and for a seal of
    ``null``, or one made with another ``iterations``). It never raises
    for a bad seal; it does raise PasswordError for an unusable password
    and IronError for a bad ``iterations`` (as on ``Sealer``).

    ``ttl`` is accepted for signature parity with iron-session and, as
    there, ignored: validity depends on the expiration inside the seal."""

def to_json(data: object) -> str:
    """The exact text ``JSON.stringify`` writes for ``data``; raises
    ``SerializationError`` for data that is not plain JSON."""

def from_json(text: str) -> Any:
    """Parse JSON text as ``JSON.parse`` does, except that integers stay
    ``int``. Raises ``ValueError`` for invalid JSON."""

def get_cookie(header: str, name: str) -> str | None:
    """The value of cookie ``name`` in a ``Cookie`` header, or None: the
    first pair of that name, %-decoded like ``decodeURIComponent`` (kept
    raw where that would throw), as cookie@2 parses it; only that name is
    looked for. A header or name that is not text a server could have sent
    (a lone surrogate) holds no cookie, and a %-encoded value longer than a
    whole chunked session is not decoded: None."""

def decode_cookie_value(value: str) -> str:
    """A cookie value %-decoded like ``decodeURIComponent``, or unchanged
    where that would throw (cookie@2's ``decode``)."""

@disjoint_base
class ResponseJar:
    """The jar every framework adapter uses: the request's ``Cookie``
    header, and the response's ``Set-Cookie`` lines kept by cookie name in
    ``lines``, so that a ``save()`` in a view and another at the end of
    the request send one line per cookie, the last.

    ``cookie_header`` and ``session_header`` are ``str``, or ``bytes`` as
    ASGI servers give them (Latin-1). With a session header configured
    (``SessionConfig.header``), the adapter passes the value the request
    sent as ``session_header`` (None when absent: no header client);
    ``header_out`` is then the value to send back in that response
    header, or None for nothing to send.

    ``writable`` turns False once no cookie can reach the browser (the
    response headers are out, or a WebSocket); ``assert_writable()`` then
    raises IronError, so that a lost cookie is an error rather than
    silence."""

    # PyO3 builds the object in __new__ (there is no __init__).
    def __new__(
        cls,
        cookie_header: str | bytes | None = None,
        session_header: str | bytes | None = None,
    ) -> Self: ...
    @staticmethod
    def from_scope(
        scope: Mapping[str, Any], header: str | None = None
    ) -> ResponseJar:
        """The jar of an ASGI connection ``scope``: its ``Cookie`` headers
        joined with "; ", the first ``header`` it sent; not writable for a
        WebSocket."""
    @property
    def cookie_header(self) -> str:
        """The request's ``Cookie`` header, as text ("" for none); set it
        (``str`` or ``bytes``) where a framework hands cookies otherwise."""
    @cookie_header.setter
    def cookie_header(self, value: str | bytes | None) -> None:
        """Bytes are read as Latin-1; None is no header."""
    @property
    def session_header(self) -> str | None:
        """The session header's value in the request (None: not sent)."""
    @session_header.setter
    def session_header(self, value: str | bytes | None) -> None:
        """Bytes are read as Latin-1; None is no header."""
    @property
    def lines(self) -> dict[str, str]:
        """The response's Set-Cookie lines, by cookie name."""
    header_out: str | None
    writable: bool
    def read(self, name: str) -> str | None:
        """The value of cookie ``name`` as the request sent it (the first
        of that name, %-decoded as cookie@2 decodes it), or None."""
    def write(self, name: str, value: str, set_cookie: str) -> None:
        """Keep ``set_cookie``, the whole Set-Cookie text, as cookie
        ``name``'s line (``value`` is there for jars that want it)."""
    def assert_writable(self) -> None:
        """Raise IronError when the jar is no longer ``writable``."""
    def response_headers(self, header: str | None) -> list[tuple[str, str]]:
        """The session's response headers, in order: the ``header``
        value for a header client (when there is one to send), then the
        ``Set-Cookie`` lines."""

def add_cookie_headers(
    message: Any,
    jar: ResponseJar,
    *,
    vary: bool,
    header: str | None = None,
) -> None:
    """Add the jar's Set-Cookie lines (and a header client's session
    ``header``) to an ASGI ``http.response.start`` message, and ``Vary:
    Cookie`` (and the header) when the response depended on the session
    (``vary``) or sets it. The header list is copied."""

class _SealFields(TypedDict):
    password_id: str
    encryption_salt_length: int
    hmac_salt_length: int
    expires_ms: int | None
    ciphertext_bytes: int
    marker: str | None

def seal_fields(seal: str) -> _SealFields:
    """What a seal tells without its password, read by the parser
    ``Sealer.unseal`` uses: the password id (``""`` for iron's
    ``default``), the salts' lengths in characters (0 for a raw key),
    the expiration in ms since 1970 (None: never; digits too many for
    128 bits read as 2**127 - 1, as the core reads them), the
    ciphertext's length in bytes, and what follows the first ``~``
    (None if there is no ``~``). Nothing is verified or decrypted.

    Raises ``ValueError`` saying what is wrong for text that no password
    opens by its shape alone: not ``Fe26.2``, not 8 fields, an
    expiration that is not digits without a leading 0, an id a password
    map cannot hold, a MAC, IV or ciphertext of the wrong size or not
    canonical base64url, one salt empty and the other not."""
