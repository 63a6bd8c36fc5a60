"""The demo county's administrator and staff accounts (the discipline officers are supervision's).

Part of `manage.py load_demo` (the protocol: dangjian/demo/__init__.py); runs after the tree exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from dangjian.organizations.models import Organization

from .models import Role, RoleGrant, User, personal_name_from

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext


def setup(ctx: DemoContext) -> None:
    county = Organization.objects.filter(depth=0).first()
    first_township = Organization.objects.filter(depth=1).first()
    first_village = Organization.objects.filter(depth=2).first()
    if county is None or first_township is None or first_village is None:
        raise CommandError("The demo accounts need the organization tree (county, township, village) built first.")
    admin = User.objects.create_superuser("admin", password=ctx.password, full_name="系统管理员", mobile="13800000000")
    ctx.add_sign_in("admin", "13800000000", _("System administrator"), "—")
    plan = [
        ("county_admin", "13800000001", "县委组织部 张明", Role.ORG_ADMIN, county),
        ("town_media", "13800000002", "城关镇 李芳", Role.MEDIA_OFFICER, first_township),
        ("town_admin", "13800000007", "城关镇 陈刚", Role.ORG_ADMIN, first_township),
        ("village_secretary", "13800000003", "王建国", Role.SECRETARY, first_village),
    ]
    for username, mobile, full_name, role, org in plan:
        user = User.objects.create_user(
            username,
            password=ctx.password,
            full_name=full_name,
            personal_name=personal_name_from(full_name),
            mobile=mobile,
        )
        RoleGrant.objects.create(user=user, organization=org, role=role, granted_by=admin)
        ctx.add_sign_in(username, mobile, role.label, org.name)
