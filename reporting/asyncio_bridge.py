"""Run pyHanko's coroutines from synchronous code, whatever the calling thread is doing.

pyHanko's synchronous wrappers call ``asyncio.run``, which fails in a thread whose event
loop is running (an async view, or a test session driving a browser). Here the coroutine
runs on this thread when it has no loop, and on a short-lived worker thread otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(make_coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``make_coroutine()`` to completion and return its result."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reporting-async") as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()
