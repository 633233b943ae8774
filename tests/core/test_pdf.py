"""The PDF helper prints Chinese with an embedded font. The checks read the PDF itself: no extraction library."""

import base64
import re
import zlib

import pytest

from xiangzhi.core import pdf


def _streams(data: bytes) -> list[bytes]:
    out = []
    for m in re.finditer(rb"<<((?:(?!>>\s*stream).)*?)>>\s*stream\r?\n(.*?)endstream", data, re.S):
        head, body = m.group(1), m.group(2)
        if b"/ASCII85Decode" in head:
            body = base64.a85decode(body.strip().removesuffix(b"~>"), adobe=False)
        if b"/FlateDecode" in head:
            body = zlib.decompressobj().decompress(body)  # tolerates the line end before endstream
        out.append(body)
    return out


def _literal_strings(content: bytes) -> list[bytes]:
    """The string operands of a content stream, with PDF escapes undone."""
    strings, i = [], 0
    while (start := content.find(b"(", i)) != -1:
        depth, j, buf = 1, start + 1, bytearray()
        while depth:
            c = content[j]
            if c == 0x5C:  # backslash
                nxt = content[j + 1]
                if 0x30 <= nxt <= 0x37:
                    octal = re.match(rb"[0-7]{1,3}", content[j + 1 : j + 4]).group()
                    buf.append(int(octal, 8))
                    j += 1 + len(octal)
                    continue
                buf.append({0x6E: 10, 0x72: 13, 0x74: 9}.get(nxt, nxt))
                j += 2
                continue
            if c == 0x28:
                depth += 1
            elif c == 0x29:
                depth -= 1
                if not depth:
                    break
            buf.append(c)
            j += 1
        strings.append(bytes(buf))
        i = j + 1
    return strings


def extract_text(data: bytes) -> str:
    """Map every shown string through the embedded subset's ToUnicode CMap (one subset: < 256 glyphs)."""
    streams = _streams(data)
    cmap = {}
    for s in streams:
        if b"beginbfchar" in s:
            for code, uni in re.findall(rb"<([0-9A-F]{2})>\s*<([0-9A-F]{4})>", s):
                cmap[int(code, 16)] = chr(int(uni, 16))
    text = []
    for s in streams:
        if b" Tf" in s and (b"Tj" in s or b"TJ" in s):
            for literal in _literal_strings(s):
                text.append("".join(cmap.get(b, "?") for b in literal))
    return "\n".join(text)


@pytest.fixture(scope="module")
def document() -> bytes:
    return pdf.render_document(
        title="人民调解协议书",
        paragraphs=[
            "甲方：张三（南山村）。乙方：李四。双方自愿达成如下协议：",
            "一、乙方于十日内赔偿<500>元。",
        ],
        table_rows=[["项目", "金额（元）"], ["修缮院墙", "500.00"]],
        footer_lines=["调解员签字：", "2026年10月8日"],
    )


def test_font_is_embedded(document):
    assert pdf.is_embedded(), "install fonts-wqy-zenhei (CI does) to embed a CJK font"
    assert document.startswith(b"%PDF-")
    assert b"/FontFile2" in document  # a TrueType font program is inside the file
    assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYiZenHei", document)
    assert b"STSong-Light" not in document


def test_chinese_text_extracts(document):
    text = extract_text(document)
    for phrase in [
        "人民调解协议书",
        "甲方：张三（南山村）",
        "赔偿<500>元",
        "修缮院墙",
        "金额（元）",
        "2026年10月8日",
        "第 1 页",
    ]:
        assert phrase in text, phrase


def test_long_text_wraps_onto_more_pages():
    long = pdf.render_document(title="决议公告", paragraphs=["村民代表会议表决通过。" * 40] * 30)
    assert long.count(b"/Type /Page\n") >= 2 or long.count(b"/Type /Page ") >= 2
    assert "第 2 页" in extract_text(long)
