"""The policy documents the platform applies (PUB-1 "政策文件"), as the province published
them. Only Jiangsu's own documents are listed to the public; the Jilin VBP text is a
reference the platform borrows defaults from, named where it is used. Titles are shown in the
reader's language (an English reader gets the official title translated)."""

from datetime import date

from django.utils.translation import gettext_lazy as _

POLICY_DOCUMENTS = [
    {"number": _("苏医保发〔2020〕35号"), "title": _("江苏省医疗保障局关于推进药品阳光采购的实施意见（试行）（附：江苏省药品阳光采购实施细则（试行））"),
     "issued": None, "effective": date(2020, 5, 1), "scope": _("药品")},
    {"number": _("苏医保发〔2020〕22号"), "title": _("江苏省医疗保障局关于印发《江苏省医用耗材阳光采购实施细则（试行）》的通知"),
     "issued": date(2020, 3, 27), "effective": date(2020, 5, 1), "scope": _("医用耗材")},
    {"number": _("苏医保发〔2022〕38号"), "title": _("关于加强公立医疗机构阳光采购监测工作的通知"),
     "issued": date(2022, 6, 2), "effective": date(2022, 6, 2), "scope": _("采购监测")},
]
