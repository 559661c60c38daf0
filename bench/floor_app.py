"""The floor a report stands on, served as the gateway is: gunicorn with gateway/gunicorn.conf.py
(gthread workers, the same RPC pool), one nameko RPC to bench.echo_service per request, no
sign-in check, no audit row, no database.

    GATEWAY_BIND=127.0.0.1:8402 gunicorn -c gateway/gunicorn.conf.py bench.floor_app:app
"""
import os

from flask import Flask, jsonify, request

from gateway.rpc import RpcPool


def create_app() -> Flask:
    app = Flask(__name__)
    pool = RpcPool(os.environ["AMQP_URI"], timeout_s=float(os.environ.get("RPC_TIMEOUT_S", "10")),
                   size=int(os.environ.get("RPC_POOL_SIZE", "8")))

    @app.post("/echo")
    def echo():
        with pool.cluster() as cluster:
            return jsonify(cluster.bench_echo.echo(request.get_json()))

    return app


app = create_app()
