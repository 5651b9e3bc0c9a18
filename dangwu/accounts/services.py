"""Users and roles. Granting a role needs the edit right on the organization."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from dangwu.accounts.models import Role, RoleKind, User
from dangwu.core.audit import as_actor
from dangwu.core.errors import DomainError, InvalidInput
from dangwu.core.scope import Perm, scope_for


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "", person=None) -> User:
    if not scope_for(actor).has_roles:
        raise DomainError("您无权创建用户。", code="FORBIDDEN")
    username = username.strip()
    if not username:
        raise InvalidInput("请填写用户名。", fields={"username": ["请填写用户名。"]})
    if User.objects.filter(username=username).exists():
        raise InvalidInput("用户名已存在。", fields={"username": ["用户名已存在。"]})
    user = User(username=username, first_name=full_name, person=person)
    user.set_password(password)
    as_actor(user, actor)
    user.save()
    return user


@transaction.atomic
def role_grant(*, actor, user: User, organization, kind: str) -> Role:
    scope_for(actor).require(organization.path, Perm.EDIT)
    if kind not in RoleKind.values:
        raise InvalidInput("角色无效。", fields={"kind": ["角色无效。"]})
    role = Role(user=user, organization=organization, kind=kind)
    as_actor(role, actor)
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError as exc:
        raise DomainError("该用户已有此角色。", code="DUPLICATE") from exc
    return role
