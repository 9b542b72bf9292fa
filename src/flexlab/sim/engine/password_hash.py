"""IOS secret hashes: type 9 (scrypt) and type 8 (PBKDF2-SHA256), as IOS stores
`username X secret 0 P` and `enable secret 0 P` and shows them in running-config.

Format ``$9$<salt>$<hash>``: a 14-character salt from IOS's alphabet ``./0-9A-Za-z``, scrypt
N=16384 r=1 p=1 (type 8: PBKDF2-HMAC-SHA256, 20000 rounds), 32 bytes encoded in standard
base64 translated to that alphabet, padding dropped.

A real router draws a salt per secret; this lab draws one salt per lab process, so each
distinct password is hashed once (scrypt costs ~40 ms and would otherwise delay boot by that
much per node and stall the event loop on each login). Hashes verified once are remembered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

CISCO_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_CISCO = str.maketrans(_STD_ALPHABET, CISCO_ALPHABET)
SALT_LENGTH = 14
PBKDF2_ROUNDS = 20000
SCRYPT_N, SCRYPT_R, SCRYPT_P = 16384, 1, 1

#: One salt per lab process (see the module docstring).
_LAB_SALT = "".join(secrets.choice(CISCO_ALPHABET) for _ in range(SALT_LENGTH))


def _encode(digest: bytes) -> str:
    return base64.b64encode(digest).decode().translate(_TO_CISCO).rstrip("=")


def _digest(kind: int, password: str, salt: str) -> str:
    if kind == 9:
        raw = hashlib.scrypt(password.encode(), salt=salt.encode(), n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    elif kind == 8:
        raw = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ROUNDS, 32)
    else:
        raise ValueError(f"type {kind} is not a PBKDF2/scrypt secret")
    return _encode(raw)


def hash_secret(password: str, kind: int = 9, salt: str | None = None) -> str:
    """``$9$salt$hash`` (or ``$8$...``) of ``password``; the lab salt unless one is given."""
    return _hashed(password, kind, salt or _LAB_SALT)


@lru_cache(maxsize=256)
def _hashed(password: str, kind: int, salt: str) -> str:
    return f"${kind}${salt}${_digest(kind, password, salt)}"


def verify_secret(kind: int, stored: str, password: str) -> bool:
    """True when ``password`` hashes to ``stored`` (a type 8 or 9 string). The hash of the
    right password is usually cached since the secret was stored."""
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != "" or parts[1] != str(kind) or len(parts[2]) != SALT_LENGTH:
        return False
    return hmac.compare_digest(_hashed(password, kind, parts[2]), stored)
