"""The errors a user gets for a wrong operator, parameter or field: one line that names it."""

from __future__ import annotations


class OpError(ValueError):
    """A wrong operator name or parameter; the message names the op and the key."""
