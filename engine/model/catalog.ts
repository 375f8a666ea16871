// The model's catalogue of names: what a scenario may choose (workload kinds, design and host
// profiles, historical bug variants, faults). The scenario schema offers exactly these; the model
// owns them because it is the model that knows how to run each one.

export const WORKLOAD_KINDS = ['idle', 'specjbb', 'memcached', 'stream', 'migration-test', 'custom'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export const PROFILES = ['rfc-2012', 'qemu-1.4', 'modern', 'dedicated-bitmap-thread'] as const;
export type DesignProfileName = (typeof PROFILES)[number];

export const HOST_PROFILES = ['chegu-2012', 'chegu-2013', 'modern-x86', 'tcg-loopback'] as const;

/** Historical bug variants, by the QEMU commit that fixed them (or, without one, by what they do). */
export const BUG_VARIANTS = {
  aa723c23147e: 'vm_stop from the migration thread only queues a stop request (the iothread check of cpus.c), so stage 3 can run with the vCPUs still running: the 2012 stage-3 hang',
  '79536f4f1693': 'no dirty-log sync at setup: the first sync in the loop finds every page dirty, so round two resends all of RAM',
  '7ec81e56edc2': 'bitmap_set(bmap, 1, ram_pages) at setup: page 0 is never marked and never sent (one page lost)',
  'multifd-sync-lost-post': 'multifd_send_sync_main sets pending_sync on every channel but posts p->sem only to channels it does not see sending a packet; a channel that has already started its last packet never learns of the sync, and the migration thread waits on its sem_sync forever. Whether the channel that got the round\'s last packet started it before the sync looked is a race',
} as const;
export type BugVariant = keyof typeof BUG_VARIANTS;

export const FAULT_KINDS = ['link-cut', 'destination-crash', 'bandwidth-collapse'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type HostProfileName = (typeof HOST_PROFILES)[number];
