"""Errors of the simstream SDK: one base class with a stable `code`, `retriable` and `cause`.

Codes follow docs/errors.md: a server rejection keeps the server's reason (SHAPE_MISMATCH ...),
client-side checks use FRAME_INVALID / STEP_*, a failed upload UPLOAD_FAILED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import grpc


class SimstreamError(Exception):
    """Base of every error the SDK raises on purpose."""

    code: str = "SIMSTREAM_ERROR"
    retriable: bool = False

    def __init__(self, message: str, *, code: str | None = None, cause: BaseException | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.cause = cause
        if cause is not None:
            self.__cause__ = cause


class FrameError(SimstreamError, ValueError):
    """A frame the SDK refuses before sending anything (dtype, shape, name, non-finite value ...)."""

    code = "FRAME_INVALID"

    def __init__(self, message: str, *, field: str | None = None, reason: str = "FRAME_INVALID") -> None:
        super().__init__(message, code=reason)
        self.field = field
        self.reason = reason


class StepError(SimstreamError, ValueError):
    """`send` of a step that is not after the last one sent, or that the server already holds."""

    code = "STEP_NOT_INCREASING"

    def __init__(self, message: str, *, step: int, reason: str) -> None:
        super().__init__(message, code=reason)
        self.step = step
        self.reason = reason


@dataclass(frozen=True)
class Violation:
    """One problem of a rejected frame (google.rpc.BadRequest.FieldViolation)."""

    field: str  # path into the frame, e.g. "fields[2].data"
    description: str
    reason: str  # e.g. SHAPE_MISMATCH


def status_name(code: int) -> str:
    """NAME of a grpc status code value (3 -> INVALID_ARGUMENT); the number when unknown."""
    for status in grpc.StatusCode:
        if status.value[0] == code:
            return str(status.name)
    return str(code)


class FrameRejected(SimstreamError):
    """The server rejected one frame; the stream goes on (later frames are unaffected)."""

    def __init__(
        self,
        *,
        simulation_id: str,
        step: int,
        grpc_code: int,
        reason: str,
        message: str,
        violations: Sequence[Violation] = (),
    ) -> None:
        detail = "; ".join(f"{v.field}: {v.reason}: {v.description}" for v in violations)
        super().__init__(
            f"step {step} of {simulation_id} rejected ({status_name(grpc_code)} {reason}): {message}"
            + (f" [{detail}]" if detail and detail not in message else ""),
            code=reason or "REJECTED",
        )
        self.simulation_id = simulation_id
        self.step = step
        self.grpc_code = grpc_code
        self.grpc_code_name = status_name(grpc_code)
        self.reason = reason
        self.server_message = message
        self.violations = tuple(violations)
        # RESOURCE_EXHAUSTED (8) and UNAVAILABLE (14) are worth sending again later, as a new step.
        self.retriable = grpc_code in (8, 14)


class UploadFailed(SimstreamError):
    """The upload stopped: a non-retriable stream status, or reconnecting failed for too long."""

    code = "UPLOAD_FAILED"

    def __init__(
        self, message: str, *, grpc_code: grpc.StatusCode | None = None, cause: BaseException | None = None
    ) -> None:
        super().__init__(message, cause=cause)
        self.grpc_code = grpc_code
        self.grpc_code_name = None if grpc_code is None else str(grpc_code.name)
