"""PRC-2 parameter not (yet) declared in policy/parameters.py: the draft 001 option of
linking the yearly adjustment with in-province actual purchase results. Declared here
through the shared registry (policy.registry.define) so it is versioned, seeded and
editable like every other parameter; the policy owner may move it into policy/parameters.py
unchanged (same key) — then delete this module."""

from policy.registry import PARAMETERS, define

if "prc.general_use_actual_purchase" not in PARAMETERS:
    define(
        "prc.general_use_actual_purchase", "bool", False, "PRC-2", "年度联动参考省内实际采购价",
        help="为“是”时，年度挂网价格联动同时参考省内医疗机构实际采购结果（征求意见稿 001）："
             "拟调整价取挂网价、全国最低价与省内实际采购最低价三者中的最低者。",
    )
