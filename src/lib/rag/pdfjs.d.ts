// pdf.js's worker module has no types; we only hand it to pdf.js as `globalThis.pdfjsWorker`.
declare module 'pdfjs-dist/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
