import pytest


@pytest.fixture
def reference_regions(transactional_db):
    """A transactional test's flush removes the regions loaded by migration; put them back."""
    from parties.models import Region
    from parties.reference import load_regions

    if not Region.objects.filter(code="320100").exists():
        load_regions(Region)
