"""One table from every SDK / transport exception to a `CodefaceError` the user can act on.

Keys are ``"<top-level package>.<ClassName>"`` (so no SDK is imported here); `translate`
walks the exception's MRO and uses the first class in the table. Rules marked
``by_status`` look at the HTTP status and the error body (Anthropic's mid-stream error
frame arrives as ``APIStatusError`` with status 200; Ollama's as ``status_code == -1``).
A test walks every exception exported by anthropic, openai, ollama, httpx and httpx2 and
fails when one is missing here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from codeface.core.errors import (
    AuthenticationFailed,
    CodefaceError,
    ConfigError,
    ContextTooLong,
    InvalidRequest,
    MalformedResponse,
    ModelMissing,
    Overloaded,
    ProviderUnavailable,
    RateLimited,
    ServerError,
    StreamInterrupted,
)
from codeface.core.logs import redact


@dataclass(frozen=True)
class ErrorContext:
    """Who failed: shown in messages (``name`` like "Ollama", ``host`` like 127.0.0.1:11434)."""

    provider: str
    name: str
    host: str
    model: str | None = None
    key_hint: str | None = None


@dataclass(frozen=True)
class Rule:
    """How one exception class becomes a `CodefaceError`."""

    error: type[CodefaceError]
    message: str
    retryable: bool
    hint: str | None = None
    by_status: bool = False
    sdk_only: bool = False


_UNREACHABLE = Rule(ProviderUnavailable, "Cannot reach {name} at {host}", True)
_TIMEOUT = Rule(ProviderUnavailable, "{name} at {host} did not answer in time", True)
_DROPPED = Rule(StreamInterrupted, "The connection to {name} at {host} dropped", True)
_GARBLED = Rule(MalformedResponse, "{name} at {host} sent a response CodeFace cannot read", False)
# Builtin errors count as a garbled response only when raised while an SDK (or the JSON
# or pydantic parser under it) handled the data; raised from our own code they are bugs.
_GARBLED_IN_SDK = Rule(
    MalformedResponse,
    "{name} at {host} sent a response CodeFace cannot read",
    False,
    sdk_only=True,
)
_STATUS = Rule(ServerError, "{name} failed: {detail}", False, by_status=True)
_BAD_URL = Rule(
    ConfigError,
    "The address of {name} ({host}) is not a valid URL",
    False,
    "Fix the address in Settings.",
)
_BILLING = Rule(
    InvalidRequest,
    "{name} refused the request: {detail}",
    False,
    "Check the account's billing and spend limits.",
)
_CREDENTIALS = Rule(AuthenticationFailed, "{name} has no usable credentials: {detail}", False)
_BAD_REQUEST = Rule(InvalidRequest, "{name} rejected the request: {detail}", False)

TABLE: dict[str, Rule] = {
    # --- builtins and the standard library ------------------------------------------
    "builtins.ConnectionError": _UNREACHABLE,  # ollama, non-streaming calls
    "builtins.TimeoutError": _TIMEOUT,
    "builtins.OSError": _UNREACHABLE,
    "json.JSONDecodeError": _GARBLED,
    "builtins.UnicodeDecodeError": _GARBLED_IN_SDK,
    "builtins.ValueError": _GARBLED_IN_SDK,
    "builtins.TypeError": _GARBLED_IN_SDK,
    "builtins.KeyError": _GARBLED_IN_SDK,
    "builtins.IndexError": _GARBLED_IN_SDK,
    "builtins.AttributeError": _GARBLED_IN_SDK,
    "pydantic_core.ValidationError": _GARBLED,
    # --- ollama, and CodeFace's own requests to it (providers.ollama_api) --------------
    "codeface.StatusFailure": _STATUS,
    "codeface.UnreadableAnswer": _GARBLED,
    "ollama.ResponseError": _STATUS,
    "ollama.RequestError": _BAD_REQUEST,
}

# httpx (ollama) and httpx2 (anthropic, openai) share their exception tree.
for _package in ("httpx", "httpx2"):
    TABLE.update(
        {
            f"{_package}.HTTPError": _UNREACHABLE,
            f"{_package}.RequestError": _UNREACHABLE,
            f"{_package}.TransportError": _UNREACHABLE,
            f"{_package}.NetworkError": _UNREACHABLE,
            f"{_package}.ConnectError": _UNREACHABLE,  # ollama, streaming calls
            f"{_package}.ProxyError": _UNREACHABLE,
            f"{_package}.ReadError": _DROPPED,
            f"{_package}.WriteError": _DROPPED,
            f"{_package}.CloseError": _DROPPED,
            f"{_package}.ProtocolError": _DROPPED,
            f"{_package}.RemoteProtocolError": _DROPPED,
            f"{_package}.LocalProtocolError": _DROPPED,
            f"{_package}.TimeoutException": _TIMEOUT,
            f"{_package}.ConnectTimeout": _TIMEOUT,
            f"{_package}.ReadTimeout": Rule(
                StreamInterrupted, "{name} at {host} stopped answering", True
            ),
            f"{_package}.WriteTimeout": _TIMEOUT,
            f"{_package}.PoolTimeout": _TIMEOUT,
            f"{_package}.HTTPStatusError": _STATUS,
            f"{_package}.DecodingError": _GARBLED,
            f"{_package}.TooManyRedirects": _GARBLED,
            f"{_package}.CookieConflict": _GARBLED,
            f"{_package}.InvalidURL": _BAD_URL,
            f"{_package}.UnsupportedProtocol": _BAD_URL,
            f"{_package}.StreamError": _DROPPED,
            f"{_package}.StreamClosed": _DROPPED,
            f"{_package}.StreamConsumed": _DROPPED,
            f"{_package}.RequestNotRead": _DROPPED,
            f"{_package}.ResponseNotRead": _DROPPED,
        }
    )
TABLE["httpx2.SSEError"] = _GARBLED

# anthropic and openai (Stainless SDKs): status classes all decide by status and body.
for _package in ("anthropic", "openai"):
    TABLE.update(
        {
            f"{_package}.APIError": _STATUS,
            f"{_package}.APIStatusError": _STATUS,
            f"{_package}.APIConnectionError": _UNREACHABLE,
            f"{_package}.APITimeoutError": _TIMEOUT,
            f"{_package}.APIResponseValidationError": _GARBLED,
            f"{_package}.BadRequestError": _STATUS,
            f"{_package}.AuthenticationError": _STATUS,
            f"{_package}.PermissionDeniedError": _STATUS,
            f"{_package}.NotFoundError": _STATUS,
            f"{_package}.ConflictError": _STATUS,
            f"{_package}.UnprocessableEntityError": _STATUS,
            f"{_package}.RateLimitError": _STATUS,
            f"{_package}.InternalServerError": _STATUS,
        }
    )
TABLE.update(
    {
        "anthropic.AnthropicError": Rule(ServerError, "{name} failed: {detail}", False),
        "anthropic.APIWebhookValidationError": _GARBLED,
        "anthropic.RetryableError": Rule(ServerError, "{name} failed: {detail}", True),
        "anthropic.CredentialsError": _CREDENTIALS,
        "anthropic.IdentityTokenFileError": _CREDENTIALS,
        "anthropic.WorkloadIdentityError": _CREDENTIALS,
        "anthropic.OverloadedError": _STATUS,
        "anthropic.ServiceUnavailableError": _STATUS,
        "anthropic.GatewayTimeoutError": _STATUS,
        "anthropic.DeadlineExceededError": _STATUS,
        "anthropic.HTTPNotImplementedError": _STATUS,
        "anthropic.RequestTimeoutError": _STATUS,
        "anthropic.RequestTooLargeError": _STATUS,
        "anthropic.ContentTooLargeError": _STATUS,
        "anthropic.RequestBodyTooLargeAfterDecodingError": _STATUS,
        "anthropic.RequestHeaderFieldsTooLargeError": _BAD_REQUEST,
        "anthropic.RequestBodyEncodingInvalidError": _BAD_REQUEST,
        "anthropic.RequestBodyEncodingUnsupportedError": _BAD_REQUEST,
        "anthropic.PreconditionFailedError": _BAD_REQUEST,
        "anthropic.ClientClosedRequestError": _DROPPED,
        "anthropic.PaymentRequiredError": _BILLING,
        "anthropic.LinkedOrganizationBillingUnavailableError": _BILLING,
        "anthropic.LinkedOrganizationSpendLimitReachedError": _BILLING,
        "anthropic.ContractSpendLimitReachedError": _BILLING,
        "anthropic.EnforcedSpendLimitReachedError": _BILLING,
        "anthropic.RampLimitExceededError": _STATUS,
        "anthropic.OrganizationOnHoldError": _BILLING,
        "anthropic.OrganizationTypeNotSupportedError": _BAD_REQUEST,
        "anthropic.ParentOrganizationRequiredError": _BAD_REQUEST,
        "anthropic.ClaudeCodeKeyCreatorNotMemberError": _BAD_REQUEST,
        "anthropic.ClaudeCodeVersionTooOldError": _BAD_REQUEST,
        "anthropic.CMEKKeyDisabledError": _BAD_REQUEST,
        "anthropic.CMEKKeyNetworkBlockedError": _BAD_REQUEST,
        "anthropic.CMEKContextUnavailableError": _STATUS,
        "anthropic.CMEKKeyUnreachableError": _STATUS,
        "anthropic.SandboxEgressRestrictedError": _STATUS,
        "openai.OpenAIError": Rule(ServerError, "{name} failed: {detail}", False),
        "openai.OAuthError": _STATUS,
        "openai.ContentFilterFinishReasonError": Rule(
            InvalidRequest, "{name} stopped the answer (content filter)", False
        ),
        "openai.LengthFinishReasonError": Rule(
            InvalidRequest, "{name} stopped the answer at the length limit", False
        ),
        "openai.InvalidWebhookSignatureError": _GARBLED,
        "openai.WebSocketConnectionClosedError": _DROPPED,
        "openai.WebSocketQueueFullError": Rule(Overloaded, "{name} is busy", True),
        "openai._AmbiguousModuleClientUsageError": Rule(
            ConfigError, "{name} is misconfigured", False
        ),
    }
)

# Anthropic error ``type`` values (status bodies and mid-stream ``event: error`` frames).
_BY_ERROR_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

_CONTEXT_WORDS = (
    "context length",
    "context_length",
    "context window",
    "prompt is too long",
    "too many tokens",
    "maximum context",
    "exceeds the context",
    "input is too long",
)


def rule_for(error: BaseException) -> Rule | None:
    """The table rule for ``error`` (first match along its MRO), or None if unknown."""
    for cls in type(error).__mro__:
        rule = TABLE.get(f"{cls.__module__.split('.')[0]}.{cls.__name__}")
        if rule is not None:
            return rule if not rule.sdk_only or _raised_in_sdk(error) else None
    return None


_SDK_PACKAGES = frozenset(
    {
        "ollama",
        "anthropic",
        "openai",
        "httpx",
        "httpx2",
        "httpcore",
        "h11",
        "json",
        "pydantic",
        "pydantic_core",
        "jiter",
        "codecs",
        "encodings",
    }
)


def _raised_in_sdk(error: BaseException) -> bool:
    traceback = error.__traceback__
    last = None
    while traceback is not None:
        last = traceback
        traceback = traceback.tb_next
    if last is None:
        return False
    module = str(last.tb_frame.f_globals.get("__name__", ""))
    return module.split(".")[0] in _SDK_PACKAGES


def translate(
    error: BaseException, context: ErrorContext, *, started: bool = False
) -> CodefaceError | None:
    """The `CodefaceError` for ``error``, or None when it is not an SDK/transport failure.

    ``started`` says the answer had begun streaming: a lost connection is then a
    `StreamInterrupted`, not "unreachable".
    """
    if isinstance(error, CodefaceError):
        return error
    refused = _certificate_refusal(error)
    if refused is not None:
        return ProviderUnavailable(
            redact(f"{context.name} at {context.host} has a certificate that {refused}"),
            retryable=False,
            hint="If the server is yours, add its certificate to a CA bundle and point "
            "SSL_CERT_FILE at it (see Troubleshooting).",
            provider=context.provider,
        )
    rule = rule_for(error)
    if rule is None:
        return None
    if rule.by_status:
        return _from_status(error, context)
    kind, retryable = rule.error, rule.retryable
    if started and kind is ProviderUnavailable:
        kind, retryable = StreamInterrupted, True
    local_down = rule is _UNREACHABLE and kind is ProviderUnavailable
    if local_down and context.provider.startswith("ollama"):
        message = f"{context.name} is not running at {context.host}"
    else:
        message = rule.message.format(name=context.name, host=context.host, detail=_detail(error))
    hint = rule.hint
    if local_down and context.provider.startswith("ollama"):
        hint = "Start it (ollama serve), or switch to a cloud model."
    return kind(redact(message), retryable=retryable, hint=hint, provider=context.provider)


def _certificate_refusal(error: BaseException) -> str | None:
    """Why the server's certificate was refused, when that is what ``error`` comes from
    (itself, or what an SDK wrapped); compared by name, so `ssl` is not imported here."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return None
        cls = type(seen)
        if cls.__module__ == "ssl" and cls.__name__ == "SSLCertVerificationError":
            reason = getattr(seen, "verify_message", None) or "CodeFace cannot verify"
            return f"failed verification: {reason}"
        seen = seen.__cause__ or seen.__context__
    return None


def _from_status(error: BaseException, context: ErrorContext) -> CodefaceError:
    status = _status_of(error)
    detail = _detail(error)
    error_type = _error_type(error)
    if status in (None, 200, -1) and error_type in _BY_ERROR_TYPE:
        status = _BY_ERROR_TYPE[error_type]
    retry_after = retry_after_from(_headers_of(error))
    lowered = detail.lower()
    values: dict[str, Any] = {"provider": context.provider, "status_code": status}
    name, host = context.name, context.host
    model = context.model or "the model"

    def build(
        kind: type[CodefaceError], message: str, retryable: bool, hint: str | None = None
    ) -> CodefaceError:
        return kind(
            redact(message), retryable=retryable, hint=hint, retry_after=retry_after, **values
        )

    if status == 413 or any(word in lowered for word in _CONTEXT_WORDS):
        return build(ContextTooLong, f"The conversation is too long for {model} on {name}", False)
    if status == 401:
        hint = None
        if context.key_hint:
            hint = f"Check the key with `codeface keys set {context.key_hint}`."
        return build(AuthenticationFailed, f"{name} refused the API key ({detail})", False, hint)
    if status == 403:
        return build(AuthenticationFailed, f"{name} denied access: {detail}", False)
    missing = "not found" in lowered or "does not exist" in lowered
    if status == 404 and context.model is None:
        return build(
            InvalidRequest,
            f"{name} at {host} does not offer this service ({detail})",
            False,
            "Check that the address points at the right kind of server.",
        )
    if status == 404 or (missing and status in (None, -1, 400)):
        where = f"on {name} at {host}" if context.provider.startswith("ollama") else f"on {name}"
        return build(
            ModelMissing,
            f"Model {model} is not available {where}",
            False,
            None if context.provider.startswith("ollama") else "Choose another model.",
        )
    if status == 429:
        return build(RateLimited, f"{name} is rate limiting requests ({detail})", True)
    if status in (503, 529) or error_type == "overloaded_error":
        return build(Overloaded, f"{name} at {host} is overloaded ({detail})", True)
    if status == 402:
        return build(
            InvalidRequest,
            f"{name} refused the request: {detail}",
            False,
            "Check the account's billing and spend limits.",
        )
    if status in (400, 412, 422, 431):
        return build(InvalidRequest, f"{name} rejected the request: {detail}", False)
    if status in (None, -1, 200):
        return build(StreamInterrupted, f"{name} reported an error mid-answer: {detail}", True)
    return build(ServerError, f"{name} at {host} failed (HTTP {status}): {detail}", True)


def _status_of(error: BaseException) -> int | None:
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _body_error(error: BaseException) -> dict[str, Any]:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return inner
    return {}


def _error_type(error: BaseException) -> str | None:
    found = _body_error(error).get("type") or getattr(error, "type", None)
    return found if isinstance(found, str) else None


def _detail(error: BaseException) -> str:
    message = _body_error(error).get("message")
    if not isinstance(message, str) or not message:
        message = getattr(error, "error", None)  # ollama.ResponseError
    if not isinstance(message, str) or not message:
        message = str(error) or type(error).__name__
    message = " ".join(message.split())
    return message if len(message) <= 300 else message[:297] + "..."


def _headers_of(error: BaseException) -> Any:
    response = getattr(error, "response", None)
    return getattr(response, "headers", None)


def retry_after_from(headers: Any, *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    if headers is None:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(0.0, float(milliseconds) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils  # an HTTP date is rare; `email` is 8 modules the idle window skips

    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)
