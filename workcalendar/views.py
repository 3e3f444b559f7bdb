"""The regulators' calendar page: every regulator reads it, only the province edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, Forbidden
from core.permissions import require_page

from . import selectors, services
from .forms import CalendarDayForm, ConfirmYearForm, WithdrawDayForm
from .models import CalendarDay


def _page(request, year, *, status=200, **forms):
    can_manage = request.user.has_perm("workcalendar.manage")
    context = {
        "overview": selectors.year_overview(year),
        "year": year,
        "years": range(max(services.MIN_YEAR, year - 3), min(services.MAX_YEAR, year + 3) + 1),
        "can_manage": can_manage,
        "open_provisional": selectors.open_provisional_deadline_count(),
        "day_form": forms.get("day_form") or CalendarDayForm(initial={"kind": CalendarDay.Kind.HOLIDAY}),
        "withdraw_form": forms.get("withdraw_form") or WithdrawDayForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmYearForm(initial={"year": year}),
    }
    return render(request, "workcalendar/index.html", context, status=status)


def _index_url(year):
    return f"{reverse('workcalendar:index')}?year={year}"


@login_required
def index(request):
    require_page(request.user, "workcalendar.view")
    year = timezone.localdate().year
    if request.GET.get("year"):
        try:
            year = services.check_year(request.GET["year"])
        except DomainError as exc:
            messages.error(request, exc.detail)
    return _page(request, year)


def _year_to_show(request, form):
    """After a refused POST, show the year the entry was about, else the year being viewed."""
    for value, parse in ((form.data.get("date"), lambda v: services.parse_date(v).year),
                         (form.data.get("year"), services.check_year),
                         (request.POST.get("view_year"), services.check_year)):
        if value:
            try:
                return parse(value)
            except DomainError:
                continue
    return timezone.localdate().year


def _submitted(request, form_class, form_name, call):
    """The province's POST: the form, then the service on its cleaned data. Returns (result, None),
    or (None, the page again with the refusal next to its field, status 400)."""
    require_page(request.user, "workcalendar.manage")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            return call(form.cleaned_data), None
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
    return None, _page(request, _year_to_show(request, form), status=400, **{form_name: form})


@login_required
@require_POST
def set_day(request):
    entry, refused = _submitted(request, CalendarDayForm, "day_form",
                                lambda d: services.set_calendar_day(request.user, d["date"], d["kind"], d["name"]))
    if refused is not None:
        return refused
    msg = _("已登记 %(date)s 为“%(kind)s”。") % {"date": entry.date, "kind": entry.get_kind_display()}
    return _entry_done(request, entry, msg)


def _entry_done(request, entry, msg):
    """Report a changed calendar entry (and how many open deadlines moved) and go back to its year."""
    if entry.recomputed_deadlines:
        msg += _("已重算 %(n)s 个未结期限。") % {"n": entry.recomputed_deadlines}
    messages.success(request, msg)
    return redirect(_index_url(entry.date.year))


@login_required
@require_POST
def withdraw_day(request):
    entry, refused = _submitted(request, WithdrawDayForm, "withdraw_form",
                                lambda d: services.withdraw_calendar_day(request.user, d["date"], d["reason"]))
    if refused is not None:
        return refused
    msg = _("已撤销 %(date)s 的日历登记。") % {"date": entry.date}
    return _entry_done(request, entry, msg)


@login_required
@require_POST
def confirm_year(request):
    obj, refused = _submitted(request, ConfirmYearForm, "confirm_form",
                              lambda d: services.confirm_year(request.user, d["year"], d["note"]))
    if refused is not None:
        return refused
    messages.success(
        request,
        _("已确认 %(year)s 年工作日历，重算了 %(n)s 个暂定的未结期限。") % {"year": obj.year, "n": obj.recomputed_deadlines},
    )
    return redirect(_index_url(obj.year))
