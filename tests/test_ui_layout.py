"""Layout rules that a new user tripped on, checked in the stylesheet and the vendored font."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "static" / "css" / "gops.css").read_text()


def test_korean_has_a_vendored_web_font_in_a_few_megabytes():
    faces = re.findall(r"@font-face\s*{[^}]*}", CSS)
    assert len(faces) >= 2 and all("font-display: swap" in f for f in faces)
    files = re.findall(r'url\("\.\./fonts/([^"]+\.woff2)"\)', CSS)
    assert files
    for name in files:
        assert (ROOT / "static" / "fonts" / name).is_file()
    fonts = ROOT / "static" / "fonts"
    assert (fonts / "LICENSE.txt").read_text().count("SIL Open Font License") >= 1
    assert sum(p.stat().st_size for p in fonts.iterdir()) < 3 * 1024 * 1024
    assert '"Pretendard"' in CSS.split("--font:", 1)[1].split(";", 1)[0]


def test_no_asset_comes_from_another_site():
    assert "http://" not in CSS and "https://" not in CSS
    assert not re.search(r"url\((?!\"\.\./)", CSS)  # only files under static/


def test_content_does_not_touch_the_header():
    assert re.search(r"main\.wrap\s*{[^}]*padding-top:\s*[1-9]", CSS)


def test_words_and_numbers_never_break_one_character_at_a_time():
    body = re.search(r"\nbody\s*{[^}]*}", CSS).group(0)
    assert "word-break: keep-all" in body and "overflow-wrap: anywhere" not in CSS
    assert re.search(r"[,{\s]button[,\s][^{]*{[^}]*white-space: nowrap", CSS)


def test_tables_reflow_on_a_phone():
    phone = CSS[CSS.index(".table.reflow"):]
    assert "attr(data-label)" in phone and "display: block" in phone


def test_number_inputs_are_styled_like_the_others():
    assert re.search(r"input\[type=number\][^{]*{[^}]*border", CSS) or "input[type=number], " in CSS


def test_the_footer_stays_at_the_bottom_of_short_pages():
    body = re.search(r"\nbody\s*{[^}]*}", CSS).group(0)
    assert "min-height: 100vh" in body and "flex-direction: column" in body
    assert re.search(r"body > main\s*{[^}]*flex: 1", CSS)


def test_touch_targets_are_at_least_24_pixels():
    for selector in ("button.link", ".button"):
        rule = re.search(rf"\n{re.escape(selector)}\s*{{[^}}]*}}", CSS).group(0)
        assert "min-height: 24px" in rule
