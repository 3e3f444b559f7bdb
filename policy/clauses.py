"""The policy-document clause each parameter's rule rests on, in the documents' own names
(issue 15 item 5: the parameter pages cite the document, not a rule key or "RULES.md").

The clauses are those RULES.md cites for the rule (its `file §section` references, with the
file numbers replaced by the documents' titles). Where the documents leave the number open,
that is what the page says: the value is the provincial regulator's setting."""

from django.utils.translation import gettext_lazy as _

DRUGS = "苏医保发〔2020〕35号"            # 000
DRUGS_DRAFT = "苏医保发〔2020〕35号征求意见稿"  # 001
CONSUMABLES = "苏医保发〔2020〕22号"      # 002
VBP = "吉医保联〔2019〕23号"              # 003
MONITORING = "苏医保发〔2022〕38号"       # 004

CLAUSES = {
    "§0": _("平台运行设置（政策文件未作规定，由省医保局设定）"),
    "LST-0.1": f"{DRUGS} 附件 二（原则上每月集中调整一次挂网）",
    "LST-0.2": f"{DRUGS} 附件 二（三）1",
    "LST-2.1": f"{DRUGS} 正文（三）、附件 二（三）",
    "LST-2.2.1": f"{DRUGS} 附件 二（三）；《药品差比价规则》（发改价格〔2011〕2452号）",
    "LST-8.3": f"{DRUGS} 附件 二（三）（麻醉药品和精神药品按国家规定）",
    "LST-C2": f"{CONSUMABLES} 第七至十条",
    "LST-C4": f"{CONSUMABLES} 第七至十条",
    "PRC-1": f"{DRUGS} 正文（三）、附件 二（四）1；{CONSUMABLES} 第十三条",
    "PRC-2": f"{DRUGS} 附件 二（四）1；{CONSUMABLES} 第十三条",
    "DEL-1": f"{DRUGS} 附件 二（四）2",
    "NEG-3": f"{DRUGS} 附件 二（五）2",
    "NEG-4": f"{CONSUMABLES} 第十一条",
    "ZON-2": f"{DRUGS} 正文（四）2、附件 二（六）；{CONSUMABLES} 第十二条（文件未规定分区阈值）",
    "ZON-3": f"{DRUGS} 正文（四）2、附件 二（六）",
    "FIL-3": f"{DRUGS} 正文（五）、附件 三",
    "FIL-4": f"{DRUGS} 正文（五）、附件 三",
    "FIL-C1": f"{CONSUMABLES} 第十五至十九条",
    "FIL-C5": f"{CONSUMABLES} 第二十九条",
    "VBP-4": f"{VBP} 三（三）",
    "VBP-6": f"{DRUGS} 附件 四（九）3；{CONSUMABLES} 第二十五条",
    "VBP-7": f"{VBP} 三（五）；{DRUGS} 附件 五（十二）",
    "VBP-9": f"{CONSUMABLES} 第二十一至二十五条",
    "SHO-1": f"{DRUGS} 附件 二（三）8(1)",
    "EMG-1": f"{DRUGS} 附件 五（十）；{CONSUMABLES} 第十九条",
    "EMG-2": f"{MONITORING} 四（一）",
    "INS-1": f"{DRUGS} 附件 五（十一）1(1)",
    "INS-2": f"{DRUGS} 附件 五（十一）1(2)",
    "INS-4": f"{VBP} 三（六）",
    "INS-7": f"{MONITORING} 四（二）",
    "MON-2": f"{MONITORING} 附件 二（一）",
    "MON-4": f"{MONITORING} 附件 一（三）",
    "MON-5": f"{MONITORING} 附件 三",
    "ORD-2": f"{DRUGS} 附件 六（十四）（十五）",
    "PUB-1": f"{DRUGS} 附件 八（二十二）",
    "QUA-1": f"{DRUGS} 附件 七（十七）至（二十）；{CONSUMABLES} 第三十四至三十七条",
    "BAD-1": f"{DRUGS} 正文（十五）、附件 七（二十一）；{CONSUMABLES} 第三十八条",
    "BAD-2": f"{DRUGS_DRAFT}（终稿未保留，默认关闭）",
    "EXP-1": f"{DRUGS} 正文（九）（十六）；{CONSUMABLES} 第八条、第十条",
}


def clause_of(rule: str) -> str:
    """The document clause of `rule`; a rule without a recorded clause names none rather than a key."""
    return str(CLAUSES.get(rule, _("省医保局设定")))
