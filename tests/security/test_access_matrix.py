"""ACT-1…ACT-8 / AUD-1: the access matrix — every state-changing URL and API route × every
principal (7 roles, the HIS token, anonymous), each request with a payload that the role
allowed to act would get through, so that only the role decides.

For every (route, principal) the table below declares the expected status; a principal
whose status is a refusal (401/403/404/405 or the sign-in redirect) must leave every
business table exactly as it was (md5 of each table's rows before and after). The allowed
principal must really write (its payload is a working one), otherwise a refusal would prove
nothing. Every route the URL resolver knows must be declared here, as READ or with its
cases: a new route fails `test_every_route_is_declared` until its row is written.

Size (2026-11-30): 112 state-changing routes in 133 cases (a route with several actions has a
case per action) × 9 principals = 1,197 requests, each refusal checked against the checksums of
every business table; plus 98 read routes × 9 principals POSTed to (nothing may change) and
every admin "add" page × 4 principals. No route is pending. `test_matrix_size` prints the
current figures."""

import copy
import datetime as dt
import io
import logging
import os

import pytest
import time_machine
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from filing.services import LEGACY_HEADERS
from parties.models import Region
from parties.reference import load_regions
from tests.xlsx import xlsx_bytes

from .matrix import LOGIN, attempt, checksums, is_login_redirect, refused, routes
from .world import PASSWORD, ROLES, build_channels, build_world, otp_token, pdf, xlsx_file

DISCOVER = os.environ.get("MATRIX_DISCOVER") == "1"
ENTERPRISE = ("manufacturer", "distributor")
REGULATORS = ("county_regulator", "city_regulator", "province_regulator")
SIGNED_IN = ("manufacturer", "distributor", "institution", "county_regulator", "city_regulator",
             "province_regulator", "expert")


def expect(allow: dict, *_, **__):
    """The roles that get through and their status; refusals are declared in REFUSALS."""
    return dict(allow)


expect_api = expect


def _parse(spec: str) -> dict:
    out = {}
    for group in filter(str.strip, spec.split("|")):
        status, roles = group.split(":")
        status = status.strip()
        for role in roles.split():
            out[role] = LOGIN if status == "login" else int(status)
    return out


class Case:
    def __init__(self, route, expected, *, kwargs=None, data=None, method="post", label="", writes=True, reads=(),
                 multipart=False, settings=None):
        self.route, self.allowed, self.method, self.label, self.writes = route, expected, method, label, writes
        # An API route that takes files is sent as multipart; `settings` are overridden for the case.
        self.multipart, self.settings = multipart, settings or {}
        # Roles that may open the page but whose POST is ignored: they must change nothing.
        self.reads = reads
        self._kwargs, self._data = kwargs or (lambda w: {}), data or (lambda w: {})

    def url(self, w):
        return reverse(self.route, kwargs=self._kwargs(w))

    def data(self, w):
        return self._data(w)

    @property
    def expected(self):
        refusals = _parse(REFUSALS.get(self.id, ""))
        return {**refusals, **self.allowed}

    @property
    def id(self):
        return f"{self.route}[{self.label}]" if self.label else self.route


def _product_form(w, product=None):
    from catalog.forms import ProductForm

    form = ProductForm(instance=product or w.product)
    data = {k: v for k, v in form.initial.items() if v not in (None, "") and not isinstance(v, list)}
    if product is None:
        data.update(national_code="XM01AAA9999999999999999", specification="99mg")
    data.pop("id", None)
    return data


def _xlsx(headers, rows):
    buf = io.BytesIO(xlsx_bytes(rows, headers))
    buf.name = "upload.xlsx"
    return buf


def _price_upload(w):
    from catalog import services

    return {"file": _xlsx(services.UPLOAD_HEADERS, [[w.product.national_code, "河北省", "", "19.00", "2026-10-01",
                                                     "河北省平台"]])}


def _report_upload(w):
    from monitoring import services

    return {"file": _xlsx(services.UPLOAD_HEADERS, [["2026-10", 1000, 900, 0, 500, 400, 0, "更正"]])}


def _param(w):
    from policy import services

    return {"value": str(services.get("neg.confirm_working_days") + 1), "effective_from": "2026-12-01",
            "reason": "矩阵调整"}


def _reset_link(w):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {"uidb64": urlsafe_base64_encode(force_bytes(w.reset_target.pk)),
            "token": default_token_generator.make_token(w.reset_target)}


def _vbp_headers():
    from vbp import services

    return services.RESULT_HEADERS


P, A = expect, expect_api
PROVINCE = {"province_regulator": 302}
# Roles that see a filing (its institution, the regulators over it, its enterprise) but may not
# take the action: the page answers with a message and a redirect to the filing, writing nothing.
FILING_SEERS = {r: 302 for r in ("distributor", "institution", "county_regulator", "city_regulator",
                                 "province_regulator", "expert")}
DECIDE_SEERS = {r: 302 for r in ("manufacturer", "institution", "county_regulator", "city_regulator")}
WITHDRAW_SEERS = {r: 302 for r in ("manufacturer", "distributor", "county_regulator", "city_regulator",
                                   "province_regulator", "expert")}

CASES = [
    # ------------------------------------------------------------------ catalogue (CAT-1, LST-0.3)
    Case("catalog:product_create", P({"manufacturer": 302, "province_regulator": 302}),
         data=lambda w: {**_product_form(w), "manufacturer": w.maker.pk}),
    Case("catalog:product_edit", P({"manufacturer": 302, "province_regulator": 302}, deny=404),
         kwargs=lambda w: {"pk": w.product.pk},
         # QUA-1: the manufacturer's edit files a change request (with its reason); the province edits.
         data=lambda w: {**_product_form(w, w.product), "pack_unit": "瓶", "reason": "包装单位变更"}),
    Case("catalog:price_add", P({"manufacturer": 302, "city_regulator": 302, "province_regulator": 302}),
         kwargs=lambda w: {"pk": w.product.pk},
         data=lambda w: {"province": "河北省", "price": "19.00", "effective_date": "2026-10-01", "source": "河北省平台"}),
    Case("catalog:catalogue_change", P(PROVINCE), kwargs=lambda w: {"pk": w.consumable.pk},
         data=lambda w: {"action": "add", "reason": "纳入目录"}),
    # Imports run as a job: the page sends the user to its progress (issue 16 item 2).
    Case("catalog:price_upload", P({"manufacturer": 302, "city_regulator": 302, "province_regulator": 302}),
         data=_price_upload),
    # ------------------------------------------------------------------ experts (EXP-1, EXP-2)
    Case("experts:pool", P(PROVINCE), data=lambda w: {
        "expert_user": w.users["expert"].pk, "category": "pharmacy", "employer": "矩阵医院二", "active": "on"}),
    Case("experts:profile_detail", P({"province_regulator": 302, "expert": 302}, deny=404),
         kwargs=lambda w: {"pk": w.profile.pk}, data=lambda w: {"enterprise": w.maker.pk, "description": "曾任职"},
         label="declare"),
    Case("experts:profile_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.profile.pk},
         data=lambda w: {"withdraw": w.conflict.pk, "reason": "已离职"}, label="withdraw"),
    # LST-C4: a city regulator organises its own consumable reviews; the province every session.
    Case("experts:session_list", P({"province_regulator": 302, "city_regulator": 302}), data=lambda w: {
        "purpose": "consumable_review", "title": "矩阵场次二", "date": "2026-12-20"}),
    Case("experts:session_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.planned_session.pk},
         data=lambda w: {"add_case": "1", "product": w.product.national_code, "description": "新增"}, label="add_case"),
    Case("experts:session_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.session.pk},
         data=lambda w: {"draw": "1", "clinical": 2, "insurance": 0, "pharmacy": 0, "management": 0,
                         "reason": "重抽"}, label="draw"),
    Case("experts:case_detail", P({"province_regulator": 302, "expert": 302}, deny=404),
         kwargs=lambda w: {"pk": w.case.pk}, data=lambda w: {"round": "1", "enterprise_offer": "15.00"},
         label="round"),
    Case("experts:case_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.case.pk},
         data=lambda w: {"conclude": "1", "agreed": "1", "final_price": "14.00", "effective_date": "2027-01-01"},
         label="conclude"),
    # ------------------------------------------------------------------ listing (LST-*, DEL-*)
    Case("listing:apply", P({"manufacturer": 302}, deny=404), data=lambda w: {
        "product": w.unlisted.pk, "category": "LST-2.3", "declared_price": "18.90",
        **{f"doc_{c}": pdf(f"{c}.pdf") for c in ("qualification", "province_records", "lowest_price_commitment",
                                                 "quality_commitment")}}),
    Case("listing:apply_check", P({"manufacturer": 200}, deny=404), writes=False,
         data=lambda w: {"product": w.unlisted.pk, "category": "LST-2.3", "declared_price": "18.90"}),
    Case("listing:application_edit", P({"manufacturer": 302}, deny=404), kwargs=lambda w: {"pk": w.returned.pk},
         data=lambda w: {"category": "LST-2.3", "declared_price": "18.80"}),
    # LST-2.3 needs no expert session: the province gets through and is refused by EXP-1 (a message).
    Case("listing:application_attach_expert", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.application.pk},
         data=lambda w: {"session": w.session.pk}, writes=False),
    *[Case("listing:application_decide", P(allow, deny=404), label=action, data=lambda w: {"reason": "矩阵意见"},
           kwargs=lambda w, action=action: {"pk": w.application.pk, "action": action})
      for action, allow in (("confirm", PROVINCE), ("refuse", PROVINCE), ("return", PROVINCE),
                            ("withdraw", {"manufacturer": 302}))],
    Case("listing:listing_status", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.listing.pk},
         data=lambda w: {"action": "suspend", "rule": "DEL-2", "reason": "质量问题"}),
    Case("listing:delist_request", P({"manufacturer": 302}, deny=404), kwargs=lambda w: {"pk": w.listing.pk},
         data=lambda w: {"reason_kind": "stopped_production", "note": "停产"}),
    Case("listing:delist_queue", P(PROVINCE, deny=404),
         data=lambda w: {"request": w.delist_request.pk, "decision": "approve", "reason": "同意"}),
    Case("listing:quality_events", P(PROVINCE, deny=404), data=lambda w: {
        "product_code": w.product.national_code, "kind": "failure", "event_date": "2026-11-01",
        "authority_level": "province", "severity": "minor", "description": "抽检不合格"}),
    # ------------------------------------------------------------------ monitoring (MON-*)
    Case("monitoring:report_new", P({"institution": 302}), data=lambda w: {
        "month": "2026-10", "drug_total": "1000", "drug_platform": "800", "drug_emergency": "0",
        "consumable_total": "500", "consumable_platform": "400", "consumable_emergency": "0", "reason": "更正"}),
    Case("monitoring:report_upload", P({"institution": 302}), data=_report_upload),
    Case("monitoring:forward_list", P({"city_regulator": 302, "province_regulator": 200}), reads=("province_regulator",), data=lambda w: {"month": "2026-10"}),
    Case("monitoring:flag_list", P({r: 302 for r in REGULATORS}), data=lambda w: {
        "flag": w.flag.pk, "outcome": "reminder", "note": "已提醒", "inspected_on": "2026-11-20"}),
    Case("monitoring:bulletin_list", P({"city_regulator": 302, "province_regulator": 302}, anonymous=403, his=403),
         data=lambda w: {"year": "2026", "quarter": "3"}),
    # ------------------------------------------------------------------ negotiation (NEG-*, ZON-3)
    Case("negotiation:proposal_new", P({"institution": 302}), kwargs=lambda w: {"listing_id": w.listing_c.pk},
         data=lambda w: {"unit_price": "28.00", "quantity": "50"}),
    Case("negotiation:proposal_answer", P({"manufacturer": 302}, deny=404), kwargs=lambda w: {"pk": w.proposal.pk},
         data=lambda w: {"decision": "confirm"}, label="confirm"),
    Case("negotiation:proposal_answer", P({"manufacturer": 302}, deny=404), kwargs=lambda w: {"pk": w.proposal.pk},
         data=lambda w: {"decision": "decline", "reason": "价格过低"}, label="decline"),
    Case("negotiation:agreement_sign", P({"manufacturer": 302}, deny=404), kwargs=lambda w: {"pk": w.agreement.pk}),
    Case("negotiation:group_list", P({"institution": 302}),
         data=lambda w: {"name": "矩阵组团二", "institutions": [w.other_institution.pk]}),
    Case("negotiation:group_join", P({"institution": 302}, deny=404), kwargs=lambda w: {"pk": w.group.pk},
         data=lambda w: {"quantity": "100"}),  # NEG-5: each member records its own quantity
    Case("negotiation:interview_list", P({r: 302 for r in REGULATORS}), data=lambda w: {
        "interview": w.interview.pk, "outcome": "interviewed", "note": "已约谈"}),
    # ------------------------------------------------------------------ notifications
    Case("notifications:open", P({"institution": 302}, deny=404), method="get",
         kwargs=lambda w: {"pk": w.notifications["institution"].pk}),
    Case("notifications:mark_all_read", P({r: 302 for r in SIGNED_IN})),
    # ------------------------------------------------------------------ orders (ORD-*, DEL-1)
    Case("orders:shop", P({"institution": 302}), data=lambda w: {f"qty_{w.product.pk}": "2"}),
    # issue 15 item 1: the cart (one line by htmx or plain POST, the .xlsx upload, re-order).
    Case("orders:cart_line", P({"institution": 302}), kwargs=lambda w: {"product_id": w.product.pk},
         data=lambda w: {"quantity": "3"}),
    Case("orders:cart", P({"institution": 302}), data=lambda w: {
        "action": "upload", "file": xlsx_file([["国家医保编码", "采购数量"], [w.product.national_code, 2]])}),
    Case("orders:reorder", P({"institution": 302}), kwargs=lambda w: {"pk": w.order.pk}),
    Case("orders:order_detail", P({"distributor": 302}, deny=404), kwargs=lambda w: {"pk": w.order.pk},
         data=lambda w: {"action": "confirm", "line": [w.line.pk]}, label="confirm"),
    Case("orders:order_detail", P({"distributor": 302}, deny=404), kwargs=lambda w: {"pk": w.order.pk},
         data=lambda w: {"action": "decline", "line": w.line.pk, "reason": "缺货"}, label="decline"),
    Case("orders:order_detail", P({"institution": 302}, deny=404), kwargs=lambda w: {"pk": w.order.pk},
         data=lambda w: {"action": "cancel", "line": w.line.pk}, label="cancel"),
    # A refused shipment is shown again on the page with each line's error on its row (issue 15
    # item 2), so the allowed distributor gets 200 and nothing is written.
    Case("orders:order_detail", P({"distributor": 200}, deny=404), kwargs=lambda w: {"pk": w.shipped_line.order_id},
         data=lambda w: {"action": "ship", f"ship_{w.shipped_line.pk}": "0"}, label="ship", writes=False),
    Case("orders:return_create", P({"institution": 302}), kwargs=lambda w: {"pk": w.received_line.pk},
         data=lambda w: {"quantity": "1", "reason": "破损"}),
    Case("orders:receiving", P({"institution": 302}), data=lambda w: {
        "delivery": w.delivery.pk, "received_on": "2026-11-21"}),
    Case("orders:payments", P({"institution": 302}), data=lambda w: {
        "action": "account", "bank_name": "矩阵银行", "account_name": "矩阵人民医院", "account_number": "6222000011112222"},
         label="account"),
    Case("orders:payments", P({"institution": 302}), data=lambda w: {
        "action": "pay", "invoice": w.invoice.pk, "amount": "10.00", "paid_on": "2026-11-22", "reference": "MXP-1"},
         label="pay"),
    Case("orders:payments", P({"distributor": 302}), data=lambda w: {
        "action": "invoice", "delivery": w.received_delivery.pk, "number": "MXI-2", "amount": "1.00",
        "issued_on": "2026-11-22"}, label="invoice"),
    Case("orders:offplatform", P({"institution": 302}), data=lambda w: {
        "item_name": "线下采购品", "kind": "drug", "amount": "100.00", "received_on": "2026-11-20", "reason": "other",
        "note": "矩阵"}),
    Case("orders:nosales", P(PROVINCE), data=lambda w: {"action": "dismiss", "case": w.nosales.pk, "note": "有销售"},
         label="dismiss"),
    Case("orders:nosales", P({"institution": 302}), data=lambda w: {
        "action": "request", "case": w.nosales_suspended.pk, "reason": "临床需要"}, label="request"),
    Case("orders:nosales", P(PROVINCE), data=lambda w: {
        "action": "approve", "request": w.restoration.pk, "note": "同意"}, label="approve"),
    # ------------------------------------------------------------------ parties (ACT-7)
    Case("parties:api_client_create", P({"institution": 200, "province_regulator": 200}),
         data=lambda w: {"name": "矩阵HIS二", "institution": w.institution.pk}),
    Case("parties:api_client_revoke", P({"institution": 302, "province_regulator": 302}, deny=404),
         kwargs=lambda w: {"pk": w.api_client_to_revoke.pk}, data=lambda w: {"reason": "更换厂商"}),
    # ------------------------------------------------------------------ policy
    Case("policy:parameter_detail", P(PROVINCE), kwargs=lambda w: {"key": "neg.confirm_working_days"}, data=_param),
    # ------------------------------------------------------------------ pricing (PRC-1…3)
    Case("pricing:linkage_detail", P({"manufacturer": 302}, deny=404), kwargs=lambda w: {"pk": w.linkage.pk},
         data=lambda w: {"declare": "1", "price": "12.00", "note": "按浙江价"}, label="declare"),
    Case("pricing:linkage_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.linkage.pk},
         data=lambda w: {"decision": "close", "note": "关闭"}, label="close"),
    Case("pricing:round_list", P(PROVINCE), data=lambda w: {"year": "2027"}),
    Case("pricing:round_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.round.pk},
         data=lambda w: {"publish": "1"}, label="publish"),
    Case("pricing:complaint_create", P({"manufacturer": 302, "distributor": 302, "institution": 302}),
         data=lambda w: {"subject": "other", "title": "矩阵申诉二", "text": "内容"}),
    Case("pricing:complaint_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.complaint.pk},
         data=lambda w: {"assign": "1", "assignee": w.users["province_regulator"].pk}, label="assign"),
    Case("pricing:complaint_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.complaint.pk},
         data=lambda w: {"answer_submit": "1", "outcome": "rejected", "answer": "不成立", "publish": "on"},
         label="answer"),
    # ------------------------------------------------------------------ qualifications (QUA-*, BAD-*)
    Case("qualifications:qualification_create", P({"manufacturer": 302, "distributor": 302}), data=lambda w: {
        "kind": "drug_manufacturing", "number": "MX-0002", "valid_from": "2026-01-01", "valid_until": "2030-01-01",
        "file": pdf("licence2.pdf")}),
    Case("qualifications:qualification_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.qualification.pk},
         data=lambda w: {"action": "review", "decision": "approve", "reason": "齐全"}, label="review"),
    Case("qualifications:qualification_detail", P({"distributor": 302}, deny=404),
         kwargs=lambda w: {"pk": w.qualification.pk},
         data=lambda w: {"action": "withdraw", "reason": "错误上传"}, label="withdraw"),
    Case("qualifications:distribution_list", P({"manufacturer": 302}), data=lambda w: {
        "distributor": w.other_distributor.pk, "city": w.nanjing.pk}),
    Case("qualifications:distribution_answer", P({"distributor": 302}, deny=404),
         kwargs=lambda w: {"pk": w.pending_relationship.pk}, data=lambda w: {"decision": "accept"}),
    Case("qualifications:distribution_end", P({"manufacturer": 302, "distributor": 302}, deny=404),
         kwargs=lambda w: {"pk": w.relationship.pk}, data=lambda w: {"reason": "合作结束"}),
    Case("qualifications:bad_record_list", P(PROVINCE), data=lambda w: {
        "enterprise": w.maker.pk, "kind": "untrue_price", "severity": "warning", "recorded_on": "2026-11-20",
        "description": "虚假申报"}, label="enter"),
    Case("qualifications:bad_record_list", P(PROVINCE), data=lambda w: {
        "revoke": w.bad_record.pk, "reason": "认定有误"}, label="revoke"),
    # ------------------------------------------------------------------ work calendar
    Case("workcalendar:set_day", P(PROVINCE), data=lambda w: {"date": "2027-03-09", "kind": "holiday",
                                                              "name": "矩阵假日二"}),
    Case("workcalendar:withdraw_day", P(PROVINCE), data=lambda w: {"date": "2027-03-08", "reason": "登记有误"}),
    Case("workcalendar:confirm_year", P(PROVINCE), data=lambda w: {"year": "2027", "note": "已核对国务院通知"}),
    # ------------------------------------------------------------------ API (INT-*, ACT-7)
    Case("catalog-api:product_prices", A({"manufacturer": 201, "city_regulator": 201, "province_regulator": 201}),
         kwargs=lambda w: {"pk": w.product.pk},
         data=lambda w: {"province": "河北省", "price": "19.00", "effective_date": "2026-10-01", "source": "河北"}),
    Case("monitoring-api:reports", A({"institution": 201, "his": 201}), data=lambda w: {
        "month": "2026-10", "drug_total": "1000", "drug_platform": "800", "drug_emergency": "0",
        "consumable_total": "500", "consumable_platform": "400", "consumable_emergency": "0", "reason": "更正"}),
    Case("negotiation-api:proposal-list", A({"institution": 201, "his": 201}),
         data=lambda w: {"listing_id": w.listing_c.pk, "unit_price": "28.00", "quantity": "50"}),
    Case("negotiation-api:proposal-confirm", A({"manufacturer": 200}, deny=404), kwargs=lambda w: {"pk": w.proposal.pk}),
    Case("negotiation-api:proposal-decline", A({"manufacturer": 200}, deny=404), kwargs=lambda w: {"pk": w.proposal.pk},
         data=lambda w: {"reason": "价格过低"}),
    Case("orders-api:orders", A({"institution": 201, "his": 201}),
         data=lambda w: {"lines": [{"national_code": w.product.national_code, "quantity": 2}], "external_ref": "MX-9"}),
    Case("orders-api:receipts", A({"institution": 201, "his": 201}),
         data=lambda w: {"delivery": w.delivery.pk, "received_on": "2026-11-21"}),
    Case("orders-api:returns", A({"institution": 201, "his": 201}),
         data=lambda w: {"order_line": w.received_line.pk, "quantity": 1, "reason": "破损"}),
    Case("orders-api:payments", A({"institution": 201, "his": 201}),
         data=lambda w: {"invoice": w.invoice.pk, "amount": "10.00", "paid_on": "2026-11-22", "reference": "MXP-2"}),
    Case("orders-api:offplatform", A({"institution": 201, "his": 201}), data=lambda w: {"items": [{
        "item_name": "线下采购品", "kind": "drug", "amount": "100.00", "received_on": "2026-11-20", "reason": "other", "note": "矩阵"}]}),
    Case("parties-api:apiclient-list", A({"institution": 201, "province_regulator": 201}),
         data=lambda w: {"name": "矩阵HIS三", "institution": w.institution.pk}),
    Case("parties-api:apiclient-revoke", A({"institution": 200, "province_regulator": 200}, deny=404),
         kwargs=lambda w: {"pk": w.api_client_to_revoke.pk}, data=lambda w: {"reason": "更换厂商"}),
    Case("pricing-api:linkage_declare", A({"manufacturer": 200}, deny=404), kwargs=lambda w: {"pk": w.linkage.pk},
         data=lambda w: {"price": "12.00", "note": "按浙江价"}),
    # ------------------------------------------------------------------ accounts (issue 16 item 8)
    Case("password_change", P({r: 302 for r in SIGNED_IN}), data=lambda w: {
        "old_password": PASSWORD, "new_password1": "k7#Vq9-mZ2pL", "new_password2": "k7#Vq9-mZ2pL"}),
    # A regulator resets an account in its scope (here an institution of its county): the page
    # shows the temporary password once (200).
    Case("account_user_reset", P({r: 200 for r in REGULATORS}, deny=403), kwargs=lambda w: {"pk": w.reset_target.pk},
         data=lambda w: {"reason": "本人电话申请，已核实身份"}),
    Case("otp_setup", P({r: 302 for r in REGULATORS}), data=lambda w: {"token": otp_token()}),
    # Nobody in the world has a confirmed device: verification has nothing to verify (a redirect).
    Case("otp_verify", P({r: 302 for r in SIGNED_IN}), data=lambda w: {"token": otp_token()}, writes=False),
    # The e-mailed reset exists only where mail is configured: switched on for these cases. The
    # request sends a mail and writes nothing; the link's first use only moves the token into
    # the session (the password is set by the next request, on the set-password page).
    Case("password_reset", P({r: 302 for r in (*SIGNED_IN, "his", "anonymous")}), writes=False,
         data=lambda w: {"email": w.reset_target.email}, settings={"PASSWORD_RESET_BY_EMAIL": True}),
    Case("password_reset_confirm", P({r: 302 for r in (*SIGNED_IN, "his", "anonymous")}), writes=False,
         kwargs=_reset_link, data=lambda w: {"new_password1": "k7#Vq9-mZ2pL", "new_password2": "k7#Vq9-mZ2pL"},
         settings={"PASSWORD_RESET_BY_EMAIL": True}),
    # ------------------------------------------------------------------ catalogue change requests (QUA-1)
    Case("catalog:change_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.change_request.pk},
         data=lambda w: {"decision": "confirm", "reason": "核实无误"}, label="confirm"),
    Case("catalog:change_detail", P({"manufacturer": 302}, deny=404), kwargs=lambda w: {"pk": w.change_request.pk},
         data=lambda w: {"action": "withdraw", "reason": "填写有误"}, label="withdraw"),
    # ------------------------------------------------------------------ filing (FIL-*)
    Case("filing:new", P({"institution": 302}), data=lambda w: {
        "kind": "high_value", "national_code": w.filing_free.national_code, "price": "100.00", "quantity": "10",
        "reason": "临床急需"}),
    # The filing pages show a refusal as a message on the filing (302, nothing written) to the
    # roles that may see it; the others get 404.
    Case("filing:enterprise", P({"manufacturer": 302, **FILING_SEERS}), reads=tuple(FILING_SEERS),
         kwargs=lambda w: {"pk": w.filing_awaiting.pk},
         data=lambda w: {"agreed_price": "100.00", "agreed_quantity": "10"}),
    Case("filing:decide", P({**PROVINCE, **DECIDE_SEERS}), reads=tuple(DECIDE_SEERS),
         kwargs=lambda w: {"pk": w.filing_submitted.pk},
         data=lambda w: {"action": "approve", "reason": "同意"}),
    Case("filing:withdraw", P({"institution": 302, **WITHDRAW_SEERS}), reads=tuple(WITHDRAW_SEERS),
         kwargs=lambda w: {"pk": w.filing_awaiting.pk},
         data=lambda w: {"reason": "不再需要"}),
    Case("filing:to_listing", P({"manufacturer": 302, **FILING_SEERS}), reads=tuple(FILING_SEERS),
         kwargs=lambda w: {"pk": w.filing_confirmed.pk},
         data=lambda w: {f"doc_{c}": pdf(f"{c}.pdf") for c in ("qualification", "province_records", "filing_records")}),
    Case("filing:legacy_import", P({"province_regulator": 200}), data=lambda w: {"file": xlsx_file([
        LEGACY_HEADERS, ["高值医用耗材", w.institution.name, w.legacy_product.national_code, "100", "5", "2025-06-01",
                         "省级", "是"]])}),
    Case("filing:order", P({"institution": 302}), data=lambda w: {f"qty_{w.filing_confirmed.product_id}": "1"}),
    # County and city regulators may open the page; the service refuses their standard (FIL-C5).
    Case("filing:payment_standards", P({**PROVINCE, "county_regulator": 200, "city_regulator": 200}),
         reads=("county_regulator", "city_regulator"), data=lambda w: {
        "national_code": w.filing_confirmed.product.national_code, "amount": "90.00", "reason": "按同类产品确定"}),
    Case("filing-api:filing-list", A({"institution": 201, "his": 201}), data=lambda w: {
        "kind": "high_value", "national_code": w.filing_free.national_code, "price": "100.00", "quantity": "10"}),
    Case("filing-api:filing-enterprise", A({"manufacturer": 200}, deny=404), kwargs=lambda w: {"pk": w.filing_awaiting.pk},
         data=lambda w: {"agreed_price": "100.00", "agreed_quantity": "10"}),
    Case("filing-api:filing-decide", A({"province_regulator": 200}, deny=404),
         kwargs=lambda w: {"pk": w.filing_submitted.pk}, data=lambda w: {"action": "approve", "reason": "同意"}),
    # ------------------------------------------------------------------ insurance (INS-*)
    Case("insurance:run_list", P(PROVINCE), data=lambda w: {"year": "2027"}),
    Case("insurance:run_publish", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.run.pk}),
    Case("insurance:standard_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.standard.pk},
         data=lambda w: {"amount": "17.50", "reason": "专家复核"}),
    Case("insurance:ledger", P({"city_regulator": 302, "province_regulator": 302}), data=lambda w: {
        "action": "budget", "institution": w.institution.pk, "year": "2026", "kind": "drug", "amount": "100000"}),
    # ------------------------------------------------------------------ NEG-4 evidence (API)
    Case("negotiation-api:proposal-contest", A({"manufacturer": 200}, deny=404),
         kwargs=lambda w: {"pk": w.evidenced.pk}, data=lambda w: {"reason": "该发票为赠品折算价"}),
    Case("negotiation-api:proposal-evidence", A({"province_regulator": 200}, deny=404),
         kwargs=lambda w: {"pk": w.evidenced.pk}, data=lambda w: {"accept": True, "note": "发票属实"}),
    # ------------------------------------------------------------------ oversight (BAD-1)
    Case("oversight:signal_decide", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.signal.pk},
         data=lambda w: {"action": "dismiss", "reason": "原料涨价，有据"}),
    # ------------------------------------------------------------------ shortage and emergency (SHO-1, EMG-*)
    Case("shortage:need_create", P({"institution": 302}), data=lambda w: {
        "generic_name": "矩阵短缺药丙", "dosage_form": "注射剂", "quantity": "20", "note": "新增需求"}),
    Case("shortage:need_detail", P({"institution": 302}, deny=404), kwargs=lambda w: {"pk": w.need.pk}, data=lambda w: {
        "negotiation": "1", "enterprise": w.maker.pk, "price": "30.00", "quantity": "100", "held_on": "2026-11-20",
        "note": "线下议价"}, label="negotiation"),
    Case("shortage:need_detail", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.need_reported.pk},
         data=lambda w: {"review": "1", "ok": "1", "note": "同意"}, label="review"),
    Case("shortage:list_import", P(PROVINCE), data=lambda w: {
        "kind": "watch", "source": "矩阵卫药〔2026〕2号", "effective_from": "2026-12-01",
        "file": xlsx_file([["通用名", "剂型", "规格", "国家医保药品编码", "备注"], ["矩阵监测药", "片剂", "", "", ""]])}),
    Case("shortage:emergency_create", P({"institution": 302}), data=lambda w: {
        "kind": "drug", "item_name": "矩阵急救药二 5mg", "supplier": "某制药有限公司", "emergency_kind": "rescue",
        "emergency_note": "急诊抢救", "clinical_necessity": "无替代品种", "approved_by": "张院长",
        "approval_date": "2026-11-21", "purchase_date": "2026-11-21", "quantity": "5", "amount": "500.00",
        "insurance_paid": "0"}),
    Case("shortage:emergency_detail", P({"institution": 302}, deny=404), kwargs=lambda w: {"pk": w.emergency.pk},
         data=lambda w: {"formalities": "1", "ref": "补办审批 MX-1", "document": pdf("formalities.pdf")},
         label="formalities"),
    Case("shortage:emergency_detail", P({"city_regulator": 302, "province_regulator": 302}),
         kwargs=lambda w: {"pk": w.emergency_completed.pk}, data=lambda w: {"review": "close", "scope": "in",
                                                                  "note": "属应急采购"}, label="review"),
    Case("shortage-api:emergency_list", A({"institution": 201, "his": 201}), data=lambda w: {
        "kind": "drug", "item_name": "矩阵急救药三 5mg", "supplier": "某制药有限公司", "emergency_kind": "rescue",
        "emergency_note": "急诊抢救", "clinical_necessity": "无替代品种", "approved_by": "张院长",
        "approval_date": "2026-11-21", "purchase_date": "2026-11-21", "quantity": "5", "amount": "500.00"}),
    Case("shortage-api:emergency_formalities", A({"institution": 200, "his": 200}, deny=404), multipart=True,
         kwargs=lambda w: {"pk": w.emergency.pk},
         data=lambda w: {"ref": "补办审批 MX-2", "documents": [pdf("formalities.pdf")]}),
    # ------------------------------------------------------------------ VBP (VBP-1…VBP-5)
    Case("vbp:national_import", P(PROVINCE), data=lambda w: {
        "code": "MX-VBP-9", "name": "矩阵国家集采九", "product_kind": "drug", "volume_ratio": "60",
        "period_start": "2027-01-01", "period_end": "2027-12-31", "selection_rule": "最低价中选",
        "file": xlsx_file([_vbp_headers(), [w.product_b.generic_name, w.product_b.national_code, "5.00", "100"]])}),
    Case("vbp:tender_create", P(PROVINCE), data=lambda w: {
        "code": "MX-PROV-2", "name": "矩阵省级集采二", "level": "provincial", "product_kind": "drug",
        "selection_mode": "price_competition", "volume_ratio": "60", "period_start": "2027-01-01",
        "period_end": "2027-12-31"}),
    Case("vbp:tender_manage", P(PROVINCE), kwargs=lambda w: {"pk": w.draft_tender.pk},
         data=lambda w: {"action": "variety", "name": "矩阵集采品种", "priority": "essential"}, label="variety"),
    Case("vbp:base_volume_report", P({"institution": 302}, deny=404), kwargs=lambda w: {"pk": w.tender_open.pk},
         data=lambda w: {"variety": w.vbp_products[0].generic_name, "quantity": "3", "reason": "补录院内数据"}),
    Case("vbp:base_volume_upload", P({"institution": 302}, deny=404), kwargs=lambda w: {"pk": w.tender_open.pk},
         data=lambda w: {"file": xlsx_file([["品种名称", "基期采购量", "更正理由"],
                                            [w.vbp_products[0].generic_name, 4, "补录院内数据"]])}),
    Case("vbp:allocation_lock", P(PROVINCE, deny=404), kwargs=lambda w: {"pk": w.tender_open.pk}),
    Case("vbp:contract_sign", P({"institution": 302, "manufacturer": 302}, deny=404),
         kwargs=lambda w: {"pk": w.contract_unsigned.pk}),
    Case("vbp:contract_add", P({"institution": 302}, deny=404), kwargs=lambda w: {"pk": w.contract_signed.pk},
         data=lambda w: {"line": w.contract_line.pk, "quantity": "1", "reason": "临床用量增加"}),
    Case("vbp:similar_extend", P(PROVINCE), kwargs=lambda w: {"pk": w.tender_open.pk}, data=lambda w: {
        "variety": w.variety_open.pk, "national_code": w.similar[0].national_code, "price": "6.00",
        "reason": "同类产品跟标"}),
    Case("vbp:similar_respond", P({"manufacturer": 302}), kwargs=lambda w: {"pk": w.extension.pk},
         data=lambda w: {"accept": "1"}),
    Case("vbp-api:base-volume-list", A({"institution": 201, "his": 201}), data=lambda w: {
        "tender_code": w.tender_open.code, "variety": w.vbp_products[0].generic_name, "quantity": 3,
        "reason": "补录院内数据"}),
]

# Who is refused, and how (403: not your role; 404: not in your scope; login: not signed in;
# 401: API without credentials). Together with each case's allowed roles: every principal.
REFUSALS = {
    "catalog:product_create": "403: distributor institution county_regulator city_regulator expert | login: his anonymous",
    "catalog:product_edit": "403: distributor institution county_regulator city_regulator expert | login: his anonymous",
    "catalog:price_add": "403: distributor institution county_regulator expert | login: his anonymous",
    "catalog:catalogue_change": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "catalog:price_upload": "403: distributor institution county_regulator expert | login: his anonymous",
    "experts:pool": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "experts:profile_detail[declare]": "404: manufacturer distributor institution county_regulator city_regulator | login: his anonymous",
    "experts:profile_detail[withdraw]": "403: expert | 404: manufacturer distributor institution county_regulator city_regulator | login: his anonymous",
    "experts:session_list": "403: manufacturer distributor institution county_regulator expert | login: his anonymous",
    "experts:session_detail[add_case]": "403: manufacturer distributor institution city_regulator | 404: county_regulator expert | login: his anonymous",
    "experts:session_detail[draw]": "403: manufacturer distributor institution city_regulator expert | 404: county_regulator | login: his anonymous",
    "experts:case_detail[round]": "403: manufacturer distributor institution city_regulator | 404: county_regulator | login: his anonymous",
    "experts:case_detail[conclude]": "403: manufacturer distributor institution city_regulator expert | 404: county_regulator | login: his anonymous",
    "listing:apply": "404: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "listing:apply_check": "404: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "listing:application_edit": "404: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "listing:application_attach_expert": "403: manufacturer county_regulator city_regulator | 404: distributor institution expert | login: his anonymous",
    "listing:application_decide[confirm]": "403: manufacturer county_regulator city_regulator | 404: distributor institution expert | login: his anonymous",
    "listing:application_decide[refuse]": "403: manufacturer county_regulator city_regulator | 404: distributor institution expert | login: his anonymous",
    "listing:application_decide[return]": "403: manufacturer county_regulator city_regulator | 404: distributor institution expert | login: his anonymous",
    "listing:application_decide[withdraw]": "404: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "listing:listing_status": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "listing:delist_request": "404: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "listing:delist_queue": "404: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "listing:quality_events": "404: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "monitoring:report_new": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "monitoring:report_upload": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "monitoring:forward_list": "403: manufacturer distributor institution county_regulator expert | login: his anonymous",
    "monitoring:flag_list": "403: manufacturer distributor institution expert | login: his anonymous",
    "monitoring:bulletin_list": "403: manufacturer distributor institution county_regulator expert his anonymous",
    "negotiation:proposal_new": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "negotiation:proposal_answer[confirm]": "403: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "negotiation:proposal_answer[decline]": "403: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "negotiation:agreement_sign": "404: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "negotiation:group_list": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "negotiation:group_join": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "negotiation:interview_list": "403: manufacturer distributor institution expert | login: his anonymous",
    "notifications:open": "404: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "notifications:mark_all_read": "login: his anonymous",
    "orders:shop": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:cart_line": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:cart": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:reorder": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:order_detail[confirm]": "403: institution county_regulator city_regulator province_regulator | 404: manufacturer expert | login: his anonymous",
    "orders:order_detail[decline]": "403: institution county_regulator city_regulator province_regulator | 404: manufacturer expert | login: his anonymous",
    "orders:order_detail[cancel]": "403: manufacturer distributor county_regulator city_regulator province_regulator | 404: expert | login: his anonymous",
    "orders:order_detail[ship]": "403: institution county_regulator city_regulator province_regulator | 404: manufacturer expert | login: his anonymous",
    "orders:return_create": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:receiving": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:payments[account]": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:payments[pay]": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:payments[invoice]": "403: institution county_regulator city_regulator province_regulator expert | 404: manufacturer | login: his anonymous",
    "orders:offplatform": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:nosales[dismiss]": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "orders:nosales[request]": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "orders:nosales[approve]": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "parties:api_client_create": "403: manufacturer distributor county_regulator city_regulator expert | login: his anonymous",
    "parties:api_client_revoke": "403: county_regulator city_regulator | 404: manufacturer distributor expert | login: his anonymous",
    "policy:parameter_detail": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "pricing:linkage_detail[declare]": "403: county_regulator city_regulator province_regulator | 404: distributor institution expert | login: his anonymous",
    "pricing:linkage_detail[close]": "403: manufacturer county_regulator city_regulator | 404: distributor institution expert | login: his anonymous",
    "pricing:round_list": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "pricing:round_detail[publish]": "403: distributor institution county_regulator city_regulator expert | 404: manufacturer | login: his anonymous",
    "pricing:complaint_create": "403: county_regulator city_regulator province_regulator expert | login: his anonymous",
    "pricing:complaint_detail[assign]": "403: manufacturer expert | 404: distributor institution county_regulator city_regulator | login: his anonymous",
    "pricing:complaint_detail[answer]": "403: manufacturer expert | 404: distributor institution county_regulator city_regulator | login: his anonymous",
    "qualifications:qualification_create": "403: institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "qualifications:qualification_detail[review]": "403: distributor county_regulator city_regulator | 404: manufacturer institution expert | login: his anonymous",
    "qualifications:qualification_detail[withdraw]": "403: county_regulator city_regulator province_regulator | 404: manufacturer institution expert | login: his anonymous",
    "qualifications:distribution_list": "403: distributor institution county_regulator city_regulator province_regulator expert | login: his anonymous",
    "qualifications:distribution_answer": "403: manufacturer county_regulator city_regulator province_regulator | 404: institution expert | login: his anonymous",
    "qualifications:distribution_end": "403: county_regulator city_regulator province_regulator | 404: institution expert | login: his anonymous",
    "qualifications:bad_record_list[enter]": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "qualifications:bad_record_list[revoke]": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "workcalendar:set_day": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "workcalendar:withdraw_day": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "workcalendar:confirm_year": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "catalog-api:product_prices": "401: anonymous | 403: distributor institution county_regulator expert his",
    "monitoring-api:reports": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "negotiation-api:proposal-list": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "negotiation-api:proposal-confirm": "401: anonymous | 403: distributor institution county_regulator city_regulator province_regulator expert his",
    "negotiation-api:proposal-decline": "401: anonymous | 403: distributor institution county_regulator city_regulator province_regulator expert his",
    "orders-api:orders": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "orders-api:receipts": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "orders-api:returns": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "orders-api:payments": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "orders-api:offplatform": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "parties-api:apiclient-list": "401: anonymous | 403: county_regulator city_regulator his | 404: manufacturer distributor expert",
    "parties-api:apiclient-revoke": "401: anonymous | 403: county_regulator city_regulator his | 404: manufacturer distributor expert",
    "pricing-api:linkage_declare": "401: anonymous | 403: county_regulator city_regulator province_regulator | 404: distributor institution expert his",
    # Channels and accounts merged later (issue 16: PENDING emptied). password_reset and
    # password_reset_confirm refuse nobody: the e-mailed link is for whoever holds it.
    "password_change": "login: his anonymous",
    "account_user_reset": "403: manufacturer distributor institution expert | login: his anonymous",
    "otp_setup": "403: manufacturer distributor institution expert | login: his anonymous",
    "otp_verify": "login: his anonymous",
    "catalog:change_detail[confirm]": "403: manufacturer | 404: distributor institution county_regulator city_regulator expert | login: his anonymous",
    "catalog:change_detail[withdraw]": "403: province_regulator | 404: distributor institution county_regulator city_regulator expert | login: his anonymous",
    "filing:new": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "filing:enterprise": "login: his anonymous",
    "filing:decide": "404: distributor expert | login: his anonymous",
    "filing:withdraw": "login: his anonymous",
    "filing:to_listing": "login: his anonymous",
    "filing:legacy_import": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "filing:order": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "filing:payment_standards": "403: manufacturer distributor institution expert | login: his anonymous",
    "filing-api:filing-list": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "filing-api:filing-enterprise": "401: anonymous | 403: distributor institution county_regulator city_regulator province_regulator expert his",
    "filing-api:filing-decide": "401: anonymous | 403: manufacturer institution county_regulator city_regulator his | 404: distributor expert",
    "insurance:run_list": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "insurance:run_publish": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "insurance:standard_detail": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "insurance:ledger": "403: manufacturer distributor institution county_regulator expert | login: his anonymous",
    "negotiation-api:proposal-contest": "401: anonymous | 403: distributor institution county_regulator city_regulator province_regulator expert his",
    "negotiation-api:proposal-evidence": "401: anonymous | 403: manufacturer distributor institution county_regulator city_regulator expert his",
    "oversight:signal_decide": "403: city_regulator | 404: manufacturer distributor institution county_regulator expert | login: his anonymous",
    "shortage:need_create": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "shortage:need_detail[negotiation]": "403: county_regulator city_regulator province_regulator | 404: manufacturer distributor expert | login: his anonymous",
    "shortage:need_detail[review]": "403: manufacturer institution county_regulator city_regulator | 404: distributor expert | login: his anonymous",
    "shortage:list_import": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "shortage:emergency_create": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "shortage:emergency_detail[formalities]": "403: county_regulator city_regulator province_regulator | 404: manufacturer distributor expert | login: his anonymous",
    "shortage:emergency_detail[review]": "403: institution county_regulator | 404: manufacturer distributor expert | login: his anonymous",
    "shortage-api:emergency_list": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "shortage-api:emergency_formalities": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
    "vbp:national_import": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "vbp:tender_create": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "vbp:tender_manage[variety]": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "vbp:base_volume_report": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "vbp:base_volume_upload": "403: manufacturer distributor county_regulator city_regulator province_regulator expert | login: his anonymous",
    "vbp:allocation_lock": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "vbp:contract_sign": "403: county_regulator city_regulator province_regulator | 404: distributor expert | login: his anonymous",
    "vbp:contract_add": "403: manufacturer county_regulator city_regulator province_regulator | 404: distributor expert | login: his anonymous",
    "vbp:similar_extend": "403: manufacturer distributor institution county_regulator city_regulator expert | login: his anonymous",
    "vbp:similar_respond": "403: county_regulator city_regulator province_regulator | 404: distributor institution expert | login: his anonymous",
    "vbp-api:base-volume-list": "401: anonymous | 403: manufacturer distributor county_regulator city_regulator province_regulator expert",
}


# Routes that change nothing (reads, exports, public pages, sign-in machinery). A POST to one
# of them must change no business table either: `test_read_routes_write_nothing`.
READ = {
    "home", "healthz", "javascript-catalog", "object_history", "schema", "api-docs", "api-redoc", "set_language",
    "catalog:product_list", "catalog:product_export", "catalog:product_detail", "catalog:price_template",
    "experts:my_profile",
    "listing:application_list", "listing:application_detail", "listing:document", "listing:review_queue",
    "listing:listing_list", "listing:listing_detail", "listing:public",
    "monitoring:dashboard", "monitoring:report_list", "monitoring:report_template", "monitoring:report_detail",
    "monitoring:monitoring_table", "monitoring:bulletin_detail",
    "negotiation:proposal_list", "negotiation:listing_search", "negotiation:zone_preview",
    "negotiation:proposal_detail", "negotiation:result_list", "negotiation:agreement_list",
    "negotiation:dashboard", "negotiation:dashboard_results",
    "notifications:inbox",
    "orders:order_list", "orders:line_flow", "orders:cart_template", "orders:deliveries", "orders:overdue",
    "parties:api_client_list", "parties:api_client_export",
    "policy:parameter_list", "policy:parameter_export",
    "pricing:linkage_list", "pricing:overdue_list", "pricing:complaint_list", "pricing:complaint_attachment", "pricing:public_rounds",
    "pricing:public_round", "pricing:public_complaints",
    "qualifications:qualification_list", "qualifications:qualification_file",
    "workcalendar:index",
}
# Sign-in and sign-out write the session and the login trail by design (axes, last_login).
AUTH = {"login", "logout", "password_reset_done"}

# Read-only pages and exports of the apps merged after the matrix was built (PUB-1 public site,
# oversight, insurance, filing, shortage, VBP, jobs): a POST to them writes nothing
# (test_read_routes_write_nothing sends one as every principal).
READ |= {
    "account_users", "catalog:change_list", "listing:price_rise_list",
    "filing:detail", "filing:list", "filing:published", "filing:unpurchased",
    "filing:publication",  # FIL-3/FIL-C1: the batch and 公示 are the daily job's; the page only lists them
    "insurance:public", "insurance:run_detail", "insurance:run_export",
    "jobs:import_detail", "jobs:import_progress",
    "opendata:bad_records", "opendata:bad_records_export", "opendata:feed", "opendata:index",
    "opendata:negotiation_stats", "opendata:negotiation_stats_export", "opendata:ocds_record",
    "opendata:ocds_releases", "opendata:policies", "opendata:vbp_results", "opendata:vbp_results_export",
    "oversight:enterprise_detail", "oversight:enterprise_list", "oversight:signal_detail", "oversight:signal_export",
    "oversight:signal_list",
    "shortage:dashboard", "shortage:emergency_document", "shortage:emergency_list", "shortage:list_detail",
    "shortage:list_index", "shortage:need_list", "shortage:public_bulletins",
    "vbp:base_volume_template", "vbp:circular_list", "vbp:contract_detail", "vbp:contract_list", "vbp:dashboard",
    "vbp:ledger", "vbp:result_template", "vbp:tender_detail", "vbp:tender_list",
    # Printable documents (issue 15 item 9): the scoped page of an order, delivery, contract or
    # listing as A4 HTML or PDF.
    "orders:order_print", "orders:delivery_print", "vbp:contract_print", "listing:listing_notice_print",
    # The expert's case documents, shown inline (issue 15 item 8), and the header search (item 10).
    "experts:case_document", "search",
}

# State-changing routes merged this session whose matrix cases (a working payload per allowed
# role, in this module's world) are still to be written. Each app tests its own refusals
# (tests/<app>/); until they are here the matrix does not prove "a refused request changes no
# row" for them. The list may only shrink: a route added to it needs a reason in the review.
PENDING: set[str] = set()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; every
    request of the matrix runs in a savepoint of it and is rolled back too."""
    # Hundreds of refusals would each log a warning with a traceback.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)
    with django_db_blocker.unblock(), time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            if not Region.objects.filter(code="320100").exists():
                load_regions(Region)
            w = build_world()
            build_channels(w)
            w.clients = {}
            for role in ROLES:
                client = Client()
                if role == "his":
                    client.defaults["HTTP_AUTHORIZATION"] = f"Token {w.his_token}"
                elif role != "anonymous":
                    client.force_login(w.users[role])
                w.clients[role] = client
            # First use of the token records `last_used_at` (once a minute): not a matrix effect.
            w.clients["his"].get("/api/v1/me")
            w.before = checksums()
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_log.setLevel(level)


@pytest.fixture
def frozen():
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield


def _status_ok(expected, outcome):
    if expected == LOGIN:
        return is_login_redirect(outcome) or (outcome.status == 401)
    return outcome.status == expected


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_access_matrix(world, frozen, case):
    """ACT-1…ACT-8: the declared status for every principal; a refused principal changes no
    row of any business table; the allowed principal's working payload really writes."""
    w = world
    url = case.url(w)
    api = url.startswith("/api/")
    problems, seen = [], {}
    expected_all = case.expected
    assert DISCOVER or set(expected_all) == set(ROLES), f"{case.id}: declare every principal ({set(ROLES) - set(expected_all)})"
    assert not set(case.allowed) & set(_parse(REFUSALS.get(case.id, ""))), f"{case.id}: allowed and refused"
    for role in ROLES:
        # The request's writes are rolled back, its cookies are not: a password change cycles
        # the session key to a session row that the rollback removes. Every request starts
        # from the principal's own session.
        cookies = copy.deepcopy(w.clients[role].cookies)
        with override_settings(**case.settings):
            outcome = attempt(w.clients[role], case.method, url, case.data(w), api=api, before=w.before,
                              multipart=case.multipart)
        w.clients[role].cookies = cookies
        seen[role] = (outcome.status, outcome.location, outcome.changed, outcome.error)
        expected = expected_all.get(role)
        if not _status_ok(expected, outcome):
            problems.append(f"{role}: expected {expected}, got {outcome.status} {outcome.location} {outcome.error}")
        if (refused(outcome) or role in case.reads) and outcome.changed:
            problems.append(f"{role}: refused ({outcome.status}) but changed {outcome.changed}")
        if not refused(outcome) and expected != LOGIN and case.writes and role not in case.reads \
                and not outcome.changed \
                and outcome.status < 400:
            problems.append(f"{role}: allowed ({outcome.status}) but its payload wrote nothing")
    if DISCOVER:
        print(f"\nDISCOVER {case.id} {seen!r} PROBLEMS {problems!r}")
        return
    assert not problems, f"{case.id} {url}\n" + "\n".join(problems)


@pytest.mark.django_db
def test_every_route_is_declared(world):
    """A new URL fails here until the matrix says who may use it (a case) or that it is READ."""
    declared = {c.route for c in CASES} | READ | AUTH | PENDING
    assert not (PENDING & ({c.route for c in CASES} | READ)), "a route with a case is no longer pending"
    known = routes()
    api_writes = {n for n, r in known.items() if r.api and r.write_methods}
    undeclared = sorted(n for n, r in known.items() if n not in declared and (not r.api or n in api_writes))
    assert undeclared == [], f"declare these routes in tests/security/test_access_matrix.py: {undeclared}"
    stale = sorted(n for n in declared if n not in known)
    assert stale == [], f"routes declared but gone: {stale}"
    # An API route in READ would be a write route nobody tests.
    assert not (api_writes & READ)


def test_matrix_size(capsys):
    cases = len(CASES)
    write_routes = len({c.route for c in CASES})
    print(f"access matrix: {write_routes} state-changing routes in {cases} cases × {len(ROLES)} principals "
          f"= {cases * len(ROLES)} requests; {len(READ)} read routes × {len(ROLES)} POSTs")
    assert cases * len(ROLES) >= 500


def _read_url(name, w):
    """A concrete URL for a READ route (ids of the world where the pattern needs them)."""
    ids = {"pk": None}
    known = routes()
    pattern = known[name].pattern
    kwargs = {}
    for token, value in (("<int:pk>", None), ("<int:listing_id>", w.listing.pk), ("<str:key>", "neg.confirm_working_days"),
                         ("<slug:key>", "qualification"),
                         ("<int:year>", 2026), ("<str:app_label>", "listing"), ("<str:model>", "listing"),
                         ("<str:pk>", str(w.listing.pk)),
                         ("<str:ocid>", f"ocds-jsyg01-p{w.product.pk}")):
        if token in pattern:
            kwargs[token.split(":")[1][:-1]] = value
    if "pk" in kwargs and kwargs["pk"] is None:
        kwargs["pk"] = _read_pk(name, w)
    del ids
    return reverse(name, kwargs=kwargs)


def _read_pk(name, w):
    return {
        "catalog:product_detail": w.product.pk, "listing:application_detail": w.application.pk,
        "listing:document": w.application.documents.first().pk, "listing:listing_detail": w.listing.pk,
        "monitoring:report_detail": 1, "monitoring:bulletin_detail": 1, "negotiation:proposal_detail": w.proposal.pk,
        "orders:line_flow": w.received_line.pk, "pricing:complaint_attachment": w.complaint.pk,
        "qualifications:qualification_file": w.qualification.pk,
        "orders:order_print": w.order.pk, "orders:delivery_print": w.received_line.delivery_lines.first().delivery_id,
        "vbp:contract_print": w.contract_signed.pk, "listing:listing_notice_print": w.listing.pk,
    }.get(name, 1)


@pytest.mark.django_db
def test_read_routes_write_nothing(world, frozen):
    """A POST to a page that only reads changes nothing, whoever sends it (and never crashes)."""
    w = world
    problems = []
    for name in sorted(READ):
        if name in ("set_language", "healthz", "schema", "api-docs", "api-redoc", "javascript-catalog"):
            continue
        url = _read_url(name, w)
        for role in ROLES:
            outcome = attempt(w.clients[role], "post", url, {}, before=w.before)
            if outcome.changed or outcome.status >= 500:
                problems.append(f"{name} {role}: {outcome.status} changed {outcome.changed} {outcome.error}")
    assert not problems, "\n".join(problems)


def test_world_dates_are_fixed():
    # The world is built on 2026-11-24 (a Tuesday): deadlines in the payloads are after it.
    assert dt.date(2026, 11, 24).weekday() == 1


@pytest.mark.django_db
def test_admin_refuses_every_principal(world, frozen):
    """The Django admin is for platform operators (staff) only: a POST to any model's "add"
    page by a principal of the matrix is sent to the admin sign-in and changes nothing."""
    from django.contrib import admin

    w = world
    urls = [reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_add") for m in admin.site._registry]
    assert urls
    problems = []
    for url in urls:
        for role in ("province_regulator", "institution", "manufacturer", "anonymous"):
            outcome = attempt(w.clients[role], "post", url, {}, before=w.before)
            if outcome.status != 302 or "/admin/login/" not in outcome.location or outcome.changed:
                problems.append(f"{url} {role}: {outcome.status} {outcome.location} {outcome.changed}")
    assert not problems, "\n".join(problems)
