"""What the SDK-backed HTTP providers (Anthropic, OpenAI and compatible) share: who they
are, where they live, and their key — registered so it never appears in logs or messages.

The key may be given as a function, called the first time the SDK client is built (in a
worker thread): reading the OS keyring then waits until the provider is really used."""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import AsyncIterable, Callable
from typing import TYPE_CHECKING, Any

from codeface.core.errors import AuthenticationFailed, CodefaceError
from codeface.core.logs import register_secret
from codeface.core.provider import Health, Tier
from codeface.providers.errors import ErrorContext
from codeface.providers.http_clients import STATUS_TIMEOUT
from codeface.providers.lazy_client import LazyClient
from codeface.providers.streaming import optional_text, record

if TYPE_CHECKING:
    import httpx2

KeySource = str | Callable[[], str | None] | None
"""A key, a function that finds it when first needed, or None (no key)."""
MAX_MODELS = 1000
"""A model list stops here: a server that pages forever must not hold a status call."""


class CloudProviderBase:
    """Identity, address, timeouts and key of one HTTP provider."""

    default_host = ""
    placeholder_key: str | None = None
    """Sent when no key is set (a local server that wants none), instead of refusing."""
    _client: LazyClient[Any]

    def __init__(
        self,
        api_key: KeySource,
        *,
        base_url: str | None,
        default_model: str | None,
        connect_timeout: float,
        read_timeout: float,
        provider_id: str,
        name: str,
        tier: Tier,
        status_timeout: float = STATUS_TIMEOUT,
    ) -> None:
        self._key_source = api_key
        if isinstance(api_key, str):
            register_secret(api_key)
        self._base_url = base_url.rstrip("/") if base_url else None
        self._default_model = default_model
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._status_timeout = status_timeout
        self._id = provider_id
        self._name = name
        self._tier: Tier = tier

    @property
    def id(self) -> str:
        """``anthropic``, ``openai`` or ``compat:<name>``."""
        return self._id

    @property
    def tier(self) -> Tier:
        """``cloud``, or ``local`` for a compatible server on this machine or LAN."""
        return self._tier

    @property
    def host(self) -> str:
        """The server's host, e.g. ``api.anthropic.com`` or ``127.0.0.1:1234``."""
        if self._base_url:
            return urllib.parse.urlsplit(self._base_url).netloc or self._base_url
        return self.default_host

    @property
    def default_model(self) -> str | None:
        """The model used when a request names none."""
        return self._default_model

    def _api_key(self) -> str:
        """The key, looked up now if it was given as a function."""
        source = self._key_source
        key = source() if callable(source) else source
        if key:
            register_secret(key)
            return key
        if self.placeholder_key is not None:
            return self.placeholder_key
        raise AuthenticationFailed(
            f"No API key is set for {self._name}",
            provider=self._id,
            hint=f"Add one in Settings, or with `codeface keys set {self._id}`.",
        )

    def _context(self, model: str | None = None) -> ErrorContext:
        return ErrorContext(self._id, self._name, self.host, model, key_hint=self._id)

    def _timeout(self) -> httpx2.Timeout:
        import httpx2

        return httpx2.Timeout(self._read_timeout, connect=self._connect_timeout)

    async def _model_names(self) -> list[str]:
        raise NotImplementedError

    async def prepare(self) -> None:
        """Build the SDK client in a worker thread (reads the key); failures wait for use."""
        with contextlib.suppress(CodefaceError):  # e.g. no key: the first request says so
            await self._client.get()

    async def health(self) -> Health:
        """A cheap authenticated call (list models): tells a bad key from no connection."""
        try:
            names = await self._model_names()
        except CodefaceError as error:
            return Health(False, error.user_message, error=error)
        return Health(True, f"{self._name} at {self.host}: {len(names)} models")

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        client = self._client.take()
        if client is not None:
            await client.close()


async def model_ids(models: AsyncIterable[Any], context: ErrorContext) -> list[str]:
    """The ``id`` of each model a paged model list holds (at most `MAX_MODELS`)."""
    names: list[str] = []
    async for model in models:
        name = optional_text(
            getattr(record(model, "a model", context), "id", None), "a model id", context
        )
        if name:
            names.append(name)
        if len(names) >= MAX_MODELS:
            break
    return names
