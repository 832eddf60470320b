"""The sequence batcher seen through the real Triton clients, tritonclient.http and tritonclient.grpc (streaming too):
interleaved sequences with integer and string correlation IDs, START/END, and Triton's errors.

Run against a running server:
  NEREID_HTTP_URL=127.0.0.1:8000 NEREID_GRPC_URL=127.0.0.1:8001 .venv/bin/python test/python/test_sequence_client.py -v
(test/scheduler/sequence-tritonclient.test.ts starts both endpoints on free ports over a repository holding
seq_add_sub: the shipped add_sub with `sequence_batching { }`, and runs this file.)
"""

import os
import queue
import sys
import unittest

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

HTTP_URL = os.environ.get("NEREID_HTTP_URL", "")
GRPC_URL = os.environ.get("NEREID_GRPC_URL", "")
if not HTTP_URL or not GRPC_URL:
    sys.exit("NEREID_HTTP_URL and NEREID_GRPC_URL must be set (host:port each)")

MODEL = "seq_add_sub"
TIMEOUT = 20  # seconds to wait for a streamed response


def inputs(module, value):
    a = np.full((1, 16), value, dtype=np.float32)
    b = np.arange(16, dtype=np.float32).reshape(1, 16)
    result = [module.InferInput("INPUT0", [1, 16], "FP32"), module.InferInput("INPUT1", [1, 16], "FP32")]
    result[0].set_data_from_numpy(a)
    result[1].set_data_from_numpy(b)
    return result


def expected(value):
    return (np.full((1, 16), value, dtype=np.float32) + np.arange(16, dtype=np.float32)).tolist()


class SequenceOverHttp(unittest.TestCase):
    def setUp(self):
        self.client = httpclient.InferenceServerClient(HTTP_URL)

    def infer(self, value, **sequence):
        return self.client.infer(MODEL, inputs(httpclient, value), **sequence).as_numpy("OUTPUT0").tolist()

    def test_interleaved_sequences(self):
        self.assertEqual(self.infer(1, sequence_id=1001, sequence_start=True), expected(1))
        self.assertEqual(self.infer(2, sequence_id="http-a", sequence_start=True), expected(2))
        self.assertEqual(self.infer(3, sequence_id=1001), expected(3))
        self.assertEqual(self.infer(4, sequence_id="http-a", sequence_end=True), expected(4))
        self.assertEqual(self.infer(5, sequence_id=1001, sequence_end=True), expected(5))

    def test_errors(self):
        with self.assertRaises(InferenceServerException) as caught:
            self.infer(1)
        self.assertEqual(caught.exception.status(), "400")
        self.assertIn(f"inference request to model '{MODEL}' must specify a non-zero or non-empty correlation ID",
                      caught.exception.message())
        with self.assertRaises(InferenceServerException) as caught:
            self.infer(1, sequence_id=4242)
        self.assertIn(f"inference request for sequence 4242 to model '{MODEL}' must specify the START flag on the "
                      "first request of the sequence", caught.exception.message())
        # A sequence that has ended needs START again.
        self.infer(1, sequence_id=4243, sequence_start=True, sequence_end=True)
        with self.assertRaises(InferenceServerException):
            self.infer(1, sequence_id=4243)


class SequenceOverGrpc(unittest.TestCase):
    def setUp(self):
        self.client = grpcclient.InferenceServerClient(GRPC_URL)

    def tearDown(self):
        self.client.close()

    def infer(self, value, **sequence):
        return self.client.infer(MODEL, inputs(grpcclient, value), **sequence).as_numpy("OUTPUT0").tolist()

    def test_interleaved_sequences(self):
        self.assertEqual(self.infer(1, sequence_id=2001, sequence_start=True), expected(1))
        self.assertEqual(self.infer(2, sequence_id="grpc-a", sequence_start=True), expected(2))
        self.assertEqual(self.infer(3, sequence_id=2001, sequence_end=True), expected(3))
        self.assertEqual(self.infer(4, sequence_id="grpc-a", sequence_end=True), expected(4))

    def test_errors(self):
        with self.assertRaises(InferenceServerException) as caught:
            self.infer(1)
        self.assertEqual(caught.exception.status(), "StatusCode.INVALID_ARGUMENT")
        self.assertIn("must specify a non-zero or non-empty correlation ID", caught.exception.message())
        with self.assertRaises(InferenceServerException) as caught:
            self.infer(1, sequence_id="never-started")
        self.assertIn("inference request for sequence never-started to model", caught.exception.message())

    def test_stream_carries_sequences_in_order(self):
        responses = queue.Queue()
        self.client.start_stream(callback=lambda result, error: responses.put((result, error)))
        try:
            steps = [(3001, 1, True, False), (3002, 2, True, False), (3001, 3, False, False),
                     (3002, 4, False, True), (3001, 5, False, True)]
            for sequence_id, value, start, end in steps:
                self.client.async_stream_infer(MODEL, inputs(grpcclient, value), request_id=str(value),
                                               sequence_id=sequence_id, sequence_start=start, sequence_end=end)
            for _, value, _, _ in steps:
                result, error = responses.get(timeout=TIMEOUT)
                self.assertIsNone(error)
                self.assertEqual(result.get_response().id, str(value))
                self.assertEqual(result.as_numpy("OUTPUT0").tolist(), expected(value))
            # A stream request for an unknown sequence without START fails on the stream, which stays open.
            self.client.async_stream_infer(MODEL, inputs(grpcclient, 6), sequence_id=3003)
            result, error = responses.get(timeout=TIMEOUT)
            self.assertIsNotNone(error)
            self.assertIn("must specify the START flag", error.message())
        finally:
            self.client.stop_stream()


if __name__ == "__main__":
    unittest.main()
