#!/usr/bin/env python3
"""sqlmap tamper script of `make security`: puts each payload inside a valid orgwatch cursor.

A cursor (server/cursor.c) is base64url of: u8 version 1 | u8 part count | per part
{u16 length | bytes} | u32 FNV-1a of everything before, all big-endian. The checksum makes the
server refuse any cursor sqlmap would edit, before a keyset value reaches PostgreSQL; yet it
detects corruption, not forgery, so an attacker can forge a cursor holding any keyset value.
This script does that forging for sqlmap: it decodes the real cursor given in
OW_SQLMAP_CURSOR, puts the payload into part number OW_SQLMAP_CURSOR_PART (0-based) and
encodes it again with a correct checksum.

sqlmap hands over the parameter's original value followed by the payload (or, for
"parameter replace" tests, the payload alone): the original cursor is swapped for the
decoded part, so the part becomes "<keyset value><payload>" exactly as for a plain parameter.
"""
import base64
import os
import struct

from lib.core.enums import PRIORITY

__priority__ = PRIORITY.LOWEST


def dependencies():
    pass


def _fnv1a(data):
    h = 2166136261
    for b in data:
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def decode(cursor):
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    count = raw[1]
    parts, at = [], 2
    for _ in range(count):
        (n,) = struct.unpack(">H", raw[at:at + 2])
        parts.append(raw[at + 2:at + 2 + n])
        at += 2 + n
    return parts


def encode(parts):
    pay = bytes([1, len(parts)])
    for p in parts:
        pay += struct.pack(">H", len(p)) + p
    pay += struct.pack(">I", _fnv1a(pay))
    return base64.urlsafe_b64encode(pay).decode("ascii").rstrip("=")


def tamper(payload, **kwargs):
    original = os.environ.get("OW_SQLMAP_CURSOR")
    if not original or not payload:
        return payload
    index = int(os.environ.get("OW_SQLMAP_CURSOR_PART", "0"))
    parts = decode(original)
    if payload.startswith(original):
        value = parts[index] + payload[len(original):].encode("utf-8", "surrogateescape")
    else:
        value = payload.encode("utf-8", "surrogateescape")
    parts[index] = value
    return encode(parts)
