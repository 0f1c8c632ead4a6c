"""Android entry point (buildozer runs main.py at source.dir); desktops use `koll-field`."""

from koll.field.main import main

if __name__ == "__main__":
    main([])
