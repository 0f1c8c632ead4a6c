"""The areas a reporter may report in, and each one's organisations and places.

Today the phone knows one area, the one built into ``koll.schema.taxonomy`` (Hässelby torg).
The server is growing areas of its own (``GET /api/v1/areas``, those the caller may see); when
it answers, ``ServerAreas`` goes beside ``BuiltInArea`` behind the same two methods, and the
screens, which only ever ask ``FieldController.areas``, need no change.
"""

from __future__ import annotations

from dataclasses import dataclass

from koll.schema import taxonomy


@dataclass(frozen=True)
class Area:
    code: str
    sv: str
    en: str
    organisations: tuple[taxonomy.Organisation, ...]
    places: tuple[taxonomy.Place, ...]


class BuiltInArea:
    """The one area the app ships with."""

    def available(self) -> list[Area]:
        return [Area("hasselby-torg", "Hässelby torg", "Hässelby torg", tuple(taxonomy.ORGANISATIONS),
                     tuple(taxonomy.PLACES))]

    def current(self) -> Area:
        return self.available()[0]
