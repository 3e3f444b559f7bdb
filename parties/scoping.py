"""Row scoping: who sees which rows. The one place that turns a user into a filter.

Every scoped model's queryset has `visible_to(user)` built from `scope_q`, and the
`rules` predicates in `parties.rules` answer object questions with the same filter, so
views, the API, selectors and exports cannot disagree about what a user may see.

- province regulator (and superuser): everything;
- city regulator: the institutions of its city (and rows about them);
- county regulator: the institutions of its county;
- institution user / HIS client: its own institution's rows (plus what a model shares with it);
- manufacturer / distributor: rows where it is the enterprise;
- expert: nothing here; expert sessions scope themselves.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

NOTHING = Q(pk__in=[])


def scope_q(user, *, institution: str | None = None, enterprise: Iterable[str] | str = ()) -> Q:
    """Q of the rows `user` may see on a model whose institution is reached through the
    field path `institution` and whose enterprise(s) through the path(s) `enterprise`.

    A model with no institution path (e.g. province-wide listings) is visible in full to
    every regulator; one with no enterprise path is invisible to enterprises."""
    if user is None or not user.is_authenticated or not getattr(user, "is_active", True):
        return NOTHING
    if user.is_superuser or user.role == "province_regulator":
        return Q()
    org_id = user.organisation_id
    if isinstance(enterprise, str):
        enterprise = (enterprise,) if enterprise else ()
    role = user.role
    if role in ("city_regulator", "county_regulator"):
        if institution is None:
            return Q()
        org = user.organisation
        if role == "city_regulator":
            return Q(**{f"{institution}__city_id": org.city_id})
        return Q(**{f"{institution}__county_id": org.county_id})
    if role in ("institution", "his"):
        return Q(**{f"{institution}_id": org_id}) if institution else NOTHING
    if role in ("manufacturer", "distributor"):
        q = NOTHING
        for path in enterprise:
            q |= Q(**{f"{path}_id": org_id})
        return q
    return NOTHING


class ScopedQuerySet(models.QuerySet):
    """Base for scoped models: set `scope_institution` / `scope_enterprise` on the model."""

    def visible_to(self, user):
        model = self.model
        return self.filter(
            scope_q(
                user,
                institution=getattr(model, "scope_institution", None),
                enterprise=getattr(model, "scope_enterprise", ()),
            )
        )


class PublishedQuerySet(ScopedQuerySet):
    """Published facts (the catalogue, listing results, other provinces' prices): every
    signed-in party reads every row; changing a row stays scoped (`editable_by`)."""

    def visible_to(self, user):
        return self.all() if user is not None and user.is_authenticated else self.none()

    def editable_by(self, user):
        """Rows an enterprise may act on: its own (regulators: all)."""
        return super().visible_to(user)


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisations a user may look up: itself always; regulators their institutions
        and every enterprise (they supervise enterprises province-wide); the province all."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.role == "province_regulator":
            return self.all()
        own = Q(pk=user.organisation_id)
        if user.role == "city_regulator":
            org = user.organisation
            return self.filter(own | Q(kind="institution", city_id=org.city_id) | Q(kind__in=["manufacturer", "distributor"]))
        if user.role == "county_regulator":
            org = user.organisation
            return self.filter(
                own | Q(kind="institution", county_id=org.county_id) | Q(kind__in=["manufacturer", "distributor"])
            )
        return self.filter(own)

    def institutions(self):
        return self.filter(kind="institution")

    def enterprises(self):
        return self.filter(kind__in=["manufacturer", "distributor"])
