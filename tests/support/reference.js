// Reference implementations the .NET tests check ours against. Reads a JSON array of requests on stdin and
// writes a JSON array of answers, one per request, in order:
//   { "op": "sign", "params": {...}, "secret": "...", "algorithm": "sha1" | "sha256" }     → hex signature
//   { "op": "delivery_url", "publicId": "...", "cloud": "...", "secret": "..." }          → signed CDN URL
//   { "op": "download_url", "publicId": "...", "cloud", "key", "secret", "expiresAt", "timestamp", "attachment" } → URL
//   { "op": "thumbhash", "width": w, "height": h, "rgba": "<base64>" }                     → base64 ThumbHash
'use strict'
const cloudinary = require('cloudinary').v2
const { rgbaToThumbHash } = require('thumbhash')

const answer = (request) => {
  switch (request.op) {
    case 'sign':
      return cloudinary.utils.api_sign_request(request.params, request.secret, request.algorithm)
    case 'delivery_url':
      return cloudinary.url(request.publicId, {
        resource_type: 'raw',
        type: 'authenticated',
        sign_url: true,
        long_url_signature: true,
        secure: true,
        cloud_name: request.cloud,
        api_secret: request.secret,
        urlAnalytics: false,
      })
    case 'download_url':
      return cloudinary.utils.private_download_url(request.publicId, '', {
        resource_type: 'raw',
        type: 'authenticated',
        expires_at: request.expiresAt,
        timestamp: request.timestamp,
        attachment: request.attachment || undefined,
        cloud_name: request.cloud,
        api_key: request.key,
        api_secret: request.secret,
      })
    case 'thumbhash':
      return Buffer.from(rgbaToThumbHash(request.width, request.height, Buffer.from(request.rgba, 'base64'))).toString('base64')
    default:
      throw new Error(`unknown op ${request.op}`)
  }
}

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(answer)))
})
