# SPDX-License-Identifier: MIT
"""A session codec whose seals and clock are fixed: the deterministic
vectors (iron-session's tests set ``Date.now`` and its crypto's salts)."""

from __future__ import annotations

from typing import Any

from iron_fast import Sealer, SessionCodec, SessionConfig, UnsealError


class FixedSealer:
    """The sealer interface a SessionCodec uses, with fixed salts, IV and
    clock (``Sealer._seal_with`` and ``Sealer._unseal_at``)."""

    def __init__(
        self,
        config: SessionConfig,
        now_ms: int,
        encryption_salt: str,
        hmac_salt: str,
        iv: bytes,
    ) -> None:
        assert config.password is not None
        self._sealer = Sealer(
            {str(pid): s for pid, s in dict(config.password).items()}
        )
        self._ttl = config.seal_ttl
        self._fixed = {
            "now_ms": now_ms,
            "encryption_salt": encryption_salt,
            "hmac_salt": hmac_salt,
            "iv": iv,
        }
        self.now_ms = now_ms

    def seal(self, data: object) -> str:
        return self._sealer._seal_with(data, ttl=self._ttl, **self._fixed)

    def unseal(self, seal: str) -> Any:
        return self._sealer._unseal_at(seal, now_ms=self.now_ms)

    def unseal_or_none(self, seal: str) -> tuple[Any, str | None]:
        try:
            return self.unseal(seal), None
        except UnsealError as error:
            return None, error.reason


def pinned(
    config: SessionConfig,
    now_ms: int,
    encryption_salt: str = "ab" * 32,
    hmac_salt: str = "cd" * 32,
    iv: bytes = bytes(16),
) -> SessionCodec:
    """``config``'s codec, sealing and reading at ``now_ms`` with the
    given salts and IV."""

    def sealer(config: SessionConfig) -> FixedSealer:
        return FixedSealer(config, now_ms, encryption_salt, hmac_salt, iv)

    return SessionCodec(config, sealer=sealer, clock=lambda: now_ms)
