// A real OpenID Connect provider (the oidc-provider package) on a loopback port, for the single sign-on tests.
// Argument: JSON {"clients": [{client_id, client_secret, redirect_uris}]}. Prints {"issuer": ...} once listening.
// Its development login page takes any login (the account is the e-mail address typed) and any password.
// For the refusal tests, POST /test/tamper?claims=<JSON> makes the next ID token carry those claims, signed again
// with the provider's own key ("resign": "stranger" signs it with a key the provider does not publish).
import http from "node:http";
import * as jose from "jose";
import Provider from "oidc-provider";

const { clients } = JSON.parse(process.argv[2]);
const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
const stranger = (await jose.generateKeyPair("RS256")).privateKey;
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
let tamper = null;

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({ grant_types: ["authorization_code"], response_types: ["code"], ...client })),
    jwks: { keys: [signingKey] },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    conformIdTokenClaims: false, // the e-mail goes in the ID token itself
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: true }),
    }),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["test-only-cookie-key"] },
  });
  provider.use(async (ctx, next) => {
    if (ctx.path === "/test/tamper" && ctx.method === "POST") {
      tamper = JSON.parse(ctx.query.claims);
      ctx.status = 204;
      return;
    }
    await next();
    if (tamper && ctx.path === "/token" && ctx.body && ctx.body.id_token) {
      const { resign, ...claims } = tamper;
      tamper = null;
      const payload = { ...jose.decodeJwt(ctx.body.id_token), ...claims };
      const key = resign === "stranger" ? stranger : privateKey;
      ctx.body.id_token = await new jose.SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "test-key" }).sign(key);
    }
  });
  server.on("request", provider.callback());
  console.log(JSON.stringify({ issuer }));
});
