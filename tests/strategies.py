# SPDX-License-Identifier: MIT
"""Hypothesis strategies for plain JSON values, as sessions hold them."""

from __future__ import annotations

from hypothesis import strategies as st

# Integers a JavaScript number holds exactly, so both languages agree.
SAFE_INT = 2**53 - 1

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-SAFE_INT, max_value=SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)

json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)

json_objects = st.dictionaries(st.text(max_size=12), json_values, max_size=8)
