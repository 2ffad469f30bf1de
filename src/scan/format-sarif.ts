import type { Severity } from '../core/index.js';
import type { ScanResult } from './types.js';

function level(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

function uri(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** The results as a SARIF 2.1.0 log (OASIS SARIF v2.1.0) for code-scanning tools. */
export function formatScanSarif(results: ScanResult[], toolVersion = '0.1.0'): string {
  const ruleIds = [...new Set(results.flatMap((r) => r.findings.map((f) => f.rule)))].sort();
  const sarifResults = results.flatMap((r) =>
    r.findings
      .filter((f) => f.severity !== 'info')
      .map((f) => {
        const region =
          f.location.offset !== undefined && f.location.member === undefined
            ? { region: { byteOffset: f.location.offset } }
            : {};
        const logical = [f.location.member, f.location.layer, f.location.op].filter(
          (x): x is string => x !== undefined,
        );
        return {
          ruleId: f.rule,
          ruleIndex: ruleIds.indexOf(f.rule),
          level: level(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: uri(r.path) }, ...region },
              ...(logical.length > 0
                ? { logicalLocations: [{ fullyQualifiedName: logical.join('/') }] }
                : {}),
            },
          ],
          properties: { verdict: r.verdict, format: r.format, severity: f.severity },
        };
      }),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'aisoc-scan',
            version: toolVersion,
            informationUri: 'https://github.com/aisoc/aisoc/blob/main/docs/scan.md',
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: id } })),
          },
        },
        artifacts: results.map((r) => ({ location: { uri: uri(r.path) }, length: r.bytes })),
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
