"""The system shared-memory extension through tritonclient's own utilities (tritonclient.utils.shared_memory) on
both protocols: regions created and registered by the client, inputs read from and outputs written to them (alone and
mixed with tensors in the body), status, and Triton's errors for a name registered twice, a key that does not exist,
an unknown region, a byte size that does not match the input, and an output region too small.

Run against a running server on model_repository/ (one server, both endpoints):
  NEREID_HTTP_URL=127.0.0.1:8000 NEREID_GRPC_URL=127.0.0.1:8001 .venv/bin/python test/python/test_shared_memory_client.py -v
(test/models/shared-memory-tritonclient.test.ts starts both endpoints over one data plane and runs this file.)
"""

import os
import sys
import unittest

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
import tritonclient.utils.shared_memory as shm
from tritonclient.utils import InferenceServerException

HTTP_URL = os.environ.get("NEREID_HTTP_URL", "")
GRPC_URL = os.environ.get("NEREID_GRPC_URL", "")
if not HTTP_URL or not GRPC_URL:
    sys.exit("NEREID_HTTP_URL and NEREID_GRPC_URL must be set (host:port each)")

X = np.arange(16, dtype=np.float32).reshape(1, 16)
Y = np.full((1, 16), 2, dtype=np.float32)


class SharedMemoryTests:
    module = None
    url = ""

    def setUp(self):
        self.client = self.module.InferenceServerClient(self.url)
        self.client.unregister_system_shared_memory()
        tag = f"{self.module.__name__.split('.')[-1]}_{os.getpid()}"
        self.in_key, self.out_key = f"/nereid_in_{tag}", f"/nereid_out_{tag}"
        self.inputs = shm.create_shared_memory_region("in", self.in_key, 128)
        self.outputs = shm.create_shared_memory_region("out", self.out_key, 128)
        shm.set_shared_memory_region(self.inputs, [X, Y])

    def tearDown(self):
        self.client.unregister_system_shared_memory()
        shm.destroy_shared_memory_region(self.inputs)
        shm.destroy_shared_memory_region(self.outputs)

    def register(self):
        self.client.register_system_shared_memory("in", self.in_key, 128)
        self.client.register_system_shared_memory("out", self.out_key, 128)

    def request(self, in_size=64):
        a = self.module.InferInput("INPUT0", [1, 16], "FP32")
        a.set_shared_memory("in", in_size)
        b = self.module.InferInput("INPUT1", [1, 16], "FP32")
        b.set_shared_memory("in", 64, offset=64)
        return [a, b]

    def out(self, name, size, offset=0):
        output = self.module.InferRequestedOutput(name)
        output.set_shared_memory("out", size, offset=offset)
        return output

    def test_inputs_and_outputs_through_regions(self):
        self.register()
        result = self.client.infer("add_sub", self.request(), outputs=[self.out("OUTPUT0", 64), self.out("OUTPUT1", 64, 64)])
        # The outputs are named in the response, their bytes are in the region (as_numpy has nothing to read there).
        self.assertEqual(self.shape_of(result.get_output("OUTPUT0")), [1, 16])
        written = shm.get_contents_as_numpy(self.outputs, np.float32, [2, 16])
        np.testing.assert_array_equal(written[0], (X + Y)[0])
        np.testing.assert_array_equal(written[1], (X - Y)[0])

    def test_regions_mixed_with_tensors_in_the_body(self):
        self.register()
        a = self.module.InferInput("INPUT0", [1, 16], "FP32")
        a.set_data_from_numpy(X + 100)
        b = self.request()[1]
        result = self.client.infer("add_sub", [a, b], outputs=[self.out("OUTPUT0", 64), self.module.InferRequestedOutput("OUTPUT1")])
        np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), X + 100 - Y)
        np.testing.assert_array_equal(shm.get_contents_as_numpy(self.outputs, np.float32, [1, 16]), X + 100 + Y)

    def test_status_lists_the_registered_regions(self):
        self.register()
        status = self.client.get_system_shared_memory_status(**self.as_json())
        regions = status if isinstance(status, list) else list(status["regions"].values())
        self.assertEqual(sorted((r["name"], r["key"], int(r["byte_size"])) for r in regions), [("in", self.in_key, 128), ("out", self.out_key, 128)])
        self.client.unregister_system_shared_memory("in")
        status = self.client.get_system_shared_memory_status(**self.as_json())
        regions = status if isinstance(status, list) else list(status["regions"].values())
        self.assertEqual([r["name"] for r in regions], ["out"])

    def test_errors(self):
        self.register()
        self.assertRaisesMessage(lambda: self.client.register_system_shared_memory("in", self.in_key, 128), "shared memory region 'in' already in manager")
        self.assertRaisesMessage(lambda: self.client.register_system_shared_memory("x", "/nereid_missing_key", 16), "Unable to open shared memory region: '/nereid_missing_key'")
        self.assertRaisesMessage(
            lambda: self.client.infer("add_sub", self.request(60)),
            "input byte size mismatch for input 'INPUT0' for model 'add_sub'. Expected 64, got 60",
        )
        self.assertRaisesMessage(
            lambda: self.client.infer("add_sub", self.request(), outputs=[self.out("OUTPUT0", 32)]),
            "shared memory size specified with the request for output 'OUTPUT0' (32 bytes) should be at least 64 bytes to hold the results",
        )
        self.client.unregister_system_shared_memory("in")
        self.assertRaisesMessage(lambda: self.client.infer("add_sub", self.request()), "Unable to find shared memory region: 'in'")

    def assertRaisesMessage(self, call, text):
        with self.assertRaises(InferenceServerException) as caught:
            call()
        self.assertIn(text, caught.exception.message())


class OverHttp(SharedMemoryTests, unittest.TestCase):
    module = httpclient
    url = HTTP_URL

    def shape_of(self, output):
        self.assertNotIn("data", output)
        return output["shape"]

    def as_json(self):
        return {}


class OverGrpc(SharedMemoryTests, unittest.TestCase):
    module = grpcclient
    url = GRPC_URL

    def shape_of(self, output):
        self.assertFalse(output.HasField("contents"))
        return list(output.shape)

    def as_json(self):
        return {"as_json": True}


if __name__ == "__main__":
    unittest.main()
