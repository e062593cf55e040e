import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier, signToken } from '../../../src/infra/auth/jwt.js';

const secret = 'a-test-secret-of-reasonable-length-0123456789';
const key = new TextEncoder().encode(secret);

describe('HS256 tokens', () => {
  const verify = createTokenVerifier({ secret });
  afterEach(() => vi.useRealTimers());

  it('remembers a verified token only until it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const verifyOnce = createTokenVerifier({ secret });
    const token = await signToken({ secret, sub: 'alice', admin: false, ttl: 60 });
    expect((await verifyOnce(token)).principal.sub).toBe('alice');
    expect((await verifyOnce(token)).principal.sub).toBe('alice');
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verifyOnce(token)).rejects.toThrow(/exp/);
  });

  it('round-trips a user and an admin from signToken', async () => {
    const before = Date.now();
    const alice = await verify(await signToken({ secret, sub: 'alice', admin: false, ttl: '1h' }));
    expect(alice.principal).toEqual({ sub: 'alice', admin: false });
    // exp has whole seconds: the expiry is within a second of an hour from now.
    expect(alice.expiresAt! - (before + 3_600_000)).toBeGreaterThan(-1_000);
    expect(alice.expiresAt! - (before + 3_600_000)).toBeLessThan(2_000);
    expect((await verify(await signToken({ secret, sub: 'root', admin: true, ttl: 60 }))).principal).toEqual({ sub: 'root', admin: true });
  });

  it('rejects another secret, an expired token, a missing sub, and another algorithm', async () => {
    const other = await signToken({ secret: `${secret}-other`, sub: 'alice', admin: false, ttl: '1h' });
    const expired = await signToken({ secret, sub: 'alice', admin: false, ttl: -120 });
    const noSub = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('alice').setExpirationTime('1h').sign(key);
    for (const token of [other, expired, noSub, hs512, 'garbage']) {
      await expect(verify(token), token).rejects.toThrow(/token/i);
    }
  });

  it('refuses an unsigned token (alg: none) and reads admin only from a roles array', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 3600;
    await expect(verify(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'root', roles: ['admin'], exp })}.`)).rejects.toThrow(/token/i);
    const stringRole = await new SignJWT({ roles: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime('1h').sign(key);
    const adminClaim = await new SignJWT({ admin: true, roles: ['user'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime('1h').sign(key);
    expect((await verify(stringRole)).principal).toEqual({ sub: 'mallory', admin: false });
    expect((await verify(adminClaim)).principal).toEqual({ sub: 'mallory', admin: false });
  });

  it('checks issuer and audience when configured', async () => {
    const strict = createTokenVerifier({ secret, issuer: 'https://id.example', audience: 'jetledger' });
    const good = await signToken({ secret, sub: 'alice', admin: false, ttl: '1h', issuer: 'https://id.example', audience: 'jetledger' });
    const wrongAudience = await signToken({ secret, sub: 'alice', admin: false, ttl: '1h', issuer: 'https://id.example', audience: 'other' });
    expect((await strict(good)).principal).toEqual({ sub: 'alice', admin: false });
    await expect(strict(wrongAudience)).rejects.toThrow(/aud/);
  });

  it('needs a secret or a JWKS URL', () => {
    expect(() => createTokenVerifier({})).toThrow(/secret or a jwksUrl/);
  });
});

describe('JWKS tokens', () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('verifies a token signed by a key the JWKS publishes, and refuses an unknown key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const verify = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` });

    const sign = (k: CryptoKey, claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('ivy').setExpirationTime('5m').sign(k);
    expect((await verify(await sign(privateKey, { roles: ['admin', 'ops'] }))).principal).toEqual({ sub: 'ivy', admin: true });
    await expect(verify(await sign(stranger.privateKey, {}))).rejects.toThrow(/token/i);
  });
});
