import { describe, expect, it } from 'vitest';
import { AppError, toAppError } from './app-error.js';
import { storageFaultOf } from './storage-fault.js';

const coded = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('storage faults', () => {
  it('are found by their code, through TypeORM driverError and cause chains', () => {
    expect(storageFaultOf(coded('ENOSPC'))).toEqual({ fault: 'full', code: 'ENOSPC' });
    expect(storageFaultOf(coded('EDQUOT'))).toEqual({ fault: 'full', code: 'EDQUOT' });
    expect(storageFaultOf(coded('SQLITE_IOERR_SHMSIZE'))).toEqual({ fault: 'full', code: 'SQLITE_IOERR_SHMSIZE' });
    expect(storageFaultOf(coded('53100'))).toEqual({ fault: 'full', code: '53100' });
    expect(storageFaultOf(coded('EROFS'))).toEqual({ fault: 'read_only', code: 'EROFS' });
    expect(storageFaultOf(coded('SQLITE_READONLY_DBMOVED'))).toEqual({
      fault: 'read_only',
      code: 'SQLITE_READONLY_DBMOVED',
    });
    expect(storageFaultOf(coded('SQLITE_NOTADB'))).toEqual({ fault: 'corrupt', code: 'SQLITE_NOTADB' });
    const typeorm = Object.assign(new Error('database or disk is full'), { driverError: coded('SQLITE_FULL') });
    expect(storageFaultOf(typeorm)).toEqual({ fault: 'full', code: 'SQLITE_FULL' });
    expect(storageFaultOf(new AppError('INTERNAL', 'wrapped', { cause: typeorm }))).toEqual({
      fault: 'full',
      code: 'SQLITE_FULL',
    });
  });

  it('are not confused with other failures', () => {
    for (const error of [
      coded('SQLITE_BUSY'),
      coded('ENOENT'),
      coded('SQLITE_IOERR_READ'),
      new Error('x'),
      'text',
      null,
    ])
      expect(storageFaultOf(error)).toBeUndefined();
  });

  it('become STORAGE_UNAVAILABLE or DATABASE_CORRUPT at the funnel, with a message fit for a client', () => {
    expect(toAppError(coded('SQLITE_FULL', 'database or disk is full'))).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: "the disk holding Harness's data is full (SQLITE_FULL): nothing was written; retry once it is fixed",
    });
    expect(toAppError(coded('SQLITE_READONLY'))).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: "Harness's database is read-only (SQLITE_READONLY): nothing was written; retry once it is fixed",
    });
    expect(toAppError(coded('SQLITE_CORRUPT'))).toMatchObject({
      code: 'DATABASE_CORRUPT',
      message: "Harness's database file is damaged (SQLITE_CORRUPT): move it aside or restore it from a backup",
    });
    // Raised on purpose: kept as it is.
    const own = new AppError('INTERNAL', 'mine', { cause: coded('ENOSPC') });
    expect(toAppError(own)).toBe(own);
  });
});
