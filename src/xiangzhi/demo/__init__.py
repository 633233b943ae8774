"""The demo township: a county (乡宁县 141029) with one township shaped like 尉庄乡 of seed 000 — 11 villages,
4 村党总支 over them with 13 党支部, 144 村民小组 as grids, 33 grid workers, ~200 party members with their 党员联户
links, and thousands of fictitious households — plus one demo account per role.

Not a Django app (no models): `generate` makes the data, deterministically from a seed and without the
database; `builder` writes it through the real services (regions, role grants) and `bulk_create` (households,
residents, party rows). The commands `xiangzhi demo`, `xiangzhi demo-accounts` and `xiangzhi serve` live in
`xiangzhi.web.management.commands`.

Everything here is fictitious: names are drawn from common surnames and given-name characters, and every ID
number is checksum-valid but made up. Only the town's shape (and the names 南山村 and 店儿坪村) comes from the seed.
"""
