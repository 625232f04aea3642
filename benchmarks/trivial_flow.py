"""The floor of ``make run``: a trivial Prefect flow of three tasks, started the way ``gdigraph run``
starts ``yearly_monitor`` (a fresh process, the same Prefect environment: ``gdigraph.cli.prefect_environment``,
local mode with its temporary API server, under ``prefect_local_mode``). What it takes is Prefect's own fixed cost; the pipeline
benchmark compares ``gdigraph run`` with it.

``python -m benchmarks.trivial_flow`` prints the flow's result (6) and exits 0.
"""

from __future__ import annotations

import sys


def main() -> int:
    from gdigraph.cli import prefect_environment, prefect_local_mode

    prefect_environment()
    from prefect import flow, task

    @task(name="one")
    def one() -> int:
        return 1

    @task(name="two")
    def two(x: int) -> int:
        return x + 2

    @task(name="three")
    def three(x: int) -> int:
        return x + 3

    @flow(name="trivial-three-tasks")
    def trivial() -> int:
        return three(two(one()))

    with prefect_local_mode():
        result = trivial()
    print(result)
    return 0 if result == 6 else 1


if __name__ == "__main__":
    sys.exit(main())
