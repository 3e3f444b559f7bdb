"""The search box of every list (issue 14 item 4): a FilterSet whose `q` matches any of the
list's `search_fields`, so each app's FilterSet names its fields instead of writing the same
OR-query again."""

import django_filters
from django.db.models import Q


class SearchFilterSet(django_filters.FilterSet):
    """`q` (declared by the subclass with its help text, `method="search"`) matches a row when
    any lookup of `search_fields` matches the stripped value; a blank `q` filters nothing."""

    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        match = Q()
        for lookup in self.search_fields:
            match |= Q(**{lookup: value})
        return queryset.filter(match)


def filter_given(queryset, **lookups):
    """`queryset` narrowed by each lookup whose value was given: an empty filter box of a list
    page filters nothing. (Single-valued lookups only: one `.filter` call, one join each.)"""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value})
