import pytest
from playwright.sync_api import expect


@pytest.fixture(autouse=True)
def _patient_expectations():
    """CI runs on 2 shared cores: give the browser's expectations 15 s instead of Playwright's 5 s."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)
