"""YAML as Data-Juicer reads its recipes.

Data-Juicer parses a recipe with jsonargparse's YAML loader, not PyYAML's plain safe loader,
and the two disagree on two things a recipe writes: a number in exponent form without a
decimal point (``max_len: 2e5``) or with an unsigned exponent (``1.5e3``) is a float for
jsonargparse and a string for PyYAML (YAML 1.1), and a date-like value (``2024-01-01``) stays a
string for jsonargparse where PyYAML makes a ``datetime.date``. Two of Data-Juicer's own recipes
(pile-europarl, pile-philpaper) bound a length as ``2e5`` / ``5e5``; read with PyYAML they fail
validation. Facts from jsonargparse 4.x's ``_loaders_dumpers.py`` (its float pattern); our code.
"""

from __future__ import annotations

import re

import yaml

# YAML 1.2's floats, PyYAML's sexagesimal and special values kept: the exponent's sign optional,
# a decimal point not required before it
_FLOAT = re.compile(r"""^(?:
    [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
  | [-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
  | \.[0-9_]+(?:[eE][-+][0-9]+)?
  | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
  | [-+]?\.(?:inf|Inf|INF)
  | \.(?:nan|NaN|NAN))$""", re.X)

_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class RecipeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with jsonargparse's float and timestamp rules."""


RecipeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_FLOAT_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RecipeLoader.add_implicit_resolver(_FLOAT_TAG, _FLOAT, list("-+0123456789."))


def load(text: str):
    return yaml.load(text, Loader=RecipeLoader)  # noqa: S506 (a SafeLoader subclass)
