"""moto server, seeded with a fleet in its own process before it answers.

    python -m benchmarks.moto_seeded SPEC_JSON STATE_DIR

SPEC_JSON: ``{"targets": [{"account": ..., "region": ...}], "vpcs": N}``. It binds a free loopback port
first (port 0: no race with other servers for it), then touches every target's region (moto makes its
default VPC) and adds N VPCs, through moto's own backends: ~1.5 ms a VPC, where CreateVpc over HTTP costs
~10 ms of moto's single process (1,500 VPCs: 2 s instead of 15-40 s). Then it writes STATE_DIR/seeded and
STATE_DIR/moto.url and serves as ``moto_server`` does (same application, same request handler). If
seeding fails (moto's backends are not a public API), it says why on stderr and serves an unseeded moto:
no ``seeded`` file, and the caller seeds over HTTP instead.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path


def cidr(i):
    return "10.{}.{}.0/24".format(i // 250, i % 250)


def seed(spec):
    from moto.ec2.models import ec2_backends

    for target in spec["targets"]:
        backend = ec2_backends[target["account"]][target["region"]]  # the default VPC comes with it
        for i in range(spec["vpcs"]):
            backend.create_vpc(cidr_block=cidr(i))


def main(argv=None):
    spec_file, state = argv or sys.argv[1:]
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # as moto_server sets it
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    os.environ.setdefault("MOTO_PORT", str(server.port))  # as moto_server sets it
    try:
        seed(json.loads(Path(spec_file).read_text()))
        Path(state, "seeded").write_text("ok\n")
    except Exception:  # pylint: disable=broad-exception-caught
        traceback.print_exc()
        sys.stderr.write("moto_seeded: in-process seeding failed; serving an unseeded moto\n")
        sys.stderr.flush()
    Path(state, "moto.url").write_text("http://127.0.0.1:{}".format(server.port))
    server.serve_forever()


if __name__ == "__main__":
    main()
