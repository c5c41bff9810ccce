"""The fast path: events whose key sequence was seen before render through one %-template.

The performance trick, in one place: for a key sequence (the field names of one call site,
in order) a *plan* holds the whole extension as a %-template — built-in fields, static
fields and ``key<placeholder>%s`` per field — with the placeholder of :mod:`._extension`
where the structural character goes. An event fills it with its raw values in one C-level
``%``; then :class:`~._extension.ExtensionEscaper` escapes the whole extension at once: one
``bytes.translate`` and a few ``in`` tests tell whether any value needs escaping (usually
none: the placeholders are restored and the line is done), else a few ``str.replace``
passes escape every value in one go.

A plan is made on the *second* sighting of a key sequence (a bounded "seen once" set is
the doorkeeper), so that events whose key sets vary never pay for plans that are never
reused; until then the pairs are one template joined from cached per-key pieces
(:meth:`FastPath.body_template`) and filled the same way. Anything unusual — exceptions,
overrides, None or dict values, non-str header values — returns None and takes the general
path of :mod:`.render`, which renders the same bytes (``tests/test_fast_path.py`` proves it
property by property).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ._cache import BoundedCache, Doorkeeper, size_of
from ._extension import PLACEHOLDER
from ._keys import unique
from ._layout import Layout
from ._truncate import truncate
from .events import OVERRIDE_KEYS, EventParts
from .field_maps import flatten

__all__ = ["PLAIN_TYPES", "FastPath", "Plan"]

#: Value types whose ``%s`` is already their text (bool and subclasses are not).
PLAIN_TYPES: Final = frozenset({str, int, float})
_PLAN_ENTRIES: Final = 2048
_PLAN_BYTES: Final = 4 << 20


class Plan:
    """A key sequence's extension templates (with and without ``msg``) and their
    placeholder counts."""

    __slots__ = ("with_msg", "with_n", "without_msg", "without_n")

    def __init__(self, with_msg: str, with_n: int, without_msg: str, without_n: int) -> None:
        self.with_msg = with_msg
        self.with_n = with_n
        self.without_msg = without_msg
        self.without_n = without_n


_MISSING: Final = Plan("", 0, "", 0)  # "no plan yet", as distinct from None ("none")


class FastPath:
    """``render(parts)``: the line, or None when the event needs the general path."""

    __slots__ = (
        "_base_pairs", "_delim_slot", "_door", "_escape", "_flatten", "_fmt_part", "_hcache",
        "_head", "_header", "_is_cef", "_layout", "_max_length", "_msg_pfx", "_pipes", "_plans",
        "_sep", "_sev_cache", "_sev_pfx", "_severity", "_static_part", "_timestamp",
        "_to_text", "_ts_pfx", "prefixes",
    )  # fmt: skip

    def __init__(self, layout: Layout) -> None:
        self._layout = layout
        ext = layout.ext
        self._escape = ext.escape
        # layout attributes read per event, as slots of this object
        self._is_cef = layout.is_cef
        self._flatten = layout.flatten
        self._to_text = layout.to_text
        self._timestamp = layout.timestamp
        self._head = layout.prefix
        self._delim_slot = layout.delim_slot
        self._max_length = layout.max_length
        self._severity = layout.severity
        self._sev_cache = layout.severity._cache
        self._plans: BoundedCache[Plan | None] = BoundedCache(_PLAN_ENTRIES, _PLAN_BYTES)
        self._door = Doorkeeper(_PLAN_ENTRIES * 2)
        #: field name -> its :meth:`field_template`, or None when it does not come through
        #: unchanged
        self.prefixes: BoundedCache[str | None] = BoundedCache(4096, 1 << 20)
        self._hcache = layout.hcache
        self._header = layout.header
        self._pipes = 7 if layout.is_cef else (6 if layout.delim_slot else 5)
        # the extension's built-in head, for events without a plan
        pair = ext.pair
        sep = self._sep = ext.sep
        self._ts_pfx = f"{layout.ts_key}{pair}"
        self._msg_pfx = f"{sep}{layout.msg_key}{pair}"
        self._sev_pfx = f"{sep}{layout.sev_key}{pair}"
        fmt_pair = layout.ts_format_pair
        self._fmt_part = f"{sep}{fmt_pair[0]}{pair}{fmt_pair[1]}" if fmt_pair else ""
        self._static_part = "".join(f"{sep}{k}{pair}{t}" for k, t in layout.static)
        self._base_pairs = (
            1 + (1 if fmt_pair else 0) + (0 if layout.is_cef else 1) + len(layout.static)
            - (0 if pair == PLACEHOLDER else 1)
        )  # fmt: skip

    # ------------------------------------------------------------------------- plans

    def _plan(self, keys: tuple[str, ...]) -> Plan | None:
        """Make and keep the plan of a key sequence (None: it has none)."""
        layout = self._layout
        plan: Plan | None = None
        if OVERRIDE_KEYS.isdisjoint(keys):
            taken = set(layout.reserved)
            prefixes: list[str] = []
            for raw in keys:
                key, _ = layout.keys.lookup(raw)
                if key in layout.excluded:
                    break
                key = unique(key, taken)
                taken.add(key)
                prefixes.append(key)
            else:
                plan = self._templates(prefixes)
        return self._plans.put(keys, plan, 3 * size_of(keys))

    def _templates(self, keys: list[str]) -> Plan:
        layout = self._layout
        ext = layout.ext
        pair = ext.pair

        def pct(text: str) -> str:
            return text.replace("%", "%%")

        head = [f"{layout.ts_key}{pair}%s"]
        if not layout.is_cef:
            if layout.ts_format_pair:
                head.append(f"{layout.ts_format_pair[0]}{pair}{pct(layout.ts_format_pair[1])}")
            head.append(f"{layout.sev_key}{pair}%s")
        tail = [f"{k}{pair}{pct(t)}" for k, t in layout.static]
        tail += [f"{k}{pair}%s" for k in keys]
        msg = [f"{layout.msg_key}{pair}%s"]
        sep = ext.sep
        with_parts = head + msg + tail
        without_parts = head + tail
        extra = 0 if ext.pair == PLACEHOLDER else -1
        return Plan(
            sep.join(with_parts), len(with_parts) + extra,
            sep.join(without_parts), len(without_parts) + extra,
        )  # fmt: skip

    def field_template(self, raw: str) -> str | None:
        """``<sep>key<pair>%s`` for a field name that comes through unchanged, else None
        (learnt once per name; see :attr:`prefixes`)."""
        try:
            return self.prefixes[raw]
        except KeyError:
            pass
        key, plain = self._layout.keys.lookup(raw)
        template = None
        if plain and raw not in OVERRIDE_KEYS:
            template = f"{self._sep}{key.replace('%', '%%')}{self._layout.ext.pair}%s"
        return self.prefixes.put(raw, template, 2 * len(key) + 64)

    def body_template(self, keys: Sequence[str]) -> str | None:
        """The %-template of the pairs of ``keys`` (one ``%s`` per value, each pair led by
        the separator); None if a key does not come through unchanged."""
        try:
            # a name not seen yet or not plain has no template: joining None raises TypeError
            return "".join(map(self.prefixes.get, keys))  # type: ignore[arg-type]
        except TypeError:
            pass
        out: list[str] = []
        try:
            for raw in keys:
                template = self.field_template(raw)
                if template is None:
                    return None
                out.append(template)
        except TypeError:  # an unhashable key
            return None
        return "".join(out)

    @property
    def is_cef(self) -> bool:
        """Renders CEF (else LEEF)."""
        return self._is_cef

    def known_plan(self, keys: tuple[str, ...]) -> Plan | bool | None:
        """The plan of a key sequence; None if it has none, False if not decided yet."""
        plan = self._plans.get(keys, _MISSING)
        return False if plan is _MISSING else plan

    # ------------------------------------------------------------------------ render

    def render(self, parts: EventParts) -> str | None:
        keys = parts.keys
        message = parts.message
        event_id = parts.event_id
        if (
            keys is None
            or type(message) is not str
            or type(event_id) is not str
            or not event_id
            or parts.exc_info is not None
            or parts.exc_text
            or parts.stack_info
        ):
            return None
        name = parts.name
        if type(name) is not str:
            if self._is_cef:
                return None
            name = ""
        values = parts.values
        if not PLAIN_TYPES.issuperset(map(type, values)):
            if self._flatten and any(isinstance(v, dict) for v in values):
                # nested fields (field_map): their dotted names take the same plans
                flat = flatten(dict(zip(keys, values, strict=True)))
                keys, values = tuple(flat), tuple(flat.values())
            if any(v is None for v in values):
                return None
            to_text = self._to_text
            values = [v if type(v) is str else to_text(v) for v in values]
        sev = self._sev(parts.levelno)
        ts = self._ts(parts.created)
        if ts is None:
            return None
        try:
            filled = self._fill(keys, values, ts, sev, message)
        except ValueError:  # an int too long for str(): the general path copes
            return None
        if filled is None:
            return None
        return self.finish(filled[0], filled[1], event_id, name, sev)

    def _sev(self, level: object) -> int:
        sev = self._sev_cache.get(level) if type(level) is int else None
        if sev is None:
            sev = self._severity.severity(level)
        return 1 if sev < 1 and not self._is_cef else sev  # QRadar's sev is 1-10

    def _ts(self, created: object) -> str | None:
        """The rendered time; None when the general path must decide (it uses "now")."""
        if type(created) is tuple:  # RenderedTime
            return created[0]  # type: ignore[no-any-return]
        timestamp = self._timestamp
        if timestamp is None or created is None:
            return None
        try:
            return timestamp(created)  # type: ignore[arg-type]
        except Exception:  # NaN, out of range
            return None

    def _fill(
        self, keys: tuple[str, ...], values: Sequence[object], ts: str, sev: int, message: str
    ) -> tuple[str, int] | None:
        """The placeholder extension and its placeholder count: through the key sequence's
        plan (one is made on its second sighting), else joined from per-key prefixes; None
        when the general path must render it (a key that does not come through plain)."""
        plan = self._plans.get(keys, _MISSING)
        if plan is _MISSING and self._door.admit(keys):
            plan = self._plan(keys)
        if plan is None:
            return None
        if plan is not _MISSING:
            if self._is_cef:
                if message:
                    return plan.with_msg % (ts, message, *values), plan.with_n
                return plan.without_msg % (ts, *values), plan.without_n
            if message:
                return plan.with_msg % (ts, sev, message, *values), plan.with_n
            return plan.without_msg % (ts, sev, *values), plan.without_n
        body = self.body_template(keys)
        if body is None:
            return None
        return self.unplanned(body % tuple(values), len(keys), ts, sev, message)

    def unplanned(self, body: str, count: int, ts: str, sev: int, message: str) -> tuple[str, int]:
        """The placeholder extension and its placeholder count of an event without a plan:
        the built-in and static fields, then ``body``, the filled :meth:`body_template` of
        ``count`` fields."""
        n = self._base_pairs + count
        if self._is_cef:
            head = f"{self._ts_pfx}{ts}"
        else:
            head = f"{self._ts_pfx}{ts}{self._fmt_part}{self._sev_pfx}{sev}"
        if message:
            head = f"{head}{self._msg_pfx}{message}"
            n += 1
        return f"{head}{self._static_part}{body}", n

    def finish(self, ext: str, n: int, event_id: str, name: str, sev: int) -> str | None:
        """Escape the extension (see :mod:`._extension`) and add the header; None if a
        value held a NUL (the general path escapes value by value)."""
        escaped = self._escape(ext, n)
        if escaped is None:
            return None
        hcache = self._hcache
        try:
            sig = hcache[event_id]
        except KeyError:
            sig = self._header(event_id)
        if self._is_cef:
            try:
                name_text = hcache[name]
            except KeyError:
                name_text = self._header(name)
            line = f"{self._head}{sig}|{name_text}|{sev}|{escaped}"
        else:
            line = f"{self._head}{sig}|{self._delim_slot}{escaped}"
        if self._max_length is not None:
            layout = self._layout
            return truncate(
                line, self._max_length, layout.sep, layout.trunc_key or "truncated", self._pipes
            )
        return line
