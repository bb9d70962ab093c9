"""Several people acting at the same moment: one thread each, with its own database connection,
released together from a barrier. What the services' row locks must hold against."""

import threading

from django.db import connection


def at_once(act, people):
    """Call `act(person, wait)` in one thread per person; each calls `wait()` right before the
    step that races (after loading what its screen showed). Returns {person: what `act`
    returned, or the exception it raised}."""
    barrier = threading.Barrier(len(people))
    results = {}

    def run(person):
        try:
            results[person] = act(person, lambda: barrier.wait(timeout=30))
        except Exception as exc:  # noqa: BLE001 — the loser's refusal is what tests assert on
            results[person] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an action never finished"
    return results
