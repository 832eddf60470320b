"""nereid's HTTP endpoint seen through the real Triton client, tritonclient.http.

Run against a running server:  NEREID_HTTP_URL=127.0.0.1:8000 .venv/bin/python test/python/test_http_client.py -v
(test/http/tritonclient.test.ts starts a server on a free port and runs this file.)
Expected texts and status codes are Triton's (core infer_request.cc / model lookup, server http_server.cc).
"""

import os
import sys
import unittest

import numpy as np
import tritonclient.http as httpclient
import tritonclient.http._client as http_client_module
from tritonclient.utils import InferenceServerException

URL = os.environ.get("NEREID_HTTP_URL", "")
if not URL:
    sys.exit("NEREID_HTTP_URL is not set: give the server as host:port, e.g. NEREID_HTTP_URL=127.0.0.1:8000")

ADD_SUB_BATCH_NOTE = "NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension"


def client(concurrency=1):
    return httpclient.InferenceServerClient(url=URL, concurrency=concurrency, network_timeout=30.0)


def fp32_input(name, array, binary=True):
    tensor = httpclient.InferInput(name, list(array.shape), "FP32")
    tensor.set_data_from_numpy(array, binary_data=binary)
    return tensor


def add_sub_inputs(a, b, binary=True):
    return [fp32_input("INPUT0", a, binary), fp32_input("INPUT1", b, binary)]


def add_sub_data(rows=1, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-100, 100, size=(rows, 16)).astype(np.float32)
    b = rng.uniform(-100, 100, size=(rows, 16)).astype(np.float32)
    return a, b


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = client()

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def assert_server_error(self, call, status, message):
        """`call()` raises InferenceServerException with HTTP `status` and a message containing `message`."""
        with self.assertRaises(InferenceServerException) as caught:
            call()
        self.assertEqual(caught.exception.status(), status, str(caught.exception))
        self.assertIn(message, caught.exception.message())
        return caught.exception


class HealthTest(ServerTest):
    def test_server_live_and_ready(self):
        self.assertTrue(self.client.is_server_live())
        self.assertTrue(self.client.is_server_ready())

    def test_model_ready(self):
        for model in ["add_sub", "identity_int64", "identity_bytes", "mlp_classifier", "autocomplete_add"]:
            self.assertTrue(self.client.is_model_ready(model), model)
        self.assertTrue(self.client.is_model_ready("add_sub", "1"))

    def test_model_not_ready_is_false_not_an_exception(self):
        self.assertFalse(self.client.is_model_ready("nope"))
        self.assertFalse(self.client.is_model_ready("add_sub", "2"))


class MetadataTest(ServerTest):
    def test_server_metadata(self):
        metadata = self.client.get_server_metadata()
        self.assertEqual(metadata["name"], "triton")
        self.assertIsInstance(metadata["version"], str)
        self.assertRegex(metadata["version"], r"^\d+\.\d+\.\d+")
        self.assertIn("binary_tensor_data", metadata["extensions"])
        self.assertIn("model_configuration", metadata["extensions"])

    def test_model_metadata_add_sub(self):
        tensor = lambda name: {"name": name, "datatype": "FP32", "shape": [-1, 16]}
        self.assertEqual(
            self.client.get_model_metadata("add_sub"),
            {
                "name": "add_sub",
                "versions": ["1"],
                "platform": "onnxruntime_onnx",
                "inputs": [tensor("INPUT0"), tensor("INPUT1")],
                "outputs": [tensor("OUTPUT0"), tensor("OUTPUT1")],
            },
        )
        self.assertEqual(self.client.get_model_metadata("add_sub", "1")["versions"], ["1"])

    def test_model_metadata_variable_dims_and_bytes(self):
        metadata = self.client.get_model_metadata("identity_bytes")
        self.assertEqual(metadata["inputs"], [{"name": "INPUT0", "datatype": "BYTES", "shape": [-1, -1]}])
        self.assertEqual(metadata["outputs"], [{"name": "OUTPUT0", "datatype": "BYTES", "shape": [-1, -1]}])
        metadata = self.client.get_model_metadata("identity_int64")
        self.assertEqual(metadata["inputs"], [{"name": "INPUT0", "datatype": "INT64", "shape": [-1, -1]}])

    def test_model_config_add_sub(self):
        config = self.client.get_model_config("add_sub")
        self.assertEqual(config["name"], "add_sub")
        self.assertEqual(config["platform"], "onnxruntime_onnx")
        self.assertEqual(config["max_batch_size"], 8)
        self.assertEqual([i["name"] for i in config["input"]], ["INPUT0", "INPUT1"])
        self.assertEqual([i["data_type"] for i in config["input"]], ["TYPE_FP32", "TYPE_FP32"])
        self.assertEqual([i["dims"] for i in config["input"]], [[16], [16]])
        self.assertEqual([o["name"] for o in config["output"]], ["OUTPUT0", "OUTPUT1"])
        self.assertNotIn("dynamic_batching", config)
        self.assertEqual(config["instance_group"][0]["kind"], "KIND_CPU")

    def test_model_config_autocompleted(self):
        config = self.client.get_model_config("autocomplete_add")
        self.assertEqual(config["max_batch_size"], 4)
        self.assertIn("dynamic_batching", config)
        self.assertEqual([(i["name"], i["data_type"], i["dims"]) for i in config["input"]],
                         [("x", "TYPE_FP32", [4]), ("y", "TYPE_FP32", [4])])
        self.assertEqual([(o["name"], o["data_type"], o["dims"]) for o in config["output"]],
                         [("sum", "TYPE_FP32", [4])])

    def test_unknown_model_metadata_and_config(self):
        message = "Request for unknown model: 'nope' is not found"
        self.assert_server_error(lambda: self.client.get_model_metadata("nope"), "404", message)
        self.assert_server_error(lambda: self.client.get_model_config("nope"), "404", message)


class InferFp32Test(ServerTest):
    def check_add_sub(self, result, a, b):
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)

    def test_binary_inputs_and_outputs(self):
        a, b = add_sub_data(rows=3)
        result = self.client.infer("add_sub", add_sub_inputs(a, b))
        self.check_add_sub(result, a, b)
        response = result.get_response()
        self.assertEqual(response["model_name"], "add_sub")
        self.assertEqual(response["model_version"], "1")
        self.assertNotIn("id", response)
        for output in response["outputs"]:
            self.assertEqual(output["datatype"], "FP32")
            self.assertEqual(output["shape"], [3, 16])
            self.assertEqual(output["parameters"], {"binary_data_size": 3 * 16 * 4})
            self.assertNotIn("data", output)

    def test_json_inputs_and_outputs(self):
        a, b = add_sub_data(rows=2, seed=1)
        outputs = [httpclient.InferRequestedOutput(name, binary_data=False) for name in ["OUTPUT0", "OUTPUT1"]]
        result = self.client.infer("add_sub", add_sub_inputs(a, b, binary=False), outputs=outputs)
        self.check_add_sub(result, a, b)
        for output in result.get_response()["outputs"]:
            self.assertEqual(len(output["data"]), 32)  # flat
            self.assertNotIn("parameters", output)

    def test_mixed_binary_and_json(self):
        a, b = add_sub_data(seed=2)
        inputs = [fp32_input("INPUT0", a, binary=True), fp32_input("INPUT1", b, binary=False)]
        outputs = [httpclient.InferRequestedOutput("OUTPUT0", binary_data=True),
                   httpclient.InferRequestedOutput("OUTPUT1", binary_data=False)]
        result = self.client.infer("add_sub", inputs, outputs=outputs)
        self.check_add_sub(result, a, b)
        by_name = {o["name"]: o for o in result.get_response()["outputs"]}
        self.assertEqual(by_name["OUTPUT0"]["parameters"], {"binary_data_size": 64})
        self.assertIn("data", by_name["OUTPUT1"])

    def test_requested_output_subset(self):
        a, b = add_sub_data(seed=3)
        result = self.client.infer("add_sub", add_sub_inputs(a, b), outputs=[httpclient.InferRequestedOutput("OUTPUT1")])
        self.assertEqual([o["name"] for o in result.get_response()["outputs"]], ["OUTPUT1"])
        np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)
        self.assertIsNone(result.as_numpy("OUTPUT0"))

    def test_request_id_echo_and_explicit_version(self):
        a, b = add_sub_data(seed=4)
        result = self.client.infer("add_sub", add_sub_inputs(a, b), model_version="1", request_id="req-42")
        self.assertEqual(result.get_response()["id"], "req-42")
        self.assertEqual(result.get_response()["model_version"], "1")
        self.check_add_sub(result, a, b)

    def test_full_batch(self):
        a, b = add_sub_data(rows=8, seed=5)
        self.check_add_sub(self.client.infer("add_sub", add_sub_inputs(a, b)), a, b)

    def test_autocomplete_model(self):
        x = np.array([[1, 2, 3, 4]], dtype=np.float32)
        y = np.array([[10, 20, 30, 40]], dtype=np.float32)
        result = self.client.infer("autocomplete_add", [fp32_input("x", x), fp32_input("y", y)])
        np.testing.assert_array_equal(result.as_numpy("sum"), [[11, 22, 33, 44]])


class InferInt64Test(ServerTest):
    def echo(self, data, binary):
        tensor = httpclient.InferInput("INPUT0", list(data.shape), "INT64")
        tensor.set_data_from_numpy(data, binary_data=binary)
        result = self.client.infer("identity_int64", [tensor],
                                   outputs=[httpclient.InferRequestedOutput("OUTPUT0", binary_data=binary)])
        output = result.as_numpy("OUTPUT0")
        self.assertEqual(result.get_response()["outputs"][0]["datatype"], "INT64")
        self.assertEqual(output.dtype, np.int64)
        return output

    def test_binary_beyond_2_pow_53(self):
        data = np.array([[2**53 + 1, 2**62 + 3, -(2**63), 2**63 - 1, 0, -1]], dtype=np.int64)
        np.testing.assert_array_equal(self.echo(data, binary=True), data)

    def test_json(self):
        data = np.array([[1, -2, 3], [2**53 - 1, -(2**53 - 1), 0]], dtype=np.int64)
        np.testing.assert_array_equal(self.echo(data, binary=False), data)

    def test_json_beyond_2_pow_53(self):
        # Triton reads and writes JSON integers as exact 64-bit values (rapidjson), so nothing is rounded to a double.
        data = np.array([[2**53 + 1, -(2**63), 2**63 - 1, 1234567890123456789]], dtype=np.int64)
        np.testing.assert_array_equal(self.echo(data, binary=False), data)

    def test_variable_length(self):
        for length in [1, 7, 100]:
            data = np.arange(length, dtype=np.int64).reshape(1, length) * 1_000_000_007
            np.testing.assert_array_equal(self.echo(data, binary=True), data)


class InferBytesTest(ServerTest):
    TEXTS = ["hello", "héllo wörld ✓", "", "日本語テキスト", "tab\tand \"quotes\""]

    def echo(self, array, binary):
        tensor = httpclient.InferInput("INPUT0", list(array.shape), "BYTES")
        tensor.set_data_from_numpy(array, binary_data=binary)
        result = self.client.infer("identity_bytes", [tensor],
                                   outputs=[httpclient.InferRequestedOutput("OUTPUT0", binary_data=binary)])
        output = result.get_response()["outputs"][0]
        self.assertEqual(output["datatype"], "BYTES")
        self.assertEqual(output["shape"], list(array.shape))
        return result.as_numpy("OUTPUT0")

    def test_binary_utf8(self):
        array = np.array([text.encode("utf-8") for text in self.TEXTS], dtype=np.object_).reshape(1, -1)
        output = self.echo(array, binary=True)
        self.assertEqual(output.shape, array.shape)
        self.assertEqual(output.tolist(), array.tolist())

    def test_binary_many_rows_and_long_elements(self):
        array = np.array([[("row %d " % r).encode() * (r * 50) for _ in range(3)] for r in range(8)], dtype=np.object_)
        self.assertEqual(self.echo(array, binary=True).tolist(), array.tolist())

    @unittest.expectedFailure
    def test_binary_non_utf8_bytes(self):
        # Triton's onnxruntime backend hands BYTES elements to ORT as byte strings, so bytes that are not UTF-8 come
        # back unchanged. onnxruntime-node's string tensors are JS strings, so nereid can only pass UTF-8 text and
        # turns other bytes into U+FFFD (EF BF BD). Remove expectedFailure once nereid passes raw bytes through.
        array = np.array([[b"\xff\xfe\x80 not utf-8", b"ok"]], dtype=np.object_)
        self.assertEqual(self.echo(array, binary=True).tolist(), array.tolist())

    def test_json_non_ascii(self):
        array = np.array([[t.encode("utf-8") for t in self.TEXTS[:3]], [t.encode("utf-8") for t in self.TEXTS[2:]]],
                         dtype=np.object_)
        output = self.echo(array, binary=False)
        # JSON outputs come back as Python strings.
        self.assertEqual(output.tolist(), [self.TEXTS[:3], self.TEXTS[2:]])


class CompressionTest(ServerTest):
    """Request bodies compressed by the client; responses compressed by the server (seen in Content-Encoding)."""

    def setUp(self):
        # Record the Content-Encoding of each infer response before tritonclient decompresses it.
        self.encodings = []
        original = http_client_module.InferResult
        encodings = self.encodings

        def recording(response, verbose):
            encodings.append(response.get("Content-Encoding"))
            return original(response, verbose)

        http_client_module.InferResult = recording
        self.addCleanup(setattr, http_client_module, "InferResult", original)

    def run_add_sub(self, request, response, binary):
        a, b = add_sub_data(rows=4, seed=6)
        outputs = [httpclient.InferRequestedOutput(n, binary_data=binary) for n in ["OUTPUT0", "OUTPUT1"]]
        result = self.client.infer("add_sub", add_sub_inputs(a, b, binary), outputs=outputs,
                                   request_compression_algorithm=request, response_compression_algorithm=response)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)

    def test_gzip_request_and_response(self):
        self.run_add_sub("gzip", "gzip", binary=True)
        self.run_add_sub("gzip", "gzip", binary=False)
        self.assertEqual(self.encodings, ["gzip", "gzip"])

    def test_deflate_request_and_response(self):
        self.run_add_sub("deflate", "deflate", binary=True)
        self.run_add_sub("deflate", "deflate", binary=False)
        self.assertEqual(self.encodings, ["deflate", "deflate"])

    def test_mixed_and_one_sided(self):
        self.run_add_sub("gzip", "deflate", binary=True)
        self.run_add_sub("deflate", None, binary=True)
        self.run_add_sub(None, "gzip", binary=False)
        self.assertEqual(self.encodings, ["deflate", None, "gzip"])

    def test_compressed_bytes_tensor(self):
        array = np.array([["héllo".encode(), "ünïcödé ✓".encode(), b"x" * 1000]], dtype=np.object_)
        tensor = httpclient.InferInput("INPUT0", [1, 3], "BYTES")
        tensor.set_data_from_numpy(array)
        result = self.client.infer("identity_bytes", [tensor], request_compression_algorithm="gzip",
                                   response_compression_algorithm="gzip")
        self.assertEqual(result.as_numpy("OUTPUT0").tolist(), array.tolist())
        self.assertEqual(self.encodings, ["gzip"])


class AsyncInferTest(unittest.TestCase):
    IN_FLIGHT = 64

    @classmethod
    def setUpClass(cls):
        cls.client = client(concurrency=16)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def test_many_add_sub_requests_in_flight(self):
        data = [add_sub_data(rows=1 + i % 8, seed=100 + i) for i in range(self.IN_FLIGHT)]
        pending = [self.client.async_infer("add_sub", add_sub_inputs(a, b), request_id=str(i))
                   for i, (a, b) in enumerate(data)]
        for i, ((a, b), request) in enumerate(zip(data, pending)):
            result = request.get_result(timeout=60)
            self.assertEqual(result.get_response()["id"], str(i))
            np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
            np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)

    def test_dynamic_batching_matches_one_batched_request(self):
        rows = np.random.default_rng(7).normal(size=(self.IN_FLIGHT, 16)).astype(np.float32)
        whole = self.client.infer("mlp_classifier", [fp32_input("input", rows)]).as_numpy("probabilities")
        self.assertEqual(whole.shape, (self.IN_FLIGHT, 4))
        np.testing.assert_allclose(whole.sum(axis=1), np.ones(self.IN_FLIGHT), rtol=1e-5)
        pending = [self.client.async_infer("mlp_classifier", [fp32_input("input", rows[i:i + 1])])
                   for i in range(self.IN_FLIGHT)]
        for i, request in enumerate(pending):
            np.testing.assert_allclose(request.get_result(timeout=60).as_numpy("probabilities"), whole[i:i + 1],
                                       rtol=1e-5, atol=1e-7)

    def test_errors_come_back_per_request(self):
        a, b = add_sub_data()
        good = self.client.async_infer("add_sub", add_sub_inputs(a, b))
        bad = self.client.async_infer("nope", add_sub_inputs(a, b))
        np.testing.assert_array_equal(good.get_result(timeout=60).as_numpy("OUTPUT0"), a + b)
        with self.assertRaises(InferenceServerException) as caught:
            bad.get_result(timeout=60)
        self.assertEqual(caught.exception.status(), "404")


class InferErrorTest(ServerTest):
    def test_unknown_model(self):
        a, b = add_sub_data()
        self.assert_server_error(lambda: self.client.infer("nope", add_sub_inputs(a, b)), "404",
                                 "Request for unknown model: 'nope' is not found")

    def test_unknown_version(self):
        a, b = add_sub_data()
        self.assert_server_error(lambda: self.client.infer("add_sub", add_sub_inputs(a, b), model_version="2"), "404",
                                 "Request for unknown model: 'add_sub' version 2 is not found")

    def test_wrong_shape(self):
        a, b = add_sub_data()
        inputs = [fp32_input("INPUT0", a.reshape(1, 8, 2)), fp32_input("INPUT1", b)]
        error = self.assert_server_error(lambda: self.client.infer("add_sub", inputs), "400",
                                         "unexpected shape for input 'INPUT0' for model 'add_sub'. "
                                         "Expected [-1,16], got [1,8,2]. ")
        self.assertIn(ADD_SUB_BATCH_NOTE, error.message())

    def test_wrong_datatype(self):
        a, b = add_sub_data()
        wrong = httpclient.InferInput("INPUT0", [1, 16], "INT32")
        wrong.set_data_from_numpy(a.astype(np.int32))
        self.assert_server_error(lambda: self.client.infer("add_sub", [wrong, fp32_input("INPUT1", b)]), "400",
                                 "inference input 'INPUT0' data-type is 'INT32', but model 'add_sub' expects 'FP32'")

    def test_unknown_output(self):
        a, b = add_sub_data()
        outputs = [httpclient.InferRequestedOutput("OUTPUT0"), httpclient.InferRequestedOutput("NOPE")]
        self.assert_server_error(lambda: self.client.infer("add_sub", add_sub_inputs(a, b), outputs=outputs), "400",
                                 "unexpected inference output 'NOPE' for model 'add_sub'")

    def test_batch_over_max_batch_size(self):
        a, b = add_sub_data(rows=9)
        self.assert_server_error(lambda: self.client.infer("add_sub", add_sub_inputs(a, b)), "400",
                                 "inference request batch-size must be <= 8 for 'add_sub'")

    def test_missing_input(self):
        a, _ = add_sub_data()
        self.assert_server_error(lambda: self.client.infer("add_sub", [fp32_input("INPUT0", a)]), "400",
                                 "expected 2 inputs but got 1 inputs for model 'add_sub'")

    def test_server_still_serves_after_errors(self):
        a, b = add_sub_data(seed=9)
        with self.assertRaises(InferenceServerException):
            self.client.infer("add_sub", add_sub_inputs(a[:, :8], b[:, :8]))
        np.testing.assert_array_equal(self.client.infer("add_sub", add_sub_inputs(a, b)).as_numpy("OUTPUT0"), a + b)


if __name__ == "__main__":
    unittest.main(verbosity=2)
