// Original file: proto/simstream/v1/ingestion.proto

import type { EventSubscription as _simstream_v1_EventSubscription, EventSubscription__Output as _simstream_v1_EventSubscription__Output } from '../../simstream/v1/EventSubscription.js';

export interface OpenStream {
  'simulationId'?: (string);
  'attributes'?: ({[key: string]: string});
  'events'?: (_simstream_v1_EventSubscription | null);
}

export interface OpenStream__Output {
  'simulationId': (string);
  'attributes': ({[key: string]: string});
  'events': (_simstream_v1_EventSubscription__Output | null);
}
