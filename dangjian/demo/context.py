"""What the demo command hands each app's `demo.py` (see the package docstring for the protocol)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEMO_PASSWORD = "Dangjian2026!"

# Shared by every app's demo people (leaders, citizens, people reported); data, not UI strings.
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)

GIVEN = list("建国明华伟芳敏静丽强磊军洋勇艳杰娟涛超霞平刚桂英秀兰玉兵春海燕红波斌宇晨浩然志远文博雪梅立新国庆德胜")


@dataclass
class SignIn:
    username: str
    mobile: str
    role: str
    organization: str


class DemoContext:
    def __init__(self, seed: int = 2026, today: datetime.date | None = None, options: dict[str, Any] | None = None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.password = DEMO_PASSWORD
        self.options: dict[str, Any] = options or {}
        self.sign_ins: list[SignIn] = []

    def reseed(self, offset: int) -> None:
        """Draw from seed + offset from now on (`extend` passes what exists, so additions differ)."""
        self.rng = random.Random(self.seed + offset)

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.choice([1, 2])))

    def add_sign_in(self, username: str, mobile: str, role: StrOrPromise, organization: str) -> None:
        self.sign_ins.append(SignIn(username, mobile, str(role), organization))
