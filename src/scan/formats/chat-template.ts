import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { judgeTemplate } from './jinja-template.js';

/** Extensions of standalone Jinja template files (`chat_template.jinja`, `.j2`, `.template`). */
export const TEMPLATE_EXTENSIONS = ['.jinja', '.jinja2', '.j2', '.template'];

/** Judges one chat template (see jinja-template.ts); `where` names it in every finding. */
export function checkChatTemplate(ctx: ScanContext, where: string, template: string): void {
  for (const f of judgeTemplate(template)) ctx.add(f.severity, f.rule, `${where}: ${f.message}`);
}

/**
 * The chat templates of a tokenizer config (`tokenizer_config.json`, `chat_template.json`):
 * `chat_template` as one string, or as a list of `{name, template}`.
 */
export function chatTemplatesOf(json: unknown): { where: string; template: string }[] {
  if (typeof json !== 'object' || json === null || !('chat_template' in json)) return [];
  const value = (json as { chat_template: unknown }).chat_template;
  if (typeof value === 'string') return [{ where: 'chat_template', template: value }];
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown, i) => {
    const t = (entry as { template?: unknown; name?: unknown } | null)?.template;
    const name = (entry as { name?: unknown } | null)?.name;
    return typeof t === 'string'
      ? [{ where: `chat_template[${typeof name === 'string' ? name : i}]`, template: t }]
      : [];
  });
}

/** A standalone template file, read as UTF-8. */
export function scanTemplateFile(ctx: ScanContext, src: ByteSource, name: string): void {
  const text = Buffer.from(src.read(0, src.size)).toString('utf8');
  checkChatTemplate(ctx, name, text);
}
