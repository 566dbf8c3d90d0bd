"""Plugins: each ``projects/<name>/`` registers its modules into
``h4w.registry`` and is loaded by a config's ``custom_imports`` (run from
the repository root with the normal ``tools/train.py``)."""
