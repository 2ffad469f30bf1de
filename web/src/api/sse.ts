export interface LiveMessage {
  type: string;
  data: unknown;
}

/** Parses server-sent events from text chunks; returns the events complete so far. */
export function createSseParser(): (chunk: string) => LiveMessage[] {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n/g, '\n');
    const out: LiveMessage[] = [];
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length === 0) continue;
      try {
        out.push({ type, data: JSON.parse(data.join('\n')) });
      } catch {
        out.push({ type, data: data.join('\n') });
      }
    }
    return out;
  };
}
