"""llama.cpp through llama-cpp-python: load a GGUF model, say where it runs, generate.

The only module that imports ``llama_cpp``, and only inside functions, each run in a
worker thread by the provider: importing it loads the native library (~0.1 s), loading a
model reads gigabytes, and generating holds a core per thread. Nothing here touches the
event loop; `generate` hands each piece of text to a callback and checks a stop flag
between tokens (and, while the prompt is read, from inside llama.cpp's compute loop).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from llama_cpp import Llama

log = logging.getLogger(__name__)

GPU_BACKENDS = ("CUDA", "Metal", "MTL", "Vulkan", "ROCm", "HIP", "SYCL", "OpenCL", "MUSA", "CANN")
REBUILD_HINT = (
    'reinstall llama-cpp-python with CMAKE_ARGS="-DGGML_CUDA=on" (NVIDIA), '
    '"-DGGML_METAL=on" (Apple) or "-DGGML_VULKAN=on" (others)'
)


GENERATION_NICENESS = 5
"""How much lower than the window's the generating thread's CPU priority is (Linux)."""

_log_callback: Any = None
# ggml_log_level: 0 none, 1 debug, 2 info, 3 warn, 4 error, 5 continuation. Its warnings are
# mostly advice about settings, and its errors reach the user as exceptions: keep both quiet.
_LOG_LEVELS = {3: logging.INFO, 4: logging.WARNING}


def _route_logs() -> None:
    """Send llama.cpp's own messages to CodeFace's log file, never to the terminal.

    llama-cpp-python prints llama.cpp's unlevelled messages to stderr even when not
    verbose ("decode: removing memory module entries…"), which would land in the middle
    of a CLI answer. Called after ``import llama_cpp`` (whose import installs its own).
    """
    global _log_callback
    if _log_callback is not None:
        return
    import ctypes

    import llama_cpp

    native = logging.getLogger("codeface.llama_cpp")

    def forward(level: int, text: bytes, _data: object) -> None:
        message = text.decode("utf-8", "replace").rstrip()
        if message:
            native.log(_LOG_LEVELS.get(level, logging.DEBUG), "%s", message)

    _log_callback = llama_cpp.llama_log_callback(forward)
    llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))


def installed() -> bool:
    """Whether llama-cpp-python is importable, found without importing it."""
    return importlib.util.find_spec("llama_cpp") is not None


@dataclass(frozen=True)
class Placement:
    """Where the built-in engine runs models, and why there."""

    device: Literal["gpu", "cpu"]
    reason: str
    backend: str | None = None

    @property
    def gpu_layers(self) -> int:
        """``n_gpu_layers`` for llama.cpp: all of them (-1) on a GPU, none on the CPU."""
        return -1 if self.device == "gpu" else 0

    def describe(self) -> str:
        """One line for the status bar and `codeface doctor`: 'on the GPU (CUDA)'…"""
        if self.device == "gpu":
            return f"on the GPU ({self.backend})" if self.backend else "on the GPU"
        return f"on the CPU: {self.reason}"


def placement(gpu_offload: str) -> Placement:
    """Where models will run given the ``[builtin] gpu_offload`` setting (imports llama_cpp)."""
    if gpu_offload == "off":
        return Placement("cpu", "gpu_offload = off in settings")
    import llama_cpp

    _route_logs()
    info = llama_cpp.llama_print_system_info().decode("utf-8", "replace")
    backends = [name for name in GPU_BACKENDS if f"{name} :" in info]
    backend = backends[0] if backends else None
    if llama_cpp.llama_supports_gpu_offload():
        return Placement("gpu", "all layers offloaded to the GPU", backend)
    if backend:
        return Placement("cpu", f"llama.cpp was built with {backend} but found no usable GPU")
    return Placement("cpu", f"this llama.cpp was built without GPU support ({REBUILD_HINT})")


def version() -> str:
    """The llama-cpp-python version (imports it)."""
    import llama_cpp

    return str(llama_cpp.__version__)


@dataclass
class LoadedModel:
    """A model in memory, used by one generation at a time."""

    name: str
    path: Path
    llm: Llama
    context_size: int
    placement: Placement
    lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event | None = None
    _callbacks: tuple[Any, Any] | None = None  # kept alive while llama.cpp may call them

    def close(self) -> None:
        """Free the model (waits for a generation still finishing its last token)."""
        with self.lock:
            self.llm.close()

    def _abort_callbacks(self) -> tuple[Any, Any]:
        """(abort when the current generation's stop flag is set, no abort callback)."""
        import llama_cpp

        if self._callbacks is None:

            def aborted(_data: object) -> bool:
                stop = self._stop
                return stop is not None and stop.is_set()

            self._callbacks = (
                llama_cpp.ggml_abort_callback(aborted),
                llama_cpp.ggml_abort_callback(0),
            )
        return self._callbacks


def load(
    name: str, path: Path, *, context_size: int, where: Placement, threads: int
) -> LoadedModel:
    """Load ``path`` into memory (seconds for a large model); raises llama_cpp's errors."""
    from llama_cpp import Llama

    _route_logs()
    llm = Llama(
        model_path=str(path),
        n_ctx=context_size,
        n_gpu_layers=where.gpu_layers,
        n_threads=threads or None,
        verbose=False,
    )
    return LoadedModel(name, path, llm, context_size, where)


@dataclass
class Outcome:
    """How a generation ended: token counts, llama.cpp's finish reason, whether stopped."""

    prompt_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str | None = None
    stopped: bool = False


def yield_cpu_to_the_window() -> None:
    """Lower the calling thread's CPU priority (Linux; elsewhere nothing).

    Generating keeps a core busy in llama.cpp's native code, which runs without the GIL.
    On a machine with few cores that work competes with the GUI thread for a core, and
    the window stalls whenever the scheduler runs a token instead of a repaint. At a
    slightly lower priority the generating thread still gets every core nobody else
    wants, but gives way to the window the moment it has something to do. Only the
    calling thread changes (on Linux a thread's nice value is its own, and the threads
    llama.cpp starts from it inherit it), so call this from a thread made for one answer.
    """
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(current + GENERATION_NICENESS, 19))
    except OSError as error:  # a sandbox without setpriority: generate at the usual priority
        log.debug("could not lower the generating thread's priority: %s", error)


def generate(
    model: LoadedModel,
    arguments: dict[str, Any],
    on_text: Callable[[str], None],
    stop: threading.Event,
) -> Outcome:
    """Stream one chat completion, calling ``on_text`` per piece; returns how it ended.

    Stops within one token of ``stop`` being set: the flag is read between tokens, and
    while the prompt is evaluated llama.cpp's abort callback reads it between graph nodes
    (removed at the first token, so generating pays nothing for it). Token counts come
    from the context: its length when the first token arrives is the prompt's.
    """
    import llama_cpp

    outcome = Outcome()
    with model.lock:
        if stop.is_set():
            outcome.stopped = True
            return outcome
        llm = model.llm
        abort, no_abort = model._abort_callbacks()
        model._stop = stop
        llama_cpp.llama_set_abort_callback(llm.ctx, abort, None)
        try:
            arguments = dict(arguments)
            schema = arguments.pop("json_schema", None)
            if schema is not None:
                import json

                from llama_cpp.llama_grammar import LlamaGrammar

                arguments["grammar"] = LlamaGrammar.from_json_schema(
                    json.dumps(schema), verbose=False
                )
            chunks: Iterator[Any] = llm.create_chat_completion(**arguments, stream=True)  # type: ignore[assignment]
            for chunk in chunks:
                if outcome.prompt_tokens is None:
                    outcome.prompt_tokens = llm.n_tokens
                    llama_cpp.llama_set_abort_callback(llm.ctx, no_abort, None)
                if stop.is_set():
                    outcome.stopped = True
                    break
                choice = chunk["choices"][0]
                text = choice["delta"].get("content")
                if text:
                    on_text(text)
                if choice.get("finish_reason"):
                    outcome.finish_reason = choice["finish_reason"]
        except RuntimeError:
            if not stop.is_set():  # "llama_decode returned 2" means aborted on purpose
                raise
            outcome.stopped = True
        finally:
            llama_cpp.llama_set_abort_callback(llm.ctx, no_abort, None)
            model._stop = None
        if outcome.prompt_tokens is not None:
            # The last token sampled is never evaluated; an end-of-answer token is not counted.
            sampled = llm.n_tokens - outcome.prompt_tokens + 1
            outcome.output_tokens = max(sampled - (outcome.finish_reason == "stop"), 0)
    return outcome
