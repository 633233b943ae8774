"""Django's {# … #} comment ends at the end of its line: one spread over several lines is printed on the page as
text. Every template's comments are checked here (a multi-line note goes in {% comment %} … {% endcomment %})."""

from pathlib import Path

import xiangzhi

ROOT = Path(xiangzhi.__file__).parent


def test_no_template_has_a_comment_spread_over_lines():
    bad = []
    for path in ROOT.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            start = line.find("{#")
            if start != -1 and "#}" not in line[start:]:
                bad.append(f"{path.relative_to(ROOT)}:{number}")
    assert len(list(ROOT.rglob("*.html"))) > 50  # the walk found the templates
    assert not bad, "multi-line {# #} comments (shown on the page): " + ", ".join(bad)
