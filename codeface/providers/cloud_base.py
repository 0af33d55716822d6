"""What the SDK-backed HTTP providers (Anthropic, OpenAI and compatible) share: who they
are, where they live, and their key — registered so it never appears in logs or messages."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING, Any

from codeface.core.errors import CodefaceError
from codeface.core.logs import register_secret
from codeface.providers.base import Health, Tier
from codeface.providers.errors import ErrorContext
from codeface.providers.lazy_client import LazyClient

if TYPE_CHECKING:
    import httpx2


class CloudProviderBase:
    """Identity, address, timeouts and key of one HTTP provider."""

    default_host = ""
    _client: LazyClient[Any]

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None,
        default_model: str | None,
        connect_timeout: float,
        read_timeout: float,
        provider_id: str,
        name: str,
        tier: Tier,
    ) -> None:
        self._api_key = api_key
        register_secret(api_key)
        self._base_url = base_url.rstrip("/") if base_url else None
        self._default_model = default_model
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
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

    def _context(self, model: str | None = None) -> ErrorContext:
        return ErrorContext(self._id, self._name, self.host, model, key_hint=self._id)

    def _timeout(self) -> httpx2.Timeout:
        import httpx2

        return httpx2.Timeout(self._read_timeout, connect=self._connect_timeout)

    async def _model_names(self) -> list[str]:
        raise NotImplementedError

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
