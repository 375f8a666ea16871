// The migration-test guest, assembled from engine/qemu/guest/migration-test-boot.S with binutils
// (as, ld) into a 512-byte boot sector, cached by the source's hash so it is built once.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_SOURCE } from './guestSource';

export class BootImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootImageError';
  }
}

/** Path of the boot sector in `dir`, building it first if needed. */
export function bootImage(dir: string): string {
  const hash = createHash('sha256').update(GUEST_SOURCE).digest('hex').slice(0, 12);
  const img = join(dir, `migration-test-boot-${hash}.img`);
  if (existsSync(img) && statSync(img).size === 512) return img;
  mkdirSync(dir, { recursive: true });
  const src = join(dir, `migration-test-boot-${hash}.S`);
  const obj = join(dir, `migration-test-boot-${hash}.o`);
  writeFileSync(src, GUEST_SOURCE);
  try {
    execFileSync('as', ['--32', '-o', obj, src], { stdio: 'pipe' });
    execFileSync('ld', ['-m', 'elf_i386', '-Ttext', '0x7c00', '--oformat', 'binary', '-o', `${img}.tmp`, obj], { stdio: 'pipe' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new BootImageError('assembling the migration-test guest needs binutils (as, ld): run `node scripts/setup-qemu.mjs` or install Debian\'s binutils');
    throw new BootImageError(`assembling the migration-test guest failed: ${err.stderr?.toString() ?? err.message}`);
  }
  const bytes = readFileSync(`${img}.tmp`);
  if (bytes.length !== 512 || bytes[510] !== 0x55 || bytes[511] !== 0xaa) throw new BootImageError(`the assembled boot sector is ${bytes.length} bytes without the 0x55aa signature`);
  renameSync(`${img}.tmp`, img);
  return img;
}
