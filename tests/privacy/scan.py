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


PHONE_CANDIDATE = re.compile(rb"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def clear_phones(data: bytes, phones: set[str]) -> set[str]:
    """The mobile numbers of `phones` (the residents' real ones, decrypted by the test) written in full in `data`.
    Comparing with the real numbers keeps other 11-digit runs (codes, counts) from being taken for phones."""
    return {m.group().decode() for m in PHONE_CANDIDATE.finditer(data)} & phones


def birth_dates(data: bytes, dates) -> set[str]:
    """The dates of `dates` (the residents' birth dates) written in `data`, as 1958-03-09 or 1958年3月9日."""
    found = set()
    for d in dates:
        for text in (f"{d:%Y-%m-%d}", f"{d.year}年{d.month}月{d.day}日"):
            if text.encode() in data:
                found.add(f"{d:%Y-%m-%d}")
    return found
