"""User-facing errors.

Anything a person can cause (a missing file, no camera, a wrong model) is raised
as a :class:`FormcheckError`; the CLI prints its message on one line and exits
with its ``exit_code``. Everything else is a bug and keeps its traceback.
"""


class FormcheckError(Exception):
    """An error whose message is meant for the user, with a fix where one exists."""

    exit_code = 2


class InputError(FormcheckError):
    """The video file or camera cannot be used."""

    exit_code = 3


class ModelError(FormcheckError):
    """The pose model is missing, damaged or not a pose landmarker bundle."""

    exit_code = 4


class ViewError(FormcheckError):
    """The video never showed a whole person the exercise can be judged on."""

    exit_code = 5


class OutputError(FormcheckError):
    """The output folder or an output file cannot be written (permissions, a file in the way, a full disk)."""

    exit_code = 6
