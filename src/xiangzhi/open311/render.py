"""The two formats of GeoReport v2: XML (required) and JSON (its Spark-convention mirror).

Every answer is built as plain Python data once and written out in the format the URL asks for: a list at the
top becomes `<root><item>…</item></root>` in XML and an array in JSON; a list inside an object becomes an element
holding one child per entry (`attributes` → `attribute`, …). Text is escaped by xml.etree; characters XML 1.0
cannot carry at all (most control characters) are dropped rather than written into an unparseable document.
"""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = {"json": JSON_TYPE, "xml": XML_TYPE}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# the element name of one entry of a list, by the name of the list
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3(moment: dt.datetime | None) -> str | None:
    """A moment in the w3 subset of ISO 8601 with the local offset: 2026-03-01T09:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        return str(value)
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            sub = ET.SubElement(element, key)
            if isinstance(child, list):
                for item in child:
                    _fill(ET.SubElement(sub, ITEM_NAMES[key]), item)
            else:
                _fill(sub, child)
    else:
        element.text = _text(value)


def to_xml(data, root: str) -> bytes:
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _fill(ET.SubElement(element, ITEM_NAMES[root]), item)
    else:
        _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode("utf-8")


def respond(data, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    fmt = fmt if fmt in FORMATS else "xml"
    body = to_json(data) if fmt == "json" else to_xml(data, root)
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def errors(status: int, description: str, fmt: str, *, code: int | None = None) -> HttpResponse:
    """The spec's error answer: an array of {code, description} with the HTTP status."""
    return respond([{"code": code or status, "description": description}], fmt, root="errors", status=status)
