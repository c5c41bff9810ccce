"""LEEF to a file, configured from examples/leef_file.yaml (needs PyYAML).

    python3 examples/leef_file.py [LOG_DIR]
"""

from __future__ import annotations

import logging
import logging.config
import os
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    log_dir = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="cef-logging-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((HERE / "leef_file.yaml").read_text(encoding="utf-8"))
    handler = config["handlers"]["leef_file"]
    handler["filename"] = os.fspath(log_dir / handler["filename"])
    logging.config.dictConfig(config)
    log = logging.getLogger("IdentityMesh.Service.IdentityMeshEngine")
    try:
        raise ConnectionError("Server unavailable")
    except ConnectionError:
        log.exception(
            "Connector run %s failed after %s ms", "AD-East", 4128,
            extra={"ConnectorName": "AD-East", "Elapsed": 4128, "CycleId": "cf0d9a91"},
        )  # fmt: skip
    logging.shutdown()
    print(Path(handler["filename"]).read_text(encoding="utf-8"), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
