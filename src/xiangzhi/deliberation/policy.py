"""Policy rules of deliberation (registered with xiangzhi.policy)."""
