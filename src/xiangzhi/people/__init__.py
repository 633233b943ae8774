"""Households and residents: the village's 户籍 register (户籍台账), with sensitive numbers encrypted and masked."""
