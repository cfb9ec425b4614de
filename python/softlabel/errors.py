"""The exceptions of softlabel. Every one carries the C library's status (``.status``, a
:class:`softlabel.Status`) and its message (``.status_text``, the text of ``sl_status_str``)."""

from __future__ import annotations

from typing import Optional


class SoftlabelError(Exception):
    """A call into the softlabel library failed; ``.status`` says how."""

    def __init__(self, message: str, status: int, status_text: str) -> None:
        super().__init__(message)
        from . import Status  # the enum is built from the extension at import

        self.status = Status(status)
        self.status_text = status_text

    def __reduce__(self):
        # pickled with its constructor's arguments, so it crosses processes (a Dask worker's
        # error reaches the client whole)
        return (type(self), (str(self), int(self.status), self.status_text) + self._extra())

    def _extra(self) -> tuple:
        return ()


class ParameterError(SoftlabelError, ValueError):
    """A parameter is out of its range (SPEC); ``.parameter`` names it. Nothing was computed."""

    def __init__(self, message: str, status: int, status_text: str, parameter: str) -> None:
        super().__init__(message, status, status_text)
        self.parameter = parameter

    def _extra(self) -> tuple:
        return (self.parameter,)


class InvalidRowError(SoftlabelError, ValueError):
    """An input row is invalid (NaN in a real column, a negative count, p outside [0, 1], ...).

    ``.row`` is the first invalid row and ``.column`` its first bad column. Every valid row was
    still computed (into ``out=`` arrays when given). For a metrics update, ``.rows_added`` is the
    number of rows the update still added (every valid one); ``None`` elsewhere."""

    def __init__(self, message: str, status: int, status_text: str, row: int, column: str,
                 rows_added: Optional[int] = None) -> None:
        super().__init__(message, status, status_text)
        self.row = row
        self.column = column
        self.rows_added = rows_added

    def _extra(self) -> tuple:
        return (self.row, self.column, self.rows_added)


class IsaError(SoftlabelError, RuntimeError):
    """An instruction-set path was asked for that this build lacks or this CPU cannot run."""
