"""The benchmark protocol of DESIGN.md as a few small functions.

- Every callable is warmed up first, then the callables are timed *interleaved* in one process
  (A B A B ..., or A B C A B C ... for more rows), so slow drifts of a shared machine hit every side alike.
- A sample is the mean of ``number`` back-to-back calls (``number`` chosen by :func:`calibrate` so a sample
  lasts at least a millisecond or so); a result is the median and the quartiles of the samples
  (:func:`summarize`), and a comparison is the median of the per-round ratios (:func:`ratio_stats`).
- JIT compile time never enters a timing: :func:`first_call` times the first call apart and reports how
  much of it Numba spent compiling (from Numba's ``numba:compile`` events; a call served from the on-disk
  cache compiles nothing).
- :func:`set_threads` gives purecv and OpenCV the same thread count.

Examples
--------
A fake clock that advances 1 s per call of ``a`` and 3 s per call of ``b``:

>>> clock = FakeClock()
>>> samples = interleave({"a": clock.tick(1.0), "b": clock.tick(3.0)}, repeats=5, warmup=1, timer=clock)
>>> samples["a"], samples["b"][:2]
([1.0, 1.0, 1.0, 1.0, 1.0], [3.0, 3.0])
>>> ratio_stats(samples["b"], samples["a"]).median  # b takes 3x as long as a, round by round
3.0
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from numba.core import event

__all__ = [
    "CompileClock",
    "FakeClock",
    "FirstCall",
    "PairResult",
    "Stats",
    "calibrate",
    "first_call",
    "format_seconds",
    "format_speedup",
    "interleave",
    "markdown_table",
    "ratio_stats",
    "set_threads",
    "summarize",
    "text_table",
    "time_pair",
]

Timer = Callable[[], float]


@dataclass(frozen=True)
class Stats:
    """Median and spread of a list of samples (seconds, or ratios)."""

    median: float
    q1: float
    q3: float
    min: float
    max: float
    n: int

    @property
    def iqr(self) -> float:
        """Interquartile range ``q3 - q1``."""
        return self.q3 - self.q1

    def as_dict(self) -> dict[str, float]:
        """JSON-ready fields, the IQR included."""
        return {**asdict(self), "iqr": self.iqr}


def summarize(samples: Sequence[float]) -> Stats:
    """Median, quartiles (``statistics.quantiles``, inclusive method), min, max and count of ``samples``.

    Examples
    --------
    >>> s = summarize([5.0, 1.0, 3.0, 2.0, 4.0])
    >>> s.median, s.q1, s.q3, s.iqr, s.n
    (3.0, 2.0, 4.0, 2.0, 5)
    >>> summarize([7.0]).iqr
    0.0
    """
    if len(samples) == 0:
        msg = "summarize: 'samples' is empty; expected at least one sample"
        raise ValueError(msg)
    values = sorted(float(s) for s in samples)
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Stats(statistics.median(values), q1, q3, values[0], values[-1], len(values))


def ratio_stats(numerator: Sequence[float], denominator: Sequence[float]) -> Stats:
    """Summary of the per-round ratios ``numerator[i] / denominator[i]`` of two interleaved sample lists.

    With ``numerator`` = the peer's times and ``denominator`` = purecv's, the median is purecv's speedup.

    Examples
    --------
    >>> ratio_stats([2.0, 4.0, 9.0], [1.0, 2.0, 3.0]).median
    2.0
    """
    if len(numerator) != len(denominator):
        msg = f"ratio_stats: sample lists differ in length ({len(numerator)} vs {len(denominator)})"
        raise ValueError(msg)
    return summarize([n / d if d > 0 else math.inf for n, d in zip(numerator, denominator, strict=True)])


def calibrate(fn: Callable[[], object], target: float = 1e-3, timer: Timer = time.perf_counter) -> int:
    """Calls per sample so that one sample lasts at least ``target`` seconds (1 for slow calls, <= 1000).

    Examples
    --------
    >>> clock = FakeClock()
    >>> calibrate(clock.tick(1e-4), target=1e-3, timer=clock), calibrate(clock.tick(2.0), timer=clock)
    (10, 1)
    """
    t0 = timer()
    fn()
    elapsed = timer() - t0
    if elapsed <= 0:
        return 1000
    return max(1, min(1000, math.ceil(target / elapsed - 1e-9)))


def interleave(
    calls: Mapping[str, Callable[[], object]],
    repeats: int,
    *,
    warmup: int = 2,
    number: Mapping[str, int] | int = 1,
    timer: Timer = time.perf_counter,
    progress: Any = None,
) -> dict[str, list[float]]:
    """Time ``calls`` in rounds: each call ``warmup`` times, then ``repeats`` rounds of one sample each.

    Returns seconds per call for every sample, keyed like ``calls``. ``number`` is calls per sample (an int,
    or one per name); ``progress`` (a tqdm bar or anything with ``update``) advances once per round.
    """
    numbers = {name: number if isinstance(number, int) else number[name] for name in calls}
    for fn in calls.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, fn in calls.items():
            n = numbers[name]
            t0 = timer()
            for _ in range(n):
                fn()
            samples[name].append((timer() - t0) / n)
        if progress is not None:
            progress.update(1)
    return samples


@dataclass(frozen=True)
class PairResult:
    """A timed against B: the stats of each side and of the per-pair ratio ``B / A``."""

    a: Stats
    b: Stats
    ratio: Stats

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"a": self.a.as_dict(), "b": self.b.as_dict(), "ratio_b_over_a": self.ratio.as_dict()}


def time_pair(
    a: Callable[[], object],
    b: Callable[[], object],
    repeats: int = 21,
    *,
    warmup: int = 2,
    target: float = 1e-3,
    timer: Timer = time.perf_counter,
    progress: Any = None,
) -> PairResult:
    """Time ``a`` and ``b`` interleaved (A B A B ...) after warm-up; ``ratio.median`` > 1 means A is faster.

    Examples
    --------
    >>> clock = FakeClock()
    >>> r = time_pair(clock.tick(0.5), clock.tick(2.0), repeats=3, timer=clock)
    >>> r.a.median, r.b.median, r.ratio.median
    (0.5, 2.0, 4.0)
    """
    for _ in range(warmup):
        a()
        b()
    number = {"a": calibrate(a, target, timer), "b": calibrate(b, target, timer)}
    s = interleave({"a": a, "b": b}, repeats, warmup=0, number=number, timer=timer, progress=progress)
    return PairResult(summarize(s["a"]), summarize(s["b"]), ratio_stats(s["b"], s["a"]))


class CompileClock(event.Listener):
    """A Numba event listener that adds up the wall time of outermost ``numba:compile`` events.

    Nested compiles (a kernel compiling the helpers it calls) are counted once, inside their caller.
    """

    def __init__(self, timer: Timer = time.perf_counter) -> None:
        super().__init__()
        self.timer = timer
        self.seconds = 0.0
        self.count = 0
        self._depth = 0
        self._t0 = 0.0

    def on_start(self, event: object) -> None:
        """Numba's hook: a compilation begins."""
        if self._depth == 0:
            self._t0 = self.timer()
        self._depth += 1
        self.count += 1

    def on_end(self, event: object) -> None:
        """Numba's hook: a compilation ends."""
        self._depth -= 1
        if self._depth == 0:
            self.seconds += self.timer() - self._t0


@dataclass(frozen=True)
class FirstCall:
    """The first call of a function in this process: its wall time and the part Numba spent compiling."""

    seconds: float
    compile_seconds: float
    compiled: int

    def as_dict(self) -> dict[str, float]:
        """JSON-ready fields."""
        return asdict(self)

    def describe(self, warm: float | None = None) -> str:
        """One line for people, e.g. ``'first call 2.31 s (2.29 s compiling 4 functions)'``.

        Examples
        --------
        >>> FirstCall(0.0123, 0.0, 0).describe(warm=1e-4)
        'first call 12.3 ms (no compilation: loaded from the on-disk cache); warm 100 us'
        """
        if self.compiled:
            how = f"{format_seconds(self.compile_seconds)} compiling {self.compiled} functions"
        else:
            how = "no compilation: loaded from the on-disk cache"
        tail = f"; warm {format_seconds(warm)}" if warm is not None else ""
        return f"first call {format_seconds(self.seconds)} ({how}){tail}"


def first_call(fn: Callable[[], object], timer: Timer = time.perf_counter) -> FirstCall:
    """Time one call of ``fn`` and the Numba compilation inside it (call it before any warm-up)."""
    clock = CompileClock(timer)
    with event.install_listener("numba:compile", clock):
        t0 = timer()
        fn()
        seconds = timer() - t0
    return FirstCall(seconds, clock.seconds, clock.count)


def set_threads(n: int | None, cv2: Any = None) -> int:
    """Give purecv (and OpenCV, when passed) the same thread count; None means all of Numba's threads.

    Returns the count purecv uses. ``n = 1`` runs both single-threaded.
    """
    import numba

    import purecv

    count = numba.config.NUMBA_NUM_THREADS if n is None else max(1, n)
    purecv.setNumThreads(count)
    if cv2 is not None:
        cv2.setNumThreads(count)
    return purecv.getNumThreads()


class FakeClock:
    """A clock for tests and examples: ``tick(dt)`` makes a function that advances it by ``dt`` per call."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def tick(self, dt: float) -> Callable[[], None]:
        """A function that advances the clock by ``dt`` seconds each call."""

        def advance() -> None:
            self.now += dt

        return advance


def format_seconds(seconds: float | None) -> str:
    """Seconds in a unit people read at a glance (3 significant digits).

    Examples
    --------
    >>> [format_seconds(s) for s in (0.421, 0.000964, 7.2e-05, 12.0, None)]
    ['421 ms', '964 us', '72.0 us', '12.0 s', '-']
    """
    if seconds is None or not math.isfinite(seconds):
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:#.3g} {unit}".replace(". ", " ")
    return f"{seconds * 1e9:#.3g} ns".replace(". ", " ")


def format_speedup(ratio: float | None) -> str:
    """A ratio as ``'2.31x'`` (three significant digits, no exponent).

    Examples
    --------
    >>> [format_speedup(r) for r in (2.3149, 0.5, 1391.2, None)]
    ['2.31x', '0.500x', '1391x', '-']
    """
    if ratio is None or not math.isfinite(ratio):
        return "-"
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:#.3g}x"


def text_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain aligned table: first column left-aligned, the others right-aligned.

    Examples
    --------
    >>> print(text_table(["row", "time"], [["a", "1 s"], ["bbb", "10 ms"]]))
    row   time
    ---  -----
    a      1 s
    bbb  10 ms
    """
    rows = [list(map(str, r)) for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub Markdown table (first column left-aligned, others right-aligned).

    Examples
    --------
    >>> print(markdown_table(["row", "max |diff|"], [["a", "0"]]))
    | row | max \\|diff\\| |
    | :-- | --: |
    | a | 0 |
    """
    head = "| " + " | ".join(str(h).replace("|", "\\|") for h in headers) + " |"
    rule = "| " + " | ".join(":--" if i == 0 else "--:" for i in range(len(headers))) + " |"
    body = ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join([head, rule, *body])
