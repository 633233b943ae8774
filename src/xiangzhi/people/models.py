import datetime as dt

from django.db import models

from xiangzhi.core.crypto import EncryptedField

TAG_CHOICES = [
    "低保",
    "五保",
    "残疾",
    "脱贫户",
    "监测户",
    "留守老人",
    "留守儿童",
    "独居老人",
    "退役军人",
    "重点人员",
    "党员",
    "村民代表",
]
TAG_SEPARATORS = "，,、；; "


class Household(models.Model):
    """户: lives in a grid; its members are Residents, one of them the head."""

    STATUS_ACTIVE, STATUS_CLOSED = "active", "closed"
    # closed: no member left in the village (all moved away or deceased); kept for history.
    STATUS_CHOICES = [(STATUS_ACTIVE, "在册"), (STATUS_CLOSED, "已销户")]

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="households"
    )  # the grid
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    number = models.CharField("户号", max_length=32, blank=True)
    group_name = models.CharField("组别", max_length=50, blank=True)  # 村民小组 as people say it
    address = models.CharField("住址", max_length=200)
    head = models.ForeignKey("Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    head_name = models.CharField(
        "户主姓名", max_length=50, blank=True, db_index=True
    )  # copy for lists and search
    head_initials = models.CharField(max_length=50, blank=True, db_index=True)
    tags = models.CharField(
        "标签", max_length=300, blank=True, default=""
    )  # ",低保,脱贫户," for portable search
    member_count = models.PositiveSmallIntegerField("人数", default=0)  # members in status normal
    status = models.CharField("状态", max_length=8, choices=STATUS_CHOICES, default=STATUS_ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_code", "id"]
        verbose_name = "户"
        indexes = [
            models.Index(fields=["region_code", "id"]),
            # the 户号 is unique in practice within a village; looked up by the register import
            models.Index(fields=["number", "region_code"], name="household_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name or '（无户主）'}户"

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class Resident(models.Model):
    """居民. `id_number` and `phone` are encrypted; search goes through the keyed hashes and the last four."""

    SEX_CHOICES = [("M", "男"), ("F", "女")]
    RELATION_CHOICES = [
        ("head", "户主"),
        ("spouse", "配偶"),
        ("child", "子女"),
        ("parent", "父母"),
        ("grandchild", "孙子女"),
        ("sibling", "兄弟姐妹"),
        ("child_in_law", "儿媳/女婿"),
        ("grandparent", "祖父母"),
        ("other", "其他"),
    ]
    RESIDENCE_CHOICES = [("registered", "户籍在村"), ("resident", "常住"), ("migrant_worker", "外出务工")]
    STATUS_NORMAL, STATUS_MOVED, STATUS_DECEASED = "normal", "moved_away", "deceased"
    STATUS_CHOICES = [(STATUS_NORMAL, "正常"), (STATUS_MOVED, "已迁出"), (STATUS_DECEASED, "已故")]

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    name = models.CharField("姓名", max_length=50, db_index=True)
    name_initials = models.CharField("拼音首字母", max_length=50, db_index=True)
    name_pinyin = models.CharField("拼音", max_length=200, blank=True)
    sex = models.CharField("性别", max_length=1, choices=SEX_CHOICES)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedField("身份证号")
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_last4 = models.CharField("身份证后四位", max_length=4, db_index=True)
    phone = EncryptedField("联系电话", blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_last4 = models.CharField(max_length=4, blank=True)
    relation = models.CharField("与户主关系", max_length=16, choices=RELATION_CHOICES, default="other")
    residence = models.CharField("人员类别", max_length=16, choices=RESIDENCE_CHOICES, default="registered")
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default=STATUS_NORMAL)
    status_date = models.DateField("迁出/去世日期", null=True, blank=True)
    tags = models.CharField("标签", max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_code", "household_id", "id"]
        verbose_name = "居民"
        indexes = [models.Index(fields=["region_code", "household", "id"], name="resident_list_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def is_voter_on(self, day: dt.date) -> bool:
        """Derived, never typed (村民委员会组织法 Art. 13): 18 or older on `day`, alive and not moved away, with
        户籍 in the village. Those working away (外出务工) keep their 户籍 and their vote; 常住 residents whose 户籍 is
        elsewhere are not on the roll unless registered by the village (not modelled yet)."""
        return (
            self.status == self.STATUS_NORMAL
            and self.residence in ("registered", "migrant_worker")
            and self.age_on(day) >= 18
        )
