"""Where the augmentation experiment's seeds run: one after the other in this process, in
a local process pool (``--workers N``), or as tasks of a Ray cluster (``--ray ADDRESS``).

A seed's work (its subset, GAN, samples and downstream models) depends on nothing but the
config and the seed. It runs on one torch thread and one BLAS thread wherever it runs:
a sum split over another number of threads is added in another order, which changes a
CNN's or a GAN's weights after a few hundred steps, so only a fixed count makes the
three executions give the same table bit for bit. One thread per seed is also the
faster use of the cores: N single-thread processes beat one process of N threads
(measured in ``benchmarks/scale.py``).
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
    """A worker's start: one OpenMP and BLAS thread for what it starts."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = "1"


def _single_threaded(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on one torch thread and one BLAS thread; this process's own counts
    are restored afterwards."""
    import torch
    from threadpoolctl import threadpool_limits

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            return fn(*args)
    finally:
        torch.set_num_threads(threads)


def run_each(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], *, workers: int = 1, ray: str = ""
) -> Iterator[Any]:
    """``fn(*args)`` for every ``args`` of ``calls``, each on one thread, yielded in
    their order: serially when ``workers`` is 1 and ``ray`` empty, in a pool of ``workers`` spawned processes,
    or as Ray tasks on the cluster at ``ray`` (an address, ``auto`` for a running
    cluster, ``local`` to start one here with ``workers`` CPUs, 0 = all). ``fn`` and the
    arguments must be picklable for the last two."""
    if ray:
        yield from _on_ray(fn, calls, ray, workers)
        return
    count = workers_for(workers, len(calls))
    if count == 1:
        for args in calls:
            yield _single_threaded(fn, *args)
        return
    spawn = multiprocessing.get_context("spawn")  # torch and fork do not mix
    with ProcessPoolExecutor(max_workers=count, mp_context=spawn, initializer=_one_thread) as pool:
        futures = [pool.submit(_single_threaded, fn, *args) for args in calls]
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
