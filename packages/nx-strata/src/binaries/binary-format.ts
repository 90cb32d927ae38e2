/** What a file's header says it is. */
export interface BinaryFormat {
  format: 'ELF' | 'Mach-O' | 'PE' | 'unknown';
  arch: 'amd64' | 'arm64' | '386' | 'arm' | 'universal' | 'unknown';
}

/** Reads the executable format and machine from the first bytes of a file (ELF e_machine, Mach-O cputype, PE Machine). Pure. */
export function detectBinaryFormat(header: Buffer): BinaryFormat {
  if (header.length >= 20 && header.readUInt32BE(0) === 0x7f454c46) {
    const machine = header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
    return {
      format: 'ELF',
      arch: ({ 0x3e: 'amd64', 0xb7: 'arm64', 0x03: '386', 0x28: 'arm' } as Record<number, BinaryFormat['arch']>)[machine] ?? 'unknown',
    };
  }
  if (header.length >= 8 && (header.readUInt32LE(0) === 0xfeedfacf || header.readUInt32LE(0) === 0xfeedface)) {
    const cpu = header.readUInt32LE(4);
    return {
      format: 'Mach-O',
      arch: ({ 0x01000007: 'amd64', 0x0100000c: 'arm64', 7: '386', 12: 'arm' } as Record<number, BinaryFormat['arch']>)[cpu] ?? 'unknown',
    };
  }
  if (header.length >= 4 && header.readUInt32BE(0) === 0xcafebabe) return { format: 'Mach-O', arch: 'universal' };
  if (header.length >= 0x40 && header.toString('latin1', 0, 2) === 'MZ') {
    const pe = header.readUInt32LE(0x3c);
    if (header.length >= pe + 6 && header.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = header.readUInt16LE(pe + 4);
      return {
        format: 'PE',
        arch:
          ({ 0x8664: 'amd64', 0xaa64: 'arm64', 0x14c: '386', 0x1c4: 'arm' } as Record<number, BinaryFormat['arch']>)[machine] ?? 'unknown',
      };
    }
  }
  return { format: 'unknown', arch: 'unknown' };
}

/** The format a binary for this OS must have. */
export function expectedFormat(os: string): BinaryFormat['format'] {
  return os === 'darwin' ? 'Mach-O' : os === 'windows' ? 'PE' : 'ELF';
}

/** How a platform's arch reads in a format check (`linux/arm/v7` → arm). */
export function expectedArch(arch: string): BinaryFormat['arch'] {
  return arch === 'amd64' || arch === 'arm64' || arch === '386' || arch === 'arm' ? arch : 'unknown';
}
