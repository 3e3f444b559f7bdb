"""Role-aware navigation. Apps register their menu entries in `AppConfig.ready()`:

    navigation.register("listing", _("挂网申请"), "listing:application_list", roles={"manufacturer"})

The shell shows an entry to a user whose role is in `roles` (or to everyone signed in
when `roles` is None), grouped by section in registration order."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    section: str
    label: str
    url_name: str
    roles: frozenset | None
    order: int


_entries: list[NavEntry] = []

REGULATORS = frozenset({"province_regulator", "city_regulator", "county_regulator"})
PROVINCE = frozenset({"province_regulator"})
INSTITUTIONS = frozenset({"institution"})
ENTERPRISES = frozenset({"manufacturer", "distributor"})


def register(section, label, url_name, roles=None, order=100):
    entry = NavEntry(section, label, url_name, frozenset(roles) if roles else None, order)
    if entry not in _entries:
        _entries.append(entry)


def for_user(user):
    if not user.is_authenticated:
        return []
    role = "province_regulator" if user.is_superuser else user.role
    sections: dict[str, list] = {}
    for e in sorted(_entries, key=lambda e: e.order):
        if e.roles is not None and role not in e.roles:
            continue
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(str(e.section), []).append({"label": e.label, "url": url, "name": e.url_name})
    return [{"section": s, "items": items} for s, items in sections.items()]
