"""Child process for the concurrency test: one `codeface chat`'s worth of store work.

Usage: ``python -m tests.store.concurrent_child TAG`` with ``CODEFACE_HOME`` set. Prints
``ready`` once imported, then waits for a line on stdin (so the parent can start every
child at the same moment), opens the store, saves a prompt and a streamed answer, and
prints ``saved SESSION_ID``. A recovery notice is printed as ``notice ...``; an expected
failure as ``error ...`` with exit status 1.
"""

from __future__ import annotations

import sys

from codeface.core.errors import CodefaceError
from codeface.store import SyncStore, sessions, streaming


def main() -> int:
    tag = sys.argv[1]
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        with SyncStore() as store:
            if store.notice is not None:
                print(f"notice {store.notice.message()}", flush=True)
            session = sessions.create_session(store.conn)
            sessions.add_user_message(store.conn, session.id, f"prompt {tag}")
            writer = streaming.begin_answer(store.conn, session.id, flush_interval=0)
            writer.append(f"answer {tag}")
            writer.finish()
    except CodefaceError as error:
        print(f"error {error.one_line()}", flush=True)
        return 1
    print(f"saved {session.id}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
