"""`xiangzhi points verify [--chain CODE]`: recompute every balance from the ledger and check each village's hash
chain, naming the first bad entry; exit status 1 on any problem (as `xiangzhi audit verify` does)."""

import sys

from django.core.management.base import BaseCommand

from xiangzhi.points import ledger


class Command(BaseCommand):
    help = "积分：verify 校验积分流水哈希链并按流水重算每户（每名党员）的余额"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        v = sub.add_parser("verify", help="校验每条链和每个余额，指出第一条被改动、删除或插入的流水")
        v.add_argument("--chain", help="只校验这个村的链（12 位区划代码）")

    def handle(self, *args, verb, **opts):
        if verb == "verify":
            chain = (opts.get("chain") or "").strip() or None
            report = ledger.verify(chain=chain)
            if chain and report.chains == 0:
                self.stderr.write(f"没有链 {chain}（该村还没有积分流水？）")
                sys.exit(1)
            if not report.ok:
                for p in report.problems:
                    self.stderr.write(p)
                sys.exit(1)
            self.stdout.write(
                f"积分流水校验通过：{report.chains} 条链，{report.entries} 条流水，{report.balances} 个余额。"
            )
