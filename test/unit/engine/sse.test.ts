import { describe, expect, it } from 'vitest';
import { readSSE, SSEParser } from '../../../src/lib/engine/sse';

function streamOf(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
}

describe('SSEParser', () => {
  it('parses data events, comments, multi-line data, event names and ids', () => {
    const p = new SSEParser();
    const evs = p.push(': ping\n\ndata: {"a":1}\n\nevent: error\nid: 7\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n');
    expect(evs).toEqual([{ data: '{"a":1}' }, { event: 'error', id: '7', data: 'line1\nline2' }, { id: '7', data: '[DONE]' }]);
  });

  it('handles CRLF and CR line endings split across pushes', () => {
    const p = new SSEParser();
    expect(p.push('data: a\r')).toEqual([]);
    expect(p.push('\n\r\ndata:b\r\r')).toEqual([{ data: 'a' }]); // the last CR may be half a CRLF
    expect(p.push('data: c\n\n')).toEqual([{ data: 'b' }, { data: 'c' }]);
  });

  it('delivers a last event without a trailing blank line at end()', () => {
    const p = new SSEParser();
    expect(p.push('data: tail')).toEqual([]);
    expect(p.end()).toEqual([{ data: 'tail' }]);
  });

  it('reads a byte stream split inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('data: {"t":"héllo 🙂"}\n\ndata: [DONE]\n\n');
    const cut = bytes.indexOf(0xf0) + 2; // in the middle of the emoji
    const evs: string[] = [];
    for await (const ev of readSSE(streamOf([bytes.slice(0, 9), bytes.slice(9, cut), bytes.slice(cut)]))) evs.push(ev.data);
    expect(evs).toEqual(['{"t":"héllo 🙂"}', '[DONE]']);
  });
});
