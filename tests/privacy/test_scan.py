from tests.privacy.scan import clear_ids


def test_scanner_finds_valid_ids_only():
    data = (
        b"x141029196005030156y 11010519491231002X 141029196005030157 1234567890123456789 a11010519491231002xb"
    )
    assert clear_ids(data) == {"141029196005030156", "11010519491231002X"}


def test_phone_scanner_finds_the_given_numbers_only():
    from tests.privacy.scan import clear_phones

    # a run of twelve digits, a masked number and a 12… number are not phones
    data = b"a13812345678b 138123456789 *******5678 12812345678 x13912345670"
    assert clear_phones(data, {"13812345678", "13912345670", "13700000000"}) == {"13812345678", "13912345670"}
    assert clear_phones(data, {"13812345679"}) == set()


def test_birth_date_scanner_finds_both_spellings():
    import datetime as dt

    from tests.privacy.scan import birth_dates

    d1, d2, d3 = dt.date(1958, 3, 9), dt.date(1990, 12, 1), dt.date(2001, 1, 1)
    data = "生于1958-03-09，另一人1990年12月1日，今天2026-05-10".encode()
    assert birth_dates(data, [d1, d2, d3]) == {"1958-03-09", "1990-12-01"}
