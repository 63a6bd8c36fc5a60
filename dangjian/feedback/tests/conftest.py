import uuid

import pytest

from dangjian.accounts.models import Role
from dangjian.feedback import actions
from dangjian.tests_support import factories as f


def new_case(
    place, category="help", title="村口路灯坏了", description="王庄村村口路灯坏了三个月，晚上看不见路。", **kwargs
):
    case, password, created = actions.submit_case(
        place_id=place.pk, category=category, title=title, description=description, client_token=uuid.uuid4(), **kwargs
    )
    assert created
    case.query_password = password
    return case


@pytest.fixture
def a2_secretary(county):
    return f.staff("a2_secretary", Role.SECRETARY, county.village_a2)


@pytest.fixture
def a1_admin(county):
    return f.staff("a1_admin", Role.ORG_ADMIN, county.village_a1, email="a1admin@example.org")
