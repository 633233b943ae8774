from django.db import models


class PartyOrg(models.Model):
    """乡镇党委 → 村党总支/党委 → 党支部 → 党小组 → 党员中心户. Home region plus the regions it covers."""

    KIND_CHOICES = [
        ("town_committee", "乡镇党委"),
        ("general_branch", "村党总支"),
        ("village_committee", "村党委"),
        ("branch", "党支部"),
        ("group", "党小组"),
        ("center_household", "党员中心户"),
    ]

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="party_orgs"
    )  # home region
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    covered_regions = models.ManyToManyField("regions.Region", blank=True, related_name="covering_party_orgs")
    secretary_name = models.CharField("书记", max_length=50, blank=True)

    class Meta:
        ordering = ["region_code", "id"]
        verbose_name = "党组织"

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    STATUS_FULL, STATUS_PROBATIONARY = "full", "probationary"
    STATUS_CHOICES = [(STATUS_FULL, "正式党员"), (STATUS_PROBATIONARY, "预备党员")]

    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="members")
    resident = models.OneToOneField(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="party_member"
    )
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    name = models.CharField("姓名", max_length=50, db_index=True)
    status = models.CharField("类别", max_length=16, choices=STATUS_CHOICES, default=STATUS_FULL)
    is_mobile = models.BooleanField("流动党员", default=False)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    is_active = models.BooleanField("在册", default=True)

    class Meta:
        ordering = ["region_code", "id"]
        verbose_name = "党员"

    def __str__(self) -> str:
        return self.name


class HouseholdLink(models.Model):
    """党员联户: a member looks after a household."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="links")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="party_links")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # the household's
    since = models.DateField("联系起始", null=True, blank=True)

    class Meta:
        verbose_name = "党员联户"
        constraints = [models.UniqueConstraint(fields=["member", "household"], name="household_link_unique")]
