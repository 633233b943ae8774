from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models

from xiangzhi.accounts.roles import ROLE_CHOICES
from xiangzhi.core import clock


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **fields):
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, *args, **kwargs):
        raise NotImplementedError("乡治不设超级用户：请用 `xiangzhi create-admins` 创建三员账号。")


class User(AbstractBaseUser):
    """A person's account. Staff sign in with a username; villagers with their phone number, which is stored only
    as a keyed hash (`username` is then `v-<hash prefix>`), never in clear."""

    KIND_STAFF, KIND_VILLAGER = "staff", "villager"

    username = models.CharField("用户名", max_length=150, unique=True)
    full_name = models.CharField("姓名", max_length=50)
    kind = models.CharField(
        "类型", max_length=10, choices=[(KIND_STAFF, "工作人员"), (KIND_VILLAGER, "村民")], default=KIND_STAFF
    )
    # Identifies the person behind one or more accounts (keyed hash of the ID number where known), so that
    # 三员分立 is checked per person, not per account.
    person_key = models.CharField("人员标识", max_length=64, blank=True, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    # The account's home region (所属辖区): which administrators may manage it. "" means the whole install (only
    # install-wide administrators reach it). Set at creation, or by the first regional role grant.
    region_code = models.CharField("所属辖区", max_length=18, blank=True, default="", db_index=True)
    is_active = models.BooleanField("启用", default=True)
    date_joined = models.DateTimeField("创建时间", default=clock.now)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须改密码", default=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "账号"

    def __str__(self) -> str:
        return self.full_name or self.username

    # Django's admin and some libraries ask these; there is no superuser and no Django permission table.
    is_superuser = False
    is_staff = False

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False

    @property
    def is_villager(self) -> bool:
        return self.kind == self.KIND_VILLAGER

    def set_password(self, raw_password):
        # Every change of password stamps its time: the maximum age of staff passwords counts from here.
        super().set_password(raw_password)
        if raw_password is not None:
            self.password_changed_at = clock.now()


class RoleAssignment(models.Model):
    """A role over a subtree of the jurisdiction tree; a few roles also name an object (`scope_type`/`scope_id`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("辖区代码", max_length=18, blank=True, db_index=True)
    scope_type = models.CharField("对象类型", max_length=32, blank=True)
    scope_id = models.BigIntegerField("对象编号", null=True, blank=True)
    is_active = models.BooleanField("有效", default=True)
    granted_at = models.DateTimeField("授予时间", default=clock.now)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region_code", "scope_type", "scope_id"],
                name="role_assignment_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region.name if self.region_id else '全系统'}"


class ApiToken(models.Model):
    """A bearer token for the API (phones, scripts). Only the SHA-256 of the random key is stored; the key itself
    is shown once, when issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField("名称", max_length=60)
    created_at = models.DateTimeField("创建时间", default=clock.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def is_usable_at(self, moment) -> bool:
        return self.revoked_at is None and self.expires_at > moment


class ActivationCode(models.Model):
    """A one-time code printed by the village for a villager's first sign-in. Stored with Django's password
    hasher; single use; expires; revoked after too many wrong tries or when a new code is issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发放时间", default=clock.now)
    expires_at = models.DateTimeField("到期时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField("错误次数", default=0)

    class Meta:
        verbose_name = "激活码"
        ordering = ["-created_at", "-id"]

    def is_open_at(self, moment) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > moment
