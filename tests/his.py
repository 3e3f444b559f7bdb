"""An HIS client of an institution for API tests: the token and a DRF client carrying it."""

import itertools

from rest_framework.test import APIClient

from parties.models import ApiClient, Role, User

_seq = itertools.count(1)


def his_token(institution, name="HIS") -> str:
    token, key_id, key_hash = ApiClient.new_key()
    n = next(_seq)
    user = User.objects.create_user(username=f"his-{institution.pk}-{n}", password=None, organisation=institution,
                                    role=Role.HIS)
    ApiClient.objects.create(institution=institution, name=f"{name}{n}", user=user, key_id=key_id, key_hash=key_hash)
    return token


def his_client(institution) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {his_token(institution)}")
    return client
