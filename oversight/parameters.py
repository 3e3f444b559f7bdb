"""Policy parameters of the price-risk signals (BAD-1: "价格异常上涨（幅度或频次）", "地区差价过大",
"未按合同供货配送"). The texts name the behaviours, not the thresholds: platform defaults."""

from decimal import Decimal as D

from django.utils.translation import gettext_lazy as _

from policy.registry import define

define("risk.rise_min_percent", "decimal", D("0"), "BAD-1", _("价格上涨信号：最小涨幅（%）"),
       help=_("挂网价上涨达到此幅度即生成信号；0 表示任何上涨都提示监管。"), min=D("0"), max=D("1000"))
define("risk.repeat_window_days", "int", 365, "BAD-1", _("频繁涨价：统计窗口（天）"),
       help=_("以最近一次涨价为止，向前统计此天数内的涨价次数。"), min=30, max=1825)
define("risk.repeat_min_count", "int", 2, "BAD-1", _("频繁涨价：窗口内涨价次数"),
       help=_("同一企业在统计窗口内涨价达到此次数时生成“频繁涨价”信号。"), min=2, max=50)
define("risk.regional_ratio", "decimal", D("2"), "BAD-1", _("地区差价过大：最高价/最低价倍数"),
       help=_("同一产品各省现行挂网价中最高价达到最低价的此倍数时生成信号。"), min=D("1.1"), max=D("100"))
define("risk.supply_days", "int", 7, "BAD-1", _("未按时配送：订单提交后应发货天数"),
       help=_("订单提交后此天数内发货的订单行视为按时配送。"), min=1, max=90)
define("risk.supply_window_days", "int", 90, "BAD-1", _("供货统计窗口（天）"),
       help=_("统计配送企业按时配送率的回溯天数。"), min=7, max=365)
define("risk.supply_min_lines", "int", 5, "BAD-1", _("供货统计最少订单行数"),
       help=_("窗口内订单行少于此数的配送企业不作判断，以免小样本误报。"), min=1, max=10000)
define("risk.fill_rate_min", "decimal", D("0.90"), "BAD-1", _("配送及时率下限"),
       help=_("窗口内按时发货的订单行占比低于此值（含拒绝配送）时生成信号。"), min=D("0"), max=D("1"))
