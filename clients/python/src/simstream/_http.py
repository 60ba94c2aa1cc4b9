"""Requests to the gateway with one retry policy: exponential backoff with full jitter, only for
429/502/503/504 and connection failures, honouring Retry-After; every other failure is raised at
once as the ApiError its problem document names.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from ._problem import RETRY_STATUSES, ApiConnectionError, ApiError

# Failures after which the same request may be sent again. Timeouts waiting for an answer are
# retried only for idempotent calls: a solve that outlived the timeout would outlive it again.
_CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# ... and for idempotent calls and streams being read, also a timeout.
_BROKEN_OR_SILENT: tuple[type[Exception], ...] = (*_CONNECTION_ERRORS, httpx.TimeoutException)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a request the gateway could not serve now."""

    attempts: int = 5
    """Tries in all (1 = no retry)."""
    base_delay: float = 0.25
    """Seconds before the first retry (at most; full jitter)."""
    max_delay: float = 10.0
    """Cap of one backoff delay."""
    max_retry_after: float = 60.0
    """A Retry-After longer than this is not waited for: the error is raised."""

    def delay(self, retry: int, retry_after: float | None = None, base: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        cap = min(self.max_delay, (self.base_delay if base is None else base) * 2**retry)
        jittered = random.uniform(0.0, cap)
        if retry_after is not None:
            # The server's time, plus a little spread so clients told the same do not return together.
            return retry_after + jittered * 0.1
        return jittered


Sleep = Callable[[float], None]


class Http:
    """An httpx.Client bound to the gateway, the API key and the retry policy."""

    def __init__(self, client: httpx.Client, policy: RetryPolicy, sleep: Sleep = time.sleep) -> None:
        self.client = client
        self.policy = policy
        self.sleep = sleep

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        idempotent: bool = True,
    ) -> Any:
        """Sends a request and returns its JSON answer."""
        with self.stream(
            method, path, params=params, json=json, headers=headers, timeout=timeout, idempotent=idempotent
        ) as response:
            response.read()
            return response.json()

    @contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        idempotent: bool = True,
        attempts: int | None = None,
    ) -> Iterator[httpx.Response]:
        """Opens a request whose answer is a 2xx (retrying as the policy says); the body is not read yet."""
        response = self._send(method, path, params, json, headers, timeout, idempotent, attempts)
        try:
            yield response
        finally:
            response.close()

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        timeout: httpx.Timeout | None,
        idempotent: bool,
        attempts: int | None,
    ) -> httpx.Response:
        attempts = self.policy.attempts if attempts is None else attempts
        retriable_errors = _BROKEN_OR_SILENT if idempotent else _CONNECTION_ERRORS
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        retry = 0
        while True:
            request = self.client.build_request(
                method, path, params=query, json=json, headers=headers, **extra
            )
            try:
                response = self.client.send(request, stream=True)
            except retriable_errors as error:
                if retry + 1 >= attempts:
                    raise ApiConnectionError(f"{method} {path}: {type(error).__name__}: {error}") from error
                self.sleep(self.policy.delay(retry))
                retry += 1
                continue
            except httpx.TimeoutException as error:
                raise ApiConnectionError(f"{method} {path}: {type(error).__name__}: {error}") from error
            if response.status_code < 400:
                return response
            try:
                response.read()
            except httpx.HTTPError:
                pass  # the status is enough to act on
            finally:
                response.close()
            failure = ApiError.from_response(response)
            if not self._retry_status(failure, retry, attempts):
                raise failure
            self.sleep(self.policy.delay(retry, failure.retry_after))
            retry += 1

    def _retry_status(self, failure: ApiError, retry: int, attempts: int) -> bool:
        if failure.status not in RETRY_STATUSES or retry + 1 >= attempts:
            return False
        return failure.retry_after is None or failure.retry_after <= self.policy.max_retry_after


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
