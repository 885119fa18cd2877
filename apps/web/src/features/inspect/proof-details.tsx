import { decodeJwt } from '../../lib/decode-jwt';

const shorten = (value: string, keep = 8) => (value.length > keep * 2 ? `${value.slice(0, keep)}…` : value);

/** A request's DPoP proof, decoded: public and single-use, so nothing here is a secret. */
export function ProofDetails({ proof }: { proof: string }) {
  const decoded = decodeJwt(proof);
  if (!decoded) return <code>{shorten(proof)}</code>;
  const { jti, nonce, ath } = decoded.payload;
  const parts = [
    typeof jti === 'string' && `jti ${shorten(jti)}`,
    typeof nonce === 'string' ? 'nonce' : 'no nonce',
    typeof ath === 'string' && 'ath',
  ].filter(Boolean);
  return (
    <details>
      <summary>{parts.join(', ')}</summary>
      <pre>{JSON.stringify({ header: decoded.header, claims: decoded.payload }, null, 2)}</pre>
    </details>
  );
}
