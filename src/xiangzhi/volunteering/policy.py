"""Policy rules of volunteering (registered with xiangzhi.policy)."""
