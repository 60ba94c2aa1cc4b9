// Original file: proto/simstream/v1/ingestion.proto


export interface FieldViolation {
  'field'?: (string);
  'description'?: (string);
  'reason'?: (string);
}

export interface FieldViolation__Output {
  'field': (string);
  'description': (string);
  'reason': (string);
}
