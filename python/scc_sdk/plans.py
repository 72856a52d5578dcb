"""Declarative onboarding from Python: the engine of ``scc plan`` and ``scc apply``.

    import scc_sdk

    plan = scc_sdk.plan(client, "customers.yaml", orgs=["Acme Customer East"])
    for change in plan.changes:
        print(change.organization, change.sign, change.action, change.subject, change.attributes)
    if plan.problems:
        raise SystemExit(plan.problems)
    plan.save("customers.plan.json")                  # reviewed later, or in another process
    result = scc_sdk.Plan.load("customers.plan.json", client).apply(journal="changes.jsonl")
    assert result.ok, result

A plan is one change set. ``apply`` makes exactly its changes: each organization is read again
under its lock, and where the changes computed now differ from the ones planned (the state moved,
or the saved file was edited) nothing is made there and ``result.not_applied`` says what differs.
The checks and refusals are the CLI's: a plan file with problems raises ``InvalidInputError`` (a
``ValueError``) listing every one, a key that only reads raises ``ForbiddenError`` before anything
is sent, and a plan with problems is not saved.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _native
from ._client import AsyncClient, Client

__all__ = ["plan", "Plan", "Change", "Problem", "Outcome", "NotApplied", "ApplyResult"]

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Change:
    """One change of a plan: what it does to which object of which organization."""

    #: The organization's name in the plan file (or its id).
    organization: str
    #: Its id, when it exists (``None`` for one the plan creates).
    organization_id: Optional[str]
    #: ``invite``, ``create``, ``update``, ``remove``, ``delete``, ``add``, ``assign``, ``unassign``, ``claim``.
    action: str
    #: What it acts on: ``user ana@acme.example``, ``group SOC``, ``role … of group SOC``.
    subject: str
    #: ``+`` (adds), ``~`` (changes) or ``-`` (removes).
    sign: str
    #: What it sets: a new user's ``first_name``, ``last_name`` and ``admin``; a group's
    #: ``description`` and ``applies_to``; a region.
    attributes: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """Something the plan asks for that the state rules out, or a read that failed: never sent."""

    organization: str
    action: str
    subject: str
    #: Why, in words (with the plan file's place where there is one).
    reason: str


@dataclass(frozen=True)
class Outcome:
    """What became of one change (or read) of an apply."""

    organization: str
    action: str
    subject: str
    #: ``ok``, ``failed``, ``unknown`` (sent, its answer lost: it may have been made) or ``skipped``.
    status: str
    attributes: Dict[str, Any] = field(default_factory=dict)
    #: Why it failed, was refused or skipped.
    error: Optional[str] = None
    #: The service's tracking id of the request, for support.
    tracking_id: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when the change was made."""
        return self.status == "ok"


@dataclass(frozen=True)
class NotApplied:
    """An organization where nothing was made: the changes computed now are not the ones planned."""

    organization: str
    #: Each difference: ``now also: + invite user …``, ``no longer: …``, ``now otherwise: …``.
    difference: List[str]


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did, organization by organization."""

    outcomes: List[Outcome]
    not_applied: List[NotApplied]
    #: Why the change journal could not be written (no change was made after that), if it could not.
    journal_broken: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when every change was made and nothing was left out (the CLI's exit 0)."""
        return (
            not self.not_applied
            and self.journal_broken is None
            and all(outcome.ok for outcome in self.outcomes)
        )

    @property
    def unknown(self) -> List[Outcome]:
        """The changes whose answer was lost: they may have been made (the CLI's exit 7)."""
        return [outcome for outcome in self.outcomes if outcome.status == "unknown"]

    @property
    def failed(self) -> List[Outcome]:
        """The changes that failed, were refused or skipped (the CLI's exit 3)."""
        return [outcome for outcome in self.outcomes if outcome.status in ("failed", "skipped")]


def _native_client(client: Union[Client, AsyncClient]) -> Any:
    if not isinstance(client, (Client, AsyncClient)):
        raise TypeError(f"client must be an scc_sdk.Client, not {type(client).__name__}")
    return client._native_client()


class Plan:
    """One change set: each organization of a plan file with its planned changes (see the module)."""

    def __init__(self, native: Any) -> None:
        self._native = native
        document = json.loads(native.document())
        #: The service's base URL the plan was computed against.
        self.service: str = document["service"]
        #: Every change, organization by organization, in the plan file's order.
        self.changes: List[Change] = []
        #: What the plan asks for that cannot be made (an apply leaves it out and reports it).
        self.problems: List[Problem] = []
        #: The organizations of the plan, as the plan file names them.
        self.organizations: List[str] = []
        for org in document["organizations"]:
            self.organizations.append(org["org"])
            for change in org["changes"]:
                self.changes.append(Change(org["org"], org["org_id"], change["action"], change["object"],
                                           change["sign"], dict(change["attributes"])))
            for problem in org["problems"]:
                self.problems.append(Problem(org["org"], problem["action"], problem["object"],
                                             problem["reason"] or ""))

    @classmethod
    def load(cls, path: PathLike, client: Union[Client, AsyncClient]) -> "Plan":
        """A plan saved by :meth:`save` or ``scc plan --out``, as a change set of ``client``: refused
        when it was computed against another service or by another scc."""
        return cls(_native.NativePlan.load(os.fspath(path), _native_client(client)))

    def save(self, path: PathLike) -> None:
        """Writes the change set (JSON, 0600, atomic) for :meth:`load` or ``scc apply PATH``. A plan
        with problems is not saved (``InvalidInputError``)."""
        self._native.save(os.fspath(path))

    def apply(self, journal: Optional[PathLike] = None) -> ApplyResult:
        """Makes exactly these changes (see the module); with ``journal``, one JSON line per change
        is appended to that file. Ctrl-C stops the run after the changes in flight are settled, then
        raises ``KeyboardInterrupt``."""
        result = json.loads(self._native.apply(None if journal is None else os.fspath(journal)))
        outcomes: List[Outcome] = []
        not_applied: List[NotApplied] = []
        for org in result["organizations"]:
            if org["verdict"] != "applied":
                not_applied.append(NotApplied(org["org"], list(org["difference"])))
            for item in org["items"]:
                outcomes.append(Outcome(org["org"], item["action"], item["object"], item["result"],
                                        dict(item.get("attributes", {})), item.get("error"),
                                        item.get("tracking_id")))
        return ApplyResult(outcomes, not_applied, result["journal_broken"])

    def __len__(self) -> int:
        return len(self.changes)

    def __repr__(self) -> str:
        return (f"<Plan {len(self.organizations)} organization(s), {len(self.changes)} change(s), "
                f"{len(self.problems)} problem(s) against {self.service}>")


def plan(client: Union[Client, AsyncClient], spec: Union[PathLike, Sequence[PathLike], Mapping[str, Any]],
         orgs: Optional[Sequence[str]] = None) -> Plan:
    """Plans ``spec`` — a plan file's path (YAML, TOML or JSON; or a saved plan), a folder of plan
    files, a list of such paths (one plan, as ``scc plan a.yaml customers/`` reads them), or a dict
    in the plan file's shape — with ``client``, for the organizations ``orgs`` names (by name or id;
    all when ``None``). Reads only."""
    if isinstance(orgs, str):
        raise TypeError("orgs must be a list of organization names or ids, not one string")
    scope = [str(org) for org in orgs or []]
    native_client = _native_client(client)
    if isinstance(spec, Mapping):
        native = _native.plan_changes(native_client, document=json.dumps(spec), orgs=scope)
    elif isinstance(spec, (str, os.PathLike)):
        native = _native.plan_changes(native_client, paths=[os.fspath(spec)], orgs=scope)
    elif isinstance(spec, (list, tuple)) and spec and all(isinstance(path, (str, os.PathLike)) for path in spec):
        native = _native.plan_changes(native_client, paths=[os.fspath(path) for path in spec], orgs=scope)
    else:
        raise TypeError(
            "spec must be a path, a list of paths or a dict in the plan file's shape, "
            f"not {type(spec).__name__}"
        )
    return Plan(native)
