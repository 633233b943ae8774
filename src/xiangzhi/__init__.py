"""乡治 Xiangzhi: party-building-led rural grassroots governance."""
