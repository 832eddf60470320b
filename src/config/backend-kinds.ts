/**
 * Names of Triton's known platforms, backends and default model file names, and the backend "type" mapping that the
 * platform/backend pair check uses (core `GetBackendType` / `GetBackendTypeFromPlatform`).
 */
export const ONNX_PLATFORM = 'onnxruntime_onnx';
export const ONNX_BACKEND = 'onnxruntime';
export const ONNX_FILENAME = 'model.onnx';
export const ENSEMBLE_PLATFORM = 'ensemble';
export const TENSORRT_PLATFORM = 'tensorrt_plan';
export const TENSORRT_BACKEND = 'tensorrt';
export const TENSORRT_FILENAME = 'model.plan';
export const TF_GRAPHDEF_PLATFORM = 'tensorflow_graphdef';
export const TF_SAVEDMODEL_PLATFORM = 'tensorflow_savedmodel';
export const TF_GRAPHDEF_FILENAME = 'model.graphdef';
export const TF_SAVEDMODEL_FILENAME = 'model.savedmodel';
export const TF_BACKEND = 'tensorflow';
export const OPENVINO_BACKEND = 'openvino';
export const OPENVINO_FILENAME = 'model.xml';
export const PYTORCH_PLATFORM = 'pytorch_libtorch';
export const PYTORCH_BACKEND = 'pytorch';
export const PYTORCH_FILENAME = 'model.pt';
export const PYTHON_BACKEND = 'python';
export const PYTHON_FILENAME = 'model.py';

type BackendType = 'tensorflow' | 'tensorrt' | 'onnxruntime' | 'pytorch' | 'unknown';

/** Backend type of a backend name; `'unknown'` for any backend Triton does not pair with a platform. */
export function backendTypeOf(backend: string): BackendType {
  switch (backend) {
    case TF_BACKEND:
      return 'tensorflow';
    case TENSORRT_BACKEND:
      return 'tensorrt';
    case ONNX_BACKEND:
      return 'onnxruntime';
    case PYTORCH_BACKEND:
      return 'pytorch';
    default:
      return 'unknown';
  }
}

/** Backend type a platform name implies; `'unknown'` for unknown or empty platforms. */
export function backendTypeOfPlatform(platform: string): BackendType {
  switch (platform) {
    case TF_GRAPHDEF_PLATFORM:
    case TF_SAVEDMODEL_PLATFORM:
      return 'tensorflow';
    case TENSORRT_PLATFORM:
      return 'tensorrt';
    case ONNX_PLATFORM:
      return 'onnxruntime';
    case PYTORCH_PLATFORM:
      return 'pytorch';
    default:
      return 'unknown';
  }
}
