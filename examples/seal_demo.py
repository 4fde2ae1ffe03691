# SPDX-License-Identifier: MIT
"""Seal a session as iron-session would, print the cookie value, open it
again, and show what a tampered or foreign cookie gives. The password is a
demo value: never use a password from an example in production."""

from __future__ import annotations

import iron_fast

DEMO_PASSWORD = "demo-only-password-never-use-in-production"


def main() -> None:
    session = {"user": {"id": 1, "name": "Ada"}, "cart": [3, 14]}
    sealer = iron_fast.Sealer(DEMO_PASSWORD)

    sealed = sealer.seal(session)
    print("session:      ", session)
    print("cookie value: ", sealed)
    opened = iron_fast.unseal_data(sealed, password=DEMO_PASSWORD)
    print("unsealed:     ", opened)

    tampered = sealed.replace("*1*", "*1*0", 1)
    forged = iron_fast.unseal_data(tampered, password=DEMO_PASSWORD)
    print("tampered:     ", forged)
    print("strict reason:", sealer.unseal_or_none(tampered)[1])
    other = iron_fast.unseal_data(sealed, password="x" * 32)
    print("other password:", other)


if __name__ == "__main__":
    main()
