"""Shift-end policies are found by the scenario's ``handoff.policy`` and answer
the hooks the shift processes ask; behaviour over time is in the timeline tests."""

from __future__ import annotations

from simulator.model.handoff import Handback, Ownership, shift_end_policy
from simulator.model.queues import Queue
from simulator.scenario.schema import Handoff, Leftover, Policy


def test_each_policy_name_finds_its_class() -> None:
    assert type(shift_end_policy(Handoff(policy=Policy.HANDBACK))) is Handback
    assert type(shift_end_policy(Handoff(policy=Policy.OWNERSHIP))) is Ownership


def test_intake_closes_at_the_cutoff_only_under_ownership() -> None:
    handback = shift_end_policy(Handoff(policy=Policy.HANDBACK, intake_cutoff="10min"))
    owner = shift_end_policy(Handoff(policy=Policy.OWNERSHIP, intake_cutoff="10min"))
    assert handback.intake_closes(3600.0) == 3600.0
    assert owner.intake_closes(3600.0) == 3000.0


def test_ownership_keeps_leftovers_only_when_told_to_wait_for_the_owner() -> None:
    waits = shift_end_policy(Handoff(policy=Policy.OWNERSHIP, leftover=Leftover.WAIT_FOR_OWNER))
    hands = shift_end_policy(Handoff(policy=Policy.OWNERSHIP, leftover=Leftover.HANDBACK))
    assert isinstance(waits, Ownership) and waits.keep_leftovers
    assert isinstance(hands, Ownership) and not hands.keep_leftovers


def test_a_subclass_without_its_own_name_does_not_replace_its_parent() -> None:
    class Tweaked(Ownership):
        pass

    assert type(shift_end_policy(Handoff(policy=Policy.OWNERSHIP))) is Ownership


def test_kept_conversations_continue_in_the_named_queue_only_under_ownership() -> None:
    """``continue_in`` names the owner's inbox by the builder's queues; handback reads
    it no more than it reads ``leftover`` (so a file may keep it for a policy variant)."""
    inbox, chat = Queue("inbox", 0), Queue("chat", 1)
    queues = {"inbox": inbox, "chat": chat}
    owner = shift_end_policy(
        Handoff(policy=Policy.OWNERSHIP, leftover=Leftover.WAIT_FOR_OWNER, continue_in="inbox"),
        queues=queues,
    )
    plain = shift_end_policy(
        Handoff(policy=Policy.OWNERSHIP, leftover=Leftover.WAIT_FOR_OWNER), queues=queues
    )
    assert isinstance(owner, Ownership) and owner.inbox is inbox
    assert isinstance(plain, Ownership) and plain.inbox is None
    ignored = Handoff(policy=Policy.HANDBACK, continue_in="inbox")
    assert type(shift_end_policy(ignored, queues=queues)) is Handback
