"""A small MLServer runtime that serves one ONNX model with onnxruntime's InferenceSession.

Used by bench/run.ts to compare nereid with Seldon MLServer on the same .onnx files (model_repository/): every input of
the v2 request is decoded to a numpy array (REST JSON `data` or gRPC `raw_input_contents`), the session runs once, and
every model output goes back in the response. The ONNX file is the model-settings.json `parameters.uri` (relative
paths resolve from that file's folder). Intra-op threads default to 1, as nereid gives each of its two CPU instances
on two cores (set `parameters.extra.intra_op_threads` to change it).
"""

from typing import Dict, List

import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri


class OnnxRuntimeModel(MLModel):
    """One onnxruntime InferenceSession per MLServer model (per parallel worker)."""

    async def load(self) -> bool:
        uri = await get_model_uri(self._settings)
        extra = (self._settings.parameters.extra or {}) if self._settings.parameters else {}
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(extra.get("intra_op_threads", 1))
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(uri, options, providers=["CPUExecutionProvider"])
        self._output_names: List[str] = [output.name for output in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds: Dict[str, np.ndarray] = {
            request_input.name: NumpyCodec.decode_input(request_input) for request_input in payload.inputs
        }
        results = self._session.run(self._output_names, feeds)
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[NumpyCodec.encode_output(name, array) for name, array in zip(self._output_names, results)],
        )
