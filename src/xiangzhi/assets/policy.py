"""Policy rules of assets (registered with xiangzhi.policy)."""
