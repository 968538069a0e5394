"""moto's S3 server on 127.0.0.1, one request at a time: `python -m tests.s3.motoserver PORT`.

`python -m moto.server` serves each request in a thread of its own, and moto checks a
conditional PUT's If-Match / If-None-Match and then stores the object without a lock, so two
racing conditional writes can both pass the check (docs/s3.md, "What moto lacks"). Real S3,
MinIO, OSS and OBS decide them atomically; serving one request at a time gives the tests
that same atomicity, so a race they lose is our bug, not moto's.
"""

from __future__ import annotations

import sys

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def main(port: int) -> None:
    application = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, application, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(int(sys.argv[1]))
