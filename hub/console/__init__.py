"""The bureau console (管理控制台): server-rendered pages on the hub's own GraphQL schema.

Pages run GraphQL documents in-process with the signed-in user's principal, so the scope,
masking and read log of the API apply unchanged. Every asset is served from this package.
"""
