"""Contracts between services and with the gateway: event payloads, who
subscribes to what, the errors RPC callers may see, and the texts people read."""
