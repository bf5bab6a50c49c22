/**
 * The weights' content hash: synchronous and available in every context (crypto.subtle is
 * async, and missing outside secure contexts and in some workers), via @noble/hashes.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

/** Hex SHA-256 of the bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
