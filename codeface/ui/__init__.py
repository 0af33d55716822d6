"""The CodeFace window (PySide6 + qasync).

`launch.run_window` starts it; `bridge.Bridge` is the only object that talks to the engine
(`codeface.application.contract.Backend`); everything else here renders what the bridge signals.
"""
