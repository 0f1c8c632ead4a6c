"""E-mail to the organisation a case or measure is now theirs, invitations to meetings, and to
the reporters who asked, a word when their case is resolved.

Like webhooks, a mail is written to an outbox in the transaction that appends its event, so a
crash never loses one, and sent after the commit by a courier (SMTP at KOLL_SMTP_URL). The
address is the organisation's in the area's definition. A restricted case is never described
by e-mail: the mail says only that there is one, and links to it.
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

from koll.ledger.courier import Courier, outbox_columns, utcnow
from koll.ledger.history import event_name
from koll.ledger.store import Store, metadata
from koll.schema import glossary, taxonomy

mails = sa.Table(
    "koll_mail",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("to_addr", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # "{base}" stands for the boards' address
    *outbox_columns(),
    sa.UniqueConstraint("position", "to_addr", name="koll_mail_once"),
    sa.Index("koll_mail_due", "state", "next_attempt_at"),
)

GROUP_NAMES = {"operational": "operativa gruppen", "strategic": "strategiska gruppen"}
SIGNATURE = "\n\nDetta är ett automatiskt meddelande från Koll. Svara inte på det."
RESTRICTED = "ett ärende med begränsad åtkomst"


def _org_name(org: str | None, definition: dict[str, Any] | None) -> str:
    for o in (definition or {}).get("organisations", []):
        if o["code"] == org:
            return o["sv"]
    return taxonomy.organisation(org).sv if org in taxonomy.ORGANISATION_BY_CODE else str(org)


def _address(org: str | None, definition: dict[str, Any] | None) -> str | None:
    for o in (definition or {}).get("organisations", []):
        if o["code"] == org:
            return o.get("email") or None
    return None


def _definitions(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    from koll.ledger.projections.areas import areas

    return {code: json.loads(d) for code, d in conn.execute(sa.select(areas.c.code, areas.c.definition))}


def _case_mail(conn: sa.Connection, event: Any, defs: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    from koll.ledger.projections.situation import cases

    row = conn.execute(sa.select(cases).where(cases.c.case_id == str(event.originator_id))).first()
    if row is None:
        return []
    definition = defs.get(row.area)
    to = _address(event.org, definition)
    if to is None:
        return []
    org = _org_name(event.org, definition)
    link = f"{{base}}/arenden/{row.case_id}"
    if row.visibility == "restricted":  # nothing of what it is about leaves Koll by mail
        return [(to, f"Koll: {RESTRICTED} har tilldelats {org}",
                 f"Hej!\n\nEtt ärende med begränsad åtkomst har tilldelats {org}. Logga in i Koll för att "
                 f"läsa det:\n{link}" + SIGNATURE)]
    category = taxonomy.category(row.category).sv if row.category in taxonomy.CATEGORY_BY_CODE else row.category
    place = next((p["sv"] for p in (definition or {}).get("places", []) if p["code"] == row.place), row.place)
    where = f" vid {place}" if place else ""
    area = (definition or {}).get("name", {}).get("sv", "")
    priority = f" (prioritet {row.priority})" if row.priority else ""
    person = f"\nHandläggare: {event.person}" if getattr(event, "person", None) else ""
    return [(to, f"Koll: ärende tilldelat {org}: {category}{where}",
             f"Hej!\n\nEtt ärende{' i ' + area if area else ''} har tilldelats {org}: {category}{where}{priority}."
             f"{person}\n\nÖppna ärendet:\n{link}" + SIGNATURE)]


def _measure_mail(conn: sa.Connection, event: Any, defs: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    from koll.ledger.projections.measures import measures

    row = conn.execute(sa.select(measures).where(measures.c.measure_id == str(event.originator_id))).first()
    if row is None:
        return []
    definition = defs.get(row.area)
    # The strategic group answers escalations: the city's address in the area, else the owner's.
    for org in ("staden", row.owner_org):
        to = _address(org, definition)
        if to:
            return [(to, f"Koll: insats eskalerad till strategiska gruppen: {row.what}",
                     f"Hej!\n\nDen operativa gruppen har eskalerat insatsen \"{row.what}\" till strategiska gruppen."
                     f"\nStöd som behövs: {event.support_needed}\n\nÖppna insatsen:\n{{base}}/insatser/"
                     f"{row.measure_id}" + SIGNATURE)]
    return []


def _long_date(value: Any) -> str:
    """'2026-12-02' → '2 december 2026' (a mail is running text); text that is no date stays as it is."""
    try:
        return glossary.long_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _meeting_mail(conn: sa.Connection, event: Any, defs: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    definition = defs.get(getattr(event, "area", None))
    if definition is None:
        return []
    title = event.title or f"Möte i {GROUP_NAMES.get(event.group, event.group)}"
    day = _long_date(event.date)
    text = (f"Hej!\n\n{title} är inbokat den {day}.\n\nDagordning och underlag:\n"
            f"{{base}}/moten/{event.originator_id}" + SIGNATURE)
    return [(o["email"], f"Koll: {title} den {day}", text)
            for o in definition.get("organisations", []) if o.get("email")]


def _resolved_mail(conn: sa.Connection, event: Any, defs: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """The reporters who asked hear that their case is resolved, with the public note. The
    address is opened here, inside Koll; an erased report has no key and hears nothing."""
    from koll.ledger.projections.situation import cases, observations
    from koll.ledger.vault import ERASED, keys_table, open_sealed

    row = conn.execute(sa.select(cases).where(cases.c.case_id == str(event.originator_id))).first()
    if row is None:
        return []
    asked = conn.execute(sa.select(observations.c.observation_id, observations.c.contact_sealed, keys_table.c.key)
                         .join(keys_table, keys_table.c.subject_id == observations.c.observation_id)
                         .where(observations.c.case_id == row.case_id, observations.c.contact_sealed.is_not(None))
                         ).all()
    addresses = sorted({a for a in (open_sealed(bytes(k), c, o) for o, c, k in asked) if a and a != ERASED})
    if not addresses:
        return []
    definition = defs.get(row.area) or {}
    area = definition.get("name", {}).get("sv", "")
    if row.visibility == "restricted":  # neither what it was about nor the note leaves Koll
        subject, text = "Koll: ditt ärende är avslutat", "Hej!\n\nEtt ärende du rapporterade har åtgärdats och avslutats."
    else:
        category = taxonomy.category(row.category).sv if row.category in taxonomy.CATEGORY_BY_CODE else row.category
        place = next((p["sv"] for p in definition.get("places", []) if p["code"] == row.place), row.place)
        what = f"{category}{' vid ' + place if place else ''}{' i ' + area if area else ''}"
        note = f"\n\n{event.public_note}" if getattr(event, "public_note", None) else ""
        subject, text = f"Koll: åtgärdat: {category}", f"Hej!\n\nDet du rapporterade är åtgärdat: {what}.{note}"
    return [(to, subject, text + "\n\nTack för att du rapporterade." + SIGNATURE) for to in addresses]


COMPOSERS = {"Case.Assigned": _case_mail, "Case.Resolved": _resolved_mail, "Measure.Escalated": _measure_mail,
             "Meeting.Scheduled": _meeting_mail}


def compose(conn: sa.Connection, batch: Sequence[tuple[int, Any]]) -> int:
    """In-transaction hook: the mails the batch's events call for, into the outbox."""
    wanted = [(p, e) for p, e in batch if event_name(e) in COMPOSERS]
    if not wanted:
        return 0
    defs = _definitions(conn)
    now = utcnow()
    rows = []
    for position, event in wanted:
        for to, subject, body in COMPOSERS[event_name(event)](conn, event, defs):
            rows.append({"position": position, "to_addr": to, "subject": subject, "body": body, "state": "pending",
                         "attempts": 0, "next_attempt_at": now})
    if rows:
        conn.execute(mails.insert(), rows)
    return len(rows)


class MailCourier(Courier):
    table = mails
    receiver = "to_addr"

    def __init__(self, store: Store, smtp_url: str, base_url: str, sender: str, **kw: Any) -> None:
        super().__init__(store, **kw)
        self.smtp_url, self.base_url, self.sender = smtp_url, base_url.rstrip("/"), sender

    def deliver(self, item: Any) -> tuple[bool, int | None, str | None]:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, item.to_addr, item.subject
        message["Message-ID"] = make_msgid(domain="koll")
        message.set_content(item.body.replace("{base}", self.base_url))
        url = urlsplit(self.smtp_url)
        kind = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        with kind(url.hostname or "127.0.0.1", url.port or (465 if url.scheme == "smtps" else 25), timeout=15) as smtp:
            if "starttls" in (url.query or ""):
                smtp.starttls()
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            refused = smtp.send_message(message)
        return not refused, 250, (json.dumps(refused) if refused else None)


class Mail:
    """The ledger's side: queue mails in the appending transaction, once this deployment sends mail."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.courier: MailCourier | None = None
        sa.event.listen(store.engine, "commit", self._after_commit)

    def configure(self, smtp_url: str, base_url: str, sender: str) -> None:
        self.courier = MailCourier(self.store, smtp_url, base_url, sender)
        if self.courier.waiting():
            self.courier.wake()

    def enqueue(self, conn: sa.Connection, batch: Sequence[tuple[int, Any]]) -> None:
        if self.courier is not None and compose(conn, batch):
            conn.info["koll_mail_queued"] = True

    def _after_commit(self, conn: sa.Connection) -> None:
        if conn.info.pop("koll_mail_queued", False) and self.courier is not None:
            self.courier.wake()
