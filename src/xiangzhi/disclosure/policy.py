"""Policy rules of disclosure (registered with xiangzhi.policy)."""
