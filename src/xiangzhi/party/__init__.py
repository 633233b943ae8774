"""Party organisation: the PartyOrg tree, members and 党员联户 links."""
