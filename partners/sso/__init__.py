"""Single sign-on per company through its OpenID Connect provider (issue 26, item 5).

`domains`: which e-mail domains a company may claim; `protocol`: the authorization-code flow with PKCE, state and
nonce, and the ID token's checks, every request to the provider through `utilities.outbound_http`; `sign_in`: who
the provider's answer lets in; `views`: the pages.
"""
