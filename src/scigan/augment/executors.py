"""Where the augmentation experiment's seeds run: one after the other in this process, in
a local process pool (``--workers N``), or as tasks of a Ray cluster (``--ray ADDRESS``).

A seed's work (its subset, GAN, samples and downstream models) depends on nothing but the
config and the seed, so the three give the same results; the pool and Ray give each seed
one torch thread, since N single-thread processes use N cores better than one process of
N threads (measured in ``benchmarks/scale.py``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scigan.errors import ScienceError


def workers_for(workers: int, seeds: int) -> int:
    """Processes to use: ``workers`` (0 = one per CPU), at most one per seed.
    ScienceError for a negative count."""
    if workers < 0:
        raise ScienceError(f"--workers must be 0 (one per CPU) or more, got {workers}")
    return max(1, min(workers or os.cpu_count() or 1, seeds))


def _one_thread() -> None:
    """A worker's start: one torch (and BLAS) thread."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = "1"
    import torch

    torch.set_num_threads(1)


def _single_threaded(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on one thread (a Ray task's body)."""
    _one_thread()
    return fn(*args)


def run_each(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], *, workers: int = 1, ray: str = ""
) -> Iterator[Any]:
    """``fn(*args)`` for every ``args`` of ``calls``, yielded in their order: serially
    when ``workers`` is 1 and ``ray`` empty, in a pool of ``workers`` spawned processes,
    or as Ray tasks on the cluster at ``ray`` (an address, ``auto`` for a running
    cluster, ``local`` to start one here with ``workers`` CPUs, 0 = all). ``fn`` and the
    arguments must be picklable for the last two."""
    if ray:
        yield from _on_ray(fn, calls, ray, workers)
        return
    count = workers_for(workers, len(calls))
    if count == 1:
        for args in calls:
            yield fn(*args)
        return
    spawn = multiprocessing.get_context("spawn")  # torch and fork do not mix
    with ProcessPoolExecutor(max_workers=count, mp_context=spawn, initializer=_one_thread) as pool:
        futures = [pool.submit(fn, *args) for args in calls]
        for future in futures:
            yield future.result()


def _on_ray(fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], address: str, workers: int) -> Iterator[Any]:
    """``run_each`` on Ray; a local cluster started here is shut down afterwards."""
    try:
        import ray
    except ImportError:
        raise ScienceError("--ray needs Ray: pip install 'scigan[cluster]'") from None
    started = not ray.is_initialized()
    if started:
        if address == "local":
            ray.init(num_cpus=workers or os.cpu_count(), include_dashboard=False, log_to_driver=False)
        else:
            try:
                ray.init(address=address, log_to_driver=False)
            except ConnectionError as err:
                raise ScienceError(
                    f"--ray {address}: no Ray cluster there ({err}); start one or pass --ray local"
                ) from None
    try:
        task = ray.remote(num_cpus=1)(_single_threaded)
        refs = [task.remote(fn, *args) for args in calls]
        for ref in refs:
            yield ray.get(ref)
    finally:
        if started:
            ray.shutdown()
