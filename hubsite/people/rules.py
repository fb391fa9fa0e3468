"""Who may do what in the core: the role checks every view declares, and the object rules
(predicates) that views and querysets use. Templates never decide access on their own."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Group, GroupMembership, Role

EVERYONE_SIGNED_IN = tuple(Role.values)
STAFF = (Role.STAFF,)
STAFF_AND_ORGANISERS = (Role.STAFF, Role.ORGANISER)


def has_role(user, roles) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def role_required(*roles):
    """Let the view run only for a signed-in user holding one of ``roles``.

    Anonymous visitors are sent to sign in; a signed-in user without the role gets 403.
    The roles are kept on the view (``required_roles``) so that the URL walk in the tests
    can prove that no view was left without a declared role.
    """
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = tuple(roles)
        return wrapped

    return decorator


def is_group_organiser(user, group) -> bool:
    """An organiser or leader of ``group``, through the person their account belongs to."""
    if not user.is_authenticated:
        return False
    return GroupMembership.objects.filter(
        group=group,
        person__user=user,
        role__in=[GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER],
    ).exists()


def _may_run(user, group, organises) -> bool:
    if has_role(user, STAFF):
        return True
    roles = EVERYONE_SIGNED_IN if group.kind == Group.Kind.SELF_ORGANISED else STAFF_AND_ORGANISERS
    return has_role(user, roles) and organises()


def can_manage_group(user, group) -> bool:
    """Staff manage every group; organisers the groups they organise. A self-organised group
    is run by its own organisers whatever their account role: the member who started it runs
    it without becoming an organiser of the hub."""
    return _may_run(user, group, lambda: is_group_organiser(user, group))


def can_manage_group_of(user, membership) -> bool:
    """``can_manage_group`` for the group of ``membership``, the user's own place in it
    (already loaded, so no query: for lists of the user's groups)."""
    organising = (GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER)
    return _may_run(user, membership.group, lambda: membership.role in organising)
