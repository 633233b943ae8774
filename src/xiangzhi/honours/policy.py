"""Policy rules of honours (registered with xiangzhi.policy)."""
