"""python-for-android's ``android`` module, faked (see ../README.md)."""
