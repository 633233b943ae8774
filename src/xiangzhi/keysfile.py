"""The keys file: the secrets that must live outside the database (Django's secret key, the audit chain's HMAC
key, the lookup-hash key and the data-encryption keys). Used by settings.py and, before any settings exist, by

    python -m xiangzhi.keysfile init /etc/xiangzhi/keys.json

which is how a production install makes its file (settings refuse to start without one).
"""

import json
import os
import secrets
import sys
import tempfile
from pathlib import Path


def new_keys() -> dict:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "audit_key": secrets.token_hex(32),
        "lookup_key": secrets.token_hex(32),
        "pii_keys": {"k1": secrets.token_hex(32)},
        "pii_current": "k1",
    }


def write(path: Path, keys: dict) -> None:
    """Write atomically; mkstemp makes the file 0600 before the first byte goes in, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".keys-", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh, indent=2)
    os.replace(tmp, path)


def create(path: Path) -> dict:
    """Make a new keys file; refuses to overwrite one (its keys are what decrypt the data)."""
    if path.exists():
        raise FileExistsError(f"密钥文件 {path} 已存在：不会覆盖（覆盖会使已加密的数据无法解密）。")
    keys = new_keys()
    write(path, keys)
    return keys


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "init":
        print("用法：python -m xiangzhi.keysfile init 密钥文件路径", file=sys.stderr)
        return 2
    try:
        create(Path(argv[1]))
    except FileExistsError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"已生成密钥文件 {argv[1]}（权限 0600）。请备份到数据库以外的安全位置：丢失后加密的身份证号和电话无法恢复。"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
