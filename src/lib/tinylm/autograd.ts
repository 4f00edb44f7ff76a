/**
 * The autograd in one import: tensors with `.backward()`, generic and transformer ops, and
 * optimizers. Small example (a 2-D classifier, as in the NN playground):
 *
 *   const rng = new RNG(1);
 *   const W1 = randn([16, 2], rng, 0.5), b1 = zeros([16], true), W2 = randn([2, 16], rng, 0.5);
 *   const opt = new AdamW([W1, b1, W2], { lr: 0.01, weightDecay: 0 });
 *   const x = tensor(points, [n, 2]);
 *   const logits = linear(tanh(add(linear(x, W1), b1)), W2);   // [n, 2]
 *   const loss = crossEntropy(logits, labels);                 // scalar
 *   opt.zeroGrad(); loss.backward(); opt.step();
 */
export * from './tensor';
export * from './ops';
export * from './optim';
export { RNG } from './rng';
