"""The exercise catalogue: every module in this package that defines an :class:`Exercise` subclass.

Adding an exercise is adding one module here (plus its tests); it is found by
its ``info.id``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from formcheck.errors import FormcheckError
from formcheck.exercises.base import Exercise, Profile

_SUPPORT_MODULES = {"base", "body", "mechanics"}


@cache
def catalogue() -> dict[str, type[Exercise]]:
    """Exercise id -> class, in the order of their ids."""
    found: dict[str, type[Exercise]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name in _SUPPORT_MODULES:
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exercise) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                found[cls.info.id] = cls
    return dict(sorted(found.items()))


def create(exercise_id: str, profile: Profile | None = None) -> Exercise:
    """A fresh exercise by id; an unknown id is a user error listing the known ones."""
    exercises = catalogue()
    if exercise_id not in exercises:
        raise FormcheckError(f"unknown exercise {exercise_id!r}; choose one of: {', '.join(exercises)}")
    try:
        return exercises[exercise_id](profile)
    except ValueError as exc:  # e.g. an unknown threshold name in the profile
        raise FormcheckError(str(exc)) from None
