"""List filters of qualifications (issue 14 item 4): the qualification list (QUA-1) and the
distribution-relationship list (QUA-2) filter with these FilterSets. A value the list does not
know (an unknown status, a non-numeric organisation) filters nothing, as the pages always did."""

import django_filters
from django.utils import timezone

from core.filters import SearchFilterSet

from . import selectors, services
from .models import DistributionRelationship, DistributionStatus, Qualification, QualificationStatus


class QualificationFilter(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=QualificationStatus.choices, help_text="资质状态")
    q = django_filters.CharFilter(method="search", help_text="企业名称或证书编号")
    expiring = django_filters.CharFilter(method="only_expiring", help_text="1：只看即将到期（首页待办所计）")

    search_fields = ("enterprise__name__icontains", "number__icontains")

    class Meta:
        model = Qualification
        fields = ["status", "q", "expiring"]

    def only_expiring(self, queryset, name, value):
        if value != "1":
            return queryset
        # The rows the home page's "expiring qualifications" to-do counts (issue 15 item 6).
        today = timezone.localdate()
        return queryset.filter(pk__in=selectors.expiring_qualifications(
            today, services.reminder_days(today), user=self.request.user).values("pk"))


class DistributionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DistributionStatus.choices, help_text="配送关系状态")
    org = django_filters.CharFilter(method="either_party", help_text="生产企业或配送企业 ID")

    class Meta:
        model = DistributionRelationship
        fields = ["status", "org"]

    def either_party(self, queryset, name, value):
        if not value.isdigit():
            return queryset
        return queryset.filter(manufacturer_id=value) | queryset.filter(distributor_id=value)
