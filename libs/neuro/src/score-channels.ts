/**
 * From a step's measurements to one anomaly score. Three channels each get their own anomaly
 * likelihood: the readout's prediction error (is the network surprised by what came?), the
 * input's own deviation from its running statistics (is the value itself out of range?, the
 * "spatial" anomaly), and the novelty of the spike-rate pattern (has the network been in this
 * state before?). A fourth, `range`, scores 1/2 to 1 when a value leaves the range seen so far, a fifth,
 * `repeat`, when a step repeats the previous one exactly in a stream that rarely repeats. The
 * score is the largest of the enabled channels' log-scaled likelihoods. After an alarm
 * (score ≥ alarmThreshold) the stream stays quiet for alarmRefractory steps, so one event raises
 * one alarm rather than a burst, unless a higher score than the alarm's comes. The first `probation` steps of a stream score 0 and never alarm
 * (as NAB leaves a detector its probationary period): a fresh stream has nothing to compare with
 * yet — its second frame would otherwise leave the "range" of its first.
 */
import {
  type DetectorConfig,
  type LikelihoodConfig,
  LIKELIHOOD_CHANNELS,
  channelLikelihood,
} from './config.js';
import { logScale, updateLikelihood } from './likelihood.js';

/** The channels that keep a likelihood state (`range` keeps its own, see range.ts). */
export const CHANNELS = LIKELIHOOD_CHANNELS;

export interface ChannelInputs {
  readonly error: number;
  readonly input: number;
  readonly novelty: number;
  /** How far a weighted feature left the range seen so far: 0 inside, else in [1/2, 1] (see range.ts). */
  readonly range: number;
  /** An exact repeat of the previous step in a stream that rarely repeats (see repeat.ts). */
  readonly repeat?: boolean;
}

export interface ScoredStep {
  /** Final score in [0, 1] (quiet during the alarm refractory period). */
  readonly score: number;
  /** Largest likelihood over the enabled channels, before the refractory period. */
  readonly likelihood: number;
  readonly alarm: boolean;
}

const QUIET = logScale(0.5);

const resolved = new WeakMap<DetectorConfig, Record<string, LikelihoodConfig>>();

/** Each channel's likelihood settings, merged once per configuration. */
function likelihoodConfigs(c: DetectorConfig): Record<string, LikelihoodConfig> {
  let r = resolved.get(c);
  if (r === undefined) {
    r = Object.fromEntries(CHANNELS.map((ch) => [ch, channelLikelihood(c, ch)]));
    resolved.set(c, r);
  }
  return r;
}

export function scoreStep(
  c: DetectorConfig,
  host: Record<string, Float64Array>,
  x: ChannelInputs,
): ScoredStep {
  let score = 0;
  let likelihood = 0;
  const configs = likelihoodConfigs(c);
  for (const ch of CHANNELS) {
    const state = host[`likelihood.${ch}`];
    if (state === undefined) continue;
    const raw = ch === 'error' ? Math.min(x.error, c.errorClip) : x[ch];
    // Every channel's likelihood is kept up to date so that enabling one later needs no warm-up.
    const l = updateLikelihood(state, configs[ch]!, raw);
    if (!c.channels.includes(ch)) continue;
    score = Math.max(score, l.score);
    likelihood = Math.max(likelihood, l.likelihood);
  }
  if (c.channels.includes('range')) {
    score = Math.max(score, x.range);
    likelihood = Math.max(likelihood, x.range);
  }
  if (x.repeat === true && c.channels.includes('repeat')) {
    score = 1;
    likelihood = 1;
  }
  const alarmState = host['alarm']!;
  const seen = alarmState[1] ?? 0;
  alarmState[1] = seen + 1;
  if (seen < c.probation) return { score: 0, likelihood, alarm: false };
  const quiet = alarmState[0] ?? 0;
  // A stronger score than the one that raised the alarm breaks through the refractory period:
  // a noise blip just over the threshold must not hide the event that follows it.
  if (quiet > 0 && score <= (alarmState[2] ?? 0)) {
    alarmState[0] = quiet - 1;
    return { score: Math.min(score, QUIET), likelihood, alarm: false };
  }
  const alarm = score >= c.alarmThreshold;
  if (alarm) {
    alarmState[0] = c.alarmRefractory;
    alarmState[2] = score;
  } else if (quiet > 0) {
    alarmState[0] = quiet - 1;
  }
  return { score, likelihood, alarm };
}
