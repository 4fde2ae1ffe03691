# SPDX-License-Identifier: MIT
"""ResponseJar, the one jar of every adapter, and its ASGI side: what it
reads from a request, what it refuses, and the headers it adds."""

from __future__ import annotations

from typing import Any

import pytest

from iron_fast.asgi import add_cookie_headers
from iron_fast.cookies import ResponseJar, get_cookie
from iron_fast.errors import IronError

SEAL = "Fe26.2*1*abc*def*ghi*123*jkl*mno~2"


def scope(*headers: tuple[bytes, bytes], kind: str = "http") -> Any:
    return {"type": kind, "headers": list(headers)}


def test_reads_str_and_bytes_headers_as_latin1() -> None:
    for header in (f"a=1; s={SEAL}", f"a=1; s={SEAL}".encode()):
        assert ResponseJar(header).read("s") == SEAL
    # One character per byte, as Node reads header bytes.
    assert ResponseJar(b"s=\xe9%41").read("s") == "\xe9A"
    assert ResponseJar(b"s=\xe9").cookie_header == "s=\xe9"
    assert ResponseJar().cookie_header == ""
    assert ResponseJar().read("s") is None


def test_reads_as_get_cookie_does() -> None:
    for header in ("s=%41%42", "s=100%", 's="q"', "x=1;s = 2 ", "s=%C3"):
        assert ResponseJar(header).read("s") == get_cookie(header, "s")


def test_refuses_headers_that_are_not_text_or_bytes() -> None:
    with pytest.raises(TypeError, match="cookie_header must be str, bytes"):
        ResponseJar(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="session_header must be str, bytes"):
        ResponseJar(None, ["X"])  # type: ignore[arg-type]


def test_headers_can_be_set_after_the_jar_is_made() -> None:
    jar = ResponseJar()
    jar.cookie_header = f"s={SEAL}".encode()
    jar.session_header = b"abc"
    assert jar.read("s") == SEAL
    assert jar.session_header == "abc"
    jar.cookie_header = None
    assert jar.cookie_header == ""


def test_keeps_the_last_line_per_cookie_and_sends_the_header_first() -> None:
    jar = ResponseJar(None, "")
    jar.write("s", "1", "s=1; Path=/")
    jar.write("s.0", "2", "s.0=2")
    jar.write("s", "3", "s=3; Path=/")
    assert jar.lines == {"s": "s=3; Path=/", "s.0": "s.0=2"}
    assert jar.response_headers("X-Session") == [
        ("Set-Cookie", "s=3; Path=/"),
        ("Set-Cookie", "s.0=2"),
    ]
    jar.header_out = "sealed"
    assert jar.response_headers("X-Session")[0] == ("X-Session", "sealed")
    assert ("X-Session", "sealed") not in jar.response_headers(None)


def test_refuses_writes_once_not_writable() -> None:
    jar = ResponseJar()
    jar.assert_writable()
    jar.writable = False
    with pytest.raises(IronError, match="response started"):
        jar.assert_writable()


def test_repr_shows_sizes_only() -> None:
    jar = ResponseJar(f"s={SEAL}")
    jar.write("s", SEAL, f"s={SEAL}")
    assert SEAL not in repr(jar)
    assert (
        repr(jar)
        == f"ResponseJar(cookie_header=<{len(SEAL) + 2} chars>, lines=<1>)"
    )


def test_a_subclass_may_read_otherwise() -> None:
    class Parsed(ResponseJar):
        __slots__ = ("cookies",)

        def read(self, name: str) -> str | None:
            return {"s": "parsed"}.get(name)

    jar = Parsed(None, None)
    assert jar.read("s") == "parsed"
    assert repr(jar).startswith("Parsed(")


# -- from an ASGI scope ---------------------------------------------------


def test_from_scope_joins_split_cookie_headers() -> None:
    # HTTP/2 may send the Cookie header as several (RFC 9113).
    jar = ResponseJar.from_scope(
        scope(
            (b"host", b"h"),
            (b"cookie", b"a=1"),
            (b"cookie", f"s={SEAL}".encode()),
        )
    )
    assert jar.cookie_header == f"a=1; s={SEAL}"
    assert jar.read("s") == SEAL
    assert jar.session_header is None
    assert jar.writable


def test_from_scope_takes_the_first_session_header_in_any_case() -> None:
    headers = scope(
        (b"x-session", b"first"), (b"x-session", b"second"), [b"a", b"b"]
    )
    assert ResponseJar.from_scope(headers, "X-Session").session_header == (
        "first"
    )
    assert ResponseJar.from_scope(headers).session_header is None


def test_a_websocket_jar_is_not_writable() -> None:
    jar = ResponseJar.from_scope(scope(kind="websocket"))
    with pytest.raises(IronError):
        jar.assert_writable()


def test_add_cookie_headers_extends_vary_and_copies_the_list() -> None:
    given = [(b"content-type", b"text/plain"), (b"vary", b"Accept")]
    message = {"type": "http.response.start", "headers": given}
    jar = ResponseJar(None, "")
    jar.write("s", "v", "s=v; Path=/")
    jar.header_out = "sealed"
    add_cookie_headers(message, jar, vary=False, header="X-Session")
    assert message["headers"] == [
        (b"content-type", b"text/plain"),
        (b"vary", b"Accept, Cookie, X-Session"),
        (b"x-session", b"sealed"),
        (b"set-cookie", b"s=v; Path=/"),
    ]
    assert given[1] == (b"vary", b"Accept")  # the response's own list


def test_add_cookie_headers_adds_vary_only_when_needed() -> None:
    message: dict[str, Any] = {"type": "http.response.start"}
    add_cookie_headers(message, ResponseJar(), vary=False)
    assert "headers" not in message
    add_cookie_headers(message, ResponseJar(), vary=True)
    assert message["headers"] == [(b"vary", b"Cookie")]


def test_add_cookie_headers_refuses_a_line_that_is_not_latin1() -> None:
    # Unreachable through the codec (its lines are ASCII), but a jar
    # written by hand gets a plain ValueError, not a broken exception.
    jar = ResponseJar()
    jar.write("s", "v", "s=\u20ac")
    with pytest.raises(ValueError, match="Latin-1"):
        add_cookie_headers({"headers": []}, jar, vary=False)


def test_from_scope_skips_headers_that_are_not_bytes() -> None:
    # ASGI servers send bytes; a middleware that put text in the scope
    # costs its request no session, not a 500.
    jar = ResponseJar.from_scope(
        scope(("cookie", "s=1"), (b"cookie", b"s=2"))  # type: ignore[arg-type]
    )
    assert jar.read("s") == "2"
