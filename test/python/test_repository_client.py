"""The repository extension (index, load, unload) seen through the real Triton clients, tritonclient.http and .grpc.

test/http/repository-client.test.ts starts two servers over one temporary repository and runs this file:
  NEREID_HTTP_URL / NEREID_GRPC_URL            a server in --model-control-mode=explicit, nothing loaded at start-up
  NEREID_NONE_HTTP_URL / NEREID_NONE_GRPC_URL  a server in none mode (everything loaded, the API refused)
  NEREID_REPOSITORY                            the repository: alpha, beta (OUTPUT0 = INPUT0 + INPUT1, FP32 [-1, 4],
                                               no config.pbtxt) and broken (not an ONNX file)
Each test loads what it uses and unloads it again. Expected texts and statuses are Triton's.
"""

import base64
import json
import os
import sys
import unittest
import urllib.error
import urllib.request

import grpc
import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

ENV = {name: os.environ.get(name, "") for name in (
    "NEREID_HTTP_URL", "NEREID_GRPC_URL", "NEREID_NONE_HTTP_URL", "NEREID_NONE_GRPC_URL", "NEREID_REPOSITORY")}
if not all(ENV.values()):
    sys.exit("set " + ", ".join(ENV) + " (test/http/repository-client.test.ts does)")

NOT_EXPLICIT = "explicit model load / unload is not allowed if polling is enabled"
UNKNOWN_LOAD = "failed to load 'nope', failed to poll from model repository"
BROKEN_LOAD = "load failed for model 'broken': version 1 is at UNAVAILABLE state: "


def add_config(name, max_batch_size):
    """A full ModelConfig JSON (proto field names) for the add model."""
    tensor = lambda n: {"name": n, "data_type": "TYPE_FP32", "dims": [4]}  # noqa: E731
    return json.dumps({
        "name": name, "backend": "onnxruntime", "max_batch_size": max_batch_size,
        "input": [tensor("INPUT0"), tensor("INPUT1")], "output": [tensor("OUTPUT0")],
    })


def model_bytes():
    with open(os.path.join(ENV["NEREID_REPOSITORY"], "alpha", "1", "model.onnx"), "rb") as f:
        return f.read()


A = np.array([[1, 2, 3, 4]], dtype=np.float32)
B = np.array([[10, 20, 30, 40]], dtype=np.float32)


class RepositoryCase(unittest.TestCase):
    module = None  # httpclient or grpcclient
    url_key = ""

    @classmethod
    def setUpClass(cls):
        cls.client = cls.module.InferenceServerClient(url=ENV[cls.url_key])

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def index(self):
        """Index entries as dicts with Triton's HTTP keys (absent members left out)."""
        raise NotImplementedError

    def entries(self, name):
        return [e for e in self.index() if e["name"] == name]

    def infer_add(self, name):
        inputs = []
        for input_name, array in (("INPUT0", A), ("INPUT1", B)):
            tensor = self.module.InferInput(input_name, list(array.shape), "FP32")
            tensor.set_data_from_numpy(array)
            inputs.append(tensor)
        return self.client.infer(name, inputs).as_numpy("OUTPUT0")

    def assert_error(self, call, status, message):
        with self.assertRaises(InferenceServerException) as caught:
            call()
        self.assertEqual(caught.exception.status(), status, str(caught.exception))
        self.assertIn(message, caught.exception.message())

    def check_load_unload(self, name):
        self.assertFalse(self.client.is_model_ready(name))
        self.client.load_model(name)
        self.assertTrue(self.client.is_model_ready(name))
        self.assertEqual(self.entries(name), [{"name": name, "version": "1", "state": "READY"}])
        np.testing.assert_array_equal(self.infer_add(name), A + B)
        self.client.unload_model(name)
        self.assertFalse(self.client.is_model_ready(name))
        self.assertEqual(self.entries(name), [{"name": name, "version": "1", "state": "UNAVAILABLE", "reason": "unloaded"}])

    def check_config_override(self, name):
        self.client.load_model(name, config=add_config(name, 2))
        self.assertTrue(self.client.is_model_ready(name))
        self.assertEqual(self.max_batch_size(name), 2)
        np.testing.assert_array_equal(self.infer_add(name), A + B)
        self.client.load_model(name)  # without the override: back to the repository's (auto-completed) config
        self.assertEqual(self.max_batch_size(name), 4)
        self.client.unload_model(name)
        self.assertFalse(self.client.is_model_ready(name))

    def check_uploaded(self, name):
        self.assertTrue(self.client.is_model_ready(name))
        self.assertEqual(self.max_batch_size(name), 3)
        np.testing.assert_array_equal(self.infer_add(name), A + B)
        self.client.unload_model(name)
        self.assertFalse(self.client.is_model_ready(name))


class HttpRepositoryTest(RepositoryCase):
    module = httpclient
    url_key = "NEREID_HTTP_URL"

    def index(self):
        return self.client.get_model_repository_index()

    def max_batch_size(self, name):
        return self.client.get_model_config(name)["max_batch_size"]

    def test_index_is_a_list_of_every_model_directory(self):
        index = self.client.get_model_repository_index()
        self.assertIsInstance(index, list)
        self.assertEqual([e["name"] for e in index], ["alpha", "beta", "broken"])

    def test_load_and_unload(self):
        self.check_load_unload("alpha")

    def test_load_with_config_override(self):
        self.check_config_override("alpha")

    def test_load_with_file_override(self):
        files = {"file:1/model.onnx": model_bytes()}
        try:
            self.client.load_model("uploaded_http", config=add_config("uploaded_http", 3), files=files)
        except TypeError:
            # tritonclient.http (2.73) json-dumps the base64 *bytes* and fails before sending anything; send the body
            # the client means to send (base64 text values) directly.
            body = {"parameters": {"config": add_config("uploaded_http", 3)}}
            for path, content in files.items():
                body["parameters"][path] = base64.b64encode(content).decode("ascii")
            request = urllib.request.Request(
                f"http://{ENV['NEREID_HTTP_URL']}/v2/repository/models/uploaded_http/load",
                data=json.dumps(body).encode(), method="POST")
            with urllib.request.urlopen(request, timeout=30) as response:
                self.assertEqual(response.status, 200)
        self.check_uploaded("uploaded_http")

    def test_load_errors(self):
        self.assert_error(lambda: self.client.load_model("nope"), "500", UNKNOWN_LOAD)
        self.assert_error(lambda: self.client.load_model("broken"), "400", BROKEN_LOAD)
        self.assertFalse(self.client.is_model_ready("broken"))
        self.assert_error(lambda: self.client.load_model("uploaded_bad", files={}, config="{"), "500",
                          "failed to load 'uploaded_bad', failed to poll from model repository")

    def test_unload_of_an_unknown_model_succeeds(self):
        self.client.unload_model("nope")
        self.client.unload_model("beta", unload_dependents=True)

    def test_none_mode_refuses_load_and_unload(self):
        none = httpclient.InferenceServerClient(url=ENV["NEREID_NONE_HTTP_URL"])
        try:
            self.assert_error(lambda: none.load_model("alpha"), "503", NOT_EXPLICIT)
            self.assert_error(lambda: none.unload_model("alpha"), "503", NOT_EXPLICIT)
            self.assertTrue(none.is_model_ready("alpha"))
            ready = none.get_model_repository_index()
            self.assertEqual([(e["name"], e["state"]) for e in ready if e.get("state") == "READY"],
                             [("alpha", "READY"), ("beta", "READY")])
        finally:
            none.close()


class GrpcRepositoryTest(RepositoryCase):
    module = grpcclient
    url_key = "NEREID_GRPC_URL"

    def index(self):
        response = self.client.get_model_repository_index()
        entries = []
        for model in response.models:
            entry = {"name": model.name}
            entry.update({k: getattr(model, k) for k in ("version", "state", "reason") if getattr(model, k)})
            entries.append(entry)
        return entries

    def max_batch_size(self, name):
        return self.client.get_model_config(name).config.max_batch_size

    def test_index_as_message_and_json(self):
        response = self.client.get_model_repository_index()
        self.assertEqual([m.name for m in response.models], ["alpha", "beta", "broken"])
        as_json = self.client.get_model_repository_index(as_json=True)
        self.assertEqual([m["name"] for m in as_json["models"]], ["alpha", "beta", "broken"])

    def test_load_and_unload(self):
        self.check_load_unload("beta")

    def test_load_with_config_override(self):
        self.check_config_override("beta")

    def test_load_with_file_override(self):
        self.client.load_model("uploaded_grpc", config=add_config("uploaded_grpc", 3),
                               files={"file:1/model.onnx": model_bytes()})
        self.check_uploaded("uploaded_grpc")

    def test_load_errors(self):
        self.assert_error(lambda: self.client.load_model("nope"), str(grpc.StatusCode.INTERNAL), UNKNOWN_LOAD)
        self.assert_error(lambda: self.client.load_model("broken"), str(grpc.StatusCode.INVALID_ARGUMENT), BROKEN_LOAD)
        self.assert_error(lambda: self.client.load_model("uploaded_bad", files={"file:1/model.onnx": b"x"}),
                          str(grpc.StatusCode.INVALID_ARGUMENT),
                          "Load parameter 'config' must be specified for model file override")

    def test_unload_of_an_unknown_model_succeeds(self):
        self.client.unload_model("nope")

    def test_none_mode_refuses_load_and_unload(self):
        none = grpcclient.InferenceServerClient(url=ENV["NEREID_NONE_GRPC_URL"])
        try:
            unavailable = str(grpc.StatusCode.UNAVAILABLE)
            self.assert_error(lambda: none.load_model("alpha"), unavailable, NOT_EXPLICIT)
            self.assert_error(lambda: none.unload_model("alpha"), unavailable, NOT_EXPLICIT)
            self.assertTrue(none.is_model_ready("alpha"))
        finally:
            none.close()


if __name__ == "__main__":
    unittest.main()
