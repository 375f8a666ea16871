// QEMU's QAPI types for query-migrate (qapi/migration.json: MigrationInfo, MigrationStats), under
// QEMU's own field names. Several layers speak them: the model produces them, the trace stores
// them as samples, real QEMU returns them. They depend on nothing.

/** MigrationStatus, as far as the model and QEMU 7.2's query-migrate report it. */
export type MigStatus = 'none' | 'setup' | 'active' | 'device' | 'completed' | 'failed' | 'cancelled';

export interface RamInfo {
  transferred: number;
  remaining?: number;
  total: number;
  duplicate: number;
  normal: number;
  'normal-bytes': number;
  'dirty-pages-rate'?: number;
  mbps: number;
  'dirty-sync-count': number;
  'pages-per-second': number;
  'page-size': number;
  'precopy-bytes': number;
  'downtime-bytes': number;
  'multifd-bytes'?: number;
}

export interface MigrationInfo {
  status: MigStatus;
  'total-time'?: number;
  'setup-time'?: number;
  downtime?: number;
  'expected-downtime'?: number;
  ram?: RamInfo;
  'xbzrle-cache'?: Record<string, number>;
  'cpu-throttle-percentage'?: number;
  'error-desc'?: string;
}
