"""Benchmark tasks: one module per benchmark family, registered lazily in base.TASKS."""

from .base import TASKS, Condition, DataSource, Item, Task, TaskError, get_task, get_tasks, task_names

__all__ = ["TASKS", "Condition", "DataSource", "Item", "Task", "TaskError", "get_task", "get_tasks", "task_names"]
