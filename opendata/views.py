"""PUB-1 public site: no sign-in, read-only, cached and ETag-validated so that crawlers and
other provinces' platforms cost almost nothing. Institution-private data never appears:
negotiation results only as product × month aggregates."""

import datetime as dt
import hashlib

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET

from catalog.models import Product
from core.exports import xlsx_response
from monitoring.models import Bulletin
from policy import services as policy
from qualifications.models import BadRecord

from . import ocds
from .documents import POLICY_DOCUMENTS

PAGE_SIZE = 50
MAX_Q = 100


class BadParameter(ValueError):
    def __init__(self, field, detail):
        super().__init__(detail)
        self.field, self.detail = field, detail


def _bad_request(exc: BadParameter):
    return JsonResponse({"code": "invalid", "detail": exc.detail, "field": exc.field}, status=400)


def _etag(request, *args, **kwargs):
    """Changes when anything published changes (one MAX per source) or the query changes."""
    bad = BadRecord.objects.aggregate(c=Max("created_at"), r=Max("revoked_at"))
    bulletins = Bulletin.objects.filter(is_public=True).aggregate(m=Max("published_at"))
    seed = "|".join([request.path, request.GET.urlencode(), request.LANGUAGE_CODE or "", ocds.last_change(),
                     str(bad["c"]), str(bad["r"]), str(bulletins["m"])])
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def public_page(view):
    """GET only, ETag/304, and a short shared cache lifetime."""
    return require_GET(cache_control(public=True, max_age=300)(condition(etag_func=_etag)(view)))


def _q(request) -> str:
    q = (request.GET.get("q") or "").replace("\x00", "").strip()
    return q[:MAX_Q]


def _product_q(q: str, prefix="product__") -> Q:
    cond = Q(**{f"{prefix}generic_name__icontains": q}) | Q(**{f"{prefix}national_code__istartswith": q})
    letters = q.lower().replace(" ", "")
    if letters.isascii() and letters.isalnum():
        cond |= Q(**{f"{prefix}name_initials__contains": letters})
    return cond


@public_page
def index(request):
    recent = [ocds.summarise(build()) for _, _, build in ocds.latest(15)]
    return render(request, "opendata/index.html", {"recent": recent, "documents": POLICY_DOCUMENTS})


@public_page
def policies(request):
    return render(request, "opendata/policies.html", {"documents": POLICY_DOCUMENTS})


# ---------------------------------------------------------------------- negotiation statistics


def _month(value, field="month"):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise BadParameter(field, _("月份格式应为 YYYY-MM，例如 2026-10")) from None


def _stats_rows(request):
    q = _q(request)
    month = _month(request.GET.get("month"))
    rows = ocds.negotiation_month_stats()
    if q:
        rows = rows.filter(product__in=Product.objects.filter(_product_q(q, prefix="")).values("pk"))
    if month:
        rows = rows.filter(month__date=month)
    return q, month, rows.order_by("-month", "product")


def _with_products(rows):
    rows = list(rows)
    products = Product.objects.select_related("manufacturer").in_bulk({r["product"] for r in rows})
    for r in rows:
        r["product_obj"] = products[r["product"]]
        r["mean"] = (r["total"] / r["qty"]).quantize(ocds.Decimal("0.0001")) if r["qty"] else None
        r["month_date"] = timezone.localtime(r["month"]).date() if isinstance(r["month"], dt.datetime) else r["month"]
    return rows


@public_page
def negotiation_stats(request):
    try:
        q, month, rows = _stats_rows(request)
    except BadParameter as exc:
        return render(request, "opendata/negotiation_stats.html", {"error": exc.detail, "q": _q(request)}, status=400)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_products(page.object_list)
    return render(request, "opendata/negotiation_stats.html", {
        "page": page, "q": q, "month": request.GET.get("month", "")[:7],
        "minimum": policy.get("pub.min_institutions_for_stats"),
    })


@require_GET
def negotiation_stats_export(request):
    try:
        rows = _stats_rows(request)[2]
    except BadParameter as exc:
        return _bad_request(exc)
    data = ((f"{r['month_date']:%Y-%m}", str(r["product_obj"]), r["product_obj"].national_code or "",
             r["product_obj"].manufacturer.name, r["institutions"], r["results"], r["qty"], r["lowest"], r["mean"],
             r["highest"]) for r in _with_products(rows[:50000]))
    return xlsx_response("议价结果统计.xlsx", [_("月份"), _("产品"), _("国家医保编码"), _("生产企业"), _("机构数"), _("结果数"),
                                              _("数量"), _("最低价"), _("加权平均价"), _("最高价")], data, title=_("议价结果统计"))


# ---------------------------------------------------------------------- VBP results


def _vbp_rows(request):
    q = _q(request)
    qs = ocds._vbp_selected().order_by("-variety__tender__published_at", "variety__tender__code", "variety__name", "pk")
    if q:
        qs = qs.filter(Q(variety__tender__name__icontains=q) | Q(variety__tender__code__icontains=q)
                       | Q(enterprise__name__icontains=q) | _product_q(q))
    return q, qs


@public_page
def vbp_results(request):
    q, qs = _vbp_rows(request)
    return render(request, "opendata/vbp_results.html", {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")), "q": q})


@require_GET
def vbp_results_export(request):
    qs = _vbp_rows(request)[1]
    rows = ((sp.variety.tender.code, sp.variety.tender.name, sp.variety.name, str(sp.product),
             sp.product.national_code or "", sp.enterprise.name, sp.price, sp.variety.tender.period_start,
             sp.variety.tender.period_end) for sp in qs[:50000])
    return xlsx_response("带量采购中选结果.xlsx", [_("批次编号"), _("批次"), _("品种"), _("产品"), _("国家医保编码"), _("中选企业"),
                                                _("中选价（元）"), _("采购周期起"), _("采购周期止")], rows,
                         title=_("带量采购中选结果"))


# ---------------------------------------------------------------------- bad records


def _bad_records(request):
    q = _q(request)
    qs = BadRecord.objects.in_force().select_related("enterprise", "product").order_by("-recorded_on", "-pk")
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | _product_q(q))
    kind = request.GET.get("kind") or ""
    if kind:
        qs = qs.filter(kind=kind)
    return q, kind, qs


@public_page
def bad_records(request):
    q, kind, qs = _bad_records(request)
    return render(request, "opendata/bad_records.html", {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")), "q": q, "kind": kind,
        "kinds": BadRecord._meta.get_field("kind").choices,
    })


@require_GET
def bad_records_export(request):
    qs = _bad_records(request)[2]
    rows = ((r.recorded_on, r.enterprise.name, str(r.product) if r.product else "", r.get_kind_display(),
             r.get_severity_display(), r.description) for r in qs[:50000])
    return xlsx_response("不良记录名单.xlsx", [_("认定日期"), _("企业"), _("涉及产品"), _("行为"), _("情节"), _("事实与依据")], rows,
                         title=_("不良记录名单"))


# ---------------------------------------------------------------------- OCDS


def _when(value, field):
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 40:
        raise BadParameter(field, _("时间格式应为 ISO 8601，例如 2026-10-01 或 2026-10-01T08:00:00+08:00"))
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadParameter(field, _("时间格式应为 ISO 8601，例如 2026-10-01 或 2026-10-01T08:00:00+08:00"))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _feed_params(request):
    raw_size = request.GET.get("page_size") or str(policy.get("pub.feed_page_size"))
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= 500:
        raise BadParameter("page_size", _("每页条数应为 1–500 的整数"))
    cursor = None
    token = (request.GET.get("offset") or "").strip()
    if token:
        stamp, sep, release_id = token.partition("|")
        when = _when(stamp, "offset") if sep else None
        if when is None or len(release_id) > 120:
            raise BadParameter("offset", _("offset 无效：请使用上一页返回的 links.next"))
        cursor = ocds.Cursor(when, release_id)
    since = _when(request.GET.get("since"), "since")
    if since is not None and cursor is None:
        cursor = ocds.Cursor(since - dt.timedelta(microseconds=1), "~")  # releases dated at or after `since`
    until = _when(request.GET.get("until"), "until")
    if since and until and until <= since:
        raise BadParameter("until", _("until 须晚于 since"))
    return int(raw_size), cursor, until


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False},
                        content_type="application/json; charset=utf-8")


@public_page
def ocds_releases(request):
    try:
        size, cursor, until = _feed_params(request)
    except BadParameter as exc:
        return _bad_request(exc)
    releases, nxt = ocds.releases_page(cursor, size, until)
    next_uri = None
    if nxt is not None:
        params = request.GET.copy()
        params["offset"] = nxt.token()
        params.pop("since", None)
        next_uri = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return _json(ocds.package(releases, uri=request.build_absolute_uri(), next_uri=next_uri))


@public_page
def ocds_record(request, ocid):
    prefix = f"{policy.get('pub.ocid_prefix')}-p"
    if not ocid.startswith(prefix) or not ocid[len(prefix):].isdigit() or len(ocid) > 80:
        raise Http404
    product_id = int(ocid[len(prefix):])
    if not Product.objects.filter(pk=product_id).exists():
        raise Http404
    pkg = ocds.record_package(product_id, uri=request.build_absolute_uri())
    if not pkg["records"][0]["releases"]:
        raise Http404
    return _json(pkg)


class PublicationsFeed(Feed):
    """Atom feed of new publications (the newest releases of every kind)."""

    feed_type = Atom1Feed

    def title(self):
        return _("江苏省医药阳光采购：最新公开信息")

    def subtitle(self):
        return _("挂网结果、价格调整、议价结果统计等公开信息（开放合同数据 OCDS 1.1）")

    def link(self):
        return reverse("opendata:index")

    def items(self):
        return [build() for _, _, build in ocds.latest(50)]

    def item_title(self, item):
        s = ocds.summarise(item)
        return f"{s['title']}：{s['product']}"

    def item_description(self, item):
        return ocds.summarise(item)["description"]

    def item_link(self, item):
        return reverse("opendata:ocds_record", args=[item["ocid"]]) + f"#{item['id']}"

    def item_guid(self, item):
        return f"{item['ocid']}/{item['id']}"

    def item_pubdate(self, item):
        return parse_datetime(item["date"])

    def item_updateddate(self, item):
        return parse_datetime(item["date"])


feed = cache_control(public=True, max_age=300)(condition(etag_func=_etag)(PublicationsFeed()))


