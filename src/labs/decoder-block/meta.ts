import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  prompt: v.pipe(v.string(), v.maxLength(400)),
  /** position whose vector is followed; -1 = the last token */
  pos: v.pipe(v.number(), v.integer(), v.minValue(-1), v.maxValue(255)),
  step: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
});

export type DecoderBlockState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'decoder-block',
  topic: '2.1',
  title: 'The decoder-only block, step by step',
  summary: 'Follow one token through TinyLM: embeddings → RMSNorm → attention → residual → RMSNorm → SwiGLU → residual → … → logits, with shapes and norms.',
  tasks: ['2.1.b'],
  schema,
  defaults: (): DecoderBlockState => ({ prompt: 'Once upon a time, there was a little cat named Tom. Tom liked to', pos: -1, step: 0 }),
  component: () => import('./DecoderBlockLab.svelte'),
});
