/**
 * What is wrong with the storage under a failed write: the disk is `full` (or over quota), the
 * database or its file system is `read_only`, or the database file is `corrupt`. The first two pass
 * when someone frees space or fixes the mount; a corrupt file stays corrupt.
 * @public
 */
export type StorageFault = 'full' | 'read_only' | 'corrupt';

/** How deep `cause` / `driverError` chains are followed (TypeORM wraps the driver's error once). */
const MAX_DEPTH = 5;

/** The fault an error code stands for: Node's errno, SQLite's result codes, PostgreSQL's SQLSTATE. */
function faultOfCode(code: string): StorageFault | undefined {
  // SHMSIZE: the WAL index could not grow (SQLite's word for "no room for it").
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE')
    return 'full';
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  switch (code) {
    // disk_full
    case '53100':
      return 'full';
    // read_only_sql_transaction (a standby, or default_transaction_read_only)
    case '25006':
      return 'read_only';
    // data_corrupted, index_corrupted
    case 'XX001':
    case 'XX002':
      return 'corrupt';
    default:
      return undefined;
  }
}

/** A storage fault and the code that said so (`SQLITE_FULL`, `ENOSPC`, `53100`…). @public */
export interface StorageFaultInfo {
  readonly fault: StorageFault;
  readonly code: string;
}

/**
 * The storage fault behind an error, looking through the wrappers (`cause`, TypeORM's
 * `driverError`); undefined for any other failure.
 * @public
 */
export function storageFaultOf(error: unknown): StorageFaultInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const { code, driverError, cause } = current as { code?: unknown; driverError?: unknown; cause?: unknown };
    const fault = typeof code === 'string' ? faultOfCode(code) : undefined;
    if (fault !== undefined && typeof code === 'string') return { fault, code };
    current = driverError ?? cause;
  }
  return undefined;
}

/**
 * What a storage fault means for the user, in a few words (no paths: this reaches HTTP clients).
 * @public
 */
export function describeStorageFault(fault: StorageFault): string {
  switch (fault) {
    case 'full':
      return "the disk holding Harness's data is full";
    case 'read_only':
      return "Harness's database is read-only";
    case 'corrupt':
      return "Harness's database file is damaged";
  }
}
