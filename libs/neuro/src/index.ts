/** @simstream/neuro: spiking-reservoir anomaly detection and the NAB scorer that measures it. */
export * from './nab-sigmoid.js';
export * from './nab-scorer.js';
export * from './nab-sweep.js';
export * from './nab-corpus.js';
