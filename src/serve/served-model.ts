import type { OnnxModel } from './onnx-model.js';

/** A loaded model as the HTTP server sees it: the ONNX model plus its id and version. */
export interface ServedModel {
  readonly id: string;
  readonly version: string;
  readonly inputName: string;
  readonly featureCount: number;
  readonly classCount: number;
  readonly model: OnnxModel;
}
