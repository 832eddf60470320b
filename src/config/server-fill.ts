/**
 * Server-side fill (core `AutoCompleteBackendFields` + the poll-time name checks). It always runs, with or without
 * auto-complete: the model name defaults to the directory name, and backend / platform / default_model_filename are
 * derived from each other or from the first version directory. Afterwards the name, platform and backend must agree.
 */
import { invalidArg } from '../protocol/errors.ts';
import {
  ONNX_BACKEND,
  ONNX_FILENAME,
  ONNX_PLATFORM,
  OPENVINO_BACKEND,
  OPENVINO_FILENAME,
  PYTHON_BACKEND,
  PYTHON_FILENAME,
  PYTORCH_BACKEND,
  PYTORCH_FILENAME,
  PYTORCH_PLATFORM,
  TENSORRT_BACKEND,
  TENSORRT_FILENAME,
  TENSORRT_PLATFORM,
  TF_BACKEND,
  TF_GRAPHDEF_FILENAME,
  TF_GRAPHDEF_PLATFORM,
  TF_SAVEDMODEL_FILENAME,
  TF_SAVEDMODEL_PLATFORM,
} from './backend-kinds.ts';
import type { ModelConfig } from './model-config.ts';
import { validateBackendFields } from './validate-backend.ts';

/** What the caller learned from the model directory. */
export interface ModelDirFacts {
  /** The model directory's name, i.e. the model name. */
  dirName: string;
  /** Whether the lexicographically first subdirectory holds an entry named `model.onnx` (file or directory). */
  firstSubdirHasModelOnnx: boolean;
}

/**
 * Returns a copy of `config` with name, backend, platform and default_model_filename filled the way Triton's server
 * does, then checks them. Throws INVALID_ARG with Triton's texts when no backend can be determined, when platform and
 * backend disagree, or when `name` differs from the directory name.
 */
export function serverFill(config: ModelConfig, facts: ModelDirFacts): ModelConfig {
  const filled = structuredClone(config);
  if (filled.name === '') filled.name = facts.dirName;
  fillBackendFields(filled, facts);
  validateBackendFields(filled);
  if (filled.name !== facts.dirName) {
    throw invalidArg(
      `unexpected directory name '${facts.dirName}' for model '${filled.name}', directory name must equal model name`,
    );
  }
  return filled;
}

/** Detection order as in Triton: TensorFlow, TensorRT, ONNX Runtime, OpenVINO, PyTorch, Python, then custom. */
function fillBackendFields(c: ModelConfig, facts: ModelDirFacts): void {
  // TensorFlow (only from the file name here; directory probing is limited to model.onnx).
  if (c.platform === '' && (c.backend === '' || c.backend === TF_BACKEND)) {
    if (c.default_model_filename === TF_SAVEDMODEL_FILENAME) c.platform = TF_SAVEDMODEL_PLATFORM;
    else if (c.default_model_filename === TF_GRAPHDEF_FILENAME) c.platform = TF_GRAPHDEF_PLATFORM;
  }
  if (c.platform === TF_SAVEDMODEL_PLATFORM || c.platform === TF_GRAPHDEF_PLATFORM) {
    if (c.backend === '') c.backend = TF_BACKEND;
    if (c.default_model_filename === '') {
      c.default_model_filename = c.platform === TF_SAVEDMODEL_PLATFORM ? TF_SAVEDMODEL_FILENAME : TF_GRAPHDEF_FILENAME;
    }
    return;
  }

  if (c.backend === '' && (c.platform === TENSORRT_PLATFORM || c.default_model_filename === TENSORRT_FILENAME)) {
    c.backend = TENSORRT_BACKEND;
  }
  if (c.backend === TENSORRT_BACKEND) {
    if (c.platform === '') c.platform = TENSORRT_PLATFORM;
    if (c.default_model_filename === '') c.default_model_filename = TENSORRT_FILENAME;
    return;
  }

  if (c.backend === '') {
    if (c.platform === ONNX_PLATFORM || c.default_model_filename === ONNX_FILENAME) {
      c.backend = ONNX_BACKEND;
    } else if (c.platform === '' && c.default_model_filename === '' && facts.firstSubdirHasModelOnnx) {
      c.backend = ONNX_BACKEND;
    }
  }
  if (c.backend === ONNX_BACKEND) {
    if (c.platform === '') c.platform = ONNX_PLATFORM;
    if (c.default_model_filename === '') c.default_model_filename = ONNX_FILENAME;
    return;
  }

  if (c.backend === '' && c.default_model_filename === OPENVINO_FILENAME) c.backend = OPENVINO_BACKEND;
  if (c.backend === OPENVINO_BACKEND) {
    if (c.default_model_filename === '') c.default_model_filename = OPENVINO_FILENAME;
    return;
  }

  if (c.backend === '' && (c.platform === PYTORCH_PLATFORM || c.default_model_filename === PYTORCH_FILENAME)) {
    c.backend = PYTORCH_BACKEND;
  }
  if (c.backend === PYTORCH_BACKEND) {
    if (c.platform === '') {
      c.platform = PYTORCH_PLATFORM;
      if (c.default_model_filename === '') c.default_model_filename = PYTORCH_FILENAME;
    }
    return;
  }

  if (c.backend === '' && c.default_model_filename === PYTHON_FILENAME) c.backend = PYTHON_BACKEND;
  if (c.backend === PYTHON_BACKEND) {
    if (c.default_model_filename === '') c.default_model_filename = PYTHON_FILENAME;
    return;
  }

  // Custom backend: only when nothing at all is given, and then the model name must read `model.<backend>`.
  if (c.backend === '' && c.platform === '' && c.default_model_filename === '') {
    const dot = facts.dirName.indexOf('.');
    if (dot < 0) {
      throw invalidArg(
        `Invalid model name: Could not determine backend for model '${facts.dirName}' with no backend in model ` +
          `configuration. Expected model name of the form 'model.<backend_name>'.`,
      );
    }
    c.backend = facts.dirName.slice(dot + 1);
    c.default_model_filename = `model.${c.backend}`;
  }
}
