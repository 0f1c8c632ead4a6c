"""Small widget makers and the server's refusals in words, shared by every screen."""

from __future__ import annotations

from typing import Any, Callable

from kivy.metrics import dp
from kivy.uix.button import Button
from kivy.uix.label import Label

from koll.field.i18n import pick
from koll.schema import taxonomy, vocabulary

TAP_DP = 48  # the smallest tap target (Android's guideline)


def _label(terms, code: str | None, lang: str) -> str:
    if not code:
        return "–"
    try:
        return vocabulary.label(terms, code, lang)
    except KeyError:
        # an area's own place, organisation or local category (registered when the area is used)
        index = {id(taxonomy.CATEGORIES): taxonomy.CATEGORY_BY_CODE, id(taxonomy.PLACES): taxonomy.PLACE_BY_CODE,
                 id(taxonomy.ORGANISATIONS): taxonomy.ORGANISATION_BY_CODE}.get(id(terms), {})
        return pick(index[code], lang) if code in index else code


def _para(text: str, color=(0.9, 0.9, 0.9, 1), bold: bool = False, kid: str = "") -> Label:
    lab = Label(text=text, color=color, bold=bold, size_hint_y=None, halign="left", valign="top")
    lab.bind(width=lambda w, v: setattr(w, "text_size", (v, None)),
             texture_size=lambda w, v: setattr(w, "height", v[1] + dp(8)))
    lab.kid = kid
    return lab


def _button(text: str, on_release: Callable[[], None], kid: str = "", height: float = TAP_DP, **kw) -> Button:
    b = Button(text=text, size_hint_y=None, height=dp(height), halign="center", **kw)
    b.bind(width=lambda w, v: setattr(w, "text_size", (v - dp(12), None)))
    b.bind(on_release=lambda *_: on_release())
    b.kid = kid
    return b


def _error_text(error: dict[str, Any] | None, lang: str) -> str:
    """The server's reason for refusing, in the user's language."""
    if not error:
        return ""
    parts: list[str] = []
    for path, msgs in (error.get("errors") or {}).items():
        if isinstance(msgs, dict) and not ({"sv", "en"} <= set(msgs)):
            for sub, m in msgs.items():
                parts.append(f"{path}.{sub}: {_msgs(m, lang)}")
        else:
            parts.append(f"{path}: {_msgs(msgs, lang)}")
    if not parts:
        detail = error.get("detail") or error.get("title") or ""
        parts.append(pick(detail, lang) if isinstance(detail, dict) else str(detail))
    return "; ".join(p for p in parts if p)


def _msgs(m: Any, lang: str) -> str:
    if isinstance(m, list):
        return ", ".join(_msgs(x, lang) for x in m)
    if isinstance(m, dict):
        if "sv" in m or "en" in m:
            return pick(m, lang)
        return ", ".join(f"{k}: {_msgs(v, lang)}" for k, v in m.items())
    return str(m)
