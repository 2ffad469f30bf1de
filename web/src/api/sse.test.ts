import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse';

describe('the server-sent events parser', () => {
  it('joins chunks split anywhere and skips comments', () => {
    const parse = createSseParser();
    expect(parse('event: hello\ndata: {}\n\n: keepalive\n\nevent: ale')).toEqual([
      { type: 'hello', data: {} },
    ]);
    expect(parse('rt\ndata: {"id":"alr_1"}\nid: 3\n\n')).toEqual([
      { type: 'alert', data: { id: 'alr_1' } },
    ]);
  });

  it('keeps data that is not JSON as text and reads CRLF', () => {
    expect(createSseParser()('data: plain\r\n\r\n')).toEqual([{ type: 'message', data: 'plain' }]);
  });
});
