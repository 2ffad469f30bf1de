import { describe, expect, it } from 'vitest';
import { atlasUrl, owaspUrl } from './links';

describe('taxonomy links', () => {
  it('links ATLAS techniques and sub-techniques, and nothing else', () => {
    expect(atlasUrl('AML.T0024')).toBe('https://atlas.mitre.org/techniques/AML.T0024');
    expect(atlasUrl('AML.T0024.002')).toBe('https://atlas.mitre.org/techniques/AML.T0024.002');
    expect(atlasUrl('javascript:alert(1)')).toBeNull();
    expect(atlasUrl('AML.T24')).toBeNull();
  });
  it('links OWASP ML items to their page and LLM items to the list', () => {
    expect(owaspUrl('ML05:2023', 'Model Theft')).toBe(
      'https://owasp.org/www-project-machine-learning-security-top-10/docs/ML05_2023-Model_Theft',
    );
    expect(owaspUrl('ML05:2023', null)).toBe(
      'https://owasp.org/www-project-machine-learning-security-top-10/',
    );
    expect(owaspUrl('LLM01:2025', 'Prompt Injection')).toBe('https://genai.owasp.org/llm-top-10/');
    expect(owaspUrl('other', 'x')).toBeNull();
  });
});
