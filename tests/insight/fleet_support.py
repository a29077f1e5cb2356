"""The synthetic fleet (`userloop.demo.fleet`) as the pure priority functions take it: reports,
votes and daily install-base rows, with the topic each planted text belongs to."""

from __future__ import annotations

from datetime import date, datetime

from userloop.demo.fleet import PRAISE, Fleet, stem
from userloop.insight.priority import Report, Vote
from userloop.insight.propensity import Cell

TOPICS = {"crash": 1, "wish": 2} | {text: 10 + i for i, text in enumerate(PRAISE)}
KINDS = {"crash": "bug", "wish": "feature"}


def topic_of(fleet: Fleet, text: str) -> int:
    key = fleet.keys[stem(text)]
    return TOPICS[key] if key != "praise" else TOPICS[stem(text)]


def reports(fleet: Fleet) -> list[Report]:
    out = []
    for item in fleet.feedback:
        key = fleet.keys[stem(item["text"])]
        who = item["reporter"]
        out.append(
            Report(
                topic_id=topic_of(fleet, item["text"]),
                reporter=who["id"],
                at=datetime.fromisoformat(item["created_at"]),
                model=item["model"],
                build=item["build"],
                channel=item["channel"],
                region=item["region"],
                experience=who["experience"],
                verified_owner=who["verified_owner"],
                kind=KINDS.get(key, "praise"),
                sentiment=(item["rating"] - 3) / 2,
            )
        )
    return out


def votes(fleet: Fleet) -> list[Vote]:
    return [
        Vote(TOPICS[v.key], v.at, v.experience, v.verified_owner, v.model, v.region, v.channel)
        for v in fleet.votes
    ]


def daily(fleet: Fleet) -> list[tuple[date, Cell, int]]:
    return [
        (
            date.fromisoformat(row["day"]),
            Cell(row["model"], row["build"], row["channel"], row["region"], row["segment"]),
            int(row["active_devices"]),
        )
        for row in fleet.install_base
    ]
