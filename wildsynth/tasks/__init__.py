"""Dataset tasks beyond frames (``wildsynth dataset generate --task NAME``; docs/generative_data.md).

A task turns one dataset job into training data of one kind: ``pairs`` (image-to-image),
``nvs`` (novel-view tuples), ``clips`` (short trajectories with poses and flow), ``objects``
(single assets, the object-set layouts) and ``world`` (a bird's-eye world export). Each is one
module here that calls ``register_task``; ``base.run_task`` is what a dataset worker runs.
Importing this package imports no Blender and no torch.
"""

from .base import TASKS, Task, finish_dataset, get_task, register_task, run_task, task_names

__all__ = ["TASKS", "Task", "finish_dataset", "get_task", "register_task", "run_task", "task_names"]
