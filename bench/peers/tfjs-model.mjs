// The benchmark network as a TensorFlow.js layers model with the golden weights, and its files
// (model.json + weights.bin) for the runs that load it the way an app would (loadLayersModel).
// Shared by bench/peers/run.mjs (Node) and bench/browser/first.mjs (headless Chromium).
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const LAYERS = ['lstm1', 'lstm2', 'dense1', 'dense2'];

// golden: tests/golden/nn_stock_specific.json (60 steps × 1 → LSTM 50 → LSTM 50 → Dense 25 → Dense 4).
export function buildTfjsModel(tf, golden, window = 60) {
  const z = 'zeros'; // weights are overwritten: skip the (slow) orthogonal/glorot initialisers
  // tfjs defaults to hardSigmoid for the recurrent activation; Keras and our network use sigmoid.
  const lstm = (extra) => tf.layers.lstm({ units: 50, recurrentActivation: 'sigmoid', kernelInitializer: z, recurrentInitializer: z, biasInitializer: z, ...extra });
  const model = tf.sequential();
  model.add(lstm({ returnSequences: true, inputShape: [window, 1] }));
  model.add(lstm({}));
  model.add(tf.layers.dense({ units: 25, activation: 'relu', kernelInitializer: z, biasInitializer: z }));
  model.add(tf.layers.dense({ units: 4, kernelInitializer: z, biasInitializer: z }));
  const w = golden.weights;
  const names = LAYERS.flatMap((l) => (l.startsWith('lstm') ? [`${l}.kernel`, `${l}.recurrent_kernel`, `${l}.bias`] : [`${l}.kernel`, `${l}.bias`]));
  const tensors = names.map((n) => tf.tensor(w[n].values, w[n].shape, 'float32'));
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  return model;
}

export async function saveTfjsModel(tf, model, dir) {
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = Array.isArray(a.weightData) ? Buffer.concat(a.weightData.map((b) => Buffer.from(b))) : Buffer.from(a.weightData);
    writeFileSync(path.join(dir, 'weights.bin'), data);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'bench/peers/tfjs-model.mjs', convertedBy: null,
      modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}
