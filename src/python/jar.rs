// SPDX-License-Identifier: MIT
//! `ResponseJar`, the cookie jar every framework adapter uses, the ASGI
//! side of it (a jar from a connection scope, its headers added to a
//! response message), and `get_cookie` / `decode_cookie_value`, the
//! jar's reading for the rest of the package. Native because an adapter
//! goes through the jar several times on every request, and as Python each
//! of those steps was a frame of its own; the cookie rules themselves are
//! `crate::cookie`'s.

use std::borrow::Cow;

use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use super::errors::IronError;
use crate::cookie;

/// The jar every framework adapter uses: the request's ``Cookie`` header,
/// and the response's ``Set-Cookie`` lines kept by cookie name in
/// ``lines``, so that a ``save()`` in a view and another at the end of
/// the request send one line per cookie, the last.
///
/// ``cookie_header`` and ``session_header`` are ``str``, or ``bytes`` as
/// ASGI servers give them (Latin-1, as Node decodes them). With a session
/// header configured (``SessionConfig.header``), the adapter passes the
/// value the request sent as ``session_header`` (None when absent: no
/// header client); ``header_out`` is then the value to send back in that
/// response header, or None for nothing to send.
///
/// ``writable`` turns False once no cookie can reach the browser (the
/// response headers are out, or a WebSocket); ``assert_writable()`` then
/// raises, so that a lost cookie is an error rather than silence.
#[pyclass(module = "iron_fast.cookies", name = "ResponseJar", subclass)]
pub struct ResponseJar {
    cookie_header: Py<PyString>,
    #[pyo3(get)]
    lines: Py<PyDict>,
    session_header: Option<Py<PyString>>,
    #[pyo3(get, set)]
    header_out: Option<Py<PyString>>,
    #[pyo3(get, set)]
    writable: bool,
}

/// HTTP header bytes as text: Latin-1, one character per byte. ASCII, the
/// usual case, is already UTF-8; the other bytes are U+0080 to U+00FF.
fn latin1<'py>(py: Python<'py>, bytes: &[u8]) -> Bound<'py, PyString> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.is_ascii() => PyString::new(py, text),
        _ => PyString::new(
            py,
            &bytes.iter().copied().map(char::from).collect::<String>(),
        ),
    }
}

/// A header given as ``str``, ``bytes`` or None.
fn header_text<'py>(
    value: Option<&Bound<'py, PyAny>>,
    what: &str,
) -> PyResult<Option<Bound<'py, PyString>>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Some(text.clone()));
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Some(latin1(value.py(), bytes.as_bytes())));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str, bytes or None, not {}",
        value.get_type().name()?
    )))
}

/// The name and value of one ASGI header: a 2-tuple of bytes (or any
/// 2-item sequence).
fn header_pair<'py>(
    pair: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let (name, value) = match pair.cast::<PyTuple>() {
        Ok(tuple) if tuple.len() == 2 => (tuple.get_item(0)?, tuple.get_item(1)?),
        _ => (pair.get_item(0)?, pair.get_item(1)?),
    };
    Ok((name.cast_into::<PyBytes>()?, value.cast_into::<PyBytes>()?))
}

impl ResponseJar {
    /// What the session sends back, in order: the session ``header`` for a
    /// header client (when there is a value to send), then the Set-Cookie
    /// lines. `response_headers` and `add_cookie_headers` both send this.
    fn sent<'a, 'py>(
        &self,
        py: Python<'py>,
        header: Option<&'a str>,
    ) -> PyResult<Vec<(&'a str, Bound<'py, PyString>)>> {
        let lines = self.lines.bind(py);
        let mut out = Vec::with_capacity(lines.len() + 1);
        if let (Some(name), Some(value)) = (header, &self.header_out) {
            out.push((name, value.bind(py).clone()));
        }
        for line in lines.values() {
            out.push(("Set-Cookie", line.cast_into::<PyString>()?));
        }
        Ok(out)
    }

    fn new_jar(
        py: Python<'_>,
        cookie_header: Option<Bound<'_, PyString>>,
        session_header: Option<Bound<'_, PyString>>,
        writable: bool,
    ) -> Self {
        ResponseJar {
            cookie_header: cookie_header
                .unwrap_or_else(|| PyString::new(py, ""))
                .unbind(),
            lines: PyDict::new(py).unbind(),
            session_header: session_header.map(Bound::unbind),
            header_out: None,
            writable,
        }
    }
}

#[pymethods]
impl ResponseJar {
    #[new]
    #[pyo3(signature = (cookie_header = None, session_header = None))]
    fn new(
        py: Python<'_>,
        cookie_header: Option<&Bound<'_, PyAny>>,
        session_header: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let cookie_header = header_text(cookie_header, "cookie_header")?;
        let session_header = header_text(session_header, "session_header")?;
        Ok(Self::new_jar(py, cookie_header, session_header, true))
    }

    /// The jar of an ASGI connection ``scope``: its ``Cookie`` headers
    /// (HTTP/2 may split one over several: joined with "; ", RFC 9113) and
    /// the first ``header`` (``SessionConfig.header``, any case) it sent.
    /// A WebSocket's jar is not writable: no Set-Cookie can reach it.
    #[staticmethod]
    #[pyo3(signature = (scope, header = None))]
    fn from_scope(
        py: Python<'_>,
        scope: &Bound<'_, PyAny>,
        header: Option<&str>,
    ) -> PyResult<Self> {
        let wanted = header.map(str::to_ascii_lowercase);
        let mut cookie: Vec<u8> = Vec::new();
        let mut cookies = 0;
        let mut session_header = None;
        for pair in scope.get_item(intern!(py, "headers"))?.try_iter()? {
            // ASGI headers are bytes; a pair that is not is no cookie.
            let Ok((key, value)) = header_pair(&pair?) else {
                continue;
            };
            let key = key.as_bytes();
            if key == b"cookie" {
                if cookies > 0 {
                    cookie.extend_from_slice(b"; ");
                }
                cookie.extend_from_slice(value.as_bytes());
                cookies += 1;
            } else if session_header.is_none() && wanted.as_deref().map(str::as_bytes) == Some(key)
            {
                session_header = Some(latin1(py, value.as_bytes()));
            }
        }
        let kind = scope.get_item(intern!(py, "type"))?;
        let websocket = kind.cast::<PyString>()?.to_str()? == "websocket";
        Ok(Self::new_jar(
            py,
            Some(latin1(py, &cookie)),
            session_header,
            !websocket,
        ))
    }

    /// The request's ``Cookie`` header, as text ("" for none); set it
    /// (``str`` or ``bytes``) where a framework hands cookies otherwise.
    #[getter]
    fn cookie_header(&self, py: Python<'_>) -> Py<PyString> {
        self.cookie_header.clone_ref(py)
    }

    #[setter]
    fn set_cookie_header(
        &mut self,
        py: Python<'_>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let text = header_text(value, "cookie_header")?;
        self.cookie_header = text.unwrap_or_else(|| PyString::new(py, "")).unbind();
        Ok(())
    }

    /// The session header's value in the request (None: not sent).
    #[getter]
    fn session_header(&self, py: Python<'_>) -> Option<Py<PyString>> {
        self.session_header
            .as_ref()
            .map(|value| value.clone_ref(py))
    }

    #[setter]
    fn set_session_header(&mut self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.session_header = header_text(value, "session_header")?.map(Bound::unbind);
        Ok(())
    }

    /// The value of cookie ``name`` as the request sent it (the first one
    /// of that name, %-decoded as cookie@2 decodes it), or None. A header
    /// that is not text a server could have sent (a lone surrogate) holds
    /// no cookie.
    fn read<'py>(&self, py: Python<'py>, name: &str) -> Option<Bound<'py, PyString>> {
        cookie_value(self.cookie_header.bind(py), name)
    }

    /// Keep ``set_cookie``, the whole Set-Cookie text, as cookie ``name``'s
    /// line (``value`` is there for jars that want it).
    #[pyo3(signature = (name, value, set_cookie))]
    fn write(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyString>,
        value: &Bound<'_, PyAny>,
        set_cookie: &Bound<'_, PyString>,
    ) -> PyResult<()> {
        let _ = value;
        self.lines.bind(py).set_item(name, set_cookie)
    }

    /// Raise IronError when the jar is no longer ``writable``.
    fn assert_writable(&self) -> PyResult<()> {
        if self.writable {
            return Ok(());
        }
        Err(IronError::new_err(
            "the session cookie can no longer be sent (the response started: \
             its headers are out; or a WebSocket): save or destroy the session \
             in an HTTP handler, before it responds",
        ))
    }

    /// The session's response headers, in order: the ``header`` value for
    /// a header client (when there is one to send), then the
    /// ``Set-Cookie`` lines.
    #[pyo3(signature = (header))]
    fn response_headers<'py>(
        &self,
        py: Python<'py>,
        header: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (name, value) in self.sent(py, header)? {
            out.append((name, value))?;
        }
        Ok(out)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        // Sizes only: the header and the lines hold the seals.
        let jar = slf.borrow();
        let py = slf.py();
        Ok(format!(
            "{}(cookie_header=<{} chars>, lines=<{}>)",
            slf.get_type().name()?,
            jar.cookie_header.bind(py).len()?,
            jar.lines.bind(py).len()
        ))
    }
}

/// Add the jar's Set-Cookie lines (and a header client's session
/// ``header``, SessionConfig.header) to an ``http.response.start``
/// message, and ``Vary: Cookie`` (and the header) when the response
/// depended on the session (``vary``) or sets it. The header list is
/// copied: a response object may be sent again, to another user.
#[pyfunction]
#[pyo3(signature = (message, jar, *, vary, header = None))]
pub fn add_cookie_headers(
    py: Python<'_>,
    message: &Bound<'_, PyAny>,
    jar: PyRef<'_, ResponseJar>,
    vary: bool,
    header: Option<&str>,
) -> PyResult<()> {
    let sent = jar.sent(py, header)?;
    if !vary && sent.is_empty() {
        return Ok(());
    }
    let key = intern!(py, "headers");
    let headers = match message.get_item(key) {
        Ok(given) => PyList::new(py, given.try_iter()?.collect::<PyResult<Vec<_>>>()?)?,
        Err(missing) if missing.is_instance_of::<PyKeyError>(py) => PyList::empty(py),
        Err(error) => return Err(error),
    };
    let varies = match header {
        None => "Cookie".to_owned(),
        Some(name) => format!("Cookie, {name}"),
    };
    let mut extended = false;
    for (index, pair) in headers.iter().enumerate() {
        // ASGI headers are bytes; anything else is left as it is.
        let Ok((name, value)) = header_pair(&pair) else {
            continue;
        };
        if name.as_bytes() == b"vary" {
            // Extend the first one: caches may read only that.
            let value = [value.as_bytes(), b", ", varies.as_bytes()].concat();
            headers.set_item(index, (name, PyBytes::new(py, &value)))?;
            extended = true;
            break;
        }
    }
    if !extended {
        headers.append((
            PyBytes::new(py, b"vary"),
            PyBytes::new(py, varies.as_bytes()),
        ))?;
    }
    for (name, value) in sent {
        headers.append((
            PyBytes::new(py, name.to_ascii_lowercase().as_bytes()),
            latin1_bytes(py, value.to_str()?)?,
        ))?;
    }
    message.set_item(key, headers)
}

/// Cookie ``name``'s value in ``header``, %-decoded; None for none, and
/// for a header that is not text a server could have sent (a lone
/// surrogate): what the jar's ``read`` and ``get_cookie`` answer.
fn cookie_value<'py>(header: &Bound<'py, PyString>, name: &str) -> Option<Bound<'py, PyString>> {
    let text = header.to_str().ok()?;
    cookie::get(text, name).map(|value| PyString::new(header.py(), &value))
}

/// The value of cookie ``name`` in a ``Cookie`` header, or None: the
/// first pair of that name, %-decoded like ``decodeURIComponent`` (kept
/// raw where that would throw), as cookie@2 parses it; only that name is
/// looked for. A header or name that is not text a server could have sent
/// (a lone surrogate) holds no cookie, and a %-encoded value longer than a
/// whole chunked session is not decoded: None.
#[pyfunction]
pub fn get_cookie<'py>(
    header: &Bound<'py, PyString>,
    name: &Bound<'py, PyString>,
) -> Option<Bound<'py, PyString>> {
    cookie_value(header, name.to_str().ok()?)
}

/// A cookie value %-decoded like ``decodeURIComponent``, or unchanged where
/// that would throw (cookie@2's ``decode``): ``iron_fast.cookies.parse_cookies``'
/// decoding, the one ``get_cookie`` and the jar apply.
#[pyfunction]
pub fn decode_cookie_value<'py>(value: &Bound<'py, PyString>) -> Bound<'py, PyString> {
    // Text with a lone surrogate came from no server: kept as it is.
    match value.to_str().map(cookie::decode) {
        Ok(Cow::Owned(decoded)) => PyString::new(value.py(), &decoded),
        _ => value.clone(),
    }
}

/// Header text as the bytes an ASGI server sends: Latin-1.
fn latin1_bytes<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyBytes>> {
    if text.is_ascii() {
        return Ok(PyBytes::new(py, text.as_bytes()));
    }
    let bytes = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).map_err(|_| ()))
        .collect::<Result<Vec<u8>, ()>>()
        .map_err(|()| PyValueError::new_err("a response header must be Latin-1 text"))?;
    Ok(PyBytes::new(py, &bytes))
}
