"""`xiangzhi keys`: the data-encryption keys of ID and phone numbers.

- `keys status`  how many stored values each key id seals (nothing is decrypted);
- `keys rotate`  add a new key, make it current, re-encrypt every value in batches;
- `keys reencrypt`  finish an interrupted rotation (re-encrypt what is not under the current key).

The keys file (settings.KEYS_FILE) is rewritten atomically with mode 0600; old keys stay in it so that backups
remain readable. Running servers and workers read the keys at start-up: restart them right after a rotation,
or they will not read values sealed with the new key.
"""

import json
import os
import re
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiangzhi.audit.services import record
from xiangzhi.core import context, crypto


def write_keys_file(path: Path, keys: dict) -> None:
    """Replace the keys file atomically: a 0600 temporary file in the same folder, fsynced, then renamed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".keys-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(keys, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def next_key_id(existing) -> str:
    numbers = [int(m.group(1)) for k in existing if (m := re.fullmatch(r"k(\d+)", k))]
    return f"k{max(numbers, default=0) + 1}"


class Command(BaseCommand):
    help = "数据加密密钥：status 统计各密钥加密的数据量，rotate 轮换密钥并重新加密，reencrypt 补完重新加密"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("status", help="各密钥编号加密的数据条数")
        r = sub.add_parser("rotate", help="生成新密钥、设为当前密钥并重新加密全部数据")
        r.add_argument("--batch-size", type=int, default=500)
        e = sub.add_parser("reencrypt", help="把不在当前密钥下的数据重新加密")
        e.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, verb, **opts):
        self.verbosity = opts.get("verbosity", 1)
        if verb == "status":
            self._status()
        elif verb == "rotate":
            self._rotate(opts["batch_size"])
        elif verb == "reencrypt":
            self._reencrypt(opts["batch_size"])

    def _status(self):
        self.stdout.write(f"当前密钥：{settings.XIANGZHI_PII_CURRENT_KEY}")
        for name, counts in crypto.key_counts().items():
            shown = "，".join(f"{kid}: {n}" for kid, n in counts.items()) or "无数据"
            self.stdout.write(f"{name}  {shown}")

    def _rotate(self, batch_size: int):
        path = Path(settings.KEYS_FILE)
        if not path.exists():
            raise CommandError(f"密钥文件 {path} 不存在。")
        keys = json.loads(path.read_text())
        kid = next_key_id(keys["pii_keys"])
        keys["pii_keys"][kid] = secrets.token_hex(32)
        previous = keys["pii_current"]
        keys["pii_current"] = kid
        write_keys_file(path, keys)
        # This process read the keys at start-up: switch it to the new ones before re-encrypting.
        settings.XIANGZHI_PII_KEYS = dict(keys["pii_keys"])
        settings.XIANGZHI_PII_CURRENT_KEY = kid
        with context.acting_as(label="cli"):
            record("core.pii_key_rotated", changes={"from": previous, "to": kid}, region_code="")
        self.stdout.write(f"新密钥 {kid} 已写入 {path} 并设为当前密钥（原为 {previous}）。")
        self._reencrypt(batch_size)
        self.stdout.write("请立即重启所有服务和后台任务进程，使其读取新密钥。")

    def _reencrypt(self, batch_size: int):
        def progress(model, field, total):
            self.stdout.write(f"  {model._meta.label}.{field.name} … 累计 {total}")

        count = crypto.reencrypt_all(batch_size=batch_size, progress=progress if self.verbosity > 1 else None)
        with context.acting_as(label="cli"):
            record(
                "core.pii_reencrypted",
                changes={"count": count, "current": settings.XIANGZHI_PII_CURRENT_KEY},
                region_code="",
            )
        self.stdout.write(f"已用 {settings.XIANGZHI_PII_CURRENT_KEY} 重新加密 {count} 个值。")
        self._status()
