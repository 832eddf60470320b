"""The shipped stateful model (accumulator) and ensemble (mlp_pipeline) through the real Triton clients,
tritonclient.http and tritonclient.grpc (streaming too): the walk-through of the README's "Sequences and ensembles";
and the classification extension on the shipped MLP with its labels.

Run against a running server on model_repository/:
  NEREID_HTTP_URL=127.0.0.1:8000 NEREID_GRPC_URL=127.0.0.1:8001 .venv/bin/python test/python/test_shipped_pipeline_client.py -v
(test/models/shipped-pipeline-tritonclient.test.ts starts both endpoints on free ports and runs this file.)
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

TIMEOUT = 20  # seconds to wait for a streamed response


def accumulator_input(module, value):
    tensor = module.InferInput("INPUT", [1, 1], "FP32")
    tensor.set_data_from_numpy(np.array([[value]], dtype=np.float32))
    return [tensor]


def raw_rows(rows):
    return (50 + 10 * np.sin(np.arange(rows * 16, dtype=np.float32)).reshape(rows, 16)).astype(np.float32)


class AccumulatorOverHttp(unittest.TestCase):
    def setUp(self):
        self.client = httpclient.InferenceServerClient(HTTP_URL)

    def add(self, value, **sequence):
        return self.client.infer("accumulator", accumulator_input(httpclient, value), **sequence).as_numpy("OUTPUT")[0][0]

    def test_interleaved_sequences_keep_their_own_sums(self):
        self.assertEqual(self.add(1, sequence_id=11, sequence_start=True), 1)
        self.assertEqual(self.add(10, sequence_id="walk-b", sequence_start=True), 10)
        self.assertEqual(self.add(2, sequence_id=11), 3)
        self.assertEqual(self.add(20, sequence_id="walk-b"), 30)
        self.assertEqual(self.add(3, sequence_id=11, sequence_end=True), 6)
        self.assertEqual(self.add(30, sequence_id="walk-b", sequence_end=True), 60)
        # START again begins from zero.
        self.assertEqual(self.add(5, sequence_id=11, sequence_start=True, sequence_end=True), 5)

    def test_errors(self):
        with self.assertRaises(InferenceServerException) as caught:
            self.add(1)
        self.assertEqual(caught.exception.status(), "400")
        self.assertIn("must specify a non-zero or non-empty correlation ID", caught.exception.message())
        with self.assertRaises(InferenceServerException) as caught:
            self.add(1, sequence_id=999)
        self.assertIn("must specify the START flag on the first request of the sequence", caught.exception.message())


class AccumulatorOverGrpc(unittest.TestCase):
    def setUp(self):
        self.client = grpcclient.InferenceServerClient(GRPC_URL)

    def tearDown(self):
        self.client.close()

    def test_unary(self):
        add = lambda value, **seq: self.client.infer("accumulator", accumulator_input(grpcclient, value), **seq).as_numpy("OUTPUT")[0][0]
        self.assertEqual(add(4, sequence_id=21, sequence_start=True), 4)
        self.assertEqual(add(4, sequence_id=21, sequence_end=True), 8)

    def test_stream_carries_interleaved_sequences_in_order(self):
        responses = queue.Queue()
        self.client.start_stream(callback=lambda result, error: responses.put((result, error)))
        try:
            steps = [(31, 1, True, False), (32, 100, True, False), (31, 2, False, False), (32, 200, False, True),
                     (31, 3, False, True)]
            for sequence_id, value, start, end in steps:
                self.client.async_stream_infer("accumulator", accumulator_input(grpcclient, value), request_id=str(value),
                                               sequence_id=sequence_id, sequence_start=start, sequence_end=end)
            sums = {}
            for sequence_id, value, _, _ in steps:
                result, error = responses.get(timeout=TIMEOUT)
                self.assertIsNone(error)
                sums[sequence_id] = sums.get(sequence_id, 0) + value
                self.assertEqual(result.get_response().id, str(value))
                self.assertEqual(result.as_numpy("OUTPUT")[0][0], sums[sequence_id])
        finally:
            self.client.stop_stream()


class PipelineTests:
    """The ensemble against its three steps run one by one."""

    module = None

    def by_hand(self, raw):
        def run(model, name, data, output):
            tensor = self.module.InferInput(name, list(data.shape), "FP32")
            tensor.set_data_from_numpy(data)
            return self.client.infer(model, [tensor]).as_numpy(output)

        features = run("preprocess", "raw", raw, "features")
        probabilities = run("mlp_classifier", "input", features, "probabilities")
        tensor = self.module.InferInput("probabilities", list(probabilities.shape), "FP32")
        tensor.set_data_from_numpy(probabilities)
        post = self.client.infer("postprocess", [tensor])
        return probabilities, post.as_numpy("class_id"), post.as_numpy("score")

    def pipeline(self, raw, outputs=None):
        tensor = self.module.InferInput("RAW", list(raw.shape), "FP32")
        tensor.set_data_from_numpy(raw)
        requested = None if outputs is None else [self.module.InferRequestedOutput(name) for name in outputs]
        return self.client.infer("mlp_pipeline", [tensor], outputs=requested)

    def test_equals_the_steps_by_hand(self):
        raw = raw_rows(3)
        result = self.pipeline(raw)
        probabilities, class_id, score = self.by_hand(raw)
        np.testing.assert_array_equal(result.as_numpy("PROBABILITIES"), probabilities)
        np.testing.assert_array_equal(result.as_numpy("CLASS_ID"), class_id)
        np.testing.assert_array_equal(result.as_numpy("SCORE"), score)
        self.assertEqual(result.as_numpy("CLASS_ID").shape, (3, 1))
        self.assertEqual(result.as_numpy("CLASS_ID").dtype, np.int64)

    def test_one_output(self):
        result = self.pipeline(raw_rows(1), outputs=["CLASS_ID"])
        self.assertIsNone(result.as_numpy("SCORE"))
        self.assertEqual(result.as_numpy("CLASS_ID").shape, (1, 1))

    def test_wrong_shape_is_refused_by_the_ensemble(self):
        tensor = self.module.InferInput("RAW", [1, 8], "FP32")
        tensor.set_data_from_numpy(np.zeros((1, 8), dtype=np.float32))
        with self.assertRaises(InferenceServerException) as caught:
            self.client.infer("mlp_pipeline", [tensor])
        self.assertIn("unexpected shape for input 'RAW' for model 'mlp_pipeline'", caught.exception.message())


class PipelineOverHttp(PipelineTests, unittest.TestCase):
    module = httpclient

    def setUp(self):
        self.client = httpclient.InferenceServerClient(HTTP_URL)


class PipelineOverGrpc(PipelineTests, unittest.TestCase):
    module = grpcclient

    def setUp(self):
        self.client = grpcclient.InferenceServerClient(GRPC_URL)

    def tearDown(self):
        self.client.close()


class Classification(unittest.TestCase):
    """The classification extension on the shipped MLP (labels from model_repository/mlp_classifier/labels.txt)."""

    def test_class_count_returns_the_top_classes_with_labels_over_both_protocols(self):
        rows = (raw_rows(2) - 50) / 10
        labels = ["alpha", "beta", "gamma", "delta"]
        for module, url in ((httpclient, HTTP_URL), (grpcclient, GRPC_URL)):
            client = module.InferenceServerClient(url)
            tensor = module.InferInput("input", [2, 16], "FP32")
            tensor.set_data_from_numpy(rows)
            plain = client.infer("mlp_classifier", [tensor]).as_numpy("probabilities")
            top = client.infer(
                "mlp_classifier", [tensor], outputs=[module.InferRequestedOutput("probabilities", class_count=2)]
            ).as_numpy("probabilities")
            self.assertEqual(top.shape, (2, 2))
            for row in range(2):
                order = np.argsort(-plain[row], kind="stable")[:2]
                expected = [f"{plain[row][i]:.6f}:{i}:{labels[i]}".encode() for i in order]
                self.assertEqual(list(top[row]), expected, module.__name__)


if __name__ == "__main__":
    unittest.main()
