"""Staff sign-in beyond the password: server-side sessions, their timeouts, and the
second factor (TOTP and recovery codes). No Flask: the web layer passes the settings,
the acting person and the request's device details in."""
