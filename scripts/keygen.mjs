// Writes a Solana CLI keypair file (JSON array of 64 bytes: secret seed then public key) if it
// does not exist, and prints its base58 public key.  usage: node scripts/keygen.mjs <path>
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes) {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = '1' + out; }
  return out;
}

const path = process.argv[2];
if (!path) { console.error('usage: keygen.mjs <path>'); process.exit(2); }
if (!existsSync(path)) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify([...seed, ...pub]) + '\n', { mode: 0o600 });
}
const bytes = JSON.parse(readFileSync(path, 'utf8'));
if (!Array.isArray(bytes) || bytes.length !== 64) { console.error(`${path}: not a 64-byte keypair file`); process.exit(2); }
console.log(base58(bytes.slice(32)));
