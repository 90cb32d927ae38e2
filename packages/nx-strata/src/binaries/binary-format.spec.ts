import { readFileSync } from 'node:fs';
import { detectBinaryFormat, expectedFormat } from './binary-format';

const header = (bytes: number[], length = 64) => {
  const buffer = Buffer.alloc(length);
  Buffer.from(bytes).copy(buffer);
  return buffer;
};

describe('detectBinaryFormat', () => {
  it('reads a real ELF executable: the node binary running this test', () => {
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    expect(detectBinaryFormat(readFileSync(process.execPath).subarray(0, 4096))).toEqual({ format: 'ELF', arch });
  });

  test.each([
    ['ELF aarch64', header([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0xb7, 0]), { format: 'ELF', arch: 'arm64' }],
    ['Mach-O x86_64', header([0xcf, 0xfa, 0xed, 0xfe, 0x07, 0, 0, 0x01]), { format: 'Mach-O', arch: 'amd64' }],
    ['Mach-O arm64', header([0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0, 0, 0x01]), { format: 'Mach-O', arch: 'arm64' }],
    ['universal Mach-O', header([0xca, 0xfe, 0xba, 0xbe]), { format: 'Mach-O', arch: 'universal' }],
    ['a shell script', Buffer.from('#!/bin/sh\necho hi\n'), { format: 'unknown', arch: 'unknown' }],
  ])('%s', (_name, bytes, expected) => {
    expect(detectBinaryFormat(bytes)).toEqual(expected);
  });

  it('reads PE machines through the e_lfanew offset', () => {
    const pe = Buffer.alloc(256);
    pe.write('MZ', 0, 'latin1');
    pe.writeUInt32LE(0x80, 0x3c);
    pe.write('PE\0\0', 0x80, 'latin1');
    pe.writeUInt16LE(0x8664, 0x84);
    expect(detectBinaryFormat(pe)).toEqual({ format: 'PE', arch: 'amd64' });
    pe.writeUInt16LE(0xaa64, 0x84);
    expect(detectBinaryFormat(pe)).toEqual({ format: 'PE', arch: 'arm64' });
  });

  it('knows the format each OS needs', () => {
    expect([expectedFormat('linux'), expectedFormat('darwin'), expectedFormat('windows')]).toEqual(['ELF', 'Mach-O', 'PE']);
  });
});
