"""Timing shared by the reference scripts: the median of repeated runs after a warm-up, as BenchmarkDotNet reports."""
import statistics
import time


def median_seconds(action, repeats, warmup=3):
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
