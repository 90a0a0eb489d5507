"""Small gold articles made in code, for the training tests: quotes with cue, source and speaker,
entities, and events, in the native JSONL shape (offsets computed here, so they are right)."""

from __future__ import annotations

import json
from pathlib import Path

PEOPLE = ["Maria Lopez", "John Carter", "Amina Diallo", "Peter Novak", "Lena Fischer", "Omar Haddad"]
ORGS = ["the Finance Ministry", "Acme Corp", "the Red Cross", "Nordic Bank", "the city council", "Vale Motors"]
PLACES = ["Paris", "Lagos", "Berlin", "Lima", "Cairo", "Oslo"]
CLAUSES = [
    "the budget would be cut next year",
    "prices had risen sharply in the spring",
    "the new bridge will open in June",
    "talks with the unions were going well",
    "the factory would hire two hundred workers",
    "the storm had damaged many roads",
]


class Article:
    """Text built piece by piece, remembering where each labelled piece lies."""

    def __init__(self, ext_id: str):
        self.ext_id = ext_id
        self.text = ""
        self.entities: list[dict] = []
        self.quotes: list[dict] = []
        self.events: list[dict] = []

    def add(self, piece: str) -> tuple[int, int]:
        start = len(self.text)
        self.text += piece
        return start, len(self.text)

    def entity(self, name: str, label: str) -> str:
        start, end = self.add(name)
        entity_id = f"t{len(self.entities) + 1}"
        self.entities.append({"id": entity_id, "start": start, "end": end, "label": label})
        return entity_id

    def record(self, source: str = "gold", **extra) -> dict:
        def span(start_end):
            return {"start": start_end[0], "end": start_end[1]}

        quotes = [
            {
                "id": f"q{n}",
                "type": q["type"],
                "content": [span(q["content"])],
                "cue": span(q["cue"]),
                "source": span(q["source"]),
                "speaker": q["speaker"],
            }
            for n, q in enumerate(self.quotes, start=1)
        ]
        events = [
            {
                "id": f"v{n}",
                "type": v["type"],
                "trigger": span(v["trigger"]),
                "source_actor": v["actor"],
                "target_actor": v["target"],
            }
            for n, v in enumerate(self.events, start=1)
        ]
        return {
            "id": self.ext_id,
            "text": self.text,
            "source": source,
            "entities": self.entities,
            "quotes": quotes,
            "events": events,
            **extra,
        }


def article(n: int) -> Article:
    """Article n: a reported statement, a direct quote and a visit, with names varied by n."""
    a = Article(f"news-{n}")
    person, other = PEOPLE[n % len(PEOPLE)], PEOPLE[(n + 1) % len(PEOPLE)]
    org, place = ORGS[n % len(ORGS)], PLACES[n % len(PLACES)]
    clause, quoted = CLAUSES[n % len(CLAUSES)], CLAUSES[(n + 2) % len(CLAUSES)]
    speaker = a.entity(person, "PERSON")
    a.add(" ")
    cue = a.add("said")
    a.add(" on Monday that ")
    content = a.add(clause)
    a.add(". ")
    a.quotes.append(
        {"type": "INDIRECT", "content": content, "cue": cue, "source": (0, len(person)), "speaker": speaker}
    )
    a.add("\n")
    opening = len(a.text)
    a.add(f"“{quoted[0].upper()}{quoted[1:]},” ")
    content = (opening, len(a.text) - 1)
    second = len(a.text)
    spoke = a.entity(other, "PERSON")
    a.add(" ")
    cue = a.add("told")
    a.add(" reporters in ")
    a.entity(place, "GPE")
    a.add(".\n")
    a.quotes.append(
        {"type": "DIRECT", "content": content, "cue": cue, "source": (second, second + len(other)), "speaker": spoke}
    )
    actor = a.entity(org[4:].capitalize() if org.startswith("the ") else org, "ORG")
    a.add(" ")
    trigger = a.add("visited")
    a.add(" ")
    target = a.entity(PLACES[(n + 3) % len(PLACES)], "GPE")
    a.add(f" last week, the {n + 1}th such trip.")
    a.events.append({"type": "CONSULT", "trigger": trigger, "actor": actor, "target": target})
    return a


def write_gold(path: Path, count: int, source: str = "gold", **extra) -> list[dict]:
    """`count` gold articles as native JSONL at `path`; returns the records."""
    records = [article(n).record(source, **extra) for n in range(count)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return records
