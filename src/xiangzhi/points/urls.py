from django.urls import include, path  # noqa: F401

app_name = "points"
# pages of claims, schemes, review and notice (views.py); the passbook, ledger and exports (urls_ledger.py);
# party-member points (urls_party.py)
urlpatterns: list = []
