"""Headless Chromium for the analyzer's report tests: find the browser, dump a page's DOM after its
script ran, and read the DOM's charts and example texts."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

SKIP_REASON = "needs chromium (Debian package): run tools/install_chromium.sh"


def chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def flags(browser: str, profile: Path) -> list[str]:
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={profile}", "--window-size=1366,900"]


def dump_dom(browser: str, page: Path, profile: Path) -> str:
    """The page's DOM as Chromium serialises it once its script ran (file URL, no network)."""
    return subprocess.run(flags(browser, profile) + ["--virtual-time-budget=5000", "--dump-dom",
                                                     page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120, check=True).stdout


class Charts(HTMLParser):
    """The body's data attributes; per SVG chart its class, statistic and bar heights; per
    statistic card the label of its examples block and its examples (level, head line, text)."""

    def __init__(self):
        super().__init__()
        self.body, self.charts, self.scripts, self._svg = {}, [], 0, None
        self.example_labels: dict[str, str] = {}
        self.examples: dict[str, list[dict]] = {}
        self._card = None  # the statistic card being read
        self._into = None  # (dict, key) the text being read goes to
        self._level = False  # inside an example head's <b>: the level label

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "body":
            self.body = a
        elif tag == "script":
            self.scripts += 1
        elif tag == "svg" and "chart" in cls:
            self._svg = {"class": a["class"], "stat": a.get("data-stat"), "bars": [], "cells": 0}
            self.charts.append(self._svg)
        elif self._svg is not None and tag == "rect":
            if "bar" in cls:
                self._svg["bars"].append(float(a["height"]) if "height" in a else float(a.get("width", 0)))
            elif a.get("class") in ("cell", "iqr"):
                self._svg["cells"] += 1
        elif tag == "section" and "stat" in cls:
            self._card = a.get("data-stat")
        elif self._card is None:
            return
        elif tag == "summary":
            self.example_labels[self._card] = ""
            self._into = (self.example_labels, self._card)
        elif tag == "div" and "example" in cls:
            self.examples.setdefault(self._card, []).append({"level": "", "head": "", "text": ""})
        elif tag == "div" and "example-head" in cls:
            self._into = (self.examples[self._card][-1], "head")
        elif tag == "b" and self._into and self._into[1] == "head":
            self._level = True
        elif tag == "pre" and "text" in cls:
            self._into = (self.examples[self._card][-1], "text")

    def handle_data(self, data):
        if self._into is not None:
            target, key = self._into
            target[key] += data
            if self._level:
                target["level"] += data

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag == "section":
            self._card = None
        elif tag == "b":
            self._level = False
        elif tag in ("summary", "pre") or (tag == "div" and self._into and self._into[1] == "head"):
            self._into = None
