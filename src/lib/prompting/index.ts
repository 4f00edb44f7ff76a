/** Framework-free prompt engineering: builders, agreement, JSON extraction, validation, retry loop. */
export * from './builders';
export * from './agreement';
export * from './json';
export * from './validate';
export * from './retry';
export * from './runner';
export * from './presets';
export * from './variants';
export * from './schema-types';
