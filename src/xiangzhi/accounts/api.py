from ninja import Router, Schema

from xiangzhi import policy
from xiangzhi.apischema import ERRORS

router = Router(tags=["账号"])


class RoleOut(Schema):
    role: str
    role_label: str
    region_code: str


class MeOut(Schema):
    username: str
    full_name: str
    kind: str
    roles: list[RoleOut]


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request):
    user = request.auth
    roles = [
        {"role": a.role, "role_label": a.get_role_display(), "region_code": a.region_code}
        for a in policy.assignments(user)
    ]
    return {"username": user.username, "full_name": user.full_name, "kind": user.kind, "roles": roles}
