"""The policy layer: the playbook, its conditions, the treaty and channel registry, proposals.

The framework of the essay the project starts from, made executable: a
playbook of principles and baskets of agenda items whose conditions are
evaluated against the event store and the registry, and an assessment of
proposed moves against it.
"""

from __future__ import annotations

from detente.policy._evaluation import ConditionResult, EvalContext, Evidence, evaluate
from detente.policy._yaml import PolicyFileError
from detente.policy.assess import Assessment, Proposal, assess_proposal, load_proposal
from detente.policy.grammar import ConditionSyntaxError, parse
from detente.policy.playbook import Playbook, compile_condition, default_playbook_path, load_playbook
from detente.policy.registry import Registry, channel_state, load_registry
from detente.policy.status import PlaybookReport, check_playbook

__all__ = [
    "Assessment",
    "ConditionResult",
    "ConditionSyntaxError",
    "EvalContext",
    "Evidence",
    "Playbook",
    "PlaybookReport",
    "PolicyFileError",
    "Proposal",
    "Registry",
    "assess_proposal",
    "channel_state",
    "check_playbook",
    "compile_condition",
    "default_playbook_path",
    "evaluate",
    "load_playbook",
    "load_proposal",
    "load_registry",
    "parse",
]
