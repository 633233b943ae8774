"""Matters (议题): their kinds, the path each kind follows and the steps of each path, as data (issue 5, item 1).

A major matter (the nine of 村民委员会组织法 Art. 24, and the special land items of rules.ITEM_RULES) follows
四议两公开: six steps, in this order, none skipped or merged. The first four are each fulfilled by a passed item of
a meeting of the body named here; the last two by notices on the village's public board (disclosure). A lighter
matter (民事、邻里、村容等) follows the consultation steps of the seeds (收集意见 … 发布公告), each recorded with text,
the last publishing a 村务 notice.
"""

from dataclasses import dataclass

from xiangzhi.deliberation import rules

PATH_FOUR = "four_two"  # 四议两公开
PATH_CONSULT = "consultation"  # 协商议事
PATH_CHOICES = [(PATH_FOUR, "四议两公开"), (PATH_CONSULT, "协商议事")]
PATH_LABELS = dict(PATH_CHOICES)

SOURCE_VILLAGER, SOURCE_CASE, SOURCE_BRANCH = "villager", "case", "branch"
SOURCE_CHOICES = [
    (SOURCE_VILLAGER, "村民提议"),
    (SOURCE_CASE, "事件转议"),
    (SOURCE_BRANCH, "村党组织、两委提出"),
]


@dataclass(frozen=True)
class MatterKind:
    code: str
    label: str
    path: str
    art24: bool = False  # decided by the 村民会议, or by the 村民代表会议 only where authorised (Art. 24)
    item_kind: str = (
        rules.ITEM_ORDINARY
    )  # the item kind of the decision (special thresholds: rules.ITEM_RULES)
    basis: str = ""


KINDS: list[MatterKind] = [
    # 村民委员会组织法 Art. 24: 涉及村民利益的下列事项，经村民会议讨论决定方可办理 (一)…(九).
    MatterKind("allowance", "误工补贴人员及补贴标准", PATH_FOUR, art24=True, basis="组织法第24条第1项"),
    MatterKind(
        "collective_income", "集体经济所得收益的使用", PATH_FOUR, art24=True, basis="组织法第24条第2项"
    ),
    MatterKind("public_works", "兴办公益事业筹资筹劳", PATH_FOUR, art24=True, basis="组织法第24条第3项"),
    MatterKind("land_contracting", "土地承包经营方案", PATH_FOUR, art24=True, basis="组织法第24条第4项"),
    MatterKind(
        "collective_project", "集体经济项目立项、承包方案", PATH_FOUR, art24=True, basis="组织法第24条第5项"
    ),
    MatterKind("homestead", "宅基地的使用方案", PATH_FOUR, art24=True, basis="组织法第24条第6项"),
    MatterKind(
        "land_compensation", "征地补偿费的使用、分配方案", PATH_FOUR, art24=True, basis="组织法第24条第7项"
    ),
    MatterKind(
        "property_disposal",
        "以借贷、租赁或者其他方式处分村集体财产",
        PATH_FOUR,
        art24=True,
        basis="组织法第24条第8项",
    ),
    MatterKind(
        "other_major",
        "村民会议认为应当由其讨论决定的其他事项",
        PATH_FOUR,
        art24=True,
        basis="组织法第24条第9项",
    ),
    # The special items carry their own threshold (2/3 of all members or representatives), which the law lets
    # the 村民代表会议 give without an Art. 24 authorisation: they are not flagged art24.
    MatterKind(
        "land_outsider",
        "集体土地发包给本集体经济组织以外的单位或个人",
        PATH_FOUR,
        item_kind=rules.ITEM_LAND_CONTRACT_OUTSIDER,
        basis="农村土地承包法第52条（须三分之二以上同意并报乡镇批准）",
    ),
    MatterKind(
        "construction_land",
        "集体经营性建设用地出让、出租",
        PATH_FOUR,
        item_kind=rules.ITEM_CONSTRUCTION_LAND,
        basis="土地管理法第63条（须三分之二以上同意）",
    ),
    MatterKind("civil", "民事协商（邻里、村容、公共秩序等）", PATH_CONSULT, basis="协商议事"),
]
KIND_BY_CODE = {k.code: k for k in KINDS}
KIND_CHOICES = [(k.code, k.label) for k in KINDS]


@dataclass(frozen=True)
class StepSpec:
    code: str
    label: str
    bodies: tuple[str, ...] = ()  # fulfilled by a passed item of a meeting of one of these bodies
    notice: str = ""  # fulfilled by a published notice of this disclosure kind
    needs_result: bool = False  # the notice must be a superseding version with the result filled


FOUR_STEPS: list[StepSpec] = [
    StepSpec("propose", "村党组织提议", bodies=(rules.BRANCH_COMMITTEE,)),
    StepSpec("discuss", "村“两委”会议商议", bodies=(rules.COMMITTEES,)),
    StepSpec("review", "党员大会审议", bodies=(rules.PARTY_ASSEMBLY,)),
    StepSpec(
        "resolve", "村民会议或村民代表会议决议", bodies=(rules.VILLAGERS_ASSEMBLY, rules.REPRESENTATIVES)
    ),
    StepSpec("publish_resolution", "决议公开", notice="resolution"),
    StepSpec("publish_result", "实施结果公开", notice="resolution", needs_result=True),
]
CONSULT_STEPS: list[StepSpec] = [
    StepSpec("collect", "收集意见"),
    StepSpec("topic", "确定议题"),
    StepSpec("consult", "开展协商"),
    StepSpec("report", "情况通报"),
    StepSpec("plan", "制定方案"),
    StepSpec("announce", "发布公告", notice="village"),
]
STEPS: dict[str, list[StepSpec]] = {PATH_FOUR: FOUR_STEPS, PATH_CONSULT: CONSULT_STEPS}
STEP_BY_CODE = {s.code: s for s in FOUR_STEPS + CONSULT_STEPS}
STEP_CHOICES = [(s.code, s.label) for s in FOUR_STEPS + CONSULT_STEPS]

# A villager's proposal enters the path once this many other villagers of the village support it (one each; the
# proposer does not count). The law sets no number for raising a matter (Art. 21's 1/10 of villagers is for
# convening a 村民会议, Art. 26's 1/5 of representatives for a 村民代表会议); 5 co-signers is the usual local rule
# of "村民联名提议" (五人以上联名), low enough for a small village, high enough that one household cannot fill it.
# A default as data: change it here, the services and tests read it.
MIN_SUPPORTERS = 5

# When a step's vote fails, the step is retried with a new meeting (the matter is not closed): a 支委会 or a
# 村民代表会议 may well pass a proposal revised after the debate, and the failed meeting stays on the record of the
# step for the 村务监督委员会 to see. A matter that should go no further is ended by hand (matter_stop), with a
# reason, which is then public on the matter page.
