// Original file: proto/simstream/v1/ingestion.proto


export interface PartitionEventDetail {
  'energy'?: (number | string);
  'cut'?: (number | string);
  'imbalance'?: (number | string);
  'variables'?: (number);
  'solver'?: (string);
  'cached'?: (boolean);
  '_cut'?: "cut";
  '_imbalance'?: "imbalance";
}

export interface PartitionEventDetail__Output {
  'energy': (number);
  'cut'?: (number);
  'imbalance'?: (number);
  'variables': (number);
  'solver': (string);
  'cached': (boolean);
  '_cut'?: "cut";
  '_imbalance'?: "imbalance";
}
