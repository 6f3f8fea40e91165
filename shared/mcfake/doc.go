// Package mcfake stands in for a Marketing Cloud tenant's auth host and for a
// CloudPage, so the gate can be tested and demonstrated without either.
//
// [Server] plays https://{subdomain}.auth.marketingcloudapis.com for one Web
// App integration: /v2/authorize, /v2/token and /v2/userinfo, plus a sign-in
// page where a person or a browser test chooses who to be. Where Salesforce
// documents a behaviour the fake follows it, and error bodies are copied from
// real answers. Where the behaviour is undocumented the fake takes the strict
// reading of RFC 6749: codes are single use, refresh tokens rotate, redirect
// URIs match exactly, and unknown clients get an error page, never a redirect.
// A gate that works against the fake therefore asks no more of Marketing
// Cloud than it promises.
//
// Paths under /_fake/ belong to the fake, not to Marketing Cloud: signing in,
// signing out, switching [Faults] at run time, and granting or withdrawing a
// user's licence for the package at run time (POST /_fake/licence with
// {"sub": "71000001", "licensed": false}; see [Server.SetLicensed]).
//
// [NewCloudPage] plays the origin behind the gate and shows what reached it.
//
// Neither handler is built for the open internet; serve them on loopback.
package mcfake
