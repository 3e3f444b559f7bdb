"""Role-aware navigation: a registry of menu entries in the same shape as the price providers
(`orders/pricing.py`): each entry has a name, registering a name again replaces its entry
(idempotent), and the page shell (`portal`) reads the entries. Apps register theirs in
`AppConfig.ready()`:

    navigation.register(_("阳光挂网"), _("挂网申请"), "listing:application_list", roles={"manufacturer"})

The name is the entry's URL name unless given (`name=`: the same page listed twice, for
different roles under different labels). The shell shows an entry to a user whose role is in
`roles` (or to everyone signed in when `roles` is None), grouped by section, by `order`."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    section: str
    label: str
    url_name: str
    roles: frozenset | None
    order: int


_ENTRIES: dict[str, NavEntry] = {}

REGULATORS = frozenset({"province_regulator", "city_regulator", "county_regulator"})
PROVINCE = frozenset({"province_regulator"})
INSTITUTIONS = frozenset({"institution"})
ENTERPRISES = frozenset({"manufacturer", "distributor"})


def register_entry(name: str, entry: NavEntry) -> None:
    """Register (or replace) a menu entry; idempotent by name."""
    _ENTRIES[name] = entry


def register(section, label, url_name, roles=None, order=100, *, name=None) -> None:
    """Register (or replace) the entry `name` (default: `url_name`)."""
    register_entry(name or url_name, NavEntry(section, label, url_name, frozenset(roles) if roles else None, order))


def unregister(name: str) -> None:
    _ENTRIES.pop(name, None)


def entries() -> dict[str, NavEntry]:
    """Every registered entry by name, in registration order."""
    return dict(_ENTRIES)


def for_user(user):
    if not user.is_authenticated:
        return []
    role = "province_regulator" if user.is_superuser else user.role
    sections: dict[str, list] = {}
    # sorted() is stable: entries of equal order keep their registration order.
    for e in sorted(_ENTRIES.values(), key=lambda e: e.order):
        if e.roles is not None and role not in e.roles:
            continue
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(str(e.section), []).append({"label": e.label, "url": url, "name": e.url_name})
    return [{"section": s, "items": items} for s, items in sections.items()]
