"""Finds resident ID numbers in clear: 18 characters with a valid GB 11643 check digit and a real birth date."""

import re

from xiangzhi.people import idnumber

CANDIDATE = re.compile(rb"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def clear_ids(data: bytes) -> set[str]:
    found = set()
    for m in CANDIDATE.finditer(data):
        text = m.group().decode().upper()
        born = idnumber.birth_date_of(text)
        if born and 1900 <= born.year <= 2100 and idnumber.check_char(text[:17]) == text[17]:
            found.add(text)
    return found


def clear_ids_in_text(text: str) -> set[str]:
    return clear_ids(text.encode())
