/**
 * A Server-Sent Events parser for OpenAI-compatible streaming (`data: {...}\n\n` … `data: [DONE]`).
 * Follows the WHATWG event-stream rules that matter here: events end at a blank line, several
 * `data:` lines join with "\n", lines starting with ":" are comments (keep-alives), CR, LF and
 * CRLF all end lines, and chunk boundaries may fall anywhere (even inside a UTF-8 character).
 */

export interface SSEEvent {
  event?: string;
  data: string;
  id?: string;
}

/** Incremental parser: feed text, get complete events. */
export class SSEParser {
  #buf = '';
  #data: string[] = [];
  #event: string | undefined;
  #id: string | undefined;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SSEEvent[] {
    this.#buf += text;
    const out: SSEEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buf);
      if (!m) break;
      // A lone CR at the very end might be the first half of CRLF: wait for more input.
      if (m[0] === '\r' && m.index === this.#buf.length - 1) break;
      const line = this.#buf.slice(0, m.index);
      this.#buf = this.#buf.slice(m.index + m[0].length);
      const ev = this.#line(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** Ends the stream: a last event without a trailing blank line is still delivered. */
  end(): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (this.#buf) {
      const ev = this.#line(this.#buf);
      this.#buf = '';
      if (ev) out.push(ev);
    }
    const ev = this.#line('');
    if (ev) out.push(ev);
    return out;
  }

  #line(line: string): SSEEvent | null {
    if (line === '') {
      if (this.#data.length === 0) {
        this.#event = undefined;
        return null;
      }
      const ev: SSEEvent = { data: this.#data.join('\n') };
      if (this.#event !== undefined) ev.event = this.#event;
      if (this.#id !== undefined) ev.id = this.#id;
      this.#data = [];
      this.#event = undefined;
      return ev;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id') this.#id = value;
    return null;
  }
}

/** Parses a byte stream (a fetch body) into SSE events. */
export async function* readSSE(body: ReadableStream<Uint8Array>): AsyncGenerator<SSEEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SSEParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    // Closes the connection when the consumer stops early (a no-op after the end).
    await reader.cancel().catch(() => {});
  }
}
