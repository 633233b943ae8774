from tests.privacy.scan import clear_ids


def test_scanner_finds_valid_ids_only():
    data = (
        b"x141029196005030156y 11010519491231002X 141029196005030157 1234567890123456789 a11010519491231002xb"
    )
    assert clear_ids(data) == {"141029196005030156", "11010519491231002X"}
