"""Per-row seeding of the global random generators that nlpaug and nlpcda draw from.

Both libraries call Python's ``random`` module and NumPy's global ``np.random`` directly (nlpcda's
tools even keep ``random`` itself as ``self.random``), so a row's augmentation can only be made
reproducible by seeding those globals. Each row is seeded from the op's ``seed`` and its own
text, so its output does not depend on which rows share its partition or come before it; the
global states are restored afterwards and a lock keeps two threads of one worker from
interleaving their draws.
"""

from __future__ import annotations

import hashlib
import random
import threading
from contextlib import contextmanager

_LOCK = threading.Lock()


def row_seed(seed: int, text: str) -> int:
    """A 32-bit seed (NumPy takes at most 2**32 - 1) from the op's seed and the row's text."""
    digest = hashlib.sha256(f"{seed}\x00{text}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big")


@contextmanager
def seeded(seed: int):
    """Python's and NumPy's global generators seeded with ``seed`` inside, as they were after."""
    import numpy as np

    with _LOCK:
        py_state, np_state = random.getstate(), np.random.get_state()
        random.seed(seed)
        np.random.seed(seed)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
