"""Policy rules of store (registered with xiangzhi.policy)."""
