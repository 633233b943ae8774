"""Who administers accounts. An account is within reach when its home region (User.region_code) is inside the
administrator's grant; install-wide administrators (no region) reach every account, county ones their county's.

- accounts.view: list and read accounts and their role assignments (both administrators who act on accounts);
- accounts.roles: grant and revoke roles (security administrator; never to their own person);
- accounts.manage: create staff accounts, disable/enable, reset a lost second factor (system administrator);
- accounts.villagers: open villagers' accounts and print their activation codes (village cadres, the town).
"""

from xiangzhi import policy

policy.register("accounts.view", roles=["system_admin", "security_admin"], label="查看账号")
policy.register("accounts.manage", roles=["system_admin"], label="管理账号与设置")
policy.register("accounts.roles", roles=["security_admin"], label="分配角色与管理密钥")
policy.register(
    "accounts.villagers",
    roles=["village_secretary", "village_committee", "town_leader", "system_admin"],
    label="开通村民账号、发放激活码",
)
