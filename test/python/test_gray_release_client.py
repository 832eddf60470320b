"""Gray release under load through tritonclient: 20,000 requests at 16 in flight (tritonclient.grpc's async_infer) to a
model with two loaded versions and `nereid.routing.weights` 95:5 land 5% +- 1% on the candidate; a header rule sends
every request to the candidate; a request that names version 1 is never rerouted (HTTP and gRPC); with sticky keys,
raising the candidate's share 5% -> 20% -> 50% through the repository API (a config override that changes only the
parameters) never moves a key off the candidate, while requests sent during each change all succeed.

Run against a running server (one server, both endpoints) serving the `gray` model of
test/models/gray-release-tritonclient.test.ts:
  NEREID_HTTP_URL=... NEREID_GRPC_URL=... .venv/bin/python test/python/test_gray_release_client.py -v
"""

import json
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


def gray_config(weights):
    """The gray model's config with a routing policy: the candidate listed first, sticky on x-user-id."""
    tensor = lambda name: {"name": name, "data_type": "TYPE_FP32", "dims": [4]}
    parameters = {
        "nereid.routing.weights": weights,
        "nereid.routing.rules": "header:x-canary=yes->2",
        "nereid.routing.sticky": "header:x-user-id",
    }
    return json.dumps({
        "name": "gray",
        "backend": "onnxruntime",
        "max_batch_size": 8,
        "input": [tensor("INPUT0"), tensor("INPUT1")],
        "output": [tensor("OUTPUT0")],
        "version_policy": {"all": {}},
        "parameters": {k: {"string_value": v} for k, v in parameters.items()},
    })


def send_all(client, tensors, headers_list):
    """Sends one request per headers dict at IN_FLIGHT in flight; returns (versions in order, errors)."""
    slots = threading.Semaphore(IN_FLIGHT)
    done = threading.Event()
    versions = [None] * len(headers_list)
    errors = []
    remaining = [len(headers_list)]
    lock = threading.Lock()

    def finish(i):
        def on_result(result, error):
            with lock:
                if error is not None:
                    errors.append(str(error))
                else:
                    versions[i] = result.get_response().model_version
                remaining[0] -= 1
                if remaining[0] == 0:
                    done.set()
            slots.release()
        return on_result

    for i, headers in enumerate(headers_list):
        slots.acquire()
        client.async_infer("gray", tensors, finish(i), headers=headers)
    assert done.wait(120), "every response arrived"
    return versions, errors


class StickyRollout(unittest.TestCase):
    def test_sticky_keys_stay_on_the_candidate_while_its_share_rises(self):
        control = httpclient.InferenceServerClient(HTTP_URL)
        client = grpcclient.InferenceServerClient(GRPC_URL)
        tensors = inputs(grpcclient)
        keys = [{"x-user-id": f"user-{i}"} for i in range(2000)]
        on_candidate = set()
        for share in (5, 20, 50):
            # Requests without a key keep flowing while the policy changes: none may fail.
            background = {}
            sender = threading.Thread(target=lambda: background.update(result=send_all(client, tensors, [{}] * 400)))
            sender.start()
            control.load_model("gray", config=gray_config(f"2:{share},1:{100 - share}"))
            sender.join()
            self.assertEqual(background["result"][1], [], f"requests during the change to {share}%")
            versions, errors = send_all(client, tensors, keys)
            self.assertEqual(errors, [])
            now = {i for i, v in enumerate(versions) if v == "2"}
            self.assertTrue(on_candidate <= now, f"{len(on_candidate - now)} keys left the candidate at {share}%")
            self.assertLess(abs(len(now) / len(keys) - share / 100), 0.03, f"{len(now)} of {len(keys)} keys at {share}%")
            on_candidate = now
            # The same keys again: not one moves.
            again, _ = send_all(client, tensors, keys)
            self.assertEqual(again, versions)


if __name__ == "__main__":
    unittest.main()
