"""One shape for every workflow: named steps, each with the states it starts from, the state (or states) it
leads to, and the kind of actor who takes it.

An app declares its steps and gives, for each kind of actor, a rule `(user, obj) -> acting`: what the user
acts as for that object (an organization, the unit a report is read as...), or None when they may not take
a step of that kind. Its actions ask `require(user, step, obj)` (403, or a clear error when the state does
not allow the step); its pages ask `available_steps(user, obj)`, the same rules, so a page never offers a
step the action would refuse. Steps with no rule for their actor (a citizen with a password, the clock)
are never offered to a signed-in user; their actions call `check(step, state)`.

core imports no app: the states, rules and messages come from the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from .history import ActionError

ActorRule = Callable[[Any, Any], Any]
# A further rule on the object, after actor and state: "" when the step is possible, else why not.
Condition = Callable[[Any], str]


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset[str]
    # One state, or several when the step itself decides (feedback's answer: answered, or pending approval);
    # empty when the step leaves the state as it is (asking for more time).
    target: frozenset[str]
    actor: str
    condition: Condition | None = field(default=None, compare=False)

    def __init__(
        self,
        name: str,
        sources: Iterable[str],
        target: str | Iterable[str] | None,
        actor: str,
        condition: Condition | None = None,
    ):
        targets = frozenset() if target is None else frozenset([target] if isinstance(target, str) else target)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", targets)
        object.__setattr__(self, "actor", actor)
        object.__setattr__(self, "condition", condition)


class Workflow:
    def __init__(
        self,
        steps: Iterable[Step],
        *,
        actors: dict[str, ActorRule],
        refusal: Callable[[str], str],
        state_of: Callable[[Any], str] = lambda obj: obj.state,
    ):
        self.steps: dict[str, Step] = {step.name: step for step in steps}
        self.actors = actors
        self.refusal = refusal  # the message for a step the state does not allow
        self.state_of = state_of

    def __getitem__(self, name: str) -> Step:
        return self.steps[name]

    def __contains__(self, name: object) -> bool:
        return name in self.steps

    def __iter__(self):
        return iter(self.steps)

    # --- State only ----------------------------------------------------------------------------------

    def allowed(self, step: str, state: str) -> bool:
        return state in self.steps[step].sources

    def check(self, step: str, state: str) -> None:
        """Raise a clear error when `step` is not possible from `state`."""
        if not self.allowed(step, state):
            raise ActionError(self.refusal(state))

    def target(self, step: str, state: str | None = None) -> str:
        """The state the step leads to: its only target, or `state` when the step chose among several."""
        targets = self.steps[step].target
        if state is None:
            if len(targets) != 1:
                raise ValueError(f"Step {step!r} leads to one of several states; say which.")
            return next(iter(targets))
        if state not in targets:
            raise ValueError(f"Step {step!r} cannot lead to {state!r}.")
        return state

    # --- Actor, state and condition ------------------------------------------------------------------

    def acting(self, user, step: str, obj) -> Any:
        """What the user acts as for `step` on `obj`, or None if they may not take it."""
        rule = self.actors.get(self.steps[step].actor)
        return rule(user, obj) if rule is not None else None

    def require(self, user, step: str, obj) -> Any:
        """For an action: 403 unless the user may take steps of this kind on `obj`; a clear error when the
        state or the step's condition does not allow it. Returns what the user acts as."""
        acting = self.acting(user, step, obj)
        if acting is None:
            raise PermissionDenied
        self.check(step, self.state_of(obj))
        condition = self.steps[step].condition
        why_not = condition(obj) if condition is not None else ""
        if why_not:
            raise ActionError(why_not)
        return acting

    def may(self, user, step: str, obj) -> bool:
        try:
            self.require(user, step, obj)
        except (PermissionDenied, ActionError):
            return False
        return True

    def available_steps(self, user, obj) -> list[str]:
        """The steps this user may take on `obj` now, in the order they were declared."""
        return [name for name in self.steps if self.may(user, name, obj)]
