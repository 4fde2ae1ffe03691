# SPDX-License-Identifier: MIT
"""Seal a session as iron-session would, print the cookie value, open it
again, and show what a tampered or foreign cookie gives.

    .venv/bin/python examples/seal_demo.py

The password is $IRON_SESSION_PASSWORD if set (make one with
``.venv/bin/iron-fast keygen``), else a new one for this run only.
"""

from __future__ import annotations

import os

import iron_fast
from iron_fast.keys import new_password


def main() -> None:
    password = os.environ.get("IRON_SESSION_PASSWORD") or new_password()
    session = {"user": {"id": 1, "name": "Ada"}, "cart": [3, 14]}
    sealer = iron_fast.Sealer(password)

    sealed = sealer.seal(session)
    print("session:      ", session)
    print("cookie value: ", sealed)
    opened = iron_fast.unseal_data(sealed, password=password)
    print("unsealed:     ", opened)

    tampered = sealed.replace("*1*", "*1*0", 1)
    forged = iron_fast.unseal_data(tampered, password=password)
    print("tampered:     ", forged)
    print("strict reason:", sealer.unseal_or_none(tampered)[1])
    other = iron_fast.unseal_data(sealed, password=new_password())
    print("other password:", other)


if __name__ == "__main__":
    main()
