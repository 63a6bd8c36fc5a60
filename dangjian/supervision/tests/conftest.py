import pytest

from dangjian.accounts.models import Role
from dangjian.supervision import actions, keys
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD


class Officers:
    def __init__(self, county):
        self.county = county
        self.a_officer = f.staff("a_officer", Role.DISCIPLINE, county.town_a, full_name="周纪检")
        self.a_officer2 = f.staff("a_officer2", Role.DISCIPLINE, county.town_a, full_name="吴纪检")
        self.county_officer = f.staff("county_officer", Role.DISCIPLINE, county.county, full_name="郑纪委")
        self.b_officer = county.town_b_discipline
        self.keys = {}
        for user in [self.a_officer, self.county_officer, self.b_officer]:
            self.keys[user.pk] = keys.ensure_user_keypair(user, PASSWORD)
        self.keys[self.a_officer2.pk] = keys.ensure_user_keypair(self.a_officer2, PASSWORD)
        self.recovery_a = keys.create_unit_key(self.a_officer, county.town_a, self.keys[self.a_officer.pk])
        keys.grant_access(
            self.a_officer, self.keys[self.a_officer.pk], keys.current_unit_key(county.town_a), self.a_officer2
        )
        keys.create_unit_key(self.county_officer, county.county, self.keys[self.county_officer.pk])
        keys.create_unit_key(self.b_officer, county.town_b, self.keys[self.b_officer.pk])

    def private(self, user):
        return self.keys[user.pk]


@pytest.fixture
def officers(county):
    return Officers(county)


def file_report(county, **overrides):
    data = {
        "reported_org": county.village_a1,
        "person": "王大海",
        "post": "村委会主任",
        "discipline": "integrity",
        "subcategory": "收受礼品礼金",
        "what": "王大海在办理低保时收受村民张某现金两千元。",
        "when": "2026年10月",
        "where": "村委会办公室",
    }
    data.update(overrides)
    return actions.submit_report(**data)
