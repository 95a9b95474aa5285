import type { StorageRef } from './values';

/** Reads the bytes of storages: what a lazily loaded tensor holds on to. */
export interface StorageReader {
  /** The file name used in error messages. */
  readonly name: string;
  /** `byteLength` bytes of `storage` starting `byteOffset` bytes into it (already checked by the caller). */
  read(storage: StorageRef, byteOffset: number, byteLength: number): Uint8Array;
}
