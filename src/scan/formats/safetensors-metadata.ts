/** What a safetensors `__metadata__` value carries that a weights file has no use for. */
export interface MetadataGrade {
  rule: string;
  what: string;
}

// Metadata is free text that tools display, log or (for some loaders and model cards) paste
// into a shell or a page: a file that carries commands, scripts or links is suspicious, never
// malicious by itself (safetensors never executes it).
const SHELL = [
  /\b(?:curl|wget)\b[^\n]*(?:\||&&|;|-o\b|-O\b)/i,
  /\b(?:bash|sh|zsh|dash|powershell|pwsh|cmd(?:\.exe)?)\s+(?:-c|\/c|-enc|-e)\b/i,
  /\|\s*(?:ba|z|da)?sh\b/i,
  /\brm\s+-[rf]{1,2}\b/i,
  /\b(?:nc|ncat|netcat)\b[^\n]*\s-e\s/i,
  /\$\([^)]{1,200}\)|`[^`\n]{1,200}`/,
  /\bchmod\s+\+x\b/i,
];
const SCRIPT = [
  /^#!\s*\/\S+/m,
  /<script\b/i,
  /\bimport\s+(?:os|subprocess|socket|sys|pty)\b/,
  /\b(?:python3?|node|perl|ruby)\s+-[ce]\b/i,
  /__import__|\bos\.(?:system|popen)|\bsubprocess\.|\beval\(|\bexec\(/,
];
const URL = /\b(?:https?|ftp|file|wss?):\/\/[^\s"'<>]+/i;

/** Grades one metadata value: shell command, script, or URL (at most one grade per kind). */
export function gradeMetadataValue(value: string): MetadataGrade[] {
  const grades: MetadataGrade[] = [];
  if (SHELL.some((re) => re.test(value)))
    grades.push({ rule: 'safetensors.metadata-shell', what: 'a shell command' });
  if (SCRIPT.some((re) => re.test(value)))
    grades.push({ rule: 'safetensors.metadata-script', what: 'script code' });
  const url = URL.exec(value);
  if (url)
    grades.push({ rule: 'safetensors.metadata-url', what: `a URL (${url[0].slice(0, 80)})` });
  return grades;
}
