"""Closed-loop load from tritonclient (Python), the baseline of bench/client.ts: `concurrency` requests in flight on
add_sub (INPUT0, INPUT1 FP32 [1,16]) for `seconds`, over HTTP (binary tensors) or gRPC, one thread per request in
flight (gRPC) or async requests in flight (HTTP). Prints one JSON line: requests, seconds, requests/s, p50 latency in microseconds, and the CPU seconds this
process used while measuring (user + system).

Usage: python tritonclient_load.py http|grpc host:port concurrency seconds
"""

import json
import resource
import sys
import threading
import time

import numpy as np

protocol, url, concurrency, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
if protocol == "http":
    import tritonclient.http as client_module

    client = client_module.InferenceServerClient(url, concurrency=concurrency)
    binary = {"binary_data": True}
else:
    import tritonclient.grpc as client_module

    client = client_module.InferenceServerClient(url)
    binary = {}

inputs = []
for name in ("INPUT0", "INPUT1"):
    tensor = client_module.InferInput(name, [1, 16], "FP32")
    tensor.set_data_from_numpy(np.ones((1, 16), dtype=np.float32), **binary)
    inputs.append(tensor)
outputs = [client_module.InferRequestedOutput(name, **binary) for name in ("OUTPUT0", "OUTPUT1")]


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_http(duration):
    """tritonclient.http runs on gevent, which threads cannot share: `concurrency` async_infer requests in flight from
    this thread, each replaced as soon as its answer is read (in turn)."""
    latencies = []
    deadline = time.perf_counter() + duration
    begin = time.perf_counter()
    slots = [(time.perf_counter(), client.async_infer("add_sub", inputs, outputs=outputs)) for _ in range(concurrency)]
    while slots:
        start, pending = slots.pop(0)
        pending.get_result().as_numpy("OUTPUT0")
        latencies.append(time.perf_counter() - start)
        if time.perf_counter() < deadline:
            slots.append((time.perf_counter(), client.async_infer("add_sub", inputs, outputs=outputs)))
    return latencies, time.perf_counter() - begin


def run(duration):
    if protocol == "http":
        return run_http(duration)
    latencies = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def loop():
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            result = client.infer("add_sub", inputs, outputs=outputs)
            result.as_numpy("OUTPUT0")
            with lock:
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - begin


run(0.5)  # warm-up
cpu_before = cpu_seconds()
latencies, elapsed = run(seconds)
cpu = cpu_seconds() - cpu_before
latencies.sort()
print(json.dumps({
    "requests": len(latencies),
    "seconds": elapsed,
    "rps": len(latencies) / elapsed,
    "p50_us": latencies[len(latencies) // 2] * 1e6 if latencies else None,
    "cpu_s": cpu,
}))
