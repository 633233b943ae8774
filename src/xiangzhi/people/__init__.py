"""Households and residents: the village's 户籍 ledgers, with sensitive numbers encrypted and masked."""
