"""Accounts, roles and sign-in: staff under 等保 level 3 rules, villagers by phone and activation code."""
