// Where an ATLAS technique or an OWASP Top 10 item is described. Ids come from the API
// (bundled ATLAS and OWASP data); anything that does not look like one gets no link.

/** https://atlas.mitre.org/techniques/ID for AML.T0000 and sub-techniques (AML.T0000.000). */
export function atlasUrl(id: string): string | null {
  return /^AML\.T\d{4}(\.\d{3})?$/.test(id) ? `https://atlas.mitre.org/techniques/${id}` : null;
}

/**
 * The OWASP ML Security Top 10 item's page (`docs/ML05_2023-Model_Theft`, named from its
 * title), or the LLM Top 10 list for LLM items.
 */
export function owaspUrl(id: string, title: string | null): string | null {
  const ml = /^ML(\d{2}):(\d{4})$/.exec(id);
  if (ml && title)
    return `https://owasp.org/www-project-machine-learning-security-top-10/docs/ML${ml[1]}_${ml[2]}-${title.trim().replace(/\s+/g, '_')}`;
  if (ml) return 'https://owasp.org/www-project-machine-learning-security-top-10/';
  if (/^LLM\d{2}:\d{4}$/.test(id)) return 'https://genai.owasp.org/llm-top-10/';
  return null;
}
