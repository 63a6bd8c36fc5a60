"""The demo county's exchange (the protocol is the docstring of dangjian/demo/__init__.py). Each area adds its
part from its own module, in this order, each reading from the database what the parts before it made:

- `demo_rooms`: a branch room, a village room (open to residents), a township staff room and a topic room, with
  their staff and members;
- `demo_residents`: verified residents in the village room, and the demo resident's sign-in;
- `demo_messages`: a history of conversation in the rooms (replies, mentions, a picture, the announcement);
- `demo_questions`: questions to the organization, one answered officially, one turned into a feedback case;
- `demo_moderation`: a pending report, a held message, a removed one with its audit entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import demo_messages, demo_moderation, demo_questions, demo_residents, demo_rooms
from .models import Message, PublicQuestion, Resident, Room

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

PARTS = [demo_rooms, demo_residents, demo_messages, demo_questions, demo_moderation]


def load(ctx: DemoContext) -> list[str]:
    lines: list[str] = []
    for part in PARTS:
        lines += part.load(ctx) or []
    return lines


def summary() -> str:
    return (
        f"{Room.objects.count()} rooms, {Message.objects.count()} messages, {Resident.objects.count()} residents, "
        f"{PublicQuestion.objects.filter(state=PublicQuestion.State.ANSWERED).count()} questions answered"
    )
