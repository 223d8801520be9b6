"""An HTTP client for the Stripe SDK that records each request and answers canned JSON.

The SDK sends every call through ``StripeClient(http_client=...)``: passing this one
lets a test see the exact method, URL, headers and form body the adapter produced,
with no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import stripe


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str | None

    @property
    def form(self) -> dict[str, str]:
        """The form-encoded body as a dict; every key appears once."""
        pairs = parse_qsl(self.body or "", keep_blank_values=True, strict_parsing=bool(self.body))
        form = dict(pairs)
        assert len(form) == len(pairs), f"a key is repeated in {self.body!r}"
        return form


class RecordingHTTPClient(stripe.HTTPClient):
    """Answers each (method, path) with the responses queued for it, in order; the last one repeats."""

    name = "recording"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[RecordedRequest] = []
        self._answers: dict[tuple[str, str], list[tuple[int, dict] | Exception]] = {}

    def answer(self, method: str, path: str, body: dict, status: int = 200) -> None:
        self._answers.setdefault((method.upper(), path), []).append((status, body))

    def fail(self, method: str, path: str, error: Exception) -> None:
        """Raise ``error`` (e.g. ``stripe.APIConnectionError``) as the network layer would."""
        self._answers.setdefault((method.upper(), path), []).append(error)

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]

    def request(self, method, url, headers, post_data=None):
        parts = urlsplit(url)
        recorded = RecordedRequest(
            method=method.upper(),
            url=url,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers=dict(headers or {}),
            body=post_data.decode() if isinstance(post_data, bytes) else post_data,
        )
        self.requests.append(recorded)
        queue = self._answers.get((recorded.method, recorded.path))
        if not queue:
            status, body = (
                404,
                {
                    "error": {
                        "message": f"Unrecognized request URL ({recorded.method}: {recorded.path}).",
                        "type": "invalid_request_error",
                    }
                },
            )
        else:
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            if isinstance(answer, Exception):
                raise answer
            status, body = answer
        return json.dumps(body), status, {"request-id": f"req_test{len(self.requests):04d}"}

    def request_stream(self, method, url, headers, post_data=None):
        raise NotImplementedError("the adapter never streams")

    def close(self) -> None:
        pass

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0.0  # retries without waiting
