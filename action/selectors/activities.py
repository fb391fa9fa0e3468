"""Read queries of community activities and enterprises. Every signed-in person may see them
all (they are the hub's shared work); each list brings what its page shows already joined, so
it costs the same few queries at any length."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from hubsite.people.models import Group, Person

from ..models import Activity
from ..rules import is_staff


def activity_list():
    """Every activity with its place, its group and how many people are involved: counted in
    a subquery, for the activities of the page only (a join of every activity's people
    grouped by activity would count them all, and so would the paginator's count)."""
    involved = (
        Activity.people.through.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        Activity.objects.select_related("locality", "group")
        .annotate(people_count=Coalesce(Subquery(involved), 0))
        .order_by("name", "id")
    )


def activity_detail_queryset():
    """One activity with everything its page shows: the people involved by name only."""
    people = Person.objects.only("first_name", "last_name", "user_id").order_by(
        "first_name", "last_name", "id"
    )
    return Activity.objects.select_related("locality", "group", "proposed_by").prefetch_related(
        Prefetch("people", queryset=people)
    )


def activity_counts():
    """How many activities are at each stage, in the stages' order, in one query."""
    counts = Activity.objects.aggregate(
        **{stage: Count("id", filter=Q(stage=stage)) for stage in Activity.Stage.values}
    )
    return {stage: counts[stage] for stage in Activity.Stage.values}


def groups_to_choose(user, current=None):
    """Groups ``user`` may put an activity under: every group for staff, otherwise the groups
    they belong to, and the group it is already under (``current``) so an edit keeps it."""
    groups = Group.objects.order_by("name")
    if is_staff(user):
        return groups
    mine = Q(pk__in=Group.objects.filter(memberships__person__user=user).values("pk"))
    if not user.is_authenticated:
        mine = Q(pk__in=[])
    if current is not None:
        mine |= Q(pk=current.pk)
    return groups.filter(mine)


def people_to_add(activity, text, limit=8):
    """People whose name matches ``text`` and who are not yet involved, for the people search
    of staff and organisers: names and localities only."""
    words = text.split()[:4]
    if not words or len(text.strip()) < 2:
        return Person.objects.none()
    people = Person.objects.select_related("locality").exclude(activities=activity)
    for word in words:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return people.order_by("first_name", "last_name", "id")[:limit]
