from xiangzhi import policy

policy.register("audit.view", roles=["audit_admin"], label="查阅审计日志")
