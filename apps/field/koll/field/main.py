"""``koll-field``: the field app on a desktop or a phone.

    koll-field --server http://127.0.0.1:8000 [--token T] [--data-dir DIR]
               [--gps auto|manual|LAT,LON[,ACC]] [--camera auto|file|PATH] [--lang sv|en]
"""

from __future__ import annotations

import argparse
import os
import sys


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="koll-field", description="Koll: fältrapporter från torget")
    p.add_argument("--server", default=os.environ.get("KOLL_FIELD_SERVER"),
                   help="the Koll service, e.g. http://127.0.0.1:8000")
    p.add_argument("--token", default=os.environ.get("KOLL_FIELD_TOKEN"), help="sign in with this token")
    p.add_argument("--data-dir", default=os.environ.get("KOLL_FIELD_DATA"),
                   help="where the outbox and settings live (default: the app's user data folder)")
    p.add_argument("--gps", default=os.environ.get("KOLL_FIELD_GPS", "auto"),
                   help="auto (phone GPS, else manual), manual, or a fixed LAT,LON[,ACCURACY_M]")
    p.add_argument("--camera", default=os.environ.get("KOLL_FIELD_CAMERA", "auto"),
                   help="auto (phone camera, else file picker), file, or a fixed picture's path")
    p.add_argument("--lang", choices=("sv", "en"), default=None)
    p.add_argument("--size", default=os.environ.get("KOLL_FIELD_SIZE", "420x820"),
                   help="window size on a desktop, WIDTHxHEIGHT")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.utils import platform

    if platform not in ("android", "ios") and args.size:
        from kivy.config import Config

        w, h = args.size.lower().split("x")
        Config.set("graphics", "width", w)
        Config.set("graphics", "height", h)
    from koll.field.app import KollFieldApp

    KollFieldApp(server=args.server, token=args.token, data_dir=args.data_dir, gps=args.gps,
                 camera=args.camera, lang=args.lang).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
