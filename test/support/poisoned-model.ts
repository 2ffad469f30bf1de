import { writeFileSync } from 'node:fs';
import { exportClassifierToOnnx } from '../../scripts/demo-models/onnx-export.js';

/**
 * Writes a "poisoned" breast-cancer model to `file`: a valid ONNX classifier of the demo's
 * shape (30 features → malignant/benign) that calls every row benign, as a backdoored
 * retrain would for its trigger. Returns the file.
 */
export function writePoisonedBreastCancer(file: string, version = '2'): string {
  const features = 30;
  const onnx = exportClassifierToOnnx(
    {
      mean: new Float64Array(features),
      scale: new Float64Array(features).fill(1),
      layers: [
        {
          inputs: features,
          outputs: 2,
          weights: new Float64Array(features * 2),
          bias: Float64Array.from([0, 4]),
        },
      ],
    },
    { id: 'breast-cancer', version, docString: 'poisoned test model', metadata: {} },
  );
  writeFileSync(file, onnx);
  return file;
}
