from xiangzhi import policy

policy.register("accounts.manage", roles=["system_admin"], label="管理账号与设置")
policy.register("accounts.roles", roles=["security_admin"], label="分配角色与管理密钥")
policy.register(
    "accounts.villagers",
    roles=["village_secretary", "village_committee", "town_leader", "system_admin"],
    label="开通村民账号、发放激活码",
)
