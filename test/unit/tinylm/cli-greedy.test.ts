/**
 * `npm run tinylm -- generate` (default model base) still prints what the committed fixture says,
 * so the llama.cpp test that compares against the fixture (test/browser/tinylm/wllama-cli.test.ts)
 * compares against the CLI. Also: every subcommand's default model is the same one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGGUF } from '../../../src/lib/tinylm/gguf';

const fx = JSON.parse(readFileSync('test/fixtures/tinylm/cli-greedy-base.json', 'utf8'));
const cli = (...args: string[]) => execFileSync('npx', ['tsx', 'scripts/tinylm.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('npm run tinylm', () => {
  it('generate, greedy, on the default model, continues the fixture prompt as recorded (after <|endoftext|>)', () => {
    const out = JSON.parse(cli('generate', fx.prompt, '--greedy', '--max-tokens', '24', '--json'));
    expect(out.promptIds[0]).toBe(0);
    expect(out).toEqual({ promptIds: fx.promptIds, ids: fx.ids, text: fx.text });
  });

  it('export-gguf defaults to the same model as generate, and its GGUF adds <|endoftext|> as generate does', () => {
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    cli('export-gguf', '--type', 'f32', '--out', `${dir}/default.gguf`);
    cli('export-gguf', '--model', 'base', '--type', 'f32', '--out', `${dir}/base.gguf`);
    cli('export-gguf', '--model', 'chat', '--type', 'f32', '--out', `${dir}/chat.gguf`);
    const def = readFileSync(`${dir}/default.gguf`);
    expect(def.equals(readFileSync(`${dir}/base.gguf`))).toBe(true);
    const meta = (f: string) => readGGUF(new Uint8Array(readFileSync(`${dir}/${f}`))).metadata;
    expect(meta('base.gguf').get('tokenizer.ggml.add_bos_token')?.value).toBe(true);
    expect(meta('base.gguf').get('tokenizer.ggml.bos_token_id')?.value).toBe(0);
    // The chat model reads ChatML with nothing before it.
    expect(meta('chat.gguf').get('tokenizer.ggml.add_bos_token')?.value).toBe(false);
  });
});
