"""nereid's gRPC endpoint seen through the real Triton client, tritonclient.grpc, and the grpc.health.v1 stub.

Run against a running server:  NEREID_GRPC_URL=127.0.0.1:8001 .venv/bin/python test/python/test_grpc_client.py -v
(test/grpc/tritonclient.test.ts starts a server on a free port and runs this file.)
Expected texts and status codes are Triton's (core infer_request.cc / model lookup, server grpc/*.cc).
"""

import os
import queue
import sys
import unittest

import grpc
import numpy as np
import tritonclient.grpc as grpcclient
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tritonclient.grpc import model_config_pb2, service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException

URL = os.environ.get("NEREID_GRPC_URL", "")
if not URL:
    sys.exit("NEREID_GRPC_URL is not set: give the server as host:port, e.g. NEREID_GRPC_URL=127.0.0.1:8001")

TIMEOUT = 20  # seconds to wait for any one callback
UNKNOWN_MODEL = "Request for unknown model: 'nope' is not found"
LARGE = 5 * 1024 * 1024  # over gRPC's 4 MiB default receive limit


def client():
    return grpcclient.InferenceServerClient(url=URL)


def tensor(name, array, datatype):
    infer_input = grpcclient.InferInput(name, list(array.shape), datatype)
    infer_input.set_data_from_numpy(array)
    return infer_input


def add_sub_data(rows=1, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-100, 100, size=(rows, 16)).astype(np.float32)
    b = rng.uniform(-100, 100, size=(rows, 16)).astype(np.float32)
    return a, b


def add_sub_inputs(a, b):
    return [tensor("INPUT0", a, "FP32"), tensor("INPUT1", b, "FP32")]


def bytes_array(texts):
    return np.array([t.encode("utf-8") if isinstance(t, str) else t for t in texts], dtype=np.object_).reshape(1, -1)


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = client()

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def assert_server_error(self, call, code, message):
        """`call()` raises InferenceServerException with gRPC status `code` and a message containing `message`."""
        with self.assertRaises(InferenceServerException) as caught:
            call()
        self.assertEqual(caught.exception.status(), str(code), str(caught.exception))
        self.assertIn(message, caught.exception.message())
        return caught.exception

    def check_add_sub(self, result, a, b):
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


class HealthTest(ServerTest):
    def test_server_live_and_ready(self):
        self.assertIs(self.client.is_server_live(), True)
        self.assertIs(self.client.is_server_ready(), True)

    def test_model_ready(self):
        for model in ["add_sub", "identity_int64", "identity_bytes", "mlp_classifier", "autocomplete_add"]:
            self.assertIs(self.client.is_model_ready(model), True, model)
        self.assertIs(self.client.is_model_ready("add_sub", "1"), True)

    def test_unknown_model_or_version_is_not_ready(self):
        # Triton's ModelReady handler asks core's ModelIsReady, which swallows the lookup error and answers OK with
        # ready=false (server.cc InferenceServer::ModelIsReady); Triton's own qa (L0_lifecycle) asserts
        # assertFalse(grpcclient.is_model_ready(...)) for models that are not there.
        self.assertIs(self.client.is_model_ready("nope"), False)
        self.assertIs(self.client.is_model_ready("add_sub", "2"), False)

    def test_non_numeric_version_is_invalid_argument(self):
        # GetModelVersionFromString fails before the model is looked up.
        with self.assertRaises(InferenceServerException) as caught:
            self.client.is_model_ready("add_sub", "one")
        self.assertEqual(caught.exception.status(), str(grpc.StatusCode.INVALID_ARGUMENT))

    def test_grpc_health_check_serving(self):
        with grpc.insecure_channel(URL) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            response = stub.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT)
            self.assertEqual(response.status, health_pb2.HealthCheckResponse.SERVING)


class MetadataTest(ServerTest):
    def test_server_metadata(self):
        metadata = self.client.get_server_metadata()
        self.assertEqual(metadata.name, "triton")
        self.assertRegex(metadata.version, r"^\d+\.\d+\.\d+")
        self.assertIn("model_configuration", metadata.extensions)
        as_json = self.client.get_server_metadata(as_json=True)
        self.assertEqual(as_json["name"], "triton")
        self.assertEqual(as_json["extensions"], list(metadata.extensions))

    def test_model_metadata_add_sub(self):
        metadata = self.client.get_model_metadata("add_sub")
        self.assertEqual(metadata.name, "add_sub")
        self.assertEqual(list(metadata.versions), ["1"])
        self.assertEqual(metadata.platform, "onnxruntime_onnx")
        for tensors, names in [(metadata.inputs, ["INPUT0", "INPUT1"]), (metadata.outputs, ["OUTPUT0", "OUTPUT1"])]:
            self.assertEqual([(t.name, t.datatype, list(t.shape)) for t in tensors],
                             [(name, "FP32", [-1, 16]) for name in names])
        self.assertEqual(list(self.client.get_model_metadata("add_sub", "1").versions), ["1"])

    def test_model_metadata_as_json_int64_shapes_are_strings(self):
        tensor_json = lambda name: {"name": name, "datatype": "FP32", "shape": ["-1", "16"]}
        self.assertEqual(
            self.client.get_model_metadata("add_sub", as_json=True),
            {
                "name": "add_sub",
                "versions": ["1"],
                "platform": "onnxruntime_onnx",
                "inputs": [tensor_json("INPUT0"), tensor_json("INPUT1")],
                "outputs": [tensor_json("OUTPUT0"), tensor_json("OUTPUT1")],
            },
        )

    def test_model_metadata_bytes_and_int64(self):
        metadata = self.client.get_model_metadata("identity_bytes")
        self.assertEqual([(t.name, t.datatype, list(t.shape)) for t in metadata.inputs], [("INPUT0", "BYTES", [-1, -1])])
        self.assertEqual([(t.name, t.datatype, list(t.shape)) for t in metadata.outputs], [("OUTPUT0", "BYTES", [-1, -1])])
        metadata = self.client.get_model_metadata("identity_int64")
        self.assertEqual([(t.name, t.datatype, list(t.shape)) for t in metadata.inputs], [("INPUT0", "INT64", [-1, -1])])

    def test_model_config_add_sub(self):
        config = self.client.get_model_config("add_sub").config
        self.assertEqual(config.name, "add_sub")
        self.assertEqual(config.platform, "onnxruntime_onnx")
        self.assertEqual(config.max_batch_size, 8)
        self.assertEqual([i.name for i in config.input], ["INPUT0", "INPUT1"])
        self.assertEqual([i.data_type for i in config.input], [model_config_pb2.TYPE_FP32] * 2)
        self.assertEqual([list(i.dims) for i in config.input], [[16], [16]])
        self.assertEqual([o.name for o in config.output], ["OUTPUT0", "OUTPUT1"])
        self.assertFalse(config.HasField("dynamic_batching"))
        self.assertEqual(config.instance_group[0].kind, model_config_pb2.ModelInstanceGroup.KIND_CPU)

    def test_model_config_as_json(self):
        config = self.client.get_model_config("add_sub", as_json=True)["config"]
        self.assertEqual(config["name"], "add_sub")
        self.assertEqual(config["max_batch_size"], 8)  # int32: a JSON number
        self.assertEqual([(i["name"], i["data_type"], i["dims"]) for i in config["input"]],
                         [("INPUT0", "TYPE_FP32", ["16"]), ("INPUT1", "TYPE_FP32", ["16"])])  # int64 dims: strings
        self.assertNotIn("dynamic_batching", config)

    def test_model_config_autocompleted_and_dynamic_batching(self):
        config = self.client.get_model_config("autocomplete_add").config
        self.assertEqual(config.max_batch_size, 4)
        self.assertTrue(config.HasField("dynamic_batching"))
        self.assertEqual([(i.name, list(i.dims)) for i in config.input], [("x", [4]), ("y", [4])])
        self.assertEqual([(o.name, list(o.dims)) for o in config.output], [("sum", [4])])
        mlp = self.client.get_model_config("mlp_classifier").config
        self.assertEqual(mlp.max_batch_size, 64)
        self.assertTrue(mlp.HasField("dynamic_batching"))
        self.assertEqual(mlp.instance_group[0].count, 2)

    def test_unknown_model_metadata_and_config(self):
        code = grpc.StatusCode.NOT_FOUND
        self.assert_server_error(lambda: self.client.get_model_metadata("nope"), code, UNKNOWN_MODEL)
        self.assert_server_error(lambda: self.client.get_model_config("nope"), code, UNKNOWN_MODEL)


class InferFp32Test(ServerTest):
    def test_infer(self):
        a, b = add_sub_data(rows=3)
        result = self.client.infer("add_sub", add_sub_inputs(a, b))
        self.check_add_sub(result, a, b)
        response = result.get_response()
        self.assertEqual(response.model_name, "add_sub")
        self.assertEqual(response.model_version, "1")
        self.assertEqual(response.id, "")
        self.assertEqual([(o.name, o.datatype, list(o.shape)) for o in response.outputs],
                         [("OUTPUT0", "FP32", [3, 16]), ("OUTPUT1", "FP32", [3, 16])])
        # Triton fills raw_output_contents, one entry per output in order, and never `contents`.
        self.assertEqual([len(raw) for raw in response.raw_output_contents], [3 * 16 * 4] * 2)
        self.assertFalse(any(o.HasField("contents") for o in response.outputs))

    def test_requested_output_subset(self):
        a, b = add_sub_data(seed=3)
        result = self.client.infer("add_sub", add_sub_inputs(a, b), outputs=[grpcclient.InferRequestedOutput("OUTPUT1")])
        response = result.get_response()
        self.assertEqual([o.name for o in response.outputs], ["OUTPUT1"])
        self.assertEqual(len(response.raw_output_contents), 1)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)
        self.assertIsNone(result.as_numpy("OUTPUT0"))

    def test_request_id_echo_and_explicit_version(self):
        a, b = add_sub_data(seed=4)
        result = self.client.infer("add_sub", add_sub_inputs(a, b), model_version="1", request_id="req-42")
        self.assertEqual(result.get_response().id, "req-42")
        self.assertEqual(result.get_response().model_version, "1")
        self.check_add_sub(result, a, b)

    def test_full_batch_and_request_parameters(self):
        # priority goes as a uint64 parameter, timeout as int64, custom parameters as string/int64/bool/double.
        a, b = add_sub_data(rows=8, seed=5)
        result = self.client.infer("add_sub", add_sub_inputs(a, b), priority=1, timeout=10_000_000,
                                   parameters={"custom_s": "v", "custom_i": 3, "custom_b": True, "custom_d": 0.5})
        self.check_add_sub(result, a, b)

    def test_autocomplete_model(self):
        x = np.array([[1, 2, 3, 4]], dtype=np.float32)
        y = np.array([[10, 20, 30, 40]], dtype=np.float32)
        result = self.client.infer("autocomplete_add", [tensor("x", x, "FP32"), tensor("y", y, "FP32")])
        np.testing.assert_array_equal(result.as_numpy("sum"), [[11, 22, 33, 44]])


class InferInt64Test(ServerTest):
    def echo(self, data, **kwargs):
        result = self.client.infer("identity_int64", [tensor("INPUT0", data, "INT64")], **kwargs)
        output = result.get_response().outputs[0]
        self.assertEqual((output.name, output.datatype, list(output.shape)), ("OUTPUT0", "INT64", list(data.shape)))
        return result.as_numpy("OUTPUT0")

    def test_beyond_2_pow_53(self):
        data = np.array([[2**53 + 1, 2**62 + 3, -(2**63), 2**63 - 1, 0, -1, 1234567890123456789]], dtype=np.int64)
        output = self.echo(data)
        self.assertEqual(output.dtype, np.int64)
        np.testing.assert_array_equal(output, data)

    def test_rows_and_lengths(self):
        for rows, length in [(1, 1), (2, 7), (8, 100)]:
            data = np.arange(rows * length, dtype=np.int64).reshape(rows, length) * 1_000_000_007
            np.testing.assert_array_equal(self.echo(data), data)

    def test_zero_size_tensor(self):
        # A zero-element output still gets its (empty) raw_output_contents entry.
        result = self.client.infer("identity_int64", [tensor("INPUT0", np.zeros((1, 0), dtype=np.int64), "INT64")])
        response = result.get_response()
        self.assertEqual(list(response.outputs[0].shape), [1, 0])
        self.assertEqual(list(response.raw_output_contents), [b""])
        self.assertEqual(result.as_numpy("OUTPUT0").shape, (1, 0))


class InferBytesTest(ServerTest):
    TEXTS = ["hello", "héllo wörld ✓", "", "日本語テキスト", "tab\tand \"quotes\"\n"]

    def echo(self, array, **kwargs):
        result = self.client.infer("identity_bytes", [tensor("INPUT0", array, "BYTES")], **kwargs)
        output = result.get_response().outputs[0]
        self.assertEqual((output.name, output.datatype, list(output.shape)), ("OUTPUT0", "BYTES", list(array.shape)))
        return result.as_numpy("OUTPUT0")

    def test_utf8(self):
        array = bytes_array(self.TEXTS)
        self.assertEqual(self.echo(array).tolist(), array.tolist())

    def test_many_rows_and_long_elements(self):
        array = np.array([[("row %d " % r).encode() * (r * 50) for _ in range(3)] for r in range(8)], dtype=np.object_)
        self.assertEqual(self.echo(array).tolist(), array.tolist())


class LargeMessageTest(ServerTest):
    """Requests and responses over 4 MiB: the server must raise gRPC's default receive limit."""

    def test_bytes_element_over_4_mib(self):
        big = bytes(range(33, 127)) * (LARGE // 94 + 1)
        array = np.array([[big, "✓".encode()]], dtype=np.object_)
        result = self.client.infer("identity_bytes", [tensor("INPUT0", array, "BYTES")])
        self.assertGreater(len(result.get_response().raw_output_contents[0]), LARGE)
        self.assertEqual(result.as_numpy("OUTPUT0").tolist(), array.tolist())

    def test_int64_tensor_over_4_mib(self):
        data = (np.arange(700_000, dtype=np.int64) * 3_000_000_019).reshape(1, -1)
        result = self.client.infer("identity_int64", [tensor("INPUT0", data, "INT64")])
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data)


class CompressionTest(ServerTest):
    """grpc message compression of the request (grpc-encoding), as tritonclient's compression_algorithm sets it."""

    def test_gzip_and_deflate(self):
        for algorithm in ["gzip", "deflate"]:
            a, b = add_sub_data(rows=4, seed=6)
            self.check_add_sub(self.client.infer("add_sub", add_sub_inputs(a, b), compression_algorithm=algorithm), a, b)

    def test_gzip_large_bytes(self):
        array = np.array([[b"compressible " * (LARGE // 13), "ünïcödé ✓".encode()]], dtype=np.object_)
        result = self.client.infer("identity_bytes", [tensor("INPUT0", array, "BYTES")], compression_algorithm="gzip")
        self.assertEqual(result.as_numpy("OUTPUT0").tolist(), array.tolist())


class AsyncInferTest(ServerTest):
    IN_FLIGHT = 32

    def test_many_requests_in_flight(self):
        done = queue.Queue()
        data = [add_sub_data(rows=1 + i % 8, seed=100 + i) for i in range(self.IN_FLIGHT)]
        for i, (a, b) in enumerate(data):
            self.client.async_infer("add_sub", add_sub_inputs(a, b), lambda result, error: done.put((result, error)),
                                    request_id=str(i))
        seen = set()
        for _ in range(self.IN_FLIGHT):
            result, error = done.get(timeout=TIMEOUT)
            self.assertIsNone(error)
            i = int(result.get_response().id)
            seen.add(i)
            self.check_add_sub(result, *data[i])
        self.assertEqual(seen, set(range(self.IN_FLIGHT)))

    def test_dynamic_batching_matches_one_batched_request(self):
        rows = np.random.default_rng(7).normal(size=(16, 16)).astype(np.float32)
        whole = self.client.infer("mlp_classifier", [tensor("input", rows, "FP32")]).as_numpy("probabilities")
        done = queue.Queue()
        for i in range(len(rows)):
            self.client.async_infer("mlp_classifier", [tensor("input", rows[i:i + 1], "FP32")],
                                    lambda result, error: done.put((result, error)), request_id=str(i))
        for _ in range(len(rows)):
            result, error = done.get(timeout=TIMEOUT)
            self.assertIsNone(error)
            i = int(result.get_response().id)
            np.testing.assert_allclose(result.as_numpy("probabilities"), whole[i:i + 1], rtol=1e-5, atol=1e-7)

    def test_error_comes_back_to_the_callback(self):
        done = queue.Queue()
        a, b = add_sub_data()
        self.client.async_infer("nope", add_sub_inputs(a, b), lambda result, error: done.put((result, error)))
        result, error = done.get(timeout=TIMEOUT)
        self.assertIsNone(result)
        self.assertEqual(error.status(), str(grpc.StatusCode.NOT_FOUND))
        self.assertIn(UNKNOWN_MODEL, error.message())


class StreamTest(unittest.TestCase):
    """ModelStreamInfer: many requests on one stream, answered one response each; per-request errors keep it open."""

    def setUp(self):
        self.client = client()
        self.responses = queue.Queue()
        self.client.start_stream(callback=lambda result, error: self.responses.put((result, error)))

    def tearDown(self):
        # Half-closes the stream and waits for the server to end it.
        self.client.stop_stream()
        self.client.close()

    def take(self, count):
        return [self.responses.get(timeout=TIMEOUT) for _ in range(count)]

    def send_add_sub(self, i):
        a, b = add_sub_data(rows=1 + i % 8, seed=200 + i)
        self.client.async_stream_infer("add_sub", add_sub_inputs(a, b), request_id="s%d" % i)
        return a, b

    def check_results(self, results, expected):
        """`results` are successful responses whose ids are exactly the keys of `expected` (id -> (a, b))."""
        by_id = {}
        for result in results:
            response = result.get_response()
            self.assertEqual((response.model_name, response.model_version), ("add_sub", "1"))
            final = response.parameters["triton_final_response"]
            self.assertEqual(final.WhichOneof("parameter_choice"), "bool_param")
            self.assertIs(final.bool_param, True)
            by_id[response.id] = result
        self.assertEqual(sorted(by_id), sorted(expected))
        for request_id, (a, b) in expected.items():
            np.testing.assert_array_equal(by_id[request_id].as_numpy("OUTPUT0"), a + b)
            np.testing.assert_array_equal(by_id[request_id].as_numpy("OUTPUT1"), a - b)

    def test_many_requests_on_one_stream(self):
        count = 40
        expected = {"s%d" % i: self.send_add_sub(i) for i in range(count)}
        answers = self.take(count)
        self.assertEqual([error for _, error in answers], [None] * count)
        self.check_results([result for result, _ in answers], expected)

    def test_failed_request_mid_stream_keeps_the_stream_open(self):
        expected = {"s%d" % i: self.send_add_sub(i) for i in range(5)}
        a, b = add_sub_data()
        self.client.async_stream_infer("nope", add_sub_inputs(a, b), request_id="bad-model")
        bad_shape = [tensor("INPUT0", a.reshape(1, 8, 2), "FP32"), tensor("INPUT1", b, "FP32")]
        self.client.async_stream_infer("add_sub", bad_shape, request_id="bad-shape")
        expected.update({"s%d" % i: self.send_add_sub(i) for i in range(5, 10)})
        answers = self.take(12)
        errors = sorted(error.message() for result, error in answers if error is not None)
        self.assertEqual(len(errors), 2, errors)
        self.assertIn(UNKNOWN_MODEL, errors[0])
        self.assertIn("unexpected shape for input 'INPUT0' for model 'add_sub'", errors[1])
        self.check_results([result for result, error in answers if error is None], expected)
        # Still usable after the errors.
        later = {"s99": self.send_add_sub(99)}
        result, error = self.responses.get(timeout=TIMEOUT)
        self.assertIsNone(error)
        self.check_results([result], later)

    def test_mixed_models_and_large_message_on_one_stream(self):
        big = (np.arange(700_000, dtype=np.int64) - 2**62).reshape(1, -1)
        texts = bytes_array(["ünïcödé", "✓"])
        self.client.async_stream_infer("identity_int64", [tensor("INPUT0", big, "INT64")], request_id="int64")
        self.client.async_stream_infer("identity_bytes", [tensor("INPUT0", texts, "BYTES")], request_id="bytes")
        by_id = {}
        for result, error in self.take(2):
            self.assertIsNone(error)
            by_id[result.get_response().id] = result
        np.testing.assert_array_equal(by_id["int64"].as_numpy("OUTPUT0"), big)
        self.assertEqual(by_id["bytes"].as_numpy("OUTPUT0").tolist(), texts.tolist())


class InferErrorTest(ServerTest):
    INVALID = grpc.StatusCode.INVALID_ARGUMENT

    def test_unknown_model(self):
        a, b = add_sub_data()
        self.assert_server_error(lambda: self.client.infer("nope", add_sub_inputs(a, b)), grpc.StatusCode.NOT_FOUND,
                                 UNKNOWN_MODEL)

    def test_unknown_version(self):
        a, b = add_sub_data()
        self.assert_server_error(lambda: self.client.infer("add_sub", add_sub_inputs(a, b), model_version="2"),
                                 grpc.StatusCode.NOT_FOUND, "Request for unknown model: 'add_sub' version 2 is not found")

    def test_wrong_shape(self):
        a, b = add_sub_data()
        inputs = [tensor("INPUT0", a.reshape(1, 8, 2), "FP32"), tensor("INPUT1", b, "FP32")]
        self.assert_server_error(lambda: self.client.infer("add_sub", inputs), self.INVALID,
                                 "unexpected shape for input 'INPUT0' for model 'add_sub'. Expected [-1,16], got [1,8,2]. ")

    def test_wrong_datatype(self):
        a, b = add_sub_data()
        inputs = [tensor("INPUT0", a.astype(np.int32), "INT32"), tensor("INPUT1", b, "FP32")]
        self.assert_server_error(lambda: self.client.infer("add_sub", inputs), self.INVALID,
                                 "inference input 'INPUT0' data-type is 'INT32', but model 'add_sub' expects 'FP32'")

    def test_unknown_output(self):
        a, b = add_sub_data()
        outputs = [grpcclient.InferRequestedOutput("OUTPUT0"), grpcclient.InferRequestedOutput("NOPE")]
        self.assert_server_error(lambda: self.client.infer("add_sub", add_sub_inputs(a, b), outputs=outputs),
                                 self.INVALID, "unexpected inference output 'NOPE' for model 'add_sub'")

    def test_batch_over_max_batch_size(self):
        a, b = add_sub_data(rows=9)
        self.assert_server_error(lambda: self.client.infer("add_sub", add_sub_inputs(a, b)), self.INVALID,
                                 "inference request batch-size must be <= 8 for 'add_sub'")

    def test_missing_input(self):
        a, _ = add_sub_data()
        self.assert_server_error(lambda: self.client.infer("add_sub", [tensor("INPUT0", a, "FP32")]), self.INVALID,
                                 "expected 2 inputs but got 1 inputs for model 'add_sub'")

    def test_server_still_serves_after_errors(self):
        a, b = add_sub_data(seed=9)
        with self.assertRaises(InferenceServerException):
            self.client.infer("add_sub", add_sub_inputs(a[:, :8], b[:, :8]))
        self.check_add_sub(self.client.infer("add_sub", add_sub_inputs(a, b)), a, b)


class RawStubTest(unittest.TestCase):
    """ModelInfer through the generated stub, for what tritonclient never sends: tensor data in `contents`."""

    @classmethod
    def setUpClass(cls):
        cls.channel = grpc.insecure_channel(URL)
        cls.stub = service_pb2_grpc.GRPCInferenceServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def request(self, model, inputs):
        request = service_pb2.ModelInferRequest(model_name=model)
        for name, datatype, shape, contents in inputs:
            request.inputs.add(name=name, datatype=datatype, shape=shape, contents=contents)
        return request

    def test_typed_contents(self):
        a, b = add_sub_data(rows=2, seed=11)
        response = self.stub.ModelInfer(self.request("add_sub", [
            ("INPUT0", "FP32", [2, 16], service_pb2.InferTensorContents(fp32_contents=a.flatten().tolist())),
            ("INPUT1", "FP32", [2, 16], service_pb2.InferTensorContents(fp32_contents=b.flatten().tolist())),
        ]), timeout=TIMEOUT)
        self.assertEqual([o.name for o in response.outputs], ["OUTPUT0", "OUTPUT1"])
        np.testing.assert_array_equal(np.frombuffer(response.raw_output_contents[0], np.float32).reshape(2, 16), a + b)

        values = [2**53 + 1, -(2**63), 7]
        response = self.stub.ModelInfer(self.request("identity_int64", [
            ("INPUT0", "INT64", [1, 3], service_pb2.InferTensorContents(int64_contents=values))]), timeout=TIMEOUT)
        self.assertEqual(np.frombuffer(response.raw_output_contents[0], np.int64).tolist(), values)

        # bytes_contents elements carry no length prefix; the raw output does.
        texts = ["héllo".encode(), b"", "✓".encode()]
        response = self.stub.ModelInfer(self.request("identity_bytes", [
            ("INPUT0", "BYTES", [1, 3], service_pb2.InferTensorContents(bytes_contents=texts))]), timeout=TIMEOUT)
        expected = b"".join(len(t).to_bytes(4, "little") + t for t in texts)
        self.assertEqual(response.raw_output_contents[0], expected)

    def test_contents_together_with_raw_contents_is_invalid(self):
        a, b = add_sub_data(seed=12)
        request = self.request("add_sub", [
            ("INPUT0", "FP32", [1, 16], service_pb2.InferTensorContents(fp32_contents=a.flatten().tolist()))])
        request.inputs.add(name="INPUT1", datatype="FP32", shape=[1, 16])
        request.raw_input_contents.append(b.tobytes())
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.ModelInfer(request, timeout=TIMEOUT)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("contents field must not be specified when using raw_input_contents for 'INPUT0' for model "
                      "'add_sub'", caught.exception.details())


if __name__ == "__main__":
    unittest.main(verbosity=2)
