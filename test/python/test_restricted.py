"""Restricted APIs (--http-restricted-api, --grpc-restricted-protocol) seen through tritonclient.http and .grpc.

Run against a server started with the groups in NEREID_RESTRICTIONS (JSON: category -> [header, value]) on both
protocols (gRPC keys carry Triton's 'triton-grpc-protocol-' prefix), in explicit mode with add_sub loaded:
  NEREID_HTTP_URL=127.0.0.1:8000 NEREID_GRPC_URL=127.0.0.1:8001 NEREID_RESTRICTIONS='{...}' \
    .venv/bin/python test/python/test_restricted.py -v
(test/security/restricted-apis.test.ts starts such a server and runs this file.)
Every category is called without its header (refused with Triton's status and exact text), with a wrong value
(refused), and with it (served: whatever nereid answers for that API, never the refusal).
"""

import json
import os
import queue
import sys
import unittest
import urllib.error
import urllib.request

import grpc
import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tritonclient.utils import InferenceServerException

HTTP_URL = os.environ.get("NEREID_HTTP_URL", "")
GRPC_URL = os.environ.get("NEREID_GRPC_URL", "")
if not HTTP_URL or not GRPC_URL or "NEREID_RESTRICTIONS" not in os.environ:
    sys.exit("set NEREID_HTTP_URL, NEREID_GRPC_URL and NEREID_RESTRICTIONS")
RESTRICTIONS = {k: tuple(v) for k, v in json.loads(os.environ["NEREID_RESTRICTIONS"]).items()}
GRPC_PREFIX = "triton-grpc-protocol-"
CATEGORIES = [
    "health", "metadata", "inference", "shared-memory", "model-config",
    "model-repository", "statistics", "trace", "logging",
]
TIMEOUT = 20


def http_headers(category, value=None):
    header, expected = RESTRICTIONS[category]
    return {header: expected if value is None else value}


def grpc_headers(category, value=None):
    header, expected = RESTRICTIONS[category]
    return {GRPC_PREFIX + header: expected if value is None else value}


def add_sub_inputs(module):
    a = np.arange(16, dtype=np.float32).reshape(1, 16)
    inputs = [module.InferInput("INPUT0", [1, 16], "FP32"), module.InferInput("INPUT1", [1, 16], "FP32")]
    for i in inputs:
        i.set_data_from_numpy(a)
    return inputs


def http_calls(c):
    """Every tritonclient.http call of each category, as functions of the headers."""
    return {
        "health": [
            lambda h: c.is_server_live(headers=h),
            lambda h: c.is_server_ready(headers=h),
            lambda h: c.is_model_ready("add_sub", headers=h),
        ],
        "metadata": [
            lambda h: c.get_server_metadata(headers=h),
            lambda h: c.get_model_metadata("add_sub", headers=h),
        ],
        "inference": [
            lambda h: c.infer("add_sub", add_sub_inputs(httpclient), headers=h),
            lambda h: c.async_infer("add_sub", add_sub_inputs(httpclient), headers=h).get_result(),
        ],
        "shared-memory": [
            lambda h: c.get_system_shared_memory_status(headers=h),
            lambda h: c.get_cuda_shared_memory_status(headers=h),
            lambda h: c.unregister_system_shared_memory(headers=h),
        ],
        "model-config": [lambda h: c.get_model_config("add_sub", headers=h)],
        "model-repository": [
            lambda h: c.get_model_repository_index(headers=h),
            lambda h: c.load_model("identity_int64", headers=h),
            lambda h: c.unload_model("identity_int64", headers=h),
        ],
        "statistics": [
            lambda h: c.get_inference_statistics(headers=h),
            lambda h: c.get_inference_statistics("add_sub", headers=h),
        ],
        "trace": [
            lambda h: c.get_trace_settings(headers=h),
            lambda h: c.get_trace_settings(model_name="add_sub", headers=h),
        ],
        "logging": [lambda h: c.get_log_settings(headers=h)],
    }


def grpc_calls(c):
    return {
        "health": [
            lambda h: c.is_server_live(headers=h),
            lambda h: c.is_server_ready(headers=h),
            lambda h: c.is_model_ready("add_sub", headers=h),
        ],
        "metadata": [
            lambda h: c.get_server_metadata(headers=h),
            lambda h: c.get_model_metadata("add_sub", headers=h),
        ],
        "inference": [lambda h: c.infer("add_sub", add_sub_inputs(grpcclient), headers=h)],
        "shared-memory": [
            lambda h: c.get_system_shared_memory_status(headers=h),
            lambda h: c.get_cuda_shared_memory_status(headers=h),
            lambda h: c.unregister_cuda_shared_memory(headers=h),
        ],
        "model-config": [lambda h: c.get_model_config("add_sub", headers=h)],
        "model-repository": [
            lambda h: c.get_model_repository_index(headers=h),
            lambda h: c.load_model("identity_int64", headers=h),
            lambda h: c.unload_model("identity_int64", headers=h),
        ],
        "statistics": [
            lambda h: c.get_inference_statistics(headers=h),
            lambda h: c.get_inference_statistics("add_sub", headers=h),
        ],
        "trace": [lambda h: c.get_trace_settings(headers=h)],
        "logging": [lambda h: c.get_log_settings(headers=h)],
    }


class HttpRestrictedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = httpclient.InferenceServerClient(url=HTTP_URL)
        cls.calls = http_calls(cls.client)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def refused_text(self, category):
        return "This API is restricted, expecting header '%s'" % RESTRICTIONS[category][0]

    def assert_refused(self, category, call, headers):
        if category == "health":
            # tritonclient.http answers health with a bool instead of raising.
            self.assertFalse(call(headers))
            return
        with self.assertRaises(InferenceServerException) as cm:
            call(headers)
        self.assertEqual(cm.exception.status(), "403")
        self.assertEqual(cm.exception.message(), self.refused_text(category))

    def assert_served(self, category, call, headers):
        try:
            result = call(headers)
        except InferenceServerException as e:
            # An API nereid does not serve over HTTP answers as it would without any restriction.
            self.assertNotEqual(e.status(), "403", "%s: %s" % (category, e))
            self.assertIn(category, ("trace", "logging", "shared-memory"), "%s failed: %s" % (category, e))
            return
        if category == "health":
            self.assertTrue(result)

    def test_every_category_without_its_header_is_refused(self):
        for category in CATEGORIES:
            for call in self.calls[category]:
                with self.subTest(category=category):
                    self.assert_refused(category, call, None)
                    # Another category's header does not open this one.
                    other = CATEGORIES[(CATEGORIES.index(category) + 2) % len(CATEGORIES)]
                    if RESTRICTIONS[other][0] != RESTRICTIONS[category][0]:
                        self.assert_refused(category, call, http_headers(other))

    def test_a_wrong_value_is_refused(self):
        for category in CATEGORIES:
            with self.subTest(category=category):
                self.assert_refused(category, self.calls[category][0], http_headers(category, "wrong"))
                # The value must match exactly, not as a prefix or in another case.
                value = RESTRICTIONS[category][1]
                self.assert_refused(category, self.calls[category][0], http_headers(category, value + "x"))
                self.assert_refused(category, self.calls[category][0], http_headers(category, value.upper()))

    def test_every_category_with_its_header_is_served(self):
        for category in CATEGORIES:
            for call in self.calls[category]:
                with self.subTest(category=category):
                    self.assert_served(category, call, http_headers(category))

    def test_header_names_match_in_any_case(self):
        header, value = RESTRICTIONS["inference"]
        result = self.client.infer("add_sub", add_sub_inputs(httpclient), headers={header.upper(): value})
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), 2 * np.arange(16, dtype=np.float32).reshape(1, 16))

    def raw(self, method, path, headers=None, body=None):
        request = urllib.request.Request("http://%s%s" % (HTTP_URL, path), data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def test_exact_status_and_body_for_each_route(self):
        routes = [
            ("GET", "/v2/health/live", "health"),
            ("GET", "/v2/models/add_sub/versions/1/ready", "health"),
            ("GET", "/v2", "metadata"),
            ("GET", "/v2/models/add_sub", "metadata"),
            ("POST", "/v2/models/add_sub/infer", "inference"),
            ("POST", "/v2/models/add_sub/generate", "inference"),
            ("GET", "/v2/systemsharedmemory/status", "shared-memory"),
            ("POST", "/v2/cudasharedmemory/region/r/unregister", "shared-memory"),
            ("GET", "/v2/models/add_sub/config", "model-config"),
            ("POST", "/v2/repository/index", "model-repository"),
            ("POST", "/v2/repository/models/add_sub/load", "model-repository"),
            ("GET", "/v2/models/stats", "statistics"),
            ("GET", "/v2/models/add_sub/versions/1/stats", "statistics"),
            ("GET", "/v2/trace/setting", "trace"),
            ("POST", "/v2/models/add_sub/trace/setting", "trace"),
            ("GET", "/v2/logging", "logging"),
            # Triton looks at the restriction before the method: a wrong method is still 403, not 405.
            ("POST", "/v2/health/ready", "health"),
            ("DELETE", "/v2/models/add_sub/infer", "inference"),
        ]
        for method, path, category in routes:
            with self.subTest(path=path, method=method):
                body = b"{}" if method == "POST" else None
                status, payload = self.raw(method, path, body=body)
                self.assertEqual(status, 403)
                expected = {"error": self.refused_text(category)}
                self.assertEqual(json.loads(payload), expected)
                status, _ = self.raw(method, path, headers=http_headers(category), body=body)
                self.assertNotEqual(status, 403)

    def test_unknown_paths_stay_404(self):
        for path in ["/v2/nope", "/v2/models/add_sub/versions/1/trace/setting", "/v2/health", "/v2/models/add_sub/versions/x"]:
            with self.subTest(path=path):
                status, payload = self.raw("GET", path)
                self.assertEqual((status, json.loads(payload)), (404, {"error": "Not Found"}))


class GrpcRestrictedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = grpcclient.InferenceServerClient(url=GRPC_URL)
        cls.calls = grpc_calls(cls.client)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def refused_text(self, category):
        return "This protocol is restricted, expecting header '%s%s'" % (GRPC_PREFIX, RESTRICTIONS[category][0])

    def assert_refused(self, category, call, headers):
        with self.assertRaises(InferenceServerException) as cm:
            call(headers)
        self.assertEqual(cm.exception.status(), "StatusCode.UNAVAILABLE")
        self.assertEqual(cm.exception.message(), self.refused_text(category))

    def test_every_category_without_its_header_is_refused(self):
        for category in CATEGORIES:
            for call in self.calls[category]:
                with self.subTest(category=category):
                    self.assert_refused(category, call, None)

    def test_a_wrong_value_or_an_unprefixed_key_is_refused(self):
        for category in CATEGORIES:
            with self.subTest(category=category):
                self.assert_refused(category, self.calls[category][0], grpc_headers(category, "wrong"))
                # The HTTP form of the header (no prefix) does not count over gRPC.
                self.assert_refused(category, self.calls[category][0], http_headers(category))

    def test_every_category_with_its_header_is_served(self):
        for category in CATEGORIES:
            for call in self.calls[category]:
                with self.subTest(category=category):
                    try:
                        call(grpc_headers(category))
                    except InferenceServerException as e:
                        self.assertNotIn("restricted", e.message())
                        # Tracing is not built: the answer without any restriction.
                        self.assertEqual((category, e.status(), e.message()),
                                         ("trace", "StatusCode.UNAVAILABLE", "the server does not support tracing"))

    def test_health_check_service(self):
        with grpc.insecure_channel(GRPC_URL) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            with self.assertRaises(grpc.RpcError) as cm:
                stub.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT)
            self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)
            self.assertEqual(cm.exception.details(), self.refused_text("health"))
            answer = stub.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT,
                                metadata=list(grpc_headers("health").items()))
            self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING)

    def stream(self, headers, count=3):
        responses = queue.Queue()
        c = grpcclient.InferenceServerClient(url=GRPC_URL)
        try:
            c.start_stream(callback=lambda result, error: responses.put((result, error)), headers=headers)
            # A refused stream ends before reading anything, maybe before this first request is even queued (the
            # client then refuses it, pointing at the callback, which has the server's status).
            try:
                c.async_stream_infer("add_sub", add_sub_inputs(grpcclient), request_id="0")
            except InferenceServerException as e:
                self.assertIn("The stream is no longer in valid state", e.message())
            first = responses.get(timeout=TIMEOUT)
            if first[1] is not None:
                c.stop_stream()
                return [first]
            for i in range(1, count):
                c.async_stream_infer("add_sub", add_sub_inputs(grpcclient), request_id=str(i))
            rest = [responses.get(timeout=TIMEOUT) for _ in range(count - 1)]
            c.stop_stream()
            return [first] + rest
        finally:
            c.close()

    def test_stream_without_the_header_ends_with_the_refusal(self):
        for headers in (None, grpc_headers("inference", "wrong")):
            with self.subTest(headers=headers):
                [(result, error)] = self.stream(headers)
                self.assertIsNone(result)
                self.assertEqual(error.status(), "StatusCode.UNAVAILABLE")
                self.assertEqual(error.message(), self.refused_text("inference"))

    def test_stream_with_the_header_is_served(self):
        answers = self.stream(grpc_headers("inference"))
        self.assertEqual(len(answers), 3)
        for result, error in answers:
            self.assertIsNone(error)
            np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), np.zeros((1, 16), dtype=np.float32))


if __name__ == "__main__":
    unittest.main()
