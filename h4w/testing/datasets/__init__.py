from .scene import SyntheticPeople, draw_mesh, project, rodrigues

__all__ = ['SyntheticPeople', 'draw_mesh', 'project', 'rodrigues']
