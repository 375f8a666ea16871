// The role of a migration model thread, from its name (QEMU's thread names), for trace
// descriptors and timeline grouping.
export function threadRole(name: string): string {
  if (/^CPU \d+\/(KVM|TCG)$/.test(name)) return 'vcpu';
  if (name === 'migration' || name === 'mig/src/main') return 'migration';
  if (name.startsWith('mig/src/send')) return 'sender';
  if (name === 'main') return 'main';
  if (name.startsWith('dst ') || name.startsWith('mig/dst')) return 'destination';
  return 'other';
}
