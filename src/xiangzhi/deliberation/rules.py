"""The statutory rules of each body and of special items, as data (issue 5, item 2).

A `Threshold` says: `count` must be more than (strict) or at least (not strict) `num/den` of `base`, where the base
is one of
- "roll": everyone on the meeting's frozen roll (for a 党员大会: the members with a vote, due to attend);
- "present": those on the roll who attend (with a vote).
Integer arithmetic only: "more than half of 30" is count * 2 > 30, "at least 2/3 of 30" is count * 3 >= 60.
"""

from dataclasses import dataclass

BASE_ROLL, BASE_PRESENT = "roll", "present"


@dataclass(frozen=True)
class Threshold:
    num: int
    den: int
    strict: bool  # True: more than (超过/过半数); False: at least (以上)
    base: str  # BASE_ROLL or BASE_PRESENT

    def met(self, count: int, base_size: int) -> bool:
        if self.strict:
            return count * self.den > self.num * base_size
        return count * self.den >= self.num * base_size

    def needed(self, base_size: int) -> int:
        """The smallest count that meets the threshold."""
        if self.strict:
            return self.num * base_size // self.den + 1
        return -(-self.num * base_size // self.den)

    def describe(self) -> str:
        frac = "半数" if (self.num, self.den) == (1, 2) else f"{self.num}/{self.den}"
        of = "应到（有表决权）人员" if self.base == BASE_ROLL else "到会人员"
        return f"{of}的{'超过' if self.strict else ''}{frac}{'' if self.strict else '以上'}"


MORE_THAN_HALF_PRESENT = Threshold(1, 2, True, BASE_PRESENT)
MORE_THAN_HALF_ROLL = Threshold(1, 2, True, BASE_ROLL)
TWO_THIRDS_ROLL = Threshold(2, 3, False, BASE_ROLL)

VILLAGERS_ASSEMBLY = "villagers_assembly"
REPRESENTATIVES = "representatives"
PARTY_ASSEMBLY = "party_assembly"
COMMITTEES = "committees"
BRANCH_COMMITTEE = "branch_committee"

KIND_CHOICES = [
    (VILLAGERS_ASSEMBLY, "村民会议"),
    (REPRESENTATIVES, "村民代表会议"),
    (PARTY_ASSEMBLY, "党员大会"),
    (COMMITTEES, "两委会"),
    (BRANCH_COMMITTEE, "支委会"),
]
KIND_LABELS = dict(KIND_CHOICES)
CONFIGURABLE_KINDS = (COMMITTEES, BRANCH_COMMITTEE)

QUORUM_PERSONS, QUORUM_HOUSEHOLDS = "persons", "households"
QUORUM_BASIS_CHOICES = [(QUORUM_PERSONS, "按18周岁以上村民"), (QUORUM_HOUSEHOLDS, "按户的代表")]


@dataclass(frozen=True)
class BodyRules:
    quorum: Threshold  # how many of the roll must attend (its base is always the roll)
    decision: Threshold  # yes votes needed
    notice_days: int = 0


DEFAULTS: dict[str, BodyRules] = {
    # 村民委员会组织法 Art. 22: 本村十八周岁以上村民的过半数参加（or 三分之二以上的户的代表, see HOUSEHOLD_QUORUM），
    # 所作决定应当经到会人员的过半数通过. Art. 21: 召开村民会议，应当提前十天通知村民.
    VILLAGERS_ASSEMBLY: BodyRules(MORE_THAN_HALF_ROLL, MORE_THAN_HALF_PRESENT, notice_days=10),
    # Art. 26: 村民代表会议有三分之二以上的组成人员参加方可召开，所作决定应当经到会人员的过半数同意.
    REPRESENTATIVES: BodyRules(TWO_THIRDS_ROLL, MORE_THAN_HALF_PRESENT),
    # 《中国共产党支部工作条例（试行）》: 党员大会须有半数以上有表决权的党员到会方可召开；表决须超过应到会有表决权的
    # 党员的半数同意 (of those due to attend, not of those present). 预备党员 attend without a vote.
    PARTY_ASSEMBLY: BodyRules(MORE_THAN_HALF_ROLL, MORE_THAN_HALF_ROLL),
    # 两委会 / 支委会: configurable per body (Body.quorum_* / Body.pass_*); these are the defaults.
    COMMITTEES: BodyRules(MORE_THAN_HALF_ROLL, MORE_THAN_HALF_ROLL),
    BRANCH_COMMITTEE: BodyRules(MORE_THAN_HALF_ROLL, MORE_THAN_HALF_ROLL),
}
# Art. 22, second basis: 本村三分之二以上的户的代表参加.
HOUSEHOLD_QUORUM = TWO_THIRDS_ROLL

# Items whose own threshold overrides the body's.
ITEM_ORDINARY = "ordinary"
ITEM_LAND_CONTRACT_OUTSIDER = "land_contract_outsider"
ITEM_CONSTRUCTION_LAND = "construction_land"
ITEM_KIND_CHOICES = [
    (ITEM_ORDINARY, "一般事项"),
    (ITEM_LAND_CONTRACT_OUTSIDER, "集体土地发包给本集体经济组织以外的单位或个人"),
    (ITEM_CONSTRUCTION_LAND, "集体经营性建设用地出让、出租"),
]


@dataclass(frozen=True)
class ItemRules:
    decision: Threshold
    bodies: tuple[str, ...]  # which bodies may decide it
    township_approval: bool = False


ITEM_RULES: dict[str, ItemRules] = {
    # 农村土地承包法 Art. 52: 应当事先经本集体经济组织成员的村民会议三分之二以上成员或者三分之二以上村民代表的同意，
    # 并报乡（镇）人民政府批准. Of all members / representatives on the roll, whoever attends.
    ITEM_LAND_CONTRACT_OUTSIDER: ItemRules(
        TWO_THIRDS_ROLL, (VILLAGERS_ASSEMBLY, REPRESENTATIVES), township_approval=True
    ),
    # 土地管理法 Art. 63: 集体经营性建设用地出让、出租等，应当经本集体经济组织成员的村民会议三分之二以上成员或者
    # 三分之二以上村民代表的同意.
    ITEM_CONSTRUCTION_LAND: ItemRules(TWO_THIRDS_ROLL, (VILLAGERS_ASSEMBLY, REPRESENTATIVES)),
}

MEMBER_ROLE_CHOICES = [
    ("committee_member", "村委会成员"),
    ("representative", "村民代表"),
    ("member", "成员"),
]
