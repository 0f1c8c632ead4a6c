"""What the phone remembers between runs: the server, the token, who is signed in, the
language and the walk in progress. One small JSON file under the app's data folder, written
atomically so a kill mid-write leaves the old file, never half a file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Settings:
    server: str = "http://127.0.0.1:8000"
    token: str = ""
    user: str = ""
    role: str = ""
    org: str = ""
    lang: str = "sv"
    walk: dict[str, Any] | None = None  # {"id", "title"} of the walk in progress
    area: str = ""  # the area reported in, as the user chose it (or their only one)
    map_etags: dict[str, str] = field(default_factory=dict)  # area code → ETag of the kept base map
    mine_cache: list[dict[str, Any]] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return bool(self.token)


class SettingsStore:
    def __init__(self, data_dir: str | os.PathLike[str]):
        self.path = Path(data_dir) / "settings.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def load(self) -> Settings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return Settings()
        known = {k: v for k, v in raw.items() if k in Settings.__dataclass_fields__}
        return Settings(**known)

    def save(self, settings: Settings) -> None:
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(asdict(settings), f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
