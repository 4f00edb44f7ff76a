/** The NN playground: 2-D datasets, an MLP on TinyLM's autograd, a stepping trainer, a tiny graph. */
export * from './datasets';
export * from './mlp';
export * from './session';
export * from './graph';
export * from './api';
