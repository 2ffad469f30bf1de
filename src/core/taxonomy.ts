/**
 * The one source of MITRE ATLAS technique ids and OWASP ML Top 10 ids that aisoc's code names.
 * Names and descriptions live in the vendored data (src/respond/data, data/atlas/ATLAS.yaml);
 * `src/core/taxonomy.test.ts` checks every id here exists there, and that no other source
 * file spells an id out.
 */

/** MITRE ATLAS 5.6 technique ids, by technique name. */
export const ATLAS = {
  trainProxyViaReplication: 'AML.T0005.001',
  supplyChainSoftware: 'AML.T0010.001',
  supplyChainData: 'AML.T0010.002',
  supplyChainModel: 'AML.T0010.003',
  unsafeAiArtifacts: 'AML.T0011.000',
  maliciousPackage: 'AML.T0011.001',
  validAccounts: 'AML.T0012',
  evadeModel: 'AML.T0015',
  manipulateModel: 'AML.T0018',
  embedMalware: 'AML.T0018.002',
  publishPoisonedDatasets: 'AML.T0019',
  poisonTrainingData: 'AML.T0020',
  inferMembership: 'AML.T0024.000',
  invertModel: 'AML.T0024.001',
  extractModel: 'AML.T0024.002',
  exfiltrationViaCyberMeans: 'AML.T0025',
  denialOfService: 'AML.T0029',
  erodeModelIntegrity: 'AML.T0031',
  costHarvesting: 'AML.T0034',
  artifactCollection: 'AML.T0035',
  dataFromInformationRepositories: 'AML.T0036',
  dataFromLocalSystem: 'AML.T0037',
  inferenceApiAccess: 'AML.T0040',
  craftAdversarialData: 'AML.T0043',
  blackBoxOptimization: 'AML.T0043.001',
  spammingWithChaff: 'AML.T0046',
  commandAndScriptingInterpreter: 'AML.T0050',
  promptInjection: 'AML.T0051',
  jailbreak: 'AML.T0054',
  unsecuredCredentials: 'AML.T0055',
  llmDataLeakage: 'AML.T0057',
  publishPoisonedModels: 'AML.T0058',
  erodeDatasetIntegrity: 'AML.T0059',
  masquerading: 'AML.T0074',
  corruptModel: 'AML.T0076',
  machineCompromise: 'AML.T0112',
} as const;
export type AtlasTechniqueId = (typeof ATLAS)[keyof typeof ATLAS];

/** OWASP Machine Learning Security Top 10 (2023) ids, by item name. */
export const OWASP = {
  inputManipulation: 'ML01:2023',
  dataPoisoning: 'ML02:2023',
  modelTheft: 'ML05:2023',
  supplyChain: 'ML06:2023',
  modelSkewing: 'ML08:2023',
  modelPoisoning: 'ML10:2023',
} as const;
export type OwaspId = (typeof OWASP)[keyof typeof OWASP];
