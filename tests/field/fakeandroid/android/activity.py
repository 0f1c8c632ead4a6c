from fakelog import log

_bound: dict[str, list] = {"on_activity_result": []}


def bind(**handlers) -> None:
    for name, fn in handlers.items():
        _bound.setdefault(name, []).append(fn)
    log("activity.bind", handlers=sorted(handlers))


def deliver_result(request_code: int, result_code: int, data) -> None:
    for fn in _bound.get("on_activity_result", []):
        fn(request_code, result_code, data)
