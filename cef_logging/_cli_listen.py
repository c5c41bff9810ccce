"""``cef-logging listen``: arguments, output and exit codes over :mod:`cef_logging.listen`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from typing import IO, TYPE_CHECKING, Any, Final

from ._display import display, tolerant
from .listen import DEFAULT_PORTS, MAX_MESSAGE_SIZE, Listener, Problem, Received, is_loopback
from .listen import parse_address as _parse_address
from .parse import CEFEvent, event_to_dict

if TYPE_CHECKING:
    from .lint import Finding, Linter

__all__ = ["add_parser", "run"]

PROG: Final = "cef-logging listen"
_SEVERITIES: Final = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_FACILITIES: Final = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
                      "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
                      "clock", *(f"local{i}" for i in range(8)))  # fmt: skip

_DESCRIPTION: Final = """\
Receive syslog (RFC 5424 and RFC 3164; UDP datagrams; TCP and TLS with octet-counted or
newline framing, detected per connection) and HTTP batches (POST, one record per line,
gzip accepted, as HTTPBatchHandler sends them), take the syslog header off, and print
each CEF/LEEF event as parsed - what a SIEM would get. Point your application's handler
at it. Several transports (and several addresses per transport) can be given at once.

Addresses are HOST:PORT, [IPV6]:PORT or just PORT. Without a host, and by default, only
the loopback interface (127.0.0.1) is bound: to accept messages from other machines you
must name the interface explicitly, e.g. --udp 0.0.0.0:5514 (a warning is printed).
Port 0 picks a free port; the bound addresses are printed on stderr.
Without any transport option: --udp 127.0.0.1:5514 --tcp 127.0.0.1:5514."""

_EPILOG: Final = """\
exit status:
  0  stopped with Ctrl-C (SIGINT) or SIGTERM - a summary is printed on stderr - or
     --count messages received, all parsed (and, with --lint, without error findings)
  1  --count reached with parse failures (or lint errors), or --timeout expired first
  2  usage error, an address that cannot be bound, or an unreadable certificate

examples:
  cef-logging listen                                  # UDP and TCP on 127.0.0.1:5514
  cef-logging listen --tcp 6514 --http 8088 --lint    # loopback only
  cef-logging listen --tls 0.0.0.0:6514 --certfile cert.pem --keyfile key.pem
  cef-logging listen --udp 0 --count 1 --format json  # scripts: one event, then exit"""


def add_parser(subparsers: Any) -> None:
    """Register the ``listen`` command on the ``cef-logging`` sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "listen",
        help="receive syslog/HTTP from your app and print the CEF/LEEF events a SIEM would get",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_transport_arguments(parser)
    _add_display_arguments(parser)
    _add_run_arguments(parser)
    parser.set_defaults(func=_command)


def _add_transport_arguments(parser: argparse.ArgumentParser) -> None:
    """--udp, --tcp, --tls, --http, --https and the TLS certificate files."""
    group = parser.add_argument_group("transports (each may be repeated)")
    for name, what in (("udp", "syslog over UDP"), ("tcp", "syslog over TCP"),
                       ("tls", "syslog over TLS (needs --certfile)"),
                       ("http", "HTTP batches"), ("https", "HTTP batches over TLS")):  # fmt: skip
        group.add_argument(
            f"--{name}", action="append", metavar="HOST:PORT", default=None,
            help=f"{what}; loopback unless HOST is given (default port {DEFAULT_PORTS[name]})",
        )  # fmt: skip
    parser.add_argument("--certfile", metavar="FILE", help="PEM certificate for --tls/--https")
    parser.add_argument("--keyfile", metavar="FILE", help="PEM key (if not in --certfile)")


def _add_display_arguments(parser: argparse.ArgumentParser) -> None:
    """How each message is shown: --format, --lint (--select, --ignore) and --raw."""
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a readable block per message; json: one object per line",
    )
    parser.add_argument(
        "--lint", action="store_true", help="lint each message (the rules of 'cef-logging lint')"
    )
    parser.add_argument(
        "--select",
        metavar="CODES",
        default=None,
        help="lint with only these rules: comma-separated codes or prefixes (implies --lint)",
    )
    parser.add_argument(
        "--ignore",
        metavar="CODES",
        default=None,
        help="lint without these rules: comma-separated codes or prefixes (implies --lint)",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="also show each message as received, syslog header included (escaped)",
    )


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Parsing, when to stop and where the events go: --strict, --count, --timeout,
    --output and --max-message-size."""
    parser.add_argument(
        "--strict", action="store_true", help="parse strictly (default: leniently, like most SIEMs)"
    )
    parser.add_argument("--count", type=_positive_int, metavar="N", help="exit after N messages")
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="with --count: give up (exit 1) after SECONDS",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the events to FILE instead of stdout"
    )
    parser.add_argument(
        "--max-message-size",
        type=_positive_int,
        metavar="BYTES",
        default=MAX_MESSAGE_SIZE,
        help=f"cut longer messages (default {MAX_MESSAGE_SIZE})",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """The ``func`` the main parser dispatches to (``out``/``err`` are the process's)."""
    return run(args)


# ----------------------------------------------------------------------------- output


def _syslog_text(received: Received) -> str:
    header = received.header
    if header is None:
        return ""
    facility = _FACILITIES[header.facility] if header.facility < len(_FACILITIES) else "?"
    parts = [f"<{header.pri}> {facility}.{_SEVERITIES[header.severity]}"]
    for label, value in (("time", header.timestamp), ("host", header.hostname),
                         ("app", header.app_name), ("procid", header.procid),
                         ("msgid", header.msgid)):  # fmt: skip
        if value is not None:
            parts.append(f"{label}={display(value)}")
    if header.structured_data not in (None, "-"):
        parts.append(f"sd={display(header.structured_data or '')}")
    return " ".join(parts)


def _format_label(received: Received) -> str:
    header = received.header
    if received.transport.startswith("http"):
        return "http body line"
    if header is None:
        return "no syslog header"
    return {"rfc5424": "RFC 5424", "rfc3164": "RFC 3164", "pri": "<PRI> only"}[header.format]


def render_text(
    number: int, received: Received, findings: list[Finding] | None, raw: bool = False
) -> str:
    """The readable block printed for one message (every untrusted value escaped)."""
    lines = [
        f"#{number} {received.transport} from {received.peer}, {received.framing}, "
        f"{_format_label(received)}"
    ]
    if raw:
        lines.append(f"  raw:          {display(_decode_raw(received.raw))}")
    syslog = _syslog_text(received)
    if syslog:
        lines.append(f"  syslog:       {syslog}")
    if received.truncated:
        lines.append("  note:         message cut at the size limit (--max-message-size)")
    if received.invalid_utf8:
        lines.append("  note:         not valid UTF-8 (bad bytes shown as U+FFFD)")
    event = received.event
    if event is None:
        error = received.error
        if error is not None:
            lines.append(f"  error:        column {error.position + 1}: {display(error.reason)}")
        lines.append(f"  message:      {display(received.message)}")
    else:
        if isinstance(event, CEFEvent):
            lines.append(
                f"  format:       CEF:{event.cef_version} vendor={display(event.vendor)} "
                f"product={display(event.product)} version={display(event.version)}"
            )
            lines.append(f"  signature_id: {display(event.signature_id)}")
            lines.append(f"  name:         {display(event.name)}")
            lines.append(f"  severity:     {display(event.severity)}")
            pairs = event.extensions
        else:
            lines.append(
                f"  format:       LEEF:{display(event.leef_version)} "
                f"vendor={display(event.vendor)} product={display(event.product)} "
                f"version={display(event.version)}"
            )
            lines.append(f"  event_id:     {display(event.event_id)}")
            lines.append(f"  delimiter:    {display(event.delimiter)}")
            pairs = event.attributes
        if event.prefix:
            lines.append(f"  prefix:       {display(event.prefix)}")
        keys = {key: display(key) for key in pairs}
        width = max((len(k) for k in keys.values()), default=0)
        for key, value in pairs.items():
            lines.append(f"    {keys[key]:<{width}} = {display(value)}")
    for finding in findings or ():
        where = f" ({display(finding.key)})" if finding.key else ""
        lines.append(
            f"  lint:         {finding.severity} {finding.code} column {finding.column}{where}: "
            f"{finding.message}"
        )
    return "\n".join(lines) + "\n"


def _decode_raw(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def render_json(
    number: int, received: Received, findings: list[Finding] | None, raw: bool = False
) -> str:
    """One JSON object on one line (non-ASCII escaped, so nothing reaches a terminal raw)."""
    header = received.header
    obj: dict[str, Any] = {
        "n": number,
        "transport": received.transport,
        "peer": received.peer,
        "framing": received.framing,
        "syslog": None
        if header is None
        else {
            "format": header.format,
            "pri": header.pri,
            "facility": header.facility,
            "severity": header.severity,
            "timestamp": header.timestamp,
            "hostname": header.hostname,
            "app_name": header.app_name,
            "procid": header.procid,
            "msgid": header.msgid,
            "structured_data": header.structured_data,
        },
        "message": received.message,
        "event": None if received.event is None else event_to_dict(received.event),
        "error": None
        if received.error is None
        else {"column": received.error.position + 1, "reason": received.error.reason},
        "truncated": received.truncated,
        "invalid_utf8": received.invalid_utf8,
    }
    if raw:
        obj["raw"] = _decode_raw(received.raw)
    if findings is not None:
        obj["findings"] = [
            {"code": f.code, "severity": f.severity, "column": f.column, "message": f.message,
             "key": f.key}
            for f in findings
        ]  # fmt: skip
    return json.dumps(obj, ensure_ascii=True) + "\n"


# ----------------------------------------------------------------------------- run


class _Tally:
    def __init__(self) -> None:
        self.messages = 0
        self.per_transport: dict[str, int] = {}
        self.parse_failures = 0
        self.findings = {"error": 0, "warning": 0, "info": 0}
        self.lint_failed = 0  # messages with an error finding


def _make_linter(args: argparse.Namespace) -> Linter | None:
    if not (args.lint or args.select or args.ignore):
        return None
    from .lint import Linter

    def codes(text: str | None) -> list[str] | None:
        return None if text is None else [c for c in text.split(",") if c.strip()]

    return Linter(select=codes(args.select), ignore=codes(args.ignore))


def _lint(linter: Linter, received: Received) -> list[Finding]:
    from .lint import Finding

    found: list[Finding] = []
    if received.invalid_utf8 and linter.enabled("LINT002"):
        found.append(Finding("LINT002", "error", 1, "the message is not valid UTF-8"))
    found.extend(linter.line(received.message))
    return found


def _summary(listener: Listener, tally: _Tally, linted: bool, why: str) -> str:
    stats = listener.stats()
    per = ", ".join(f"{name} {n}" for name, n in tally.per_transport.items())
    parts = [_plural(tally.messages, "message") + (f" ({per})" if per else "")]
    parts.append(_plural(tally.parse_failures, "parse failure"))
    if linted:
        f = tally.findings
        parts.append(
            f"findings: {_plural(f['error'], 'error')}, {_plural(f['warning'], 'warning')}, "
            f"{f['info']} info"
        )
    for label, value in (("truncated", stats.truncated), ("not UTF-8", stats.invalid_utf8),
                         ("problems", stats.problems),
                         ("dropped (output too slow)", stats.dropped)):  # fmt: skip
        if value:
            parts.append(f"{value} {label}")
    return f"{PROG}: {why}; " + ", ".join(parts) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _open_output(path: str | None) -> tuple[IO[str], bool]:
    if path is None:
        tolerant(sys.stdout)
        return sys.stdout, False
    return open(path, "w", encoding="utf-8", errors="backslashreplace"), True


class _Stop(Exception):
    pass


def run(args: argparse.Namespace) -> int:
    """Listen as the parsed arguments say; return the exit status."""
    err = sys.stderr
    binds: dict[str, list[tuple[str, int]]] = {}
    try:
        for name in ("udp", "tcp", "tls", "http", "https"):
            for text in getattr(args, name, None) or ():
                try:
                    binds.setdefault(name, []).append(_parse_address(text, name))
                except ValueError as exc:
                    raise ValueError(f"--{name}: {exc}") from None
        if not binds:
            binds = {"udp": [("127.0.0.1", 5514)], "tcp": [("127.0.0.1", 5514)]}
        if args.keyfile and not args.certfile:
            raise ValueError("--keyfile needs --certfile")
        if ("tls" in binds or "https" in binds) and not args.certfile:
            raise ValueError("--tls and --https need --certfile (and --keyfile if separate)")
        if args.timeout is not None and args.count is None:
            raise ValueError("--timeout needs --count")
        linter = _make_linter(args)
        listener = Listener(
            **binds,  # type: ignore[arg-type]
            certfile=args.certfile,
            keyfile=args.keyfile,
            strict=args.strict,
            max_message_size=args.max_message_size,
        )
    except (ValueError, OSError) as exc:
        err.write(f"{PROG}: error: {display(str(exc))}\n")
        return 2
    try:
        listener.start()
    except OSError as exc:
        err.write(f"{PROG}: error: cannot listen: {display(str(exc))}\n")
        return 2
    try:
        out, owned = _open_output(args.output)
    except OSError as exc:
        listener.stop()
        err.write(f"{PROG}: error: cannot write {display(args.output)}: {exc.strerror or exc}\n")
        return 2
    return _serve(args, listener, linter, out, owned, err)


def _announce(args: argparse.Namespace, listener: Listener, err: IO[str]) -> None:
    for name, (host, port) in listener.addresses:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        err.write(f"{PROG}: listening on {name} {where}\n")
        if not is_loopback(host):
            err.write(f"{PROG}: warning: {name} {where} accepts messages from other machines\n")
    if args.count is None:
        err.write(f"{PROG}: press Ctrl-C to stop\n")
    err.flush()


def _serve(
    args: argparse.Namespace,
    listener: Listener,
    linter: Linter | None,
    out: IO[str],
    owned: bool,
    err: IO[str],
) -> int:
    tally = _Tally()
    render = render_json if args.format == "json" else render_text
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    previous = _on_sigterm()
    status = 0
    why = "stopped"
    try:
        _announce(args, listener, err)  # once announced, SIGTERM is handled
        while args.count is None or tally.messages < args.count:
            wait = 0.25 if deadline is None else min(0.25, deadline - time.monotonic())
            if wait <= 0:
                why = f"timed out after {args.timeout:g} s"
                status = 1
                break
            item = listener.get(wait)
            if item is None:
                continue
            if isinstance(item, Problem):
                err.write(f"{PROG}: {item.transport} {item.peer}: {display(item.message)}\n")
                err.flush()
                continue
            tally.messages += 1
            tally.per_transport[item.transport] = tally.per_transport.get(item.transport, 0) + 1
            tally.parse_failures += item.error is not None
            findings = None if linter is None else _lint(linter, item)
            for finding in findings or ():
                tally.findings[finding.severity] += 1
            if findings and any(f.severity == "error" for f in findings):
                tally.lint_failed += 1
            out.write(render(tally.messages, item, findings, args.raw))
            out.flush()
        else:
            why = "--count reached"
            if tally.parse_failures or tally.lint_failed:
                status = 1
    except (KeyboardInterrupt, _Stop):
        why = "stopped"
        status = 0
    finally:
        _restore_sigterm(previous)
        listener.stop()
        if owned:
            out.close()
    err.write(_summary(listener, tally, linter is not None, why))
    err.flush()
    return status


def _on_sigterm() -> Any:
    """SIGTERM stops like Ctrl-C (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: object) -> None:
        raise _Stop

    try:
        return signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # pragma: no cover
        return None


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        try:
            signal.signal(signal.SIGTERM, previous)
        except (ValueError, OSError):  # pragma: no cover
            pass
