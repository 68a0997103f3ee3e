"""What a unit's checks know beyond its own files, as the batch tells it (JSON) or a single
file's folder tells it (registry.context_beside)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..model.findings import Finding


@dataclass(frozen=True)
class Context:
    """What a unit's checks know beyond its own files: from the batch (params, the other units of
    the county-year), or for one file from its folder (context_beside)."""
    deadline: dt.date | None = None          # the county's date for its townships' reports
    peers: tuple[Finding, ...] | None = None  # narrative.copied against the county-year; None: not compared
    decisions: tuple[dict, ...] = ()          # reviewers' decisions for this unit (reviews.yaml)
    # the county-year's quartiles (checks/peers.py): {"units": n, "bounds": {measure: [q1, median,
    # q3] | None}} ("bounds" None with fewer than 4 units); None: not compared with the county
    quartiles: dict | None = None

    def to_json(self) -> str:
        return json.dumps({"deadline": self.deadline.isoformat() if self.deadline else None,
                           "peers": None if self.peers is None else [f.record() for f in self.peers],
                           "decisions": list(self.decisions), "quartiles": self.quartiles},
                          ensure_ascii=False, sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str) -> Context:
        data = json.loads(text)
        peers = data.get("peers")
        return cls(dt.date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
                   None if peers is None else tuple(Finding(**p) for p in peers),
                   tuple(data.get("decisions") or ()), data.get("quartiles"))
