/** The chat playground's framework-free core. */
export * from './params';
export * from './stats';
export * from './stream';
export * from './conversation';
export * from './export';
export * from './store';
export * from './probability';
export * from './live-markdown';
export * from './context-window';
