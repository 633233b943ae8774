"""How sensitive numbers are shown to someone without `reveal_pii`: the last four characters only."""


def mask_tail(value: str | None, keep: int = 4) -> str:
    if not value:
        return ""
    value = str(value)
    return "*" * max(len(value) - keep, 0) + value[-keep:]
