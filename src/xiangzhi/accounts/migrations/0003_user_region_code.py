from django.db import migrations, models

LENGTHS = (18, 15, 12, 9, 6)


def _home_region(codes: list[str]) -> str:
    """The deepest region that covers every regional grant of the account ("" if it holds an install-wide one)."""
    if not codes or "" in codes:
        return ""
    common = codes[0]
    for code in codes[1:]:
        n = 0
        while n < min(len(common), len(code)) and common[n] == code[n]:
            n += 1
        common = common[:n]
    for length in LENGTHS:
        if len(common) >= length:
            return common[:length]
    return ""


def fill_home_regions(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    grants: dict[int, list[str]] = {}
    for user_id, code in RoleAssignment.objects.filter(is_active=True).values_list("user_id", "region_code"):
        grants.setdefault(user_id, []).append(code)
    for user_id, codes in grants.items():
        home = _home_region(codes)
        if home:
            User.objects.filter(pk=user_id).update(region_code=home)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_activationcode_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="region_code",
            field=models.CharField(
                blank=True, db_index=True, default="", max_length=18, verbose_name="所属辖区"
            ),
        ),
        migrations.RunPython(fill_home_regions, migrations.RunPython.noop),
    ]
