"""What every service uses once: config, database, event envelope, outbox, inbox, bus.

Nothing here imports a service. ``shared.contracts`` is the part the gateway may
import too: event payload schemas, subscriptions, errors and message texts.
"""
