"""The county the benches build: a county, its townships and villages under them, as a real county's tree is.

`build(mark, villages)` makes the county and townships one by one (a path needs its organization's id) and the
villages in bulk with their paths, every name starting with `mark` so that a bench that keeps its rows (instead
of rolling back) can find and delete them afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.organizations.models import PATH_STEP, Organization


@dataclass
class County:
    county: Organization
    townships: list[Organization]
    villages: list[Organization]

    @property
    def everyone(self) -> list[Organization]:
        return [self.county, *self.townships, *self.villages]


def build(mark: str, villages: int, townships: int = 20) -> County:
    county = Organization.objects.create(name=f"{mark}委员会", short_name=mark, kind=Organization.Kind.COUNTY)
    towns = [
        Organization.objects.create(
            name=f"{mark}第{t + 1}镇委员会", short_name=f"第{t + 1}镇", kind=Organization.Kind.TOWNSHIP, parent=county
        )
        for t in range(townships)
    ]
    made = [
        Organization(
            name=f"{mark}第{index % townships + 1}镇第{index // townships + 1}村党支部委员会",
            short_name=f"第{index // townships + 1}村",
            kind=Organization.Kind.VILLAGE,
            parent=towns[index % townships],
            path=f"{mark}-{index}",  # unique for the insert; the real path follows once the id is known
            depth=2,
            sort_order=index,
        )
        for index in range(villages)
    ]
    Organization.objects.bulk_create(made, batch_size=500)
    for village in made:
        village.path = f"{village.parent.path}{village.pk:0{PATH_STEP}d}/"
    Organization.objects.bulk_update(made, ["path"], batch_size=500)
    return County(county, towns, made)
