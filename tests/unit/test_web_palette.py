"""The console's colours meet WCAG 2.1 AA: every text/background pair its style sheet uses has a
contrast of at least 4.5:1 (3:1 for the borders of fields and cards), computed from the sheet."""
import re

import pytest

from shared.config import REPO_ROOT

SHEET = (REPO_ROOT / "web" / "static" / "css" / "console.css").read_text(encoding="utf-8")
COLOURS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", SHEET))
TEXT_PAIRS = [
    ("ink", "paper"), ("muted", "paper"), ("primary", "paper"), ("on-primary", "primary"), ("ink", "panel"),
    ("muted", "panel"), ("primary", "panel"), ("alert-ink", "alert-paper"), ("on-yellow-card", "yellow-card"),
    ("on-red-card", "red-card"), ("on-ok-card", "ok-card"), ("paper", "ink"),
]
NON_TEXT_PAIRS = [("line", "paper"), ("focus", "paper"), ("line", "panel")]


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_formula_matches_the_known_extremes():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_have_at_least_4_5_to_1(text, background):
    assert contrast(COLOURS[text], COLOURS[background]) >= 4.5


@pytest.mark.parametrize(("line", "background"), NON_TEXT_PAIRS)
def test_borders_and_focus_rings_have_at_least_3_to_1(line, background):
    assert contrast(COLOURS[line], COLOURS[background]) >= 3
