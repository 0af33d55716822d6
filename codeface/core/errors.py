"""Expected failures, each with a one-line message for the user and a next step.

Every failure a user can meet in normal use (no Ollama, a missing model, a bad key,
rate limits, an overloaded server, a prompt too long) is a `CodefaceError`. The UI shows
`user_message` and `hint` inline; the CLI prints them and exits with `exit_code`.
"""

from __future__ import annotations


class CodefaceError(Exception):
    """A failure the user can understand and act on."""

    exit_code: int = 1
    default_hint: str = ""
    kind_name: str = ""
    """A subclass defined outside this module names its kind here."""

    def __init__(
        self,
        user_message: str,
        *,
        retryable: bool = False,
        hint: str | None = None,
        provider: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.retryable = retryable
        self.hint = hint if hint is not None else self.default_hint
        self.provider = provider
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def kind(self) -> str:
        """A stable machine-readable name, e.g. ``"rate_limited"`` (a subclass without its
        own name has its nearest ancestor's)."""
        for cls in type(self).__mro__:
            named = cls.__dict__.get("kind_name") or _KIND_BY_CLASS.get(cls)
            if named:
                return str(named)
        return "error"

    def one_line(self) -> str:
        """The message and the hint on one line, as the CLI prints it."""
        return f"{self.user_message} — {self.hint}" if self.hint else self.user_message


class ProviderUnavailable(CodefaceError):
    """The provider cannot be reached (not running, connection refused, DNS, TLS)."""

    exit_code = 3
    default_hint = "Start it, or switch to another model."


class NoProviderAvailable(CodefaceError):
    """No configured provider can answer this request."""

    exit_code = 3
    default_hint = "Start Ollama (ollama serve) or add a cloud key with `codeface keys set`."


class ModelMissing(CodefaceError):
    """The requested model is not installed or does not exist."""

    exit_code = 4
    default_hint = "Pull it with `codeface pull NAME`, or choose another model."


class AuthenticationFailed(CodefaceError):
    """The API key was refused (401/403)."""

    exit_code = 5
    default_hint = "Check the key with `codeface keys set PROVIDER`."


class RateLimited(CodefaceError):
    """The provider asked us to slow down (429)."""

    exit_code = 6
    default_hint = "Wait a moment and retry, or switch to another model."


class Overloaded(CodefaceError):
    """The provider is overloaded or its queue is full (529, 503)."""

    exit_code = 6
    default_hint = "Retry in a moment, or switch to another model."


class ContextTooLong(CodefaceError):
    """The prompt does not fit the model's context window."""

    exit_code = 7
    default_hint = (
        "Shorten the conversation, remove attachments, or pick a model with a larger context."
    )


class ServerError(CodefaceError):
    """The provider failed on its side (5xx)."""

    exit_code = 8
    default_hint = "Retry, or switch to another model."


class StreamInterrupted(CodefaceError):
    """The answer stopped mid-stream (connection dropped, stall, mid-stream error)."""

    exit_code = 8
    default_hint = "Retry to continue, or switch to another model."


class MalformedResponse(CodefaceError):
    """The provider sent something that is not its protocol."""

    exit_code = 8
    default_hint = "Check that the server address really points at this kind of provider."


class InvalidRequest(CodefaceError):
    """The provider rejected the request as invalid (400/404/422)."""

    exit_code = 9
    default_hint = "Check the model name and settings."


class ConfigError(CodefaceError):
    """A setting or command-line value is wrong."""

    exit_code = 2
    default_hint = "Fix the value named above."


class StoreError(CodefaceError):
    """The local database or an export file could not be used."""

    exit_code = 10


class Cancelled(CodefaceError):
    """The user stopped the answer."""

    exit_code = 130


class WorkspaceError(CodefaceError):
    """A project file or command could not be used (missing, binary, too large, not UTF-8)."""

    exit_code = 11
    default_hint = "Check the path and try again."


class PathOutsideProject(WorkspaceError):
    """A path resolves outside the project root (``..``, absolute, or a symlink out)."""

    default_hint = "Only files inside the project can be read or changed."


class EditConflict(WorkspaceError):
    """An edit no longer applies: the text it replaces is gone or the file changed since read."""

    default_hint = "Read the file again and redo the edit."


class ApprovalDenied(CodefaceError):
    """The user (or the approval policy) refused a side effect."""

    exit_code = 12
    default_hint = "Allow it when asked, or pass --allow."


class ModelFileError(CodefaceError):
    """A model file on disk cannot be used (missing, truncated, not GGUF, too large)."""

    exit_code = 4
    default_hint = "Register another file, or download a model with `codeface models download`."


_KIND_BY_CLASS: dict[type[CodefaceError], str] = {
    ProviderUnavailable: "provider_unavailable",
    NoProviderAvailable: "no_provider",
    ModelMissing: "model_missing",
    AuthenticationFailed: "bad_key",
    RateLimited: "rate_limited",
    Overloaded: "overloaded",
    ContextTooLong: "context_too_long",
    ServerError: "server_error",
    StreamInterrupted: "interrupted",
    MalformedResponse: "malformed",
    InvalidRequest: "invalid_request",
    ConfigError: "config",
    StoreError: "store",
    Cancelled: "cancelled",
    WorkspaceError: "workspace",
    PathOutsideProject: "outside_project",
    EditConflict: "edit_conflict",
    ApprovalDenied: "denied",
    ModelFileError: "model_file",
}
