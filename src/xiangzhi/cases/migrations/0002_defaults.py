"""The default routing rules and the categories of DESIGN.md with their first sub-categories (data: a town may
add its own rules, and sub-categories may be added)."""

from django.db import migrations

SUBCATEGORIES = [
    # (code, parent, name, public, confidential reporter)
    ("DISPUTE.neighbour", "DISPUTE", "邻里纠纷", False, False),
    ("DISPUTE.family", "DISPUTE", "婚姻家庭纠纷", False, False),
    ("DISPUTE.land", "DISPUTE", "土地山林纠纷", False, False),
    ("DISPUTE.wages", "DISPUTE", "劳资纠纷", False, False),
    ("ENVIRONMENT.garbage", "ENVIRONMENT", "垃圾乱堆乱放", True, False),
    ("ENVIRONMENT.sewage", "ENVIRONMENT", "污水排放", True, False),
    ("ENVIRONMENT.toilet", "ENVIRONMENT", "厕所改造", True, False),
    ("INFRASTRUCTURE.road", "INFRASTRUCTURE", "道路桥梁", True, False),
    ("INFRASTRUCTURE.water", "INFRASTRUCTURE", "饮水供水", True, False),
    ("INFRASTRUCTURE.light", "INFRASTRUCTURE", "路灯照明", True, False),
    ("SAFETY.fire", "SAFETY", "消防隐患", True, False),
    ("SAFETY.geology", "SAFETY", "地质灾害", True, False),
    ("SAFETY.building", "SAFETY", "危房隐患", True, False),
    ("SECURITY.theft", "SECURITY", "盗窃", False, False),
    ("SECURITY.report", "SECURITY", "违法犯罪举报", False, True),
    ("LIVELIHOOD.errand", "LIVELIHOOD", "便民代办", False, False),
    ("LIVELIHOOD.elderly", "LIVELIHOOD", "养老助残", False, False),
    ("LIVELIHOOD.insurance", "LIVELIHOOD", "医保社保", False, False),
    ("AGRICULTURE.pest", "AGRICULTURE", "病虫害", True, False),
    ("AGRICULTURE.irrigation", "AGRICULTURE", "农田水利", True, False),
    ("PETITION.complaint", "PETITION", "信访投诉", False, True),
    ("PETITION.report", "PETITION", "检举揭发", False, True),
]
# Top categories: public ones can be read through Open311; disputes, security, livelihood and petitions concern
# named people and stay private.
TOP_PUBLIC = {"ENVIRONMENT", "INFRASTRUCTURE", "SAFETY", "AGRICULTURE", "OTHER"}


def load(apps, schema_editor):
    from xiangzhi.cases.models import CATEGORY_CHOICES
    from xiangzhi.cases.routing import DEFAULT_RULES

    Category = apps.get_model("cases", "CaseCategory")
    Rule = apps.get_model("cases", "RoutingRule")
    for i, (code, name) in enumerate(CATEGORY_CHOICES):
        Category.objects.update_or_create(
            code=code,
            defaults=dict(parent="", name=name, is_public=code in TOP_PUBLIC,
                          confidential_reporter=code == "PETITION", sort=i * 100),
        )
    for j, (code, parent, name, public, confidential) in enumerate(SUBCATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults=dict(parent=parent, name=name, is_public=public, confidential_reporter=confidential, sort=j + 1),
        )
    for category, triage, level, handler, dept, value, unit in DEFAULT_RULES:
        Rule.objects.update_or_create(
            town_code="", category=category, triage=triage, level=level,
            defaults=dict(handler=handler, department_code=dept, deadline_value=value, deadline_unit=unit),
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
