# SPDX-License-Identifier: MIT
"""Session lifetime through get_iron_session: idle and absolute timeouts,
the metadata under the reserved key, session.subject, session.revoke()
and revoke_subject, store failures, under a frozen clock; with
MemoryRevocation and with RedisRevocation on a real Redis.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from iron_fast import (
    ConfigError,
    IronSession,
    SessionCodec,
    SessionConfig,
    get_iron_session,
    unseal_data,
)
from iron_fast.cookies import ResponseJar
from iron_fast.errors import SessionEnded
from iron_fast.revocation import (
    MemoryRevocation,
    RedisRevocation,
    StoreUnavailableError,
)

PASSWORD = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"
T0 = 1_767_000_000_000  # the frozen clock's start, ms
IDLE = 600  # s
ABSOLUTE = 3600  # s


class Clock:
    """A clock in ms that only moves when told."""

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += round(seconds * 1000)


class Heard:
    """An on_unseal_error hook that keeps what it heard."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.errors: list[Exception] = []

    def __call__(self, reason: str, error: Exception) -> None:
        self.reasons.append(reason)
        self.errors.append(error)


class Browser:
    """One browser's cookie, carried from response to request."""

    def __init__(self, codec: SessionCodec) -> None:
        self.codec = codec
        self.cookie = ""
        self.jar = ResponseJar()

    def request(self) -> Any:
        header = f"test={self.cookie}" if self.cookie else None
        self.jar = ResponseJar(header)
        return get_iron_session(self.jar, self.codec)

    def keep(self) -> str | None:
        """Take the response's Set-Cookie; the line, or None."""
        line = self.jar.lines.get("test")
        if line is not None:
            self.cookie = line.split(";", 1)[0].split("=", 1)[1]
        return line


def make(
    clock: Clock, heard: Heard | None = None, **options: Any
) -> SessionCodec:
    config = SessionConfig(
        password=PASSWORD,
        cookie_name="test",
        on_unseal_error=heard,
        **options,
    )
    return SessionCodec(config, clock=clock)


def sealed(cookie: str) -> dict[str, Any]:
    """What the cookie holds, metadata included (as Node would see it)."""
    return unseal_data(cookie, password=PASSWORD)


def login(browser: Browser, subject: str | None = "42") -> Any:
    session = browser.request()
    session["user"] = "ada"
    if subject is not None:
        session.subject = subject
    session.save()
    browser.keep()
    return session


# -- without the options, nothing changes -------------------------------------


def test_without_the_options_nothing_is_added() -> None:
    codec = make(Clock())
    assert codec.lifetime is None
    browser = Browser(codec)
    login(browser, subject=None)
    assert sealed(browser.cookie) == {"user": "ada"}
    with pytest.raises(ConfigError) as info:
        browser.request().subject = "42"
    assert info.value.option == "revocation"
    with pytest.raises(ConfigError):
        browser.request().revoke()


# -- the metadata -------------------------------------------------------------


def test_metadata_is_sealed_under_the_key_and_hidden_from_the_app() -> None:
    clock = Clock()
    browser = Browser(make(clock, idle_timeout=IDLE))
    login(browser)
    raw = sealed(browser.cookie)
    meta = raw.pop("_iron")
    assert raw == {"user": "ada"}
    assert set(meta) == {"id", "iat", "seen", "sub"}
    assert meta["iat"] == meta["seen"] == T0 and meta["sub"] == "42"
    assert len(meta["id"]) == 22
    clock.advance(60)
    session = browser.request()
    assert dict(session) == {"user": "ada"}
    assert session.subject == "42"
    session["n"] = 1
    session.save()
    browser.keep()
    again = sealed(browser.cookie)["_iron"]
    # Re-sealing keeps the id and issued-at, and moves last-seen.
    assert again["id"] == meta["id"] and again["iat"] == T0
    assert again["seen"] == T0 + 60_000


def test_the_metadata_key_is_configurable_and_reserved() -> None:
    browser = Browser(make(Clock(), idle_timeout=IDLE, metadata_key="meta"))
    login(browser)
    assert "meta" in sealed(browser.cookie)
    session = browser.request()
    session["meta"] = "mine"
    with pytest.raises(ValueError, match="reserved"):
        session.save()


def test_foreign_metadata_is_an_invalid_session() -> None:
    heard = Heard()
    codec = make(Clock(), heard, idle_timeout=IDLE)
    plain = Browser(make(Clock()))
    for foreign in ("x", {"id": 7, "iat": T0, "seen": T0}, {"id": "a"}):
        session = plain.request()
        session.update({"user": "ada", "_iron": foreign})
        session.save()
        plain.keep()
        browser = Browser(codec)
        browser.cookie = plain.cookie
        assert dict(browser.request()) == {}
    assert heard.reasons == ["invalid"] * 3


def test_a_seal_without_metadata_is_adopted_and_resealed() -> None:
    plain = Browser(make(Clock()))
    login(plain, subject=None)
    browser = Browser(make(Clock(), idle_timeout=IDLE))
    browser.cookie = plain.cookie
    session = browser.request()
    assert dict(session) == {"user": "ada"} and session.modified
    session.save()
    browser.keep()
    assert sealed(browser.cookie)["_iron"]["iat"] == T0


# -- idle and absolute timeouts -----------------------------------------------


def test_idle_timeout_ends_a_silent_session() -> None:
    clock, heard = Clock(), Heard()
    browser = Browser(make(clock, heard, idle_timeout=IDLE))
    login(browser)
    clock.advance(IDLE - 0.001)
    session = browser.request()
    assert dict(session) == {"user": "ada"}
    clock.advance(0.001)
    assert dict(browser.request()) == {}
    assert heard.reasons == ["idle"]
    assert isinstance(heard.errors[0], SessionEnded)
    assert heard.errors[0].reason == "idle"


def test_the_cookie_is_refreshed_once_per_half_idle_window() -> None:
    clock = Clock()
    browser = Browser(make(clock, idle_timeout=IDLE))
    login(browser)
    clock.advance(IDLE / 2 - 0.001)
    session = browser.request()
    assert not session.modified  # no Set-Cookie on this request
    clock.advance(0.001)
    session = browser.request()
    assert session.modified  # due: the caller's save() sends it
    session.save()
    assert browser.keep() is not None
    # Kept alive: a whole idle window after login, it is still valid.
    clock.advance(IDLE - 1)
    assert dict(browser.request()) == {"user": "ada"}


def test_absolute_timeout_counts_from_the_first_save() -> None:
    clock, heard = Clock(), Heard()
    browser = Browser(
        make(clock, heard, idle_timeout=IDLE, absolute_timeout=ABSOLUTE)
    )
    login(browser)
    for _ in range(ABSOLUTE // (IDLE // 2) - 1):
        clock.advance(IDLE / 2)
        session = browser.request()
        assert dict(session) == {"user": "ada"}
        session.save()
        browser.keep()
    clock.advance(IDLE / 2)  # T0 + ABSOLUTE, seen IDLE/2 ago
    assert dict(browser.request()) == {}
    assert heard.reasons == ["absolute"]


def test_a_new_subject_starts_a_new_session() -> None:
    clock = Clock()
    browser = Browser(make(clock, absolute_timeout=ABSOLUTE))
    login(browser, subject=None)
    first = sealed(browser.cookie)["_iron"]
    clock.advance(ABSOLUTE - 10)
    session = browser.request()
    session.subject = "42"  # a login in an older anonymous session
    assert session.modified
    session.save()
    browser.keep()
    second = sealed(browser.cookie)["_iron"]
    assert second["id"] != first["id"] and second["iat"] == clock.now
    clock.advance(60)
    session = browser.request()
    assert session.subject == "42"
    session.subject = "42"  # the same subject: nothing changes
    assert not session.modified
    session.subject = None
    session.save()
    browser.keep()
    assert "sub" not in sealed(browser.cookie)["_iron"]


@pytest.mark.parametrize(
    ("subject", "error"),
    [
        (42, TypeError),
        (b"42", TypeError),
        ("", ValueError),
        ("x" * 257, ValueError),
    ],
)
def test_bad_subjects_are_refused_when_set(
    subject: Any, error: type[Exception]
) -> None:
    session = Browser(make(Clock(), idle_timeout=IDLE)).request()
    with pytest.raises(error):
        session.subject = subject
    assert session.subject is None and not session.modified


# -- configuration ------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("idle_timeout", 0),
        ("idle_timeout", -5),
        ("idle_timeout", True),
        ("idle_timeout", "600"),
        ("absolute_timeout", 1.5),
        ("revocation", object()),
        ("revocation", "redis://127.0.0.1"),
        ("metadata_key", ""),
        ("metadata_key", 7),
    ],
)
def test_bad_lifetime_options_name_themselves(option: str, value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        SessionConfig(password=PASSWORD, cookie_name="t", **{option: value})
    assert info.value.option == option


def test_absolute_timeout_cannot_outlive_the_stores_memory() -> None:
    store = MemoryRevocation(max_session_age=3600)
    with pytest.raises(ConfigError) as info:
        SessionConfig(
            password=PASSWORD,
            cookie_name="t",
            revocation=store,
            absolute_timeout=7200,
        )
    assert info.value.option == "absolute_timeout"


def test_a_store_caps_the_session_age() -> None:
    # Without absolute_timeout, re-saves could keep a session alive past
    # the time the store keeps a subject's revocation: the store's
    # max_session_age is then the absolute limit.
    clock, heard = Clock(), Heard()
    store = MemoryRevocation(max_session_age=3600)
    browser = Browser(make(clock, heard, revocation=store))
    login(browser)
    clock.advance(3599)
    session = browser.request()
    assert dict(session) == {"user": "ada"}
    session.save()
    browser.keep()
    clock.advance(1)
    assert dict(browser.request()) == {}
    assert heard.reasons == ["absolute"]


def test_the_config_repr_hides_the_store_password() -> None:
    config = SessionConfig(
        password=PASSWORD,
        cookie_name="t",
        idle_timeout=60,
        revocation=RedisRevocation("redis://:hunter2@127.0.0.1:1/0"),
    )
    text = repr(config)
    assert "hunter2" not in text and PASSWORD not in text
    assert "idle_timeout=60" in text and "RedisRevocation(" in text
    assert "idle_timeout" not in repr(
        SessionConfig(password=PASSWORD, cookie_name="t")
    )


# -- revocation, on both stores -----------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        yield MemoryRevocation()
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    made = RedisRevocation(url, prefix=prefix)
    yield made
    made.close()


def test_revoke_ends_the_session_everywhere(store: Any) -> None:
    clock, heard = Clock(), Heard()
    codec = make(clock, heard, revocation=store)
    browser = Browser(codec)
    login(browser)
    stolen = browser.cookie
    session = browser.request()
    session.revoke()
    assert session.destroyed and dict(session) == {}
    line = browser.keep()
    assert line is not None and "Max-Age=0" in line
    # The copied cookie, replayed on this process or another.
    for other in (codec, make(clock, heard, revocation=store)):
        thief = Browser(other)
        thief.cookie = stolen
        assert dict(thief.request()) == {}
    assert heard.reasons == ["revoked", "revoked"]
    # The revocation lasts as long as the seal would have: no longer.
    meta = sealed(stolen)["_iron"]
    if isinstance(store, RedisRevocation):
        left = store._sync_client().pttl(store._session_key(meta["id"]))
        ttl_ms = codec.config.seal_ttl * 1000
        assert ttl_ms < left <= ttl_ms + 60_000


def test_a_revocation_outlives_every_copy_of_the_cookie() -> None:
    # The revoking request may carry an old seal of the session while a
    # copy was re-sealed since (by its thief, say): the revocation is kept
    # for a whole seal ttl from now, not from the old seal's time.
    clock, store = Clock(), MemoryRevocation(max_session_age=60 * 86400)
    codec = make(clock, revocation=store)
    owner, thief = Browser(codec), Browser(codec)
    login(owner)
    thief.cookie = owner.cookie
    clock.advance(3 * 86400)
    session = thief.request()
    session["loot"] = 1
    session.save()  # the copy now lives until T0 + 3 days + ttl
    thief.keep()
    clock.advance(2 * 86400)
    owner.request().revoke()
    meta = sealed(thief.cookie)["_iron"]
    kept = store._sessions[meta["id"]] - store._monotonic()
    assert kept > codec.config.seal_ttl
    assert dict(thief.request()) == {}


def test_revoke_subject_ends_the_sessions_issued_before(store: Any) -> None:
    clock, heard = Clock(), Heard()
    codec = make(clock, heard, revocation=store)
    laptop, phone, other = Browser(codec), Browser(codec), Browser(codec)
    login(laptop)
    login(phone)
    login(other, subject="43")
    clock.advance(5)
    store.revoke_subject("42", issued_before_ms=clock.now)
    assert dict(laptop.request()) == {}
    assert dict(phone.request()) == {}
    assert dict(other.request()) == {"user": "ada"}
    assert heard.reasons == ["revoked", "revoked"]
    login(laptop)  # a new login after the revocation is valid
    assert dict(laptop.request()) == {"user": "ada"}


def test_async_reads_and_revocations(store: Any) -> None:
    clock = Clock()
    codec = make(clock, revocation=store)
    browser = Browser(codec)
    login(browser)

    async def scenario() -> None:
        jar = ResponseJar(f"test={browser.cookie}")
        opened = await codec.aload(jar)
        assert opened.data == {"user": "ada"} and opened.meta is not None
        session = IronSession(jar, codec, *opened, deferred=True)
        session.revoke()
        # Deferred: the adapter awaits the write before the response.
        assert session.pending_revocation == opened.meta
        assert store.check(opened.meta.id, "42", T0) is None
        await codec.arevoke(opened.meta)
        again = await codec.aload(ResponseJar(f"test={browser.cookie}"))
        assert again.data is None
        if isinstance(store, RedisRevocation):
            await store.aclose()

    asyncio.run(scenario())


def test_no_store_call_unless_the_rules_before_it_pass() -> None:
    calls: list[tuple[Any, ...]] = []

    class Counting(MemoryRevocation):
        def check(self, *args: Any) -> Any:
            calls.append(args)
            return super().check(*args)

    clock = Clock()
    codec = make(clock, idle_timeout=IDLE, revocation=Counting())
    browser = Browser(codec)
    browser.request()  # no cookie
    browser.cookie = "garbage"
    browser.request()
    assert calls == []
    login(browser)
    browser.request()
    assert len(calls) == 1
    clock.advance(IDLE)
    browser.request()  # idle: refused before the store is asked
    assert len(calls) == 1


# -- store failures -----------------------------------------------------------


@pytest.mark.parametrize("on_error", ["deny", "allow"])
def test_an_unreachable_store(on_error: str) -> None:
    clock, heard = Clock(), Heard()
    good = Browser(make(clock, revocation=MemoryRevocation()))
    login(good)
    # Port 1 on loopback: the connection is refused at once.
    down = RedisRevocation("redis://127.0.0.1:1/0", on_error=on_error)
    browser = Browser(make(clock, heard, revocation=down))
    browser.cookie = good.cookie
    session = browser.request()
    expected = {"user": "ada"} if on_error == "allow" else {}
    assert dict(session) == expected
    assert heard.reasons == ["store-unavailable"]
    if on_error == "allow":
        with pytest.raises(StoreUnavailableError):
            session.revoke()
    else:
        session.revoke()  # nothing was read: nothing to write
    assert session.destroyed  # the cookie is cleared all the same
    line = browser.keep()
    assert line is not None and "Max-Age=0" in line


def test_a_store_that_cannot_serve_the_caller(redis_url: str) -> None:
    import redis.asyncio

    store = RedisRevocation(client=redis.asyncio.Redis.from_url(redis_url))
    browser = Browser(make(Clock(), revocation=store))
    browser.request()  # no cookie: no store call, so no error
    good = Browser(make(Clock(), revocation=MemoryRevocation()))
    login(good)
    browser.cookie = good.cookie
    with pytest.raises(ConfigError) as info:
        browser.request()  # get_iron_session is sync
    assert info.value.option == "revocation"
