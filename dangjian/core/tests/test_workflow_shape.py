"""core.workflow: steps with sources, target and actor; pages and actions ask the same rules."""

import pathlib

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.core.history import ActionError
from dangjian.core.workflow import Step, Workflow


class Thing:
    def __init__(self, state, owner):
        self.state = state
        self.owner = owner


FLOW = Workflow(
    [
        Step("open", {"new"}, "open", "owner"),
        Step("decide", {"open"}, {"done", "waiting"}, "owner"),
        Step("poke", {"open"}, None, "owner", lambda thing: "" if thing.state == "open" and thing.owner else "no"),
        Step("expire", {"open"}, "done", "clock"),
    ],
    actors={"owner": lambda user, thing: thing.owner if user == thing.owner else None},
    refusal=lambda state: f"not from {state}",
)


def test_a_step_leads_to_its_one_target_or_to_the_state_it_chose():
    assert FLOW.target("open") == "open"
    assert FLOW.target("decide", "waiting") == "waiting"
    with pytest.raises(ValueError):
        FLOW.target("decide")
    with pytest.raises(ValueError):
        FLOW.target("decide", "new")
    assert FLOW["poke"].target == frozenset()


def test_require_checks_the_actor_then_the_state_then_the_condition():
    with pytest.raises(PermissionDenied):
        FLOW.require("someone", "open", Thing("new", "alice"))
    with pytest.raises(ActionError, match="not from open"):
        FLOW.require("alice", "open", Thing("open", "alice"))
    assert FLOW.require("alice", "open", Thing("new", "alice")) == "alice"


def test_available_steps_are_those_require_allows_and_never_a_step_without_an_actor_rule():
    assert FLOW.available_steps("alice", Thing("open", "alice")) == ["decide", "poke"]
    assert FLOW.available_steps("bob", Thing("open", "alice")) == []
    assert FLOW.available_steps("alice", Thing("new", "alice")) == ["open"]


def test_core_workflow_imports_no_app():
    source = (pathlib.Path(__file__).resolve().parents[1] / "workflow.py").read_text()
    assert "from dangjian." not in source and "import dangjian" not in source
