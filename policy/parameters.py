"""Declarations of every [policy parameter] in RULES.md (keys grouped by rule section).

Key names are part of the platform's contract: other apps read them with
`policy.services.get(key, at=date)`. Never rename a key once committed; add a new one.

Conventions:
- `*_days` are calendar days, `*_working_days` count on the official working-day calendar
  (workcalendar), `*_day` is a day of the month, `*_percent` is 0–100 (decimal).
- Ratio/factor values are `decimal` (returned as `Decimal`).
- Structured values (`json`) are validated on entry by the validators in `policy.validators`.
"""

from decimal import Decimal as D

from django.utils.translation import gettext_lazy as _

from . import validators as v
from .registry import define

# ---------------------------------------------------------------- §0 general / system
define("calendar.reminder_month", "int", 11, "§0", _("提醒确认次年日历的月份"), min=1, max=12)
define(
    "sys.price_ceiling_yuan", "decimal", D("1000000"), "§0", _("单价上限（元，超出视为录入错误）"),
    help=_("任何申报价、挂网价、议价或订单单价超过此值即视为明显录入错误并拒绝。"), min=D("1"),
)
define(
    "sys.upload_max_mb", "int", 20, "§0", _("单个上传文件大小上限（MB）"),
    help=_("资质证明、承诺书、申请材料等附件的单个文件大小上限。"), min=1, max=500,
)

# ---------------------------------------------------------------- §3 listing (挂网)
define(
    "lst.batch_day", "int", 15, "LST-0.1", _("每月集中挂网日"),
    help=_("挂网原则上每月集中调整一次：已确认的挂网申请在每月此日集中生效（遇非工作日顺延至下一工作日）。"),
    min=1, max=28,
)
define(
    "lst.quality_lookback_years", "int", 2, "LST-0.2", _("质量承诺追溯年数"),
    help=_("申报产品在此年数内有省级及以上药监部门质量抽检不合格或质量处罚记录的，挂网申请不予受理（文件：近2年）。"),
    min=1, max=10,
)
define(
    "lst.min_provinces", "int", 8, "LST-2.1", _("挂网所需已采购省份数"),
    help=_("LST-2.1 / LST-2.2 / LST-2.3：产品须在不少于此数量的省份有采购（挂网）记录。"),
    min=1, max=31,
)
define(
    "lst.ratio.strength", "decimal", D("1.7"), "LST-2.2.1", _("差比价：含量比价系数"),
    help=_("含量之比为 r 时，价格 × 系数^log2(r)（发改价格〔2011〕2452号）。"), min=D("1"), max=D("4"),
)
define(
    "lst.ratio.fill_volume", "decimal", D("1.9"), "LST-2.2.1", _("差比价：装量比价系数"),
    help=_("装量之比为 r 时，价格 × 系数^log2(r)。"), min=D("1"), max=D("4"),
)
define(
    "lst.ratio.pack_oral_solid", "decimal", D("1.95"), "LST-2.2.1", _("差比价：包装数量比价系数（口服固体制剂）"),
    help=_("口服固体制剂包装数量之比为 r 时，价格 × 系数^log2(r)。"), min=D("1"), max=D("4"),
)
define(
    "lst.ratio.pack_other", "decimal", D("2.0"), "LST-2.2.1", _("差比价：包装数量比价系数（其他剂型）"),
    help=_("非口服固体制剂包装数量之比为 r 时，价格 × 系数^log2(r)。"), min=D("1"), max=D("4"),
)
define(
    "lst.ratio.dosage_forms", "json",
    {
        "普通片": "1.0",
        "咀嚼片": "1.05",
        "含片": "1.05",
        "可溶片": "1.05",
        "肠溶片": "1.1",
        "分散片": "1.2",
        "泡腾片": "1.3",
        "硬胶囊": "1.0",
        "肠溶胶囊": "1.1",
        "软胶囊": "1.2",
        "无糖": "1.1",
    },
    "LST-2.2.1", _("差比价：剂型比价系数"),
    help=_("以普通片为 1.0 的各剂型比价系数，系数为大于 0 的数值；“无糖”为无糖型的附加系数。"),
    validate=v.coefficient_map,
)
define(
    "lst.narcotic_no_price_test", "bool", True, "LST-8.3", _("麻醉/精神药品不做省级价格审核"),
    help=_("为“是”时，麻醉药品和精神药品按国家规定挂网，仅做标识，不适用本省价格规则。"),
)
define(
    "lst.c2_min_provinces", "int", 15, "LST-C2", _("高值耗材首次挂网所需挂网省份数"),
    help=_("未曾中选的高值医用耗材申请挂网，须提供不少于此数量省份的挂网记录（无省级记录的可用市级记录）。"),
    min=1, max=31,
)
define(
    "lst.c2_min_tertiary_filings", "int", 10, "LST-C2", _("高值耗材首次挂网所需省内三级公立医院备案采购数"),
    help=_("或者提供省内不少于此数量三级公立医疗机构的备案采购记录。"), min=1, max=1000,
)
define(
    "lst.c4_min_filings", "int", 10, "LST-C4", _("普通耗材/检验试剂首次挂网所需二级以上公立机构备案数"),
    help=_("未曾中选的普通医用耗材、检验检测试剂申请挂网，须提供不少于此数量二级及以上公立医疗机构的备案采购记录。"),
    min=1, max=1000,
)
define(
    "lst.consumable_city_review", "bool", True, "LST-C4", _("普通耗材/检验试剂由设区市评审确认（耗材目录统一前）"),
    help=_("为“是”（耗材目录统一前）时，普通医用耗材、检验检测试剂（LST-C3/LST-C4）的挂网申请由企业所选设区市的"
           "医保部门组织专家评审并确认，挂网结果仅供该设区市范围内的医疗机构采购（002 第五条、第十条）；"
           "目录统一后改为“否”，由省医保局评审确认，全省采购。"),
)

# ---------------------------------------------------------------- §4 listing-price dynamics
define(
    "prc.linkage_working_days", "int", 20, "PRC-1", _("低价联动申报时限（工作日）"),
    help=_("新的全国最低价在任一省份执行后，生产企业须在此工作日数内向省平台申报。"), min=1, max=120,
)
define(
    "prc.reminder_working_days_before", "int", 5, "PRC-1", _("联动申报到期前提醒（工作日）"),
    help=_("联动申报截止前此工作日数提醒企业。"), min=0, max=60,
)
define(
    "prc.overdue_suspends_listing", "bool", False, "PRC-1", _("逾期未申报自动暂停挂网"),
    help=_("为“否”时逾期案件提交医保部门处理（文件：一经查实按规定暂停挂网）；为“是”时逾期即自动暂停该产品挂网。"),
)
define(
    "prc.general_use_actual_purchase", "bool", False, "PRC-2", _("年度联动参考省内实际采购价"),
    help=_("为“是”时，年度挂网价格联动同时参考省内医疗机构实际采购结果（征求意见稿 001）："
           "拟调整价取挂网价、全国最低价与省内实际采购最低价三者中的最低者。"),
)
define(
    "prc.consumable_similar_code_length", "int", 20, "PRC-2", _("耗材年度联动同类产品编码位数"),
    help=_("医用耗材年度价格联动参考全国同类产品最低价（002 第十三条）。同类产品指国家医保医用耗材分类编码前此位数"
           "相同的产品（20 位为完整分类代码，位数越少类别越宽）；无编码的耗材按同名称、同规格型号的产品组。"),
    min=5, max=27,
)
define(
    "prc.objection_days", "int", 10, "PRC-2", _("年度价格调整申投诉期（自然日）"),
    help=_("年度挂网价格调整结果公布后，企业可在此天数内提出申投诉。"), min=1, max=90,
)

# ---------------------------------------------------------------- §5 suspension and delisting
define(
    "del.no_sales_days", "int", 365, "DEL-1", _("无销售暂停采购天数"),
    help=_("挂网产品连续此天数无销售的，经医保部门审核后暂停采购（文件：1年）。"), min=30, max=1095,
)
define(
    "del.delisting_delay_days", "int", 180, "DEL-1", _("暂停后撤网天数"),
    help=_("因无销售暂停采购的产品，暂停满此天数仍未恢复的，予以撤网（文件：择期做失效处理）。"), min=0, max=1095,
)

# ---------------------------------------------------------------- §6 negotiation (议价)
define(
    "neg.confirm_working_days", "int", 10, "NEG-3", _("药品议价企业确认时限（工作日）"),
    help=_("低于挂网价的议价，生产企业须在此工作日数内确认，逾期自动撤回。"), min=1, max=60,
)
define(
    "neg.consumable_evidence_working_days", "int", 5, "NEG-4", _("耗材按已成交价议价确认时限（工作日）"),
    help=_("医疗机构提供企业在其他地方成交价格证明的耗材议价，企业须在此工作日数内确认，否则触发价格联动。"),
    min=1, max=60,
)
define(
    "neg.consumable_confirm_working_days", "int", 10, "NEG-4", _("耗材其他议价确认时限（工作日）"),
    help=_("其他耗材议价，企业须在此工作日数内确认，逾期自动撤回。"), min=1, max=60,
)

# ---------------------------------------------------------------- §7 price zones (红黄蓝)
define(
    "zon.method", "choice", "quantile", "ZON-2", _("红黄蓝分区方法"),
    help=_("quantile：按近期议价结果的量价加权分位数分区；listing_ratio：按与同产品最低价之比分级。"),
    choices=("quantile", "listing_ratio"),
)
define(
    "zon.blue_percentile", "int", 50, "ZON-2", _("蓝区分位数（P）"),
    help=_("议价单价不高于此加权分位数为蓝色（推荐）。"), min=1, max=99,
)
define(
    "zon.yellow_percentile", "int", 80, "ZON-2", _("黄区分位数（P）"),
    help=_("议价单价高于蓝区分位数、不高于此分位数为黄色（提醒），高于为红色（监控）。"), min=1, max=99,
)
define(
    "zon.trailing_months", "int", 12, "ZON-2", _("分区统计回溯月数"),
    help=_("取近此月数内二级及以上医疗机构已确认的议价结果。"), min=1, max=60,
)
define(
    "zon.min_institutions", "int", 5, "ZON-2", _("分位数法最少机构数"),
    help=_("议价结果涉及的机构少于此数时，改按最低议价结果的倍数分区。"), min=1, max=1000,
)
define(
    "zon.fallback_blue_factor", "decimal", D("1.05"), "ZON-2", _("机构数不足时蓝区倍数"),
    help=_("不高于最低议价结果 × 此倍数为蓝色。"), min=D("1"), max=D("10"),
)
define(
    "zon.fallback_yellow_factor", "decimal", D("1.15"), "ZON-2", _("机构数不足时黄区倍数"),
    help=_("不高于最低议价结果 × 此倍数为黄色，高于为红色。"), min=D("1"), max=D("10"),
)
define(
    "zon.ratio_grades", "json",
    {
        "blue_max": "1",
        "grades": [
            {"below": "2", "zone": "yellow", "label": "黄色"},
            {"below": "5", "zone": "red", "label": "红色一级"},
            {"below": "10", "zone": "red", "label": "红色二级"},
            {"below": None, "zone": "red", "label": "红色三级"},
        ],
    },
    "ZON-2", _("按比值分级（listing_ratio 方法）"),
    help=_("比值 r = 价格 ÷ 同产品最低价。r ≤ blue_max 为蓝色；否则取第一个满足 r < below 的分级"
         "（below 为空表示无上限，须为最后一级）。"),
    validate=v.ratio_grades,
)
define(
    "zon.ratio_refresh_months", "int", 3, "ZON-2", _("比值分级刷新周期（月）"),
    help=_("listing_ratio 方法下重新计算分级的周期（默认按季度）。"), min=1, max=12,
)
define(
    "zon.non_negotiation_months", "int", 6, "ZON-3", _("长期不议价月数"),
    help=_("医疗机构连续此月数未对任何产品议价的，列入约谈名单。"), min=1, max=36,
)
define(
    "zon.red_share_percent", "decimal", D("30"), "ZON-3", _("红色结果占比约谈阈值（%）"),
    help=_("医疗机构议价结果中红色占比达到此百分比的，列入约谈名单。"), min=D("0"), max=D("100"),
)

# ---------------------------------------------------------------- §8 filing procurement
define(
    "fil.batch_day", "int", 15, "FIL-3", _("备案采购每月集中确认日"),
    help=_("药品备案采购按月集中确认，确认结果于每月此日生效（遇非工作日顺延）。"), min=1, max=28,
)
define(
    "fil.c_publication_day", "int", 15, "FIL-C1", _("耗材备案公示日（每期）"),
    help=_("医用耗材备案信息每两个月公示、公布一次：审核通过的备案于公示月的此日起公示（遇非工作日顺延）。"),
    min=1, max=28,
)
define(
    "fil.c_publication_months", "int", 2, "FIL-C1", _("耗材备案公示、公布周期（月）"),
    help=_("文件：每两个月公示、公布一次。公示月为 1 月起每隔此月数的月份。"), min=1, max=12,
)
define(
    "fil.c_announce_working_days", "int", 5, "FIL-C1", _("耗材备案公示期（工作日）"),
    help=_("公示期满无异议的，予以公布，备案生效。"), min=1, max=30,
)
define(
    "fil.must_buy_months", "int", 3, "FIL-3", _("备案后未采购提醒月数"),
    help=_("“凡备案必采购”：备案确认后此月数内无入库记录的，提醒备案机构（文件只给原则，未给期限，平台默认 3 个月）。"),
    min=1, max=24,
)
define(
    "fil.must_buy_escalate_days", "int", 30, "FIL-3", _("提醒后仍未采购列入名单天数"),
    help=_("提醒后此天数内仍无入库记录的，列入确认部门（药品、高值耗材：省医保局；普通耗材、试剂：设区市医保局）的未采购名单。"),
    min=1, max=365,
)
define(
    "fil.legacy_cutoff", "str", "2020-12-01", "FIL-4", _("存量药品备案截止日（文件发布日）"),
    help=_("药品存量备案须在此日期之前已在省平台申请备案并实际发生采购（格式 YYYY-MM-DD）。"),
)
define(
    "fil.evidence_requires_purchase", "bool", False, "LST-C2", _("备案记录须有实际采购方计入挂网家数"),
    help=_("LST-C2 / LST-C4 统计省内公立医疗机构备案家数时，是否只计已实际采购（有入库记录）的备案。"),
)
define(
    "fil.c5_transition_years", "int", 1, "FIL-C5", _("国内首发产品医保支付过渡期（年）"),
    help=_("国内首发在本省的备案耗材享受不少于 1 年的医保支付过渡期，期满后启动省级专家准入和价格谈判。"),
    min=1, max=5,
)

# ---------------------------------------------------------------- §9 VBP (集中带量采购)
define(
    "vbp.non_selected_cap", "bool", True, "VBP-4", _("非中选产品采购量不得超过中选产品"),
    help=_("已由 vbp.non_selected_cap_mode（关闭/提示/拒绝）取代，平台不再读取此项。"),
)
define(
    "vbp.non_selected_cap_mode", "choice", "off", "VBP-4", _("非中选产品采购量上限（关闭/提示/拒绝）"),
    help=_("off：不设上限（江苏文件：剩余用量可采购其他挂网价格适宜的产品，默认）；"
           "warn：超过同品种中选产品采购量时订单照常提交并提示监管部门；"
           "refuse：超过时拒绝订单（吉林文件 003 §三(三)“原则上”）。"),
    choices=("off", "warn", "refuse"),
)
define(
    "vbp.prepayment_min_first_percent", "decimal", D("30"), "VBP-7", _("医保首次预付最低比例（%）"),
    help=_("江苏文件：医保基金预付不低于带量采购合同金额的一定比例；预付计划的开始比例低于此值时按此值预付。"),
    min=D("0"), max=D("100"),
)
define(
    "vbp.lag_threshold_points", "decimal", D("10"), "VBP-6", _("进度滞后提醒阈值（百分点）"),
    help=_("完成进度低于时间进度超过此百分点数的合同，月度任务提醒医疗机构。"), min=D("0"), max=D("100"),
)
define(
    "vbp.persistent_lag_months", "int", 3, "VBP-6", _("持续滞后通报月数"),
    help=_("连续此月数进度滞后的医疗机构列入通报。"), min=1, max=24,
)
define(
    "vbp.alliance_min_cities", "int", 5, "VBP-9", _("区域联盟最少设区市数"),
    help=_("普通医用耗材、体外诊断试剂区域联盟采购须覆盖的设区市数下限（文件：不少于5个）。"), min=1, max=13,
)
define(
    "vbp.alliance_filing_working_days", "int", 5, "VBP-9", _("联盟采购方案提前备案工作日数"),
    help=_("牵头市须在发布采购文件前至少此工作日数报省医保局备案（文件：5个工作日）。"), min=1, max=60,
)
define(
    "vbp.prepayment_shares", "json", {"start": 50, "midterm": 45, "final": 5}, "VBP-7", _("医保预付比例（%）"),
    help=_("首期预付为采购周期开始时预付的百分比；中期为时间过半或完成约定量一半（以先到者为准）时再预付的百分比；"
         "期末清算为完成时结算的百分比。三者之和须为 100。"),
    validate=v.prepayment_shares,
)

# ---------------------------------------------------------------- §10 emergency purchasing
define(
    "emg.formalities_working_days", "int", 20, "EMG-1", _("应急采购补办手续时限（工作日）"),
    help=_("应急线下采购后须在此工作日数内在平台补办备案/报告手续，逾期提示医保部门。"), min=1, max=120,
)
define(
    "emg.deduction_ratio_percent", "decimal", D("100"), "EMG-2", _("超范围应急采购医保基金扣减比例（%）"),
    help=_("超出规定范围的应急采购，按此比例扣减其医保基金支付部分（004 第四条“按规定比例”）；按采购日适用的比例计算。"),
    min=D("0"), max=D("100"),
)
define(
    "emg.reminder_working_days_before", "int", 5, "EMG-1", _("应急采购补办手续到期前提醒（工作日）"),
    help=_("补办手续截止日前此工作日数起提醒医疗机构（申报时另即时提醒一次）。"), min=1, max=20,
)
define(
    "emg.drug_formalities_kind", "choice", "report", "EMG-1", _("药品应急采购补办手续类型"),
    help=_("文件对药品仅称“有关手续”：report：向平台补报采购情况（采购凭证、审批材料）；"
         "filing：补办备案采购手续。耗材固定为补办备案采购手续（002 §19）。"),
    choices=("report", "filing"),
)
define(
    "sho.pre_approval_required", "bool", False, "SHO-1", _("短缺药品自主采购须省医保局事先确认"),
    help=_("为“否”（默认）时，医疗机构上报议价结果并通过自动校验后即可在平台采购，省医保局事后审核；"
         "为“是”时，须经省医保局确认后方可采购。"),
)

# ---------------------------------------------------------------- §11 insurance payment
define(
    "ins.payment_standard_method", "choice", "weighted_mean_capped", "INS-1", _("医保支付标准测算方法"),
    help=_("weighted_mean_capped：上一年度已确认议价价格的量价加权平均，不高于挂网价；"
         "listing_price：按挂网价；lowest_negotiated：按上一年度最低议价价格。"),
    choices=("weighted_mean_capped", "listing_price", "lowest_negotiated"),
)

# ---------------------------------------------------------------- §12 monitoring (网上采购率)
define(
    "mon.report_day", "int", 15, "MON-2", _("医疗机构月报截止日"),
    help=_("二级及以上公立医疗机构每月此日前报送上月采购数据。"), min=1, max=28,
)
define(
    "mon.city_forward_day", "int", 20, "MON-2", _("设区市汇总上报截止日"),
    help=_("各设区市每月此日前将三级医疗机构汇总数据报送省医保局。"), min=1, max=28,
)
define(
    "mon.reminder_day", "int", 13, "MON-2", _("月报提醒日"),
    help=_("每月此日提醒尚未报送月报的医疗机构。"), min=1, max=28,
)
define(
    "mon.institution_escalation_day", "int", 16, "MON-2", _("医疗机构逾期上报提示日"),
    help=_("每月此日将仍未报送月报的医疗机构提示给所属设区市医保局。"), min=1, max=28,
)
define(
    "mon.city_escalation_day", "int", 21, "MON-2", _("设区市逾期上报提示日"),
    help=_("每月此日将仍未汇总上报的设区市提示给省医保局。"), min=1, max=28,
)
define(
    "mon.targets", "json", {"2022": {"drug": "85", "consumable": "75"}}, "MON-4", _("网上采购率目标（%）"),
    help=_("按起始年度设定药品、医用耗材的网上采购率目标（%）：某年度适用不晚于该年度的最近一项，早于最早年度的没有目标。"
         "文件要求“十四五”末全部网上采购，可增加一个年度、目标为 100 的项。"),
    validate=v.monitoring_targets,
)
define(
    "mon.discrepancy_tolerance_percent", "decimal", D("1"), "MON-5", _("自报与平台数据差异容差（%）"),
    help=_("医疗机构自报的平台采购金额与平台订单入库记录的差异超过此百分比的，标记为数据异常。"),
    min=D("0"), max=D("100"),
)

# ---------------------------------------------------------------- §13 orders and settlement
define(
    "ord.payment_term_days", "int", 30, "ORD-2", _("回款期限（天）"),
    help=_("合同未约定回款期限的，医疗机构自入库起此天数内回款，逾期标记为回款超时。"), min=1, max=365,
)

# ---------------------------------------------------------------- §14 qualifications and bad records
define(
    "qua.expiry_reminder_days", "int", 30, "QUA-1", _("资质到期提醒天数"),
    help=_("企业资质在到期前此天数内提醒企业更新（资质过期将阻止新的申请）。"), min=1, max=365,
)
define(
    "bad.ban_enabled", "bool", False, "BAD-2", _("不良记录企业禁止参与采购"),
    help=_("仅见于征求意见稿（001），正式文件已改为对产品作处理，故默认“否”。为“是”时，列入不良记录名单的企业"
           "在禁入期内不得以任何方式参与本省公立医疗机构采购：挂网申请、议价、订单、备案采购、带量采购。"),
)
define(
    "bad.ban_years", "int", 2, "BAD-2", _("不良记录禁入年数"),
    help=_("列入不良记录名单之日起的禁入年数。"), min=1, max=10,
)

# ---------------------------------------------------------------- §15 experts
define(
    "exp.max_redraws", "int", 2, "EXP-1", _("评审/谈判场次重新抽取专家次数上限"),
    help=_("专家抽取的随机种子由平台生成；同一场次因回避、缺席等原因重新抽取须填写原因，且次数不得超过此值。"),
    min=0, max=10,
)
define(
    "exp.review_pass_percent", "decimal", D("50"), "EXP-1", _("专家评审通过所需同意比例（%，须超过）"),
    help=_("抽取专家均提交评审意见后，同意票占抽取专家人数的比例超过此值即评审通过，否则评审未通过。"),
    min=D("0"), max=D("99"),
)
