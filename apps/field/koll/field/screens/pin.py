"""The pin screen: where was it? The area's base map from its MBTiles file (pan by dragging,
zoom with the buttons, a dark style for the night), its boundary and places, the GPS fix with
its accuracy circle, and a pin placed with a tap. Without tiles, the schematic plan of the
area's places (PlanView), which needs nothing downloaded.
"""

from __future__ import annotations

import io
import math

from kivy.app import App
from kivy.core.image import Image as CoreImage
from kivy.graphics import Canvas, Color, Ellipse, Line, Rectangle
from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from koll.field import areas
from koll.field.i18n import t
from koll.field.report import time_of_day
from koll.field.tiles import TILE, latlon, metres_per_px, open_tiles, world_px



class PlanView(Widget):
    """A schematic map of the area in use drawn from its places (no tiles needed, so it works
    offline): tap to drop a pin; the GPS fix shows with its accuracy circle."""

    pin = ListProperty([])  # [lat, lon]
    fix = ListProperty([])  # [lat, lon, accuracy_m]
    span_m = 260.0  # metres across the shorter side

    __events__ = ("on_pin",)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._labels: list[Label] = []
        self.area_changed()
        self.bind(pos=self._draw, size=self._draw, pin=self._draw, fix=self._draw)

    def area_changed(self) -> None:
        """Drawn around the places of the area in use (the one chosen, else the built-in one)."""
        self.area = areas.in_use()
        self.lat0, self.lon0 = self.area.centre if self.area.boundary else (
            self.area.places[0].lat, self.area.places[0].lon)
        for lab in self._labels:
            self.remove_widget(lab)
        self._labels = []
        for p in self.area.places:
            lab = Label(text=p.sv, font_size="11sp", size_hint=(None, None), color=(0.1, 0.1, 0.1, 1))
            lab.place = p
            self._labels.append(lab)
            self.add_widget(lab)
        self._draw()

    def on_pin(self, *_):
        pass

    @property
    def scale(self) -> float:  # pixels per metre
        return max(1.0, min(self.width, self.height)) / self.span_m

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        dx = (lon - self.lon0) * 111_320.0 * math.cos(math.radians(self.lat0))
        dy = (lat - self.lat0) * 110_540.0
        return self.center_x + dx * self.scale, self.center_y + dy * self.scale

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        dx = (x - self.center_x) / self.scale
        dy = (y - self.center_y) / self.scale
        return (self.lat0 + dy / 110_540.0,
                self.lon0 + dx / (111_320.0 * math.cos(math.radians(self.lat0))))

    def _draw(self, *_):
        self.canvas.before.clear()
        with self.canvas.before:
            Color(0.93, 0.92, 0.88, 1)
            Rectangle(pos=self.pos, size=self.size)
            for p in self.area.places:
                x, y = self.to_xy(p.lat, p.lon)
                r = p.radius_m * self.scale
                Color(0.55, 0.7, 0.55, 0.35)
                Ellipse(pos=(x - r, y - r), size=(2 * r, 2 * r))
                Color(0.3, 0.45, 0.3, 1)
                Line(circle=(x, y, r), width=1)
            if self.fix:
                x, y = self.to_xy(self.fix[0], self.fix[1])
                r = (self.fix[2] or 5) * self.scale
                Color(0.2, 0.4, 0.95, 0.25)
                Ellipse(pos=(x - r, y - r), size=(2 * r, 2 * r))
                Color(0.2, 0.4, 0.95, 1)
                Ellipse(pos=(x - dp(5), y - dp(5)), size=(dp(10), dp(10)))
            if self.pin:
                x, y = self.to_xy(self.pin[0], self.pin[1])
                Color(0.85, 0.1, 0.1, 1)
                Ellipse(pos=(x - dp(7), y - dp(7)), size=(dp(14), dp(14)))
                Line(points=[x, y, x, y + dp(22)], width=2)
        for lab in self._labels:
            p = lab.place
            x, y = self.to_xy(p.lat, p.lon)
            lab.texture_update()
            lab.size = lab.texture_size
            lab.center = (x, y)

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return False
        lat, lon = self.to_latlon(*touch.pos)
        self.pin = [lat, lon]
        self.dispatch("on_pin", (lat, lon))
        return True


class TileMap(Widget):
    """The area's MBTiles base map with its boundary, places, the fix and the pin, clipped to its
    own box (a scissor, which needs no stencil buffer) so tiles beyond it stay off the screen."""

    pin = ListProperty([])  # [lat, lon]
    fix = ListProperty([])  # [lat, lon, accuracy_m]
    zoom = NumericProperty(17)
    dark = BooleanProperty(False)

    __events__ = ("on_pin",)

    def __init__(self, tiles, area, **kw):
        super().__init__(**kw)
        self.tiles, self.area = tiles, area
        self.kid = "map"
        self.zoom = max(tiles.minzoom, min(tiles.maxzoom, 17))
        lat, lon = tiles.centre or (area.places[0].lat, area.places[0].lon)
        self.centre = world_px(lat, lon, self.zoom)
        self._textures: dict[tuple[int, int, int], object] = {}
        self._labels: list[Label] = []
        for p in area.places:
            lab = Label(text=p.sv, font_size="12sp", size_hint=(None, None), bold=True)
            lab.place = p
            self._labels.append(lab)
            self.add_widget(lab)
        self._touch = None
        self._layer = Canvas()  # under the labels, inside the scissor
        self.canvas.insert(0, self._layer)
        with self.canvas.before:
            self._scissor = ScissorPush(x=0, y=0, width=1, height=1)
        with self.canvas.after:
            ScissorPop()
        self.bind(pos=self._draw, size=self._draw, pin=self._draw, fix=self._draw, zoom=self._draw,
                  dark=self._draw)

    def on_pin(self, *_):
        pass

    # where things are

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        wx, wy = world_px(lat, lon, self.zoom)
        return self.center_x + (wx - self.centre[0]), self.center_y - (wy - self.centre[1])

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return latlon(self.centre[0] + (x - self.center_x), self.centre[1] - (y - self.center_y), self.zoom)

    def centred_on(self) -> tuple[float, float]:
        return latlon(*self.centre, self.zoom)

    def zoom_by(self, step: int) -> None:
        lat, lon = self.centred_on()
        zoom = max(self.tiles.minzoom, min(self.tiles.maxzoom, int(self.zoom) + step))
        self.centre = world_px(lat, lon, zoom)
        self.zoom = zoom
        self._draw()

    def _texture(self, z: int, x: int, y: int):
        key = (z, x, y)
        if key not in self._textures:
            data = self.tiles.tile(z, x, y)
            tex = None
            if data:
                ext = "jpg" if data[:3] == b"\xff\xd8\xff" else "png"
                try:
                    tex = CoreImage(io.BytesIO(data), ext=ext).texture
                except Exception:  # noqa: BLE001 - one bad tile is a blank square
                    tex = None
            self._textures[key] = tex
        return self._textures[key]

    def _draw(self, *_):
        z = int(self.zoom)
        cx, cy = self.centre
        wx, wy = self.to_window(self.x, self.y)
        self._scissor.x, self._scissor.y = int(wx), int(wy)
        self._scissor.width, self._scissor.height = int(self.width), int(self.height)
        self._layer.clear()
        with self._layer:
            Color(0.1, 0.1, 0.12, 1) if self.dark else Color(0.9, 0.9, 0.88, 1)
            Rectangle(pos=self.pos, size=self.size)
            # Night: the tiles dimmed and cooled, so the screen does not blind the walker.
            Color(0.38, 0.42, 0.55, 1) if self.dark else Color(1, 1, 1, 1)
            left, top = cx - self.width / 2, cy - self.height / 2
            for tx in range(math.floor(left / TILE), math.floor((left + self.width) / TILE) + 1):
                for ty in range(math.floor(top / TILE), math.floor((top + self.height) / TILE) + 1):
                    if not (0 <= tx < 2 ** z and 0 <= ty < 2 ** z):
                        continue
                    tex = self._texture(z, tx, ty)
                    if tex is None:
                        continue
                    x = self.center_x + (tx * TILE - cx)
                    y = self.center_y - ((ty + 1) * TILE - cy)
                    Rectangle(texture=tex, pos=(x, y), size=(TILE, TILE))
            per_px = metres_per_px(self.centred_on()[0], z)
            Color(1, 0.75, 0.2, 1) if self.dark else Color(0.75, 0.35, 0.0, 1)
            for ring in self.area.boundary:
                pts = [c for lat, lon in ring for c in self.to_xy(lat, lon)]
                Line(points=pts, width=dp(2), close=True)
            for p in self.area.places:
                x, y = self.to_xy(p.lat, p.lon)
                r = p.radius_m / per_px
                Color(0.4, 0.8, 0.5, 0.25)
                Ellipse(pos=(x - r, y - r), size=(2 * r, 2 * r))
                Color(0.3, 0.7, 0.4, 1)
                Line(circle=(x, y, r), width=1)
            if self.fix:
                x, y = self.to_xy(self.fix[0], self.fix[1])
                r = (self.fix[2] or 5) / per_px
                Color(0.25, 0.5, 1, 0.25)
                Ellipse(pos=(x - r, y - r), size=(2 * r, 2 * r))
                Color(0.25, 0.5, 1, 1)
                Line(circle=(x, y, r), width=1)
                Ellipse(pos=(x - dp(6), y - dp(6)), size=(dp(12), dp(12)))
            if self.pin:
                x, y = self.to_xy(self.pin[0], self.pin[1])
                Color(0.95, 0.15, 0.15, 1)
                Ellipse(pos=(x - dp(8), y - dp(8)), size=(dp(16), dp(16)))
                Line(points=[x, y, x, y + dp(24)], width=2)
        for lab in self._labels:
            x, y = self.to_xy(lab.place.lat, lab.place.lon)
            lab.color = (0.95, 0.95, 0.85, 1) if self.dark else (0.1, 0.1, 0.1, 1)
            lab.texture_update()
            lab.size = lab.texture_size
            lab.center = (x, y + dp(14))

    # touch: drag to pan, tap to pin

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self._touch = (touch.uid, touch.pos, False)
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self or self._touch is None:
            return False
        uid, start, moved = self._touch
        if moved or math.dist(start, touch.pos) > dp(10):
            self.centre = (self.centre[0] - touch.dx, self.centre[1] + touch.dy)
            self._touch = (uid, start, True)
            self._draw()
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        moved = self._touch[2] if self._touch else True
        self._touch = None
        if not moved:
            lat, lon = self.to_latlon(*touch.pos)
            self.pin = [lat, lon]
            self.dispatch("on_pin", (lat, lon))
        return True


class PinScreen(Screen):
    text = StringProperty("")
    has_pin = BooleanProperty(False)
    has_map = BooleanProperty(False)
    dark = BooleanProperty(False)
    _pin: tuple[float, float] | None = None

    def on_kv_post(self, *_):
        self._plan = self.ids.plan  # a strong reference: the ids are weak
        self.map: TileMap | None = None

    def _view(self):
        """The base map when the area's tiles are kept, else the plan of places."""
        app = App.get_running_app()
        area = app.ctl.area
        box = self.ids.mapbox
        if self.map is None or self.map.area.code != area.code:
            tiles = open_tiles(app.data_dir, area.code)
            self.map = None
            if tiles is not None:
                self.map = TileMap(tiles, area)
                self.map.bind(on_pin=lambda w, ll: self.pinned(*ll))
        view = self.map or self._plan
        if view.parent is not box:
            box.clear_widgets()
            box.add_widget(view)
        self.has_map = self.map is not None
        return view

    def area_changed(self) -> None:
        """Another area, or its map downloaded anew: the map is opened again when next shown."""
        if self.map is not None:
            self.map.tiles.close()
        self.map = None
        self._plan.area_changed()

    def on_pre_enter(self, *_):
        app = App.get_running_app()
        view = self._view()
        loc = app.report_screen.form.location
        fix = app.location.last
        view.fix = [fix.lat, fix.lon, fix.accuracy_m or 0] if fix else []
        view.pin = [loc.lat, loc.lon] if loc and loc.source == "pin" else []
        self._pin = tuple(view.pin) if view.pin else None  # type: ignore[assignment]
        self.has_pin = bool(view.pin)
        if self.map is not None:
            self.map.dark = self.dark = time_of_day() in ("kvall", "natt")
            if fix:  # start where the walker is
                self.map.centre = world_px(fix.lat, fix.lon, self.map.zoom)
        self.text = t("drop_pin", app.lang)

    def zoom(self, step: int) -> None:
        if self.map is not None:
            self.map.zoom_by(step)

    def toggle_dark(self) -> None:
        if self.map is not None:
            self.map.dark = self.dark = not self.dark

    def pinned(self, lat: float, lon: float) -> None:
        app = App.get_running_app()
        self._pin = (lat, lon)
        self.has_pin = True
        self.text = t("pin_set", app.lang, lat=lat, lon=lon)

    def confirm(self) -> None:
        app = App.get_running_app()
        if self._pin:
            app.report_screen.set_pin(*self._pin)
        app.go("report")
