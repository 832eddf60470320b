"""nereid's statistics extension, Prometheus metrics and dynamic batching, seen through real clients:
tritonclient.http and tritonclient.grpc for the statistics, prometheus_client's text-format parser for /metrics.

Run against a freshly started server (the counts asserted here are exact, so nothing else may have sent requests):
  NEREID_HTTP_URL=127.0.0.1:8000 NEREID_GRPC_URL=127.0.0.1:8001 NEREID_METRICS_URL=127.0.0.1:8002 \
    .venv/bin/python test/python/test_statistics_metrics.py -v
(test/observe/clients.test.ts starts nereid over the shipped model repository on free ports and runs this file.)

setUpModule sends a known sequence to add_sub: 3 successful infers over HTTP, 2 over gRPC and 1 with a wrong shape
(refused by validation, which tritonserver 2.51 and nereid count nowhere: no failure, no reason). The batching test uses mlp_classifier only,
so the add_sub counts stay exact whatever order the cases run in.
"""

import functools
import os
import queue
import sys
import time
import unittest
import urllib.error
import urllib.request

import gevent
import grpc
import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from prometheus_client.parser import text_string_to_metric_families
from tritonclient.utils import InferenceServerException


def _env(name, default_port):
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"{name} is not set: give the server as host:port, e.g. {name}=127.0.0.1:{default_port}")
    return value


HTTP_URL = _env("NEREID_HTTP_URL", 8000)
GRPC_URL = _env("NEREID_GRPC_URL", 8001)
METRICS_URL = _env("NEREID_METRICS_URL", 8002)

SHIPPED_MODELS = {"accumulator", "add_sub", "autocomplete_add", "identity_bytes", "identity_int64", "mlp_classifier",
                  "mlp_pipeline", "postprocess", "preprocess"}
HTTP_SUCCESSES = 3
GRPC_SUCCESSES = 2
FAILURES = 0  # the wrong-shape request never reaches the model
SUCCESSES = HTTP_SUCCESSES + GRPC_SUCCESSES
FAILURE_REASONS = {"REJECTED", "CANCELED", "BACKEND", "OTHER"}
DURATIONS = ["success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit", "cache_miss"]
MODEL_STATS_KEYS = ["name", "version", "last_inference", "inference_count", "execution_count", "inference_stats",
                    "response_stats", "batch_stats", "memory_usage"]
MLP_BATCH_INFO = {"nereid_batch_info": True}
CONCURRENT = 32


def add_sub_data(rows=1, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-100, 100, size=(rows, 16)).astype(np.float32)
    b = rng.uniform(-100, 100, size=(rows, 16)).astype(np.float32)
    return a, b


def http_inputs(named_arrays):
    inputs = []
    for name, array in named_arrays:
        tensor = httpclient.InferInput(name, list(array.shape), "FP32")
        tensor.set_data_from_numpy(array, binary_data=True)
        inputs.append(tensor)
    return inputs


def grpc_inputs(named_arrays):
    inputs = []
    for name, array in named_arrays:
        tensor = grpcclient.InferInput(name, list(array.shape), "FP32")
        tensor.set_data_from_numpy(array)
        inputs.append(tensor)
    return inputs


def fetch_metrics():
    """GET /metrics: (Content-Type, the text, {family name: Metric} as prometheus_client's text parser reads it)."""
    with urllib.request.urlopen(f"http://{METRICS_URL}/metrics", timeout=10) as response:
        content_type = response.headers.get("Content-Type", "")
        text = response.read().decode("utf-8")
    return content_type, text, {family.name: family for family in text_string_to_metric_families(text)}


def samples(family, suffix=""):
    """The family's samples named `family.name + suffix` (a counter's samples may carry the `_total` suffix that the
    parser adds when the exposition omits it)."""
    names = {family.name + suffix}
    if family.type == "counter" and suffix == "":
        names.add(family.name + "_total")
    return [s for s in family.samples if s.name in names]


def model_value(family, model, version="1", **labels):
    """The value of the one sample of `family` labelled model/version (and `labels`); fails unless exactly one."""
    found = [s for s in samples(family) if s.labels.get("model") == model and s.labels.get("version") == version
             and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, f"{family.name}{{model={model},version={version},{labels}}}: {len(found)} samples"
    return found[0].value


def setUpModule():
    """The known add_sub sequence the statistics and metrics cases count."""
    with httpclient.InferenceServerClient(url=HTTP_URL, network_timeout=30.0) as http:
        for seed in range(HTTP_SUCCESSES):
            a, b = add_sub_data(seed=seed)
            result = http.infer("add_sub", http_inputs([("INPUT0", a), ("INPUT1", b)]))
            np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
        wrong = np.zeros((1, 8), dtype=np.float32)
        try:
            http.infer("add_sub", http_inputs([("INPUT0", wrong), ("INPUT1", wrong)]))
        except InferenceServerException as error:
            assert error.status() == "400", f"a wrong shape should be refused with 400: {error}"
        else:
            raise AssertionError("add_sub accepted a [1, 8] input")
    grpc_client = grpcclient.InferenceServerClient(url=GRPC_URL)
    try:
        for seed in range(GRPC_SUCCESSES):
            a, b = add_sub_data(seed=10 + seed)
            result = grpc_client.infer("add_sub", grpc_inputs([("INPUT0", a), ("INPUT1", b)]))
            np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)
    finally:
        grpc_client.close()


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.http = httpclient.InferenceServerClient(url=HTTP_URL, network_timeout=30.0)
        cls.grpc = grpcclient.InferenceServerClient(url=GRPC_URL)

    @classmethod
    def tearDownClass(cls):
        cls.http.close()
        cls.grpc.close()

    def assert_add_sub_counts(self, stats, as_int=int):
        """`stats` is one add_sub ModelStatistics as JSON (as_int converts gRPC as_json's uint64 strings); proto3 JSON
        omits zero fields, so absent counters read as 0."""
        get = lambda d, key: as_int(d.get(key, 0))
        self.assertEqual(stats["name"], "add_sub")
        self.assertEqual(stats["version"], "1")
        last = get(stats, "last_inference")
        self.assertGreater(last, 0)
        # ms since the epoch (not s, not ns): within a day of this machine's clock.
        self.assertLess(abs(last - time.time() * 1000), 86_400_000, f"last_inference {last} is not ms since the epoch")
        self.assertEqual(get(stats, "inference_count"), SUCCESSES)
        self.assertEqual(get(stats, "execution_count"), SUCCESSES)
        infer = stats["inference_stats"]
        self.assertEqual(get(infer["success"], "count"), SUCCESSES)
        self.assertGreater(get(infer["success"], "ns"), 0)
        self.assertEqual(get(infer["fail"], "count"), FAILURES)
        self.assertEqual(get(infer["fail"], "ns"), 0)
        for key in ["queue", "compute_input", "compute_infer", "compute_output"]:
            self.assertEqual(get(infer.get(key, {}), "count"), SUCCESSES, key)
        self.assertGreater(get(infer["compute_infer"], "ns"), 0)
        for key in ["cache_hit", "cache_miss"]:
            self.assertEqual(get(infer.get(key, {}), "count"), 0, key)
        # add_sub has no dynamic batcher: every execution ran one request of one row.
        batches = stats.get("batch_stats", [])
        self.assertEqual([as_int(b["batch_size"]) for b in batches], [1])
        for key in ["compute_input", "compute_infer", "compute_output"]:
            self.assertEqual(get(batches[0][key], "count"), SUCCESSES, key)
        self.assertGreater(get(batches[0]["compute_infer"], "ns"), 0)


class HttpStatisticsTest(ClientTest):
    def test_model_statistics(self):
        response = self.http.get_inference_statistics("add_sub")
        self.assertEqual(list(response.keys()), ["model_stats"])
        self.assertEqual(len(response["model_stats"]), 1)
        stats = response["model_stats"][0]
        self.assertEqual(list(stats.keys()), MODEL_STATS_KEYS)
        self.assertEqual(list(stats["inference_stats"].keys()), DURATIONS)
        for key in DURATIONS:
            self.assertEqual(set(stats["inference_stats"][key].keys()), {"count", "ns"}, key)
        self.assertEqual(stats["response_stats"], {})
        self.assert_add_sub_counts(stats)

    def test_version_route(self):
        stats = self.http.get_inference_statistics("add_sub", "1")["model_stats"]
        self.assertEqual(len(stats), 1)
        self.assert_add_sub_counts(stats[0])

    def test_all_models(self):
        stats = self.http.get_inference_statistics()["model_stats"]
        self.assertEqual({s["name"] for s in stats}, SHIPPED_MODELS)
        self.assertTrue(all(s["version"] == "1" for s in stats))
        self.assert_add_sub_counts(next(s for s in stats if s["name"] == "add_sub"))
        # Nothing was sent to the identity models.
        idle = next(s for s in stats if s["name"] == "identity_int64")
        self.assertEqual((idle["inference_count"], idle["execution_count"], idle["last_inference"]), (0, 0, 0))

    def test_unknown_model_or_version_is_400(self):
        for call in [lambda: self.http.get_inference_statistics("nope"),
                     lambda: self.http.get_inference_statistics("add_sub", "7")]:
            with self.assertRaises(InferenceServerException) as caught:
                call()
            self.assertEqual(caught.exception.status(), "400", str(caught.exception))

    def test_server_metadata_lists_statistics(self):
        self.assertIn("statistics", self.http.get_server_metadata()["extensions"])


class GrpcStatisticsTest(ClientTest):
    def test_model_statistics_message(self):
        response = self.grpc.get_inference_statistics(model_name="add_sub")
        self.assertEqual(len(response.model_stats), 1)
        stats = response.model_stats[0]
        self.assertEqual((stats.name, stats.version), ("add_sub", "1"))
        self.assertEqual(stats.inference_count, SUCCESSES)
        self.assertEqual(stats.execution_count, SUCCESSES)
        self.assertEqual(stats.inference_stats.success.count, SUCCESSES)
        self.assertEqual(stats.inference_stats.fail.count, FAILURES)
        self.assertEqual(stats.inference_stats.queue.count, SUCCESSES)
        self.assertEqual(stats.inference_stats.compute_infer.count, SUCCESSES)
        self.assertGreater(stats.inference_stats.success.ns, 0)
        self.assertGreater(stats.last_inference, 0)
        self.assertEqual([b.batch_size for b in stats.batch_stats], [1])
        self.assertEqual(stats.batch_stats[0].compute_infer.count, SUCCESSES)

    def test_model_statistics_as_json(self):
        for version in ["", "1"]:
            response = self.grpc.get_inference_statistics(model_name="add_sub", model_version=version, as_json=True)
            self.assertEqual(len(response["model_stats"]), 1)
            self.assert_add_sub_counts(response["model_stats"][0], as_int=int)

    def test_same_counts_as_http(self):
        over_grpc = self.grpc.get_inference_statistics(model_name="add_sub").model_stats[0]
        over_http = self.http.get_inference_statistics("add_sub")["model_stats"][0]
        self.assertEqual(over_grpc.last_inference, over_http["last_inference"])
        for key in DURATIONS:
            duration = getattr(over_grpc.inference_stats, key)
            self.assertEqual((duration.count, duration.ns),
                             (over_http["inference_stats"][key]["count"], over_http["inference_stats"][key]["ns"]), key)

    def test_all_models(self):
        stats = self.grpc.get_inference_statistics().model_stats
        self.assertEqual({s.name for s in stats}, SHIPPED_MODELS)

    def test_unknown_model_or_version_is_invalid_argument(self):
        for name, version in [("nope", ""), ("add_sub", "7")]:
            with self.assertRaises(InferenceServerException) as caught:
                self.grpc.get_inference_statistics(model_name=name, model_version=version)
            self.assertEqual(caught.exception.status(), str(grpc.StatusCode.INVALID_ARGUMENT), str(caught.exception))

    def test_server_metadata_lists_statistics(self):
        self.assertIn("statistics", self.grpc.get_server_metadata().extensions)


class MetricsTest(ClientTest):
    def test_exposition(self):
        content_type, text, families = fetch_metrics()
        self.assertTrue(content_type.startswith("text/plain"), content_type)
        self.assertIn("# HELP nv_inference_request_success ", text)
        self.assertIn("# TYPE nv_inference_request_success counter", text)
        counters = ["nv_inference_request_success", "nv_inference_request_failure", "nv_inference_count",
                    "nv_inference_exec_count", "nv_inference_request_duration_us", "nv_inference_queue_duration_us",
                    "nv_inference_compute_input_duration_us", "nv_inference_compute_infer_duration_us",
                    "nv_inference_compute_output_duration_us"]
        gauges = ["nv_inference_pending_request_count", "nv_model_load_duration_secs", "nv_cpu_utilization",
                  "nv_cpu_memory_total_bytes", "nv_cpu_memory_used_bytes"]
        histograms = ["nereid_batch_size", "nereid_inference_request_duration_us"]
        for name in counters:
            self.assertIn(name, families)
            self.assertEqual(families[name].type, "counter", name)
        for name in gauges:
            self.assertIn(name, families)
            self.assertEqual(families[name].type, "gauge", name)
        for name in histograms:
            self.assertIn(name, families)
            self.assertEqual(families[name].type, "histogram", name)

    def test_add_sub_counters(self):
        _, _, families = fetch_metrics()
        value = lambda name, **labels: model_value(families[name], "add_sub", **labels)
        self.assertEqual(value("nv_inference_request_success"), SUCCESSES)
        self.assertEqual(value("nv_inference_count"), SUCCESSES)
        self.assertEqual(value("nv_inference_exec_count"), SUCCESSES)
        for reason in FAILURE_REASONS:
            self.assertEqual(value("nv_inference_request_failure", reason=reason), FAILURES, reason)
        self.assertGreater(value("nv_inference_request_duration_us"), 0)
        self.assertGreaterEqual(value("nv_inference_queue_duration_us"), 0)
        self.assertGreater(value("nv_inference_compute_infer_duration_us"), 0)
        self.assertGreaterEqual(value("nv_inference_compute_input_duration_us"), 0)
        self.assertGreaterEqual(value("nv_inference_compute_output_duration_us"), 0)
        self.assertEqual(value("nv_inference_pending_request_count"), 0)

    def test_every_model_has_its_series(self):
        _, _, families = fetch_metrics()
        for model in SHIPPED_MODELS:
            self.assertGreaterEqual(model_value(families["nv_model_load_duration_secs"], model), 0, model)
            self.assertIsNotNone(model_value(families["nv_inference_request_success"], model))
            reasons = {s.labels["reason"] for s in samples(families["nv_inference_request_failure"])
                       if s.labels.get("model") == model}
            self.assertEqual(reasons, FAILURE_REASONS, model)

    def test_cpu_gauges(self):
        _, _, families = fetch_metrics()
        single = lambda name: [s.value for s in samples(families[name])]
        [utilization] = single("nv_cpu_utilization")
        [total] = single("nv_cpu_memory_total_bytes")
        [used] = single("nv_cpu_memory_used_bytes")
        self.assertGreaterEqual(utilization, 0)
        self.assertLessEqual(utilization, 1)
        self.assertGreater(total, 0)
        self.assertGreater(used, 0)
        self.assertLessEqual(used, total)

    def test_counters_agree_with_statistics(self):
        stats = self.http.get_inference_statistics()["model_stats"]
        _, _, families = fetch_metrics()
        for s in stats:
            name, version = s["name"], s["version"]
            value = lambda metric, **labels: model_value(families[metric], name, version, **labels)
            self.assertEqual(value("nv_inference_request_success"), s["inference_stats"]["success"]["count"], name)
            failures = sum(value("nv_inference_request_failure", reason=r) for r in FAILURE_REASONS)
            self.assertEqual(failures, s["inference_stats"]["fail"]["count"], name)
            self.assertEqual(value("nv_inference_count"), s["inference_count"], name)
            self.assertEqual(value("nv_inference_exec_count"), s["execution_count"], name)

    def test_request_duration_histogram_counts_add_sub(self):
        _, _, families = fetch_metrics()
        family = families["nereid_inference_request_duration_us"]
        counts = [s.value for s in samples(family, "_count")
                  if s.labels.get("model") == "add_sub" and s.labels.get("version") == "1"]
        self.assertEqual(len(counts), 1)
        self.assertEqual(counts[0], SUCCESSES)

    def test_only_get(self):
        request = urllib.request.Request(f"http://{METRICS_URL}/metrics", data=b"", method="POST")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(caught.exception.code, 405)


def mlp_row(seed):
    return np.random.default_rng(1000 + seed).standard_normal((1, 16)).astype(np.float32)


def http_batch_info(result):
    """(nereid_batch_size, nereid_queue_time_us) from an HTTP response's parameters."""
    parameters = result.get_response().get("parameters", {})
    return parameters.get("nereid_batch_size"), parameters.get("nereid_queue_time_us")


def grpc_parameter(result, name):
    """A ModelInferResponse parameter's value, whichever of its oneof members is set (None when absent)."""
    parameters = result.get_response().parameters
    if name not in parameters:
        return None
    parameter = parameters[name]
    choice = parameter.WhichOneof("parameter_choice")
    return None if choice is None else getattr(parameter, choice)


class DynamicBatchingTest(ClientTest):
    """mlp_classifier (dynamic_batching, max_queue_delay 0, 2 instances): requests that queue while both instances
    are busy run together. tritonclient.http's async_infer sleeps 10 ms after sending each request (so its requests
    never overlap on a fast model); the HTTP burst therefore runs the client's infer in 32 greenlets, which is what
    async_infer does minus that sleep. The gRPC burst uses tritonclient.grpc's async_infer as it is. A few rounds make
    a batch of more than one row certain without depending on timing."""

    ROUNDS = 5

    def check_row(self, probabilities, i, alone, transport):
        self.assertEqual(probabilities.shape, (1, 4))
        np.testing.assert_allclose(probabilities, alone[i], rtol=1e-5, atol=1e-7,
                                   err_msg=f"{transport}: row {i} batched with others differs from row {i} alone")

    def check_size(self, size):
        self.assertIsInstance(size, int)
        self.assertGreaterEqual(size, 1)
        self.assertLessEqual(size, 64)

    def http_burst(self, rows, alone):
        client = httpclient.InferenceServerClient(url=HTTP_URL, concurrency=len(rows), network_timeout=30.0)
        sizes = []
        try:
            for _ in range(self.ROUNDS):
                greenlets = [gevent.spawn(client.infer, "mlp_classifier", http_inputs([("input", row)]),
                                          parameters=MLP_BATCH_INFO) for row in rows]
                gevent.joinall(greenlets, timeout=30, raise_error=True)
                for i, greenlet in enumerate(greenlets):
                    size, _ = http_batch_info(greenlet.value)
                    self.check_size(size)
                    sizes.append(size)
                    self.check_row(greenlet.value.as_numpy("probabilities"), i, alone, "HTTP")
                if max(sizes) > 1:
                    break
        finally:
            client.close()
        return sizes

    def grpc_burst(self, rows, alone):
        sizes = []
        for _ in range(self.ROUNDS):
            done = queue.Queue()
            for i, row in enumerate(rows):
                self.grpc.async_infer("mlp_classifier", grpc_inputs([("input", row)]),
                                      callback=functools.partial(lambda i, result, error: done.put((i, result, error)), i),
                                      parameters=MLP_BATCH_INFO)
            for _ in rows:
                i, result, error = done.get(timeout=30)
                self.assertIsNone(error, f"gRPC request {i} failed: {error}")
                size = grpc_parameter(result, "nereid_batch_size")
                self.check_size(size)
                self.assertIsInstance(grpc_parameter(result, "nereid_queue_time_us"), int)
                sizes.append(size)
                self.check_row(result.as_numpy("probabilities"), i, alone, "gRPC")
            if max(sizes) > 1:
                break
        return sizes

    def test_concurrent_requests_are_batched(self):
        rows = [mlp_row(i) for i in range(CONCURRENT)]
        # Each row alone, one after another: every execution then holds that one row.
        alone = []
        for row in rows:
            result = self.http.infer("mlp_classifier", http_inputs([("input", row)]), parameters=MLP_BATCH_INFO)
            size, queue_us = http_batch_info(result)
            self.assertEqual(size, 1)
            self.assertIsInstance(queue_us, int)
            self.assertGreaterEqual(queue_us, 0)
            alone.append(result.as_numpy("probabilities"))
        # Without the parameter the response carries no batch information.
        plain = self.http.infer("mlp_classifier", http_inputs([("input", rows[0])]))
        self.assertNotIn("parameters", plain.get_response())

        http_sizes = self.http_burst(rows, alone)
        self.assertGreater(max(http_sizes), 1, f"HTTP: no response reported a batch of more than one row: {http_sizes}")
        grpc_sizes = self.grpc_burst(rows, alone)
        self.assertGreater(max(grpc_sizes), 1, f"gRPC: no response reported a batch of more than one row: {grpc_sizes}")

        sent = CONCURRENT + 1 + len(http_sizes) + len(grpc_sizes)
        stats = self.http.get_inference_statistics("mlp_classifier")["model_stats"][0]
        self.assertEqual(stats["inference_stats"]["success"]["count"], sent)
        self.assertEqual(stats["inference_count"], sent)
        self.assertLess(stats["execution_count"], sent)
        batch_sizes = [b["batch_size"] for b in stats["batch_stats"]]
        self.assertIn(1, batch_sizes)
        self.assertGreater(max(batch_sizes), 1, stats["batch_stats"])
        # The executions of each size, times that size, add up to the rows inferred.
        self.assertEqual(sum(b["batch_size"] * b["compute_infer"]["count"] for b in stats["batch_stats"]), sent)
        self.assertEqual(sum(b["compute_infer"]["count"] for b in stats["batch_stats"]), stats["execution_count"])

        _, _, families = fetch_metrics()
        self.assertEqual(model_value(families["nv_inference_count"], "mlp_classifier"), sent)
        self.assertEqual(model_value(families["nv_inference_exec_count"], "mlp_classifier"), stats["execution_count"])
        mlp = lambda s: s.labels.get("model") == "mlp_classifier" and s.labels.get("version") == "1"
        family = families["nereid_batch_size"]
        [count] = [s.value for s in samples(family, "_count") if mlp(s)]
        buckets = {float(s.labels["le"]): s.value for s in samples(family, "_bucket") if mlp(s)}
        self.assertIn(1.0, buckets, f"nereid_batch_size has no le=\"1\" bucket: {sorted(buckets)}")
        self.assertGreater(count, buckets[1.0], "the nereid_batch_size histogram has no observation above 1")
        self.assertEqual(buckets[float("inf")], count)


if __name__ == "__main__":
    unittest.main()
