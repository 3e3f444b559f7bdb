"""Policy parameters of the payment standards and the budget ledger (§11). The method of
INS-1 itself is `ins.payment_standard_method` (declared with the other §11 keys)."""

from decimal import Decimal as D

from django.utils.translation import gettext_lazy as _

from policy.registry import define

define("ins.shortage_listing_price", "bool", False, "INS-2", _("短缺药品按挂网价支付（征求意见稿）"),
       help=_("仅征求意见稿（001 §(十一)）规定短缺药品按挂网价支付，正式文件已删除：默认关闭，按 INS-1 测算。"))
define("ins.vbp_same_standard", "bool", False, "INS-4", _("同通用名原研药、参比制剂和过评仿制药同一支付标准（吉林）"),
       help=_("吉林文件（003 §三(六)）的规定，与江苏 000 附件 §五(十一)2 的分档规则冲突：默认关闭。"))
define("ins.vbp_min_cut_percent", "decimal", D("30"), "INS-4", _("非中选药品（价格高于中选价2倍）首年最低降幅（%）"),
       help=_("上年末价格高于中选价2倍的非中选药品，本年支付标准在上年末价格基础上至少降低此比例（000 附件 §五(十一)2）。"),
       min=D("0"), max=D("100"))
define("ins.vbp_converge_years", "int", 2, "INS-4", _("非中选药品支付标准降至中选价的年数"),
       help=_("价格高于中选价2倍的非中选药品，支付标准在此年数内逐步降至中选价（文件：2年内）。"), min=1, max=5)
define("ins.quality_deposit_percent", "decimal", D("5"), "INS-7", _("服务质量保证金比例（%）"),
       help=_("从年度医保预算中预留的服务质量保证金比例，与阳光采购考核结果挂钩（004 §四(二)）。"),
       min=D("0"), max=D("20"))
define("ins.filed_transition_years", "int", 1, "FIL-C5", _("全国首发备案耗材医保支付过渡期（年）"),
       help=_("在本省全国首发的备案耗材给予不少于1年的过渡期，期满后启动专家准入和价格谈判（002 §29）。"), min=1, max=5)
