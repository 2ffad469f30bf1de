/** Built-in model execution: ONNX classifiers in-process, and a standalone HTTP model server. */
export { ServeErrors, type ServeErrorCode } from './errors.js';
export { loadOnnxModel, type OnnxModel, type LoadOnnxModelOptions } from './onnx-model.js';
export { startModelServer, type ModelServer, type ModelServerOptions } from './model-server.js';
export type { ModelEntry } from './model-registry.js';
