"""The quick-start smoke job as a plugin: ``configs/quickstart/
pose_lifter_smoke.py`` loads :mod:`projects.quickstart.pose_lifter`
through ``custom_imports``."""
