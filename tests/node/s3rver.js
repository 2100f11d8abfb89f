// s3rver.js DIR BUCKET [ACCESS_KEY SECRET_KEY]: an S3 server for the tests.
// Listens on 127.0.0.1 on a free port, checks SigV4 signatures, creates
// BUCKET, prints the port on stdout, and logs one line per request on
// stderr. Stops on SIGTERM, or by itself after an hour.
// S3RVER_LAX=1 accepts mismatched signatures: s3rver signs virtual-host
// requests as if the bucket were in the path (unlike AWS), so a correct
// virtual-host signature cannot be checked by it.
'use strict';
const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');

const [dir, bucket, key, secret] = process.argv.slice(2);
if (!dir || !bucket) {
  console.error('usage: node s3rver.js DIR BUCKET [ACCESS_KEY SECRET_KEY]');
  process.exit(2);
}
if (key && secret) AWSAccount.DUMMY_ACCOUNT.createKeyPair(key, secret);

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  serviceEndpoint: 'localhost',	// BUCKET.s3.localhost for virtual hosts
  configureBuckets: [{ name: bucket }],
  allowMismatchedSignatures: process.env.S3RVER_LAX === '1',
});
// s3rver has no AbortMultipartUpload (DELETE ?uploadId=ID answers 405):
// done here, unsigned, on the folder s3rver keeps an upload's parts in.
const fs = require('fs');
const path = require('path');
const abort = (ctx) => {
  const id = String(ctx.query.uploadId);
  const b = ctx.path.split('/')[1] || '';
  const up = path.join(dir, b, '._S3rver_uploads', id);
  if (!/^[0-9a-f]+$/.test(id) || !fs.existsSync(up)) {
    ctx.status = 404;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' +
      'NoSuchUpload</Code><Message>The specified upload does not exist.' +
      '</Message></Error>';
    return;
  }
  fs.rmSync(up, { recursive: true, force: true });
  ctx.status = 204;
};
// First in the chain, so that every request is logged, refused ones too.
server.middleware.unshift(async (ctx, next) => {
  try {
    if (ctx.method === 'DELETE' && 'uploadId' in ctx.query) abort(ctx);
    else await next();
  } finally {
    process.stderr.write(`${ctx.method} ${ctx.url} ${ctx.status}\n`);
  }
});
server.run().then((addr) => {
  process.stdout.write(`${addr.port}\n`);
});
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, 3600 * 1000).unref();
