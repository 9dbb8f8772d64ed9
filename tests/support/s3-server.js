// A throwaway S3-compatible server for the .NET storage tests: node s3-server.js <directory> <port> <bucket>
// (the package ships no executable). Access key and secret are both S3RVER. The test fixture runs it under
// its watchdog (TiedProcess), which ends it with the test process.
'use strict'

// s3rver rebuilds the signed path of a bucket-level request (ListObjectsV2) as "/bucket", but the AWS SDK for
// .NET requests and signs "/bucket/", as S3 itself accepts. Until s3rver handles that, the signature check sees
// the path as sent: only for that request shape, and only while the signature is checked.
const authenticationPath = require.resolve('@20minutes/s3rver/lib/middleware/authentication')
const authentication = require(authenticationPath)
require.cache[authenticationPath].exports = (...args) => {
  const check = authentication(...args)
  return (ctx, next) => {
    if (!(ctx.params.bucket && !ctx.params.key && ctx.path === `/${ctx.params.bucket}/`)) return check(ctx, next)
    const { mountPath } = ctx
    const { vhost } = ctx.state
    ctx.mountPath = '/'
    ctx.state.vhost = true
    return check(ctx, () => {
      ctx.mountPath = mountPath
      ctx.state.vhost = vhost
      return next()
    })
  }
}

const S3rver = require('@20minutes/s3rver')

const [directory, port, bucket] = process.argv.slice(2)
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: [{ name: bucket, configs: [] }],
})
server.run().then(({ address, port: bound }) => {
  process.stdout.write(`listening ${address}:${bound}\n`)
})
