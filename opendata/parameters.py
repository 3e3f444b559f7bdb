"""Policy parameters of the public site and the open-data feed (PUB-1)."""

from django.utils.translation import gettext_lazy as _

from policy.registry import define

define(
    "pub.ocid_prefix", "str", "ocds-jsyg01", "PUB-1", _("开放合同数据（OCDS）ocid 前缀"),
    help=_("每个产品的开放合同数据标识为“前缀-p产品编号”；前缀向 OCDS 登记后在此填写，公布后不应再改。"),
)
define(
    "pub.min_institutions_for_stats", "int", 3, "PUB-1", _("议价结果统计公开所需最少机构数"),
    help=_("议价结果按产品和月份汇总公开；当月少于此数的医疗机构时不公开该月统计，以免反推单一机构的议价结果。"),
    min=1, max=50,
)
define(
    "pub.feed_page_size", "int", 100, "PUB-1", _("开放数据每页默认条数"),
    help=_("开放合同数据发布包每页的默认条数；调用方可用 page_size 在 1–500 之间指定。"), min=1, max=500,
)
