"""Gray release under load through tritonclient: 20,000 requests at 16 in flight (tritonclient.grpc's async_infer) to a
model with two loaded versions and `nereid.routing.weights` 95:5 land 5% +- 1% on the candidate; a header rule sends
every request to the candidate; a request that names version 1 is never rerouted (HTTP and gRPC).

Run against a running server (one server, both endpoints) serving the `gray` model of
test/models/gray-release-tritonclient.test.ts:
  NEREID_HTTP_URL=... NEREID_GRPC_URL=... .venv/bin/python test/python/test_gray_release_client.py -v
"""

import os
import sys
import threading
import unittest

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

HTTP_URL = os.environ.get("NEREID_HTTP_URL", "")
GRPC_URL = os.environ.get("NEREID_GRPC_URL", "")
if not HTTP_URL or not GRPC_URL:
    sys.exit("NEREID_HTTP_URL and NEREID_GRPC_URL must be set (host:port each)")

REQUESTS = 20000
IN_FLIGHT = 16


def inputs(module):
    tensors = []
    for name in ("INPUT0", "INPUT1"):
        tensor = module.InferInput(name, [1, 4], "FP32")
        tensor.set_data_from_numpy(np.ones((1, 4), dtype=np.float32))
        tensors.append(tensor)
    return tensors


class GrayRelease(unittest.TestCase):
    def test_a_95_5_split_under_load_serves_5_percent(self):
        client = grpcclient.InferenceServerClient(GRPC_URL)
        tensors = inputs(grpcclient)
        slots = threading.Semaphore(IN_FLIGHT)
        done = threading.Event()
        versions = []
        errors = []
        lock = threading.Lock()

        def on_result(result, error):
            with lock:
                if error is not None:
                    errors.append(str(error))
                else:
                    versions.append(result.get_response().model_version)
                if len(versions) + len(errors) == REQUESTS:
                    done.set()
            slots.release()

        for _ in range(REQUESTS):
            slots.acquire()
            client.async_infer("gray", tensors, on_result)
        self.assertTrue(done.wait(120), "every response arrived")
        self.assertEqual(errors, [])
        share = versions.count("2") / len(versions)
        self.assertLess(abs(share - 0.05), 0.01, f"candidate share {share:.4f}")

    def test_rules_win_and_explicit_versions_are_never_rerouted(self):
        for module, url in ((httpclient, HTTP_URL), (grpcclient, GRPC_URL)):
            client = module.InferenceServerClient(url)
            tensors = inputs(module)
            canary = client.infer("gray", tensors, headers={"x-canary": "yes"})
            pinned = client.infer("gray", tensors, model_version="1", headers={"x-canary": "yes"})
            version = lambda r: r.get_response()["model_version"] if module is httpclient else r.get_response().model_version
            self.assertEqual(version(canary), "2", module.__name__)
            self.assertEqual(version(pinned), "1", module.__name__)


if __name__ == "__main__":
    unittest.main()
