"""三员分立 and the first accounts: no person holds two of system/security/audit administrator; no superuser."""

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from xiangzhi.accounts import services
from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.core.errors import ValidationFailed

pytestmark = [pytest.mark.django_db]

PASSWORDS = "Sys-Admin-2026x,Sec-Admin-2026x,Aud-Admin-2026x"


@pytest.mark.parametrize("first", ["system_admin", "security_admin", "audit_admin"])
@pytest.mark.parametrize("second", ["system_admin", "security_admin", "audit_admin"])
def test_one_account_cannot_hold_two_admin_roles(first, second):
    user = factories.user_with_role(first)
    if first == second:
        services.role_grant(user=user, role=second)  # granting the same role again is harmless
        assert RoleAssignment.objects.filter(user=user).count() == 1
    else:
        with pytest.raises(ValidationFailed, match="三员分立"):
            services.role_grant(user=user, role=second)
        assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [first]


def test_two_accounts_of_one_person_cannot_split_the_roles():
    a = factories.user_with_role("system_admin")
    b = factories.user_with_role()
    User.objects.filter(pk__in=[a.pk, b.pk]).update(person_key="person-1")
    b.refresh_from_db()
    with pytest.raises(ValidationFailed, match="已担任系统管理员"):
        services.role_grant(user=b, role="audit_admin")
    assert not RoleAssignment.objects.filter(user=b).exists()


def test_different_people_may_hold_the_three_roles():
    for role, key in zip(("system_admin", "security_admin", "audit_admin"), "xyz", strict=True):
        user = factories.user_with_role()
        User.objects.filter(pk=user.pk).update(person_key=key)
        user.refresh_from_db()
        services.role_grant(user=user, role=role)
    assert RoleAssignment.objects.count() == 3


def test_an_inactive_grant_does_not_block():
    user = factories.user_with_role("system_admin")
    RoleAssignment.objects.filter(user=user).update(is_active=False)
    granted = services.role_grant(user=user, role="audit_admin")
    assert RoleAssignment.objects.get(pk=granted.pk, user=user, role="audit_admin").is_active
    assert set(RoleAssignment.objects.filter(user=user, is_active=True).values_list("role", flat=True)) == {
        "audit_admin"
    }


def test_admin_roles_take_the_install_or_one_county(township):
    user = factories.user_with_role()
    with pytest.raises(ValidationFailed, match="全系统或某个县"):
        services.role_grant(user=user, role="system_admin", region=township.town)
    county_wide = services.role_grant(user=user, role="audit_admin", region=township.county)
    assert county_wide.region_code == township.county.code


def test_create_admins_non_interactive(capsys):
    call_command("create-admins", usernames="sysadm,secadm,audadm", passwords=PASSWORDS, names="甲,乙,丙")
    out = capsys.readouterr().out
    assert "动态口令" in out and "三个不同的人" in out
    roles = dict(RoleAssignment.objects.values_list("user__username", "role"))
    assert roles == {"sysadm": "system_admin", "secadm": "security_admin", "audadm": "audit_admin"}
    for user in User.objects.all():
        assert user.must_change_password
        assert services.is_privileged(user)
    assert User.objects.get(username="sysadm").check_password("Sys-Admin-2026x")


def test_create_admins_refuses_one_username_twice():
    with pytest.raises(CommandError, match="三个不同的账号"):
        call_command("create-admins", usernames="adm,adm,adm3", passwords=PASSWORDS)
    assert User.objects.count() == 0


def test_create_admins_refuses_a_weak_password_and_leaves_nothing():
    with pytest.raises(CommandError, match="审计管理员的密码不合规"):
        call_command(
            "create-admins", usernames="a1x,a2x,a3x", passwords="Sys-Admin-2026x,Sec-Admin-2026x,weak"
        )
    assert User.objects.count() == 0 and RoleAssignment.objects.count() == 0


def test_create_admins_refuses_an_existing_username():
    factories.user_with_role(username="sysadm")
    with pytest.raises(CommandError, match="已存在"):
        call_command("create-admins", usernames="sysadm,secadm,audadm", passwords=PASSWORDS)


def test_create_admins_needs_three_of_each():
    with pytest.raises(CommandError, match="三个"):
        call_command("create-admins", usernames="a,b", passwords=PASSWORDS)


def test_create_admins_interactive(monkeypatch, capsys):
    answers = iter(["sysadm", "张三", "secadm", "李四", "audadm", "王五"])
    secrets = iter(
        [
            "Sys-Admin-2026x",
            "Sys-Admin-2026x",
            "Sec-Admin-2026x",
            "Sec-Admin-2026x",
            "Aud-Admin-2026x",
            "Aud-Admin-2026x",
        ]
    )
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(secrets))
    call_command("create-admins")
    assert User.objects.get(username="secadm").full_name == "李四"


def test_no_superuser():
    with pytest.raises(NotImplementedError, match="不设超级用户"):
        User.objects.create_superuser("root", "x")
    with pytest.raises(Exception, match="不设超级用户"):
        call_command("createsuperuser", username="root", full_name="根", interactive=False)
    assert not User.objects.filter(username="root").exists()
