"""Reads for the shell: what each role's home page (工作台) shows."""

from django.db.models import Count

from core import navigation, todos
from notifications.selectors import inbox, unread_count
from parties.models import Organisation, OrgKind, Region, Role

ROLE_HOME_TEMPLATES = {
    Role.MANUFACTURER: "home/enterprise.html",
    Role.DISTRIBUTOR: "home/enterprise.html",
    Role.INSTITUTION: "home/institution.html",
    Role.HIS: "home/institution.html",
    Role.CITY_REGULATOR: "home/regulator.html",
    Role.COUNTY_REGULATOR: "home/regulator.html",
    Role.PROVINCE_REGULATOR: "home/regulator.html",
    Role.EXPERT: "home/expert.html",
}


def effective_role(user) -> str:
    """The role whose home page and menu a user gets (a superuser acts as the province)."""
    return Role.PROVINCE_REGULATOR if user.is_superuser else user.role


def regulator_overview(user) -> dict:
    """Counts a regulator sees on its home page, all through `Organisation.objects.visible_to`
    (so a city sees only its city's institutions, a county only its county's)."""
    visible = Organisation.objects.visible_to(user).filter(is_active=True)
    institutions = visible.filter(kind=OrgKind.INSTITUTION)
    by_level = dict(
        institutions.values_list("level").annotate(n=Count("pk")).values_list("level", "n")
    )
    overview = {
        "institutions": institutions.count(),
        "tertiary": by_level.get(3, 0),
        "secondary": by_level.get(2, 0),
        "primary": by_level.get(1, 0),
        # Issue 15 item 5: the levels add up to the total; the rest (pharmacies, unrated) is 未定级.
        "unrated": sum(n for level, n in by_level.items() if level not in (1, 2, 3)),
        "pharmacies": institutions.filter(ownership="retail_pharmacy").count(),
        "manufacturers": visible.filter(kind=OrgKind.MANUFACTURER).count(),
        "distributors": visible.filter(kind=OrgKind.DISTRIBUTOR).count(),
        "breakdown_label": "",
        "breakdown": [],
    }
    role = effective_role(user)
    if role == Role.PROVINCE_REGULATOR:
        rows = Region.objects.filter(level=Region.Level.CITY).order_by("code")
        # One grouped query rather than a count per city.
        counts = dict(institutions.values_list("city_id").annotate(n=Count("pk")).values_list("city_id", "n"))
        overview["breakdown"] = [(r.name, counts.get(r.pk, 0)) for r in rows]
    elif role == Role.CITY_REGULATOR:
        counts = dict(institutions.values_list("county_id").annotate(n=Count("pk")).values_list("county_id", "n"))
        counties = Region.objects.filter(parent_id=user.organisation.city_id).order_by("code")
        overview["breakdown"] = [(c.name, counts.get(c.pk, 0)) for c in counties if counts.get(c.pk)]
    elif role == Role.COUNTY_REGULATOR:
        overview["institution_list"] = list(institutions.order_by("-level", "name")[:12])
    return overview


def home_context(user) -> dict:
    role = effective_role(user)
    ctx = {
        "todos": todos.todos_for(user),
        "role": role,
        "role_template": ROLE_HOME_TEMPLATES.get(role, "home/regulator.html"),
        "role_label": Role(role).label if role else "",
        "organisation": user.organisation,
        "latest_notifications": inbox(user)[:5],
        "home_unread": unread_count(user),
        "shortcuts": [
            item for group in navigation.for_user(user) for item in group["items"]
            if item["name"] != "notifications:inbox"  # already the unread-messages card
        ][:8],
    }
    if role in (Role.PROVINCE_REGULATOR, Role.CITY_REGULATOR, Role.COUNTY_REGULATOR):
        ctx["overview"] = regulator_overview(user)
    return ctx
