"""The floors a report stands on, served as the gateway is: gunicorn with gateway/gunicorn.conf.py
(gthread workers) and the gateway's own RPC pool with its settings; no sign-in check, no audit row.

    POST /echo  one nameko RPC to bench.echo_service, no database: the trivial floor
    POST /file  one RPC to bench.shaped_service, which commits a row and an event that comes back
                assigned: the floor of a report's shape

    GATEWAY_BIND=127.0.0.1:8402 gunicorn -c gateway/gunicorn.conf.py bench.floor_app:app
"""
from flask import Flask, jsonify, request

from gateway.rpc import RpcPool
from shared.config import component_config

SERVICES = ("bench_echo", "bench_intake")


def create_app(config: dict) -> Flask:
    app = Flask(__name__)
    pool = RpcPool(config["AMQP_URI"], float(config["RPC_TIMEOUT_S"]), int(config["RPC_CALLS_PER_SERVICE"]),
                   float(config["RPC_SLOT_WAIT_S"]), int(config["BREAKER_FAILURES"]), float(config["BREAKER_OPEN_S"]),
                   services=SERVICES)

    @app.post("/echo")
    def echo():
        with pool.cluster("bench_echo") as cluster:
            return jsonify(cluster.bench_echo.echo(request.get_json()))

    @app.post("/file")
    def file():
        with pool.cluster("bench_intake") as cluster:
            return jsonify(cluster.bench_intake.file(request.get_json())), 201

    return app


app = create_app(component_config("gateway"))
