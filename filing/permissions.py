"""`rules` permissions of filing purchases (FIL): institutions file, the named enterprise
confirms, the confirming body decides (the province; the institution's city for ordinary
consumables / IVD, FIL-C3), the province sets payment standards and imports legacy filings.
Rows are scoped by FilingRequest.objects.visible_to."""

import rules

from parties.permissions import (
    has_organisation,
    is_city_regulator,
    is_institution_staff,
    is_institution_user,
    is_manufacturer,
    is_province_regulator,
    of_own_institution,
)

from .models import ConfirmingBody


@rules.predicate
def confirmed_by_province(user, filing):
    return bool(filing is not None and filing.confirming_body == ConfirmingBody.PROVINCE)


@rules.predicate
def confirmed_by_users_city(user, filing):
    org = getattr(user, "organisation", None)
    return bool(filing is not None and org is not None and filing.confirming_body == ConfirmingBody.CITY
                and org.city_id == filing.confirming_city_id)


@rules.predicate
def is_filing_enterprise(user, filing):
    return bool(filing is not None and filing.enterprise_id == user.organisation_id)


# Institutions (their people and HIS clients) file (ACT-3); the filing pages are for people.
rules.add_perm("filing.file", is_institution_user & has_organisation)
rules.add_perm("filing.request", is_institution_staff)
rules.add_perm("filing.act_as_enterprise", is_manufacturer)
rules.add_perm("filing.withdraw", is_institution_staff & of_own_institution)
rules.add_perm("filing.answer_as_enterprise", is_manufacturer & is_filing_enterprise)
rules.add_perm("filing.decide", (is_province_regulator & confirmed_by_province)
               | (is_city_regulator & confirmed_by_users_city))
rules.add_perm("filing.set_payment_standard", is_province_regulator)
rules.add_perm("filing.import_legacy", is_province_regulator)
