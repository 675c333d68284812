/** The UCS wire shapes the simulator serves (a leaf: imports nothing). */

export interface UcsObjectMeta {
  name: string;
  uid: string;
  creationTimestamp: string;
  updateTimestamp: string;
}

export interface UcsStatusBlock {
  status?: string;
  reason?: string;
  startTime?: string;
  finishTime?: string;
}

export interface UcsTaskDocument {
  kind: string;
  apiVersion: string;
  metadata: UcsObjectMeta;
  spec: {
    jobID: string;
    target: string;
    targetType: string;
    type: string;
    runway: string;
    waitTimeOut: number;
  };
  status: UcsStatusBlock;
}

export interface UcsJobDocument {
  kind: string;
  apiVersion: string;
  metadata: UcsObjectMeta;
  spec: {
    taskList: UcsTaskDocument[];
    domainID: string;
    operation: string;
    waitTimeOut: number;
    type: string;
    relatedObjects?: Record<string, string>;
    extendParam?: Record<string, unknown>;
  };
  status: UcsStatusBlock;
}

/** Epoch milliseconds to the epoch microseconds that timestamps are rendered from. */
