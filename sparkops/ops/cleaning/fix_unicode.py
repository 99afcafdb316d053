"""fix_unicode_mapper: ftfy's repair of mojibake, then a Unicode normal form."""

from __future__ import annotations

import ftfy

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.cleaning.common import FAMILY

_NORMAL_FORMS = ("NFC", "NFKC", "NFD", "NFKD")


def _prepare_fix_unicode(p, where):
    form = (p["normalization"] or "NFC").upper()
    if form not in _NORMAL_FORMS:
        raise OpError(f"{where}: parameter 'normalization' must be one of {list(_NORMAL_FORMS)}, "
                      f"got {p['normalization']!r}")
    return dict(p, form=form)


def fix_unicode(texts, p):
    form = p["form"]
    return [ftfy.fix_text(t, normalization=form) for t in texts]


declare(Op(
    name="fix_unicode_mapper", kind="mapper", family=FAMILY,
    doc="Repair mojibake and other Unicode errors with ftfy, then apply a Unicode normal form.",
    params=(Param("normalization", "str", None, "NFC (default), NFKC, NFD or NFKD.", nullable=True),),
    apply=fix_unicode, prepare=_prepare_fix_unicode,
    examples=(
        Example("fix_unicode('schÃ¶n')", "schön", "UTF-8 read as Latin-1, repaired"),
        Example("fix_unicode('x²')", "x²"),
        Example("fix_unicode('x²', 'NFKC')", "x2"),
    ),
))
