"""Functions run in threads of their own, released together by a barrier: the
concurrency and race tests' one way of making writers collide. Each thread
has its own database connection, closed when it is done."""

import threading

from django.db import connection

JOIN_TIMEOUT = 60


def run_together(functions):
    """Run each function in its own thread, released together by a barrier.

    A function receives ``ready``, to call once it is set up (its connection
    open): it returns when every function has called it, so the requests all
    go at once. Returns each function's result or the exception it raised.
    """
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            results[index] = function(lambda: barrier.wait(timeout=JOIN_TIMEOUT))
        except Exception as error:  # reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread is still waiting"
    return results


def run_at_once(*functions):
    """``run_together`` for functions that need no set-up: each starts as soon
    as all threads are ready."""

    def released(function):
        def run(ready):
            ready()
            return function()

        return run

    return run_together([released(f) for f in functions])
