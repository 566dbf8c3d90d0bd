from .tracking import BoxTracker

__all__ = ['BoxTracker']
