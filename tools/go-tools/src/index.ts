/** @simstream/go-tools: Go programs built from the module proxy at pinned versions, cached. */
export * from './go-tools.js';
