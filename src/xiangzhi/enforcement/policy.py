"""Policy rules of enforcement (registered with xiangzhi.policy)."""
