"""Errors of the gateway client: problem documents (RFC 9457, application/problem+json) become
ApiError subclasses by status, carrying the stable `code` from docs/errors.md; a gateway that
cannot be reached (after the retries) is ApiConnectionError.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from simstream.errors import SimstreamError, Violation


class ApiError(SimstreamError):
    """A request the gateway refused or failed: status, code, title, detail of its problem document."""

    def __init__(
        self,
        status: int | None,
        code: str,
        detail: str,
        *,
        title: str = "",
        type: str = "",
        instance: str | None = None,
        violations: tuple[Violation, ...] = (),
        retriable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            f"{status} {code}: {detail}" if status is not None else f"{code}: {detail}", code=code
        )
        self.status = status
        self.detail = detail
        self.title = title
        self.type = type
        self.instance = instance
        self.violations = violations
        self.retriable = retriable
        self.retry_after = retry_after
        """Seconds the gateway asked to wait before retrying (its Retry-After header), if any."""

    @classmethod
    def from_problem(
        cls, problem: Mapping[str, Any], *, status: int | None = None, retry_after: float | None = None
    ) -> ApiError:
        """The error for a problem document (also the data of an SSE `error` event)."""
        raw_status = problem.get("status")
        status = raw_status if isinstance(raw_status, int) else status
        code = str(problem.get("code") or (f"HTTP_{status}" if status else "UNKNOWN"))
        violations = tuple(
            Violation(
                field=str(v.get("field", "")),
                description=str(v.get("description", "")),
                reason=str(v.get("reason", "")),
            )
            for v in problem.get("violations") or ()
            if isinstance(v, Mapping)
        )
        retriable = problem.get("retriable")
        error_class = _BY_STATUS.get(status or 0, ApiError)
        return error_class(
            status,
            code,
            str(problem.get("detail") or problem.get("title") or ""),
            title=str(problem.get("title") or ""),
            type=str(problem.get("type") or ""),
            instance=str(problem["instance"]) if problem.get("instance") else None,
            violations=violations,
            retriable=retriable if isinstance(retriable, bool) else status in RETRY_STATUSES,
            retry_after=retry_after,
        )

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        """The error for a 4xx/5xx answer (read); a body that is no problem document keeps its status."""
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        problem: Any = None
        with contextlib.suppress(ValueError):
            problem = json.loads(response.content)
        if not isinstance(problem, Mapping):
            text = response.content[:200].decode("utf-8", "replace").strip()
            problem = {"detail": text or response.reason_phrase, "title": response.reason_phrase}
        return cls.from_problem(problem, status=response.status_code, retry_after=retry_after)


class InvalidRequestError(ApiError):
    """400: the request can never succeed as sent (see `violations`)."""


class AuthenticationError(ApiError):
    """401: no key, or a key that is unknown, wrong or revoked."""


class PermissionDeniedError(ApiError):
    """403: the key lacks the scope (ingest or read) this call needs."""


class NotFoundError(ApiError):
    """404: no such simulation or job for this tenant."""


class ConflictError(ApiError):
    """409: e.g. SIMULATION_ID_UNAVAILABLE."""


class RateLimitedError(ApiError):
    """429: a rate limit or a per-tenant cap; retried by the client, raised when the retries run out."""


class UnavailableError(ApiError):
    """502/503/504: the gateway or a service behind it is down or busy; retried, then raised."""


class ApiConnectionError(ApiError):
    """The gateway could not be reached or the connection broke (after the retries)."""

    def __init__(self, detail: str) -> None:
        super().__init__(None, "UNAVAILABLE", detail, retriable=True)


RETRY_STATUSES = frozenset({429, 502, 503, 504})

_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
    502: UnavailableError,
    503: UnavailableError,
    504: UnavailableError,
}


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
