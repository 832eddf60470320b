"""The trace extension through tritonclient's own calls (get_trace_settings / update_trace_settings) on both
protocols, globally and per model: defaults, changes, clearing a model's setting, and Triton's refusal of a level
without a trace file (the server runs without one).

Run against a running server on model_repository/ (one server, both endpoints):
  NEREID_HTTP_URL=127.0.0.1:8000 NEREID_GRPC_URL=127.0.0.1:8001 .venv/bin/python test/python/test_trace_client.py -v
(test/models/trace-tritonclient.test.ts starts both endpoints over one data plane and runs this file.)
"""

import os
import sys
import unittest

import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

HTTP_URL = os.environ.get("NEREID_HTTP_URL", "")
GRPC_URL = os.environ.get("NEREID_GRPC_URL", "")
if not HTTP_URL or not GRPC_URL:
    sys.exit("NEREID_HTTP_URL and NEREID_GRPC_URL must be set (host:port each)")


def settings_of(answer):
    """HTTP answers a dict of values, gRPC (as_json) {'settings': {name: {'value': [...]}}}."""
    if "settings" in answer:
        return {k: (v["value"] if k == "trace_level" else v["value"][0]) for k, v in answer["settings"].items()}
    return answer


class TraceSettings:
    module = None
    url = ""
    kwargs = {}

    def setUp(self):
        self.client = self.module.InferenceServerClient(self.url)

    def tearDown(self):
        self.client.update_trace_settings(settings={"trace_rate": None, "trace_count": None}, **self.kwargs)
        self.client.update_trace_settings(model_name="add_sub", settings={"trace_rate": None}, **self.kwargs)

    def test_defaults_changes_and_model_overrides(self):
        defaults = settings_of(self.client.get_trace_settings(**self.kwargs))
        self.assertEqual(defaults["trace_level"], ["OFF"])
        self.assertEqual(defaults["trace_rate"], "1000")
        self.assertEqual(defaults["trace_mode"], "triton")
        changed = settings_of(self.client.update_trace_settings(settings={"trace_rate": "10", "trace_count": "3"}, **self.kwargs))
        self.assertEqual((changed["trace_rate"], changed["trace_count"]), ("10", "3"))
        model = settings_of(self.client.update_trace_settings(model_name="add_sub", settings={"trace_rate": "2"}, **self.kwargs))
        self.assertEqual(model["trace_rate"], "2")
        self.assertEqual(settings_of(self.client.get_trace_settings(**self.kwargs))["trace_rate"], "10")
        cleared = settings_of(self.client.update_trace_settings(model_name="add_sub", settings={"trace_rate": None}, **self.kwargs))
        self.assertEqual(cleared["trace_rate"], "10")

    def test_a_level_needs_a_trace_file(self):
        with self.assertRaises(InferenceServerException) as caught:
            self.client.update_trace_settings(settings={"trace_level": ["TIMESTAMPS"]}, **self.kwargs)
        self.assertIn("trace file name is not given", caught.exception.message())


class OverHttp(TraceSettings, unittest.TestCase):
    module = httpclient
    url = HTTP_URL


class OverGrpc(TraceSettings, unittest.TestCase):
    module = grpcclient
    url = GRPC_URL
    kwargs = {"as_json": True}


if __name__ == "__main__":
    unittest.main()
