/** Model diff: files, tensors (with norms) and graph operators between two versions. */
export {
  diffVersionArtifacts,
  diffModelFiles,
  diffGraphs,
  type VersionDiff,
  type VersionArtifacts,
  type ModelFileDiff,
  type FileChange,
  type GraphDiff,
} from './diff-versions.js';
export { diffTensor, TENSOR_CHANGES, type TensorDiff, type TensorChange } from './diff-tensors.js';
