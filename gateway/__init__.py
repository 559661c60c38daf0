"""The HTTP gateway: JSON under /api/v1, served by gunicorn (gthread workers).

It owns accounts (its own small database), checks every caller's role, validates
requests with the shared contracts, calls the services by RPC through a pool of
proxies, and answers errors as application/problem+json in Chinese or English.
"""
