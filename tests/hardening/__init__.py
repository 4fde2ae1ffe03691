# SPDX-License-Identifier: MIT
"""Hardening tests (HARDENING.md): bounded versions of the fuzzing,
tampering, secrets, concurrency, fork, memory and configuration checks;
the long runs are in scripts/hardening/."""
