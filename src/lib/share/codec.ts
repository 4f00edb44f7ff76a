/**
 * Shareable lab state in a URL: versioned, compressed (deflate) and base64url-encoded, and
 * decoded like untrusted input — length-limited, inflate-bomb-limited, parsed defensively and
 * validated per lab with its valibot schema. Decoding never throws.
 */
import { deflateSync, Inflate } from 'fflate';
import * as v from 'valibot';

/** Current envelope version, the prefix of every encoded value (`1.` + payload). */
export const SHARE_VERSION = 1;
/** Longest `s=` value we accept (well under what browsers and chat apps keep intact). */
export const MAX_ENCODED_LENGTH = 8192;
/** Largest JSON we inflate to (guards against deflate bombs). */
export const MAX_JSON_BYTES = 64 * 1024;

export type LabStates = Record<string, Record<string, unknown>>;

export interface ShareEnvelope {
  v: typeof SHARE_VERSION;
  labs: LabStates;
}

export interface DecodeResult {
  /** Validated states per lab id (only labs whose state passed their schema). */
  states: LabStates;
  /** Plain-language problems found, for a notice; empty when the link was fine. */
  problems: string[];
}

/** Encodes lab states into the compact `s=` value. */
export function encodeShare(labs: LabStates): string {
  const json = JSON.stringify({ v: SHARE_VERSION, labs } satisfies ShareEnvelope);
  const packed = deflateSync(new TextEncoder().encode(json), { level: 9 });
  const out = `${SHARE_VERSION}.${toBase64Url(packed)}`;
  if (out.length > MAX_ENCODED_LENGTH) {
    throw new RangeError(`This lab state is too large to share as a link (${out.length} > ${MAX_ENCODED_LENGTH} characters). Shorten the text in the lab.`);
  }
  return out;
}

const envelopeSchema = v.object({
  v: v.literal(SHARE_VERSION),
  labs: v.record(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/)), v.unknown()),
});

/**
 * Decodes an `s=` value. `schemas` maps lab ids to their state schema; labs not in it are
 * reported and ignored. Never throws: problems are returned for a notice.
 */
export function decodeShare(encoded: string | null | undefined, schemas: Record<string, v.GenericSchema>): DecodeResult {
  const fail = (msg: string): DecodeResult => ({ states: {}, problems: [msg] });
  if (encoded == null || encoded === '') return { states: {}, problems: [] };
  if (typeof encoded !== 'string') return fail('The shared link is not text.');
  if (encoded.length > MAX_ENCODED_LENGTH) return fail('The shared link is too long to be one of ours; it was ignored.');
  const m = /^(\d{1,3})\.([A-Za-z0-9_-]*)$/.exec(encoded);
  if (!m) return fail('The shared link is damaged (unexpected characters); the lesson opens in its default state.');
  if (Number(m[1]) !== SHARE_VERSION) return fail(`The shared link uses format version ${m[1]}, which this version of the lab does not read.`);
  const bytes = fromBase64Url(m[2]);
  if (!bytes) return fail('The shared link is damaged (bad encoding); the lesson opens in its default state.');
  const json = inflateLimited(bytes, MAX_JSON_BYTES);
  if (json === 'too-large') return fail('The shared link expands to too much data; it was ignored.');
  if (!json) return fail('The shared link is damaged or truncated; the lesson opens in its default state.');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return fail('The shared link does not contain valid data; the lesson opens in its default state.');
  }
  const env = v.safeParse(envelopeSchema, raw);
  if (!env.success) return fail('The shared link has an unexpected structure; the lesson opens in its default state.');
  const states: LabStates = {};
  const problems: string[] = [];
  for (const [labId, state] of Object.entries(env.output.labs)) {
    if (!Object.hasOwn(schemas, labId)) {
      problems.push(`The link mentions an unknown lab “${labId}”; it was ignored.`);
      continue;
    }
    const parsed = v.safeParse(schemas[labId], state);
    if (parsed.success && isPlainRecord(parsed.output)) states[labId] = parsed.output;
    else problems.push(`The shared settings for lab “${labId}” are invalid; that lab opens with its defaults.`);
  }
  return { states, problems };
}

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Inflates at most `limit` bytes; null on corrupt input, 'too-large' past the limit. */
function inflateLimited(data: Uint8Array, limit: number): Uint8Array | null | 'too-large' {
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  let ended = false;
  try {
    const inf = new Inflate((chunk, final) => {
      total += chunk.length;
      if (total > limit) {
        over = true;
        throw new RangeError('limit');
      }
      parts.push(chunk);
      if (final) ended = true;
    });
    inf.push(data, true);
  } catch {
    return over ? 'too-large' : null;
  }
  if (!ended) return null;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Bytes → base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += B64[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}

/** base64url (no padding) → bytes, or null when malformed. */
export function fromBase64Url(s: string): Uint8Array | null {
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const val = c < 128 ? B64_INDEX[c] : -1;
    if (val < 0) return null;
    acc = (acc << 6) | val;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}
