"""LEEF to a size-rotated file, configured from ``examples/leef_file.yaml``.

    pip install "cef-logging[yaml]"          # PyYAML, to read the YAML configuration
    python3 examples/leef_file.py [LOG_DIR]

Writes ``identitymesh-leef.log`` into LOG_DIR (created if needed). Without LOG_DIR it writes
into a temporary directory and removes it at the end. The file's lines go to stdout, its
name to stderr.
"""

from __future__ import annotations

import logging
import logging.config
import os
import sys
import tempfile
from pathlib import Path

try:
    import cef_logging  # noqa: F401
except ImportError:  # run from a source checkout without installing: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent


def write_and_show(log_dir: Path) -> None:
    import yaml

    log_dir.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((HERE / "leef_file.yaml").read_text(encoding="utf-8"))
    handler = config["handlers"]["leef_file"]
    handler["filename"] = os.fspath(log_dir / handler["filename"])
    logging.config.dictConfig(config)
    log = logging.getLogger("IdentityMesh.Service.IdentityMeshEngine")
    try:
        try:
            raise ConnectionError("Server unavailable")
        except ConnectionError:
            log.exception(
                "Connector run %s failed after %s ms", "AD-East", 4128,
                extra={"ConnectorName": "AD-East", "Elapsed": 4128, "CycleId": "cf0d9a91"},
            )  # fmt: skip
    finally:
        for h in logging.getLogger().handlers[:]:
            logging.getLogger().removeHandler(h)
            h.close()
    print(f"== {handler['filename']}", file=sys.stderr, flush=True)
    print(Path(handler["filename"]).read_text(encoding="utf-8"), end="", flush=True)


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: python3 examples/leef_file.py [LOG_DIR]", file=sys.stderr)
        return 2
    try:
        import yaml  # noqa: F401
    except ImportError:
        print('leef_file.py needs PyYAML to read leef_file.yaml: pip install "cef-logging[yaml]"',
              file=sys.stderr)  # fmt: skip
        return 2
    if argv:
        write_and_show(Path(argv[0]))
    else:
        with tempfile.TemporaryDirectory(prefix="cef-logging-example-") as tmp:
            write_and_show(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
