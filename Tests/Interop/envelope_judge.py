"""An independent implementation of SealedBid bid envelopes v1, used as a judge for the Swift one.

Written from docs/spec/envelope-v1.md, hpke-profile-v1.md, primitives-v1.md and
https://c2sp.org/chunked-encryption only. Section names in comments refer to envelope-v1
unless stated otherwise.

Usage (one JSON object on stdout; exit 0 ok, 1 format/verification failure, 2 usage error):
  envelope_judge.py seal --tender T --bidder B --ed25519-seed HEX32
        --envelope NAME:STAGE:RECIPIENT_PUBKEY_HEX:PLAINTEXT_PATH [--envelope ...]
        [--escrow-key PUBKEY_HEX] --out PATH
  envelope_judge.py verify PATH [--tender T] [--bidder B]
  envelope_judge.py open PATH --envelope NAME --stage STAGE --private-key HEX32
        [--tender T] [--bidder B] [--escrow] --out PLAINTEXT_PATH
      (with --escrow, --stage may be omitted: the bidder's self-check opens no particular stage)
  envelope_judge.py hpke-keygen
"""
import argparse
import hashlib
import hmac
import json
import os
import struct
import sys
import tempfile

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

# --- Constants ("File layout", "Suite 0x0001", C2SP chunked-encryption) -----------------------

MAGIC = b"SBID\r\n\x1a\n"
VERSION = 0x0001
SUITE_ID = 0x0001
MIN_HEADER, MAX_HEADER = 64, 74829                # 74829: the largest well-formed header ("core")
SIG_ED25519, SIG_ECDSA_X509 = 0x01, 0x02
MAX_ENVELOPES = 16
MAX_CERTS, MAX_CERT_LEN = 4, 16384
PK_LEN, ENC_LEN, WRAPPED_LEN, MAC_LEN, SIG_LEN, DIGEST_LEN = 65, 65, 48, 32, 64, 32
PROOF_LEN = 64                                     # wrap_proof: c || z ("Key-wrap proof")
SALT_LEN, COMMIT_LEN, TAG_LEN = 24, 32, 16
PREFIX_LEN = SALT_LEN + COMMIT_LEN                 # 56: salt || commitment
CHUNK_PT = 16384                                   # plaintext chunk size
CHUNK_CT = CHUNK_PT + TAG_LEN                      # 16400
MAX_CHUNKS = 2 ** 32                               # "with at most 2^32 chunks" (Opening step 5)
MERKLE_BLOCK = 1048576                             # "Payload digest"

C2SP_INFO_PREFIX = b"c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\x00"
LABEL_WRAP = b"sealbid/envelope-v1 key-wrap\x00"
LABEL_ESCROW = b"sealbid/envelope-v1 escrow\x00"
LABEL_PAYLOAD = b"sealbid/envelope-v1 payload\x00"
LABEL_MAC = b"sealbid/envelope-v1 header-mac\x00"
LABEL_SIG = b"sealbid/envelope-v1 signature\x00"
LABEL_BID_DIGEST = b"sealbid/envelope-v1 bid-digest\x00"
LABEL_WRAP_EPH = b"sealbid/envelope-v1 wrap-ephemeral\x00"
LABEL_ESCROW_EPH = b"sealbid/envelope-v1 escrow-ephemeral\x00"
WRAP_PROOF_DST = b"sealbid/envelope-v1 wrap-proof"

HPKE = CipherSuite.new(KEMId.DHKEM_P256_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)

# Identifier charsets ("Conventions").
ID_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/@+-")
NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_-")


class BidError(Exception):
    """A format or verification failure carrying one of the spec's error codes ("Opening")."""

    def __init__(self, code, detail):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


class UsageError(Exception):
    pass


def valid_id(s, max_len, charset):
    return 1 <= len(s) <= max_len and all(c in charset for c in s)


# --- P-256 points (hpke-profile-v1 "Keys and serialization") ---------------------------------

P256_P = 2 ** 256 - 2 ** 224 + 2 ** 192 + 2 ** 96 - 1
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def hpke_point_problem(b):
    """DeserializePublicKey checks, in the profile's order; returns None if b is acceptable."""
    if len(b) != 65:
        return "invalid-length"
    if b[0] != 0x04:
        return "invalid-point-encoding"
    x, y = int.from_bytes(b[1:33], "big"), int.from_bytes(b[33:], "big")
    if x >= P256_P or y >= P256_P:
        return "invalid-point-encoding"
    if (y * y - (x * x * x - 3 * x + P256_B)) % P256_P != 0:
        return "point-not-on-curve"  # (0, 0) is not on the curve, so the identity cannot appear
    return None


def hpke_private_key(hex_sk):
    """DeserializePrivateKey: 32 bytes, 1 <= sk < n. Returns (sk_bytes, SerializePublicKey(pk))."""
    try:
        sk = bytes.fromhex(hex_sk)
    except ValueError:
        raise UsageError("private key is not hex")
    if len(sk) != 32 or not 0 < int.from_bytes(sk, "big") < P256_N:
        raise UsageError("private key must be 32 bytes encoding a scalar in [1, n-1]")
    pub = ec.derive_private_key(int.from_bytes(sk, "big"), ec.SECP256R1()).public_key()
    return sk, pub.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


# --- Ed25519, strict policy (primitives-v1 "Ed25519", = libsodium 1.0.18) --------------------
# OpenSSL already rejects S >= L and compares encode([S]B - [k]A) with R byte for byte
# (cofactorless); we add the checks libsodium makes and OpenSSL does not: canonical A, and
# A and R not of small order (any encoding, either sign bit).

ED_P = 2 ** 255 - 19
ED_L = 2 ** 252 + 27742317777372353535851937790883648493
_ED_Y8 = 0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826  # y of an order-8 point
ED_SMALL_ORDER_Y = {0, 1, ED_P - 1, _ED_Y8, ED_P - _ED_Y8}  # y of all 8 points of order | 8


def _ed_y(enc):
    return int.from_bytes(enc, "little") & ((1 << 255) - 1)


def ed25519_verify_strict(pk, sig, msg):
    if len(pk) != 32 or len(sig) != 64:
        return False
    if int.from_bytes(sig[32:], "little") >= ED_L:          # non-canonical S
        return False
    if _ed_y(sig[:32]) % ED_P in ED_SMALL_ORDER_Y:          # small-order R
        return False
    if _ed_y(pk) >= ED_P or _ed_y(pk) in ED_SMALL_ORDER_Y:  # non-canonical or small-order A
        return False
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
        return True
    except (InvalidSignature, ValueError):
        return False


# --- Derivations ("Derivations") -------------------------------------------------------------

# --- Key-wrap proof ("Key-wrap proof") --------------------------------------------------------
# P-256 affine arithmetic in plain Python integers, for this judge only: pyca/cryptography does
# not expose point addition, and the judge must verify proofs without the Swift code.
P256_P = 2 ** 256 - 2 ** 224 + 2 ** 192 + 2 ** 96 - 1
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def _ec_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P256_P == 0:
        return None
    if a == b:
        lam = (3 * a[0] * a[0] - 3) * pow(2 * a[1], -1, P256_P) % P256_P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, P256_P) % P256_P
    x = (lam * lam - a[0] - b[0]) % P256_P
    return (x, (lam * (a[0] - x) - a[1]) % P256_P)


def _ec_mul(k, point):
    result = None
    while k:
        if k & 1:
            result = _ec_add(result, point)
        point = _ec_add(point, point)
        k >>= 1
    return result


def _ec_decode(b):
    x, y = int.from_bytes(b[1:33], "big"), int.from_bytes(b[33:65], "big")
    assert b[0] == 0x04 and (y * y - x ** 3 + 3 * x - P256_B) % P256_P == 0
    return (x, y)


def _ec_encode(point):
    return b"\x04" + point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big")


def hash_to_scalar(msg, dst):
    """RFC 9380 hash_to_field for the P-256 scalar field, expand_message_xmd(SHA-256), L = 48."""
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha256(b"\x00" * 64 + msg + (48).to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    b1 = hashlib.sha256(b0 + b"\x01" + dst_prime).digest()
    b2 = hashlib.sha256(bytes(x ^ y for x, y in zip(b0, b1)) + b"\x02" + dst_prime).digest()
    return int.from_bytes((b1 + b2)[:48], "big") % P256_N


def wrap_proof(e_int, enc, rkey, bind):
    r = 1 + int.from_bytes(os.urandom(48), "big") % (P256_N - 1)
    big_r = ec.derive_private_key(r, ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)
    c = hash_to_scalar(bind + rkey + enc + big_r, WRAP_PROOF_DST)
    return c.to_bytes(32, "big") + ((r + c * e_int) % P256_N).to_bytes(32, "big")


def wrap_proof_valid(proof, enc, rkey, bind):
    c, z = int.from_bytes(proof[:32], "big"), int.from_bytes(proof[32:], "big")
    if c >= P256_N or z >= P256_N:
        return False
    big_r = _ec_add(_ec_mul(z, P256_G), _ec_mul((P256_N - c) % P256_N, _ec_decode(enc)))
    if big_r is None:
        return False
    return hash_to_scalar(bind + rkey + enc + _ec_encode(big_r), WRAP_PROOF_DST) == c


def lp8(s):
    return bytes([len(s)]) + s


def binding(tender, bidder, name, stage):
    return lp8(tender) + lp8(bidder) + lp8(name) + lp8(stage)


def hkdf_expand(prk, info, length):
    return HKDFExpand(algorithm=hashes.SHA256(), length=length, info=info).derive(prk)


def payload_keys(k, salt, bind):
    """key || base_nonce || commitment = HKDF-Expand(K, c2sp info || salt || context, 76)."""
    out = hkdf_expand(k, C2SP_INFO_PREFIX + salt + LABEL_PAYLOAD + bind, 76)
    return out[:32], out[32:44], out[44:]


def chunk_nonce(base_nonce, j):
    """base_nonce XOR I2OSP(j, 12) (C2SP "AEAD usage")."""
    return bytes(a ^ b for a, b in zip(base_nonce, j.to_bytes(12, "big")))


def header_mac(k, bind, core):
    return hmac.new(hkdf_expand(k, LABEL_MAC + bind, 32), core, hashlib.sha256).digest()


def bid_digest(header):
    """"Bid digest": over core || macs, the header without its (malleable) signature."""
    return hashlib.sha256(LABEL_BID_DIGEST + header[:len(header) - SIG_LEN]).digest()


def seal_derived(k, rkey, bind, escrow):
    """HPKE.SealDerived ("Derivations"): the wrap of k with the ephemeral key derived from k."""
    eph_label, info_label = (LABEL_ESCROW_EPH, LABEL_ESCROW) if escrow else (LABEL_WRAP_EPH, LABEL_WRAP)
    eph = HPKE.kem.derive_key_pair(hkdf_expand(k, eph_label + bind + rkey, 32))
    enc, ctx = HPKE.create_sender_context(HPKE.kem.deserialize_public_key(rkey), info=info_label + bind, eks=eph)
    return enc, ctx.seal(k, aad=b""), eph


def chunk_count(payload_length):
    """Number of chunks for a valid chunked-encryption length, else None (Opening step 5)."""
    if payload_length < PREFIX_LEN + TAG_LEN or (payload_length - PREFIX_LEN) % CHUNK_CT < TAG_LEN:
        return None
    count = (payload_length - PREFIX_LEN) // CHUNK_CT + 1
    return count if count <= MAX_CHUNKS else None


class MerkleDigest:
    """RFC 9162 §2.1.1 MTH over 1 MiB blocks of a byte stream ("Payload digest").

    Streaming form: completed perfect subtrees are kept on a stack (sizes strictly decreasing);
    folding the stack from the right gives exactly the split-at-largest-power-of-two tree.
    """

    def __init__(self):
        self.stack = []          # [(size_in_leaves, hash)]
        self.block = hashlib.sha256(b"\x00")
        self.block_len = 0

    def update(self, data):
        view = memoryview(data)
        while len(view):
            take = min(len(view), MERKLE_BLOCK - self.block_len)
            self.block.update(view[:take])
            self.block_len += take
            view = view[take:]
            if self.block_len == MERKLE_BLOCK:
                self._push_leaf()

    def _push_leaf(self):
        self.stack.append((1, self.block.digest()))
        self.block, self.block_len = hashlib.sha256(b"\x00"), 0
        while len(self.stack) >= 2 and self.stack[-1][0] == self.stack[-2][0]:
            (size, right), (_, left) = self.stack.pop(), self.stack.pop()
            self.stack.append((2 * size, hashlib.sha256(b"\x01" + left + right).digest()))

    def digest(self):
        if self.block_len:       # a partial last block (it is full when the length is a multiple of 1 MiB)
            self._push_leaf()
        if not self.stack:       # cannot happen for valid payloads (>= 72 bytes)
            raise ValueError("empty payload")
        acc = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            acc = hashlib.sha256(b"\x01" + left + acc).digest()
        return acc


# --- Parsing: Opening steps 1 to 6 -----------------------------------------------------------

class Cursor:
    """Bounds-checked reader over the header; any overrun is malformed-header (step 3)."""

    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos

    def take(self, n):
        if n > len(self.buf) - self.pos:
            raise BidError("malformed-header", f"field at offset {self.pos} runs past header_length")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def lp8(self):
        return self.take(self.u8())


def read_fixed(f, file_size):
    """Steps 1 and 2 on the 16 fixed bytes; returns header_length."""
    pre = f.read(16)
    have = min(len(pre), 8)
    if have == 0 or pre[:have] != MAGIC[:have]:
        raise BidError("not-a-bid", "magic does not match")
    if len(pre) < 16:  # step 1: below 16 bytes only the magic is examined
        raise BidError("truncated", "the input is shorter than the 16-byte prefix")
    version = struct.unpack(">H", pre[8:10])[0]
    if version != VERSION:
        raise BidError("unsupported-version", f"version {version:#06x}")
    suite = struct.unpack(">H", pre[10:12])[0]
    if suite != SUITE_ID:
        raise BidError("unsupported-suite", f"suite {suite:#06x}")
    header_length = struct.unpack(">I", pre[12:16])[0]
    if not MIN_HEADER <= header_length <= MAX_HEADER:
        raise BidError("malformed-header", f"header_length {header_length} out of range")
    if header_length > file_size:
        raise BidError("truncated", f"header_length {header_length} > file size {file_size}")
    return header_length


def parse_bid(f):
    """Opening steps 1 to 6 on an open file; returns a dict describing the bid."""
    try:
        return _parse_bid(f)
    except (struct.error, IndexError) as exc:  # Cursor bounds every read; this is a safety net
        raise BidError("malformed-header", f"decoding error: {exc}")


def _parse_bid(f):
    file_size = os.fstat(f.fileno()).st_size
    f.seek(0)
    header_length = read_fixed(f, file_size)
    f.seek(0)
    header = f.read(header_length)  # allocation bounded by step 2 (<= 74829 bytes and <= file size)
    if len(header) != header_length:
        raise BidError("truncated", "short read of header")

    # Step 3: every field decodes within header_length ("core" table).
    c = Cursor(header, 16)
    tender, bidder = c.lp8(), c.lp8()
    sig_alg = c.u8()
    signer = {"sig_alg": sig_alg}
    if sig_alg == SIG_ED25519:
        signer["public_key"] = c.take(32)
    elif sig_alg == SIG_ECDSA_X509:
        cert_count = c.u8()
        if not 1 <= cert_count <= MAX_CERTS:
            raise BidError("malformed-header", f"cert_count {cert_count}")
        certs = []
        for _ in range(cert_count):
            length = c.u16()
            if not 1 <= length <= MAX_CERT_LEN:
                raise BidError("malformed-header", f"certificate length {length}")
            certs.append(c.take(length))
        signer["certs"] = certs
    else:
        # The rest cannot be decoded without knowing the signer's size. Step 4 lists the
        # identifier checks before sig_alg, so report those first.
        check_ids(tender, bidder)
        raise BidError("unsupported-signature-algorithm", f"sig_alg {sig_alg:#04x}")
    count = c.u8()
    if not 1 <= count <= MAX_ENVELOPES:
        raise BidError("malformed-header", f"envelope_count {count}")
    entries = []
    for _ in range(count):
        e = {"name": c.lp8(), "stage": c.lp8(), "recipient_key": c.take(PK_LEN),
             "enc": c.take(ENC_LEN), "wrapped_key": c.take(WRAPPED_LEN), "wrap_proof": c.take(PROOF_LEN),
             "escrow": c.u8()}
        if e["escrow"] == 0x01:
            e["escrow_key"], e["escrow_enc"] = c.take(PK_LEN), c.take(ENC_LEN)
            e["escrow_wrapped_key"] = c.take(WRAPPED_LEN)
        elif e["escrow"] != 0x00:
            raise BidError("malformed-header", f"escrow flag {e['escrow']:#04x}")
        e["payload_length"], e["payload_digest"] = c.u64(), c.take(DIGEST_LEN)
        entries.append(e)
    core_end = c.pos
    if header_length - core_end != count * MAC_LEN + SIG_LEN:
        raise BidError("malformed-header",
                       f"{header_length - core_end} bytes after core, expected {count * MAC_LEN + SIG_LEN}")
    for e in entries:
        e["mac"] = c.take(MAC_LEN)
    signature = c.take(SIG_LEN)

    # Step 4: identifiers, distinct names, certificates, points.
    check_ids(tender, bidder)
    for i, cert in enumerate(signer.get("certs", [])):
        try:  # pyca/cryptography parses strict DER only, with nothing left over
            x509.load_der_x509_certificate(cert)
        except ValueError as exc:
            raise BidError("malformed-header", f"certificate {i} is not an X.509 certificate in DER: {exc}")
    names = set()
    for i, e in enumerate(entries):
        if not valid_id(e["name"], 32, NAME_CHARS):
            raise BidError("malformed-header", f"envelope {i}: invalid envelope name")
        if not valid_id(e["stage"], 32, NAME_CHARS):
            raise BidError("malformed-header", f"envelope {i}: invalid stage name")
        if e["name"] in names:
            raise BidError("malformed-header", f"envelope {i}: duplicate name {e['name'].decode()}")
        names.add(e["name"])
        for field in ("recipient_key", "enc", "escrow_key", "escrow_enc"):
            if field in e:
                problem = hpke_point_problem(e[field])
                if problem:
                    raise BidError("malformed-header", f"envelope {i}: {field}: {problem}")

    # Step 5: payload lengths are valid chunked-encryption lengths.
    for i, e in enumerate(entries):
        if chunk_count(e["payload_length"]) is None:
            raise BidError("malformed-header", f"envelope {i}: invalid payload_length {e['payload_length']}")

    # Step 6: file length.
    expected = header_length + sum(e["payload_length"] for e in entries)
    if file_size < expected:
        raise BidError("truncated", f"file is {file_size} bytes, header says {expected}")
    if file_size > expected:
        raise BidError("trailing-data", f"file is {file_size} bytes, header says {expected}")

    offset = header_length
    for e in entries:
        e["offset"] = offset
        offset += e["payload_length"]
    return {"header": header, "core": header[:core_end], "tender": tender, "bidder": bidder,
            "signer": signer, "entries": entries, "signature": signature,
            "header_length": header_length, "bid_digest": bid_digest(header)}


def check_ids(tender, bidder):
    if not valid_id(tender, 128, ID_CHARS):
        raise BidError("malformed-header", "invalid tender id")
    if not valid_id(bidder, 128, ID_CHARS):
        raise BidError("malformed-header", "invalid bidder id")


def signed_message(bid):
    return LABEL_SIG + bid["core"] + b"".join(e["mac"] for e in bid["entries"])


def verify_signature(bid):
    """Opening step 7. Returns extra report fields. Chains are not checked (no trust anchors)."""
    msg, sig, signer = signed_message(bid), bid["signature"], bid["signer"]
    if signer["sig_alg"] == SIG_ED25519:
        if not ed25519_verify_strict(signer["public_key"], sig, msg):
            raise BidError("bad-signature", "Ed25519 signature does not verify (strict policy)")
        return {"sig_alg": "ed25519"}
    try:
        leaf_key = x509.load_der_x509_certificate(signer["certs"][0]).public_key()
    except Exception as exc:  # ValueError, UnsupportedAlgorithm: no envelope-level code exists
        raise BidError("bad-signature", f"leaf certificate or its key does not parse: {exc}")
    if not isinstance(leaf_key, ec.EllipticCurvePublicKey) or leaf_key.curve.name != "secp256r1":
        raise BidError("bad-signature", "leaf certificate key is not P-256")
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    if not (0 < r < P256_N and 0 < s < P256_N):
        raise BidError("bad-signature", "ECDSA r or s out of range")
    try:
        leaf_key.verify(encode_dss_signature(r, s), msg, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BidError("bad-signature", "ECDSA signature does not verify")
    return {"sig_alg": "ecdsa-p256-x509", "chain": "not checked"}


def read_exact(f, offset, n):
    f.seek(offset)
    data = f.read(n)
    if len(data) != n:
        raise BidError("truncated", "file shrank while reading")
    return data


# --- verify ----------------------------------------------------------------------------------

def check_expected_ids(bid, tender, bidder):
    """Opening step 8, first half: the ids the caller expects (only those given are checked)."""
    if tender is not None and bid["tender"] != tender.encode():
        raise BidError("wrong-tender", f"bid is for tender {bid['tender'].decode()}")
    if bidder is not None and bid["bidder"] != bidder.encode():
        raise BidError("wrong-bidder", f"bid is from bidder {bid['bidder'].decode()}")


def cmd_verify(path, tender=None, bidder=None):
    """Steps 1 to 8 without keys (no stage or recipient to check), every wrap_proof, then every
    payload_digest ("verify")."""
    with open(path, "rb") as f:
        bid = parse_bid(f)
        extra = verify_signature(bid)
        check_expected_ids(bid, tender, bidder)
        for e in bid["entries"]:
            bind = binding(bid["tender"], bid["bidder"], e["name"], e["stage"])
            if not wrap_proof_valid(e["wrap_proof"], e["enc"], e["recipient_key"], bind):
                raise BidError("bad-wrap-proof", f"envelope {e['name'].decode()}")
        envelopes = []
        for i, e in enumerate(bid["entries"]):
            md = MerkleDigest()
            f.seek(e["offset"])
            left = e["payload_length"]
            while left:
                block = f.read(min(left, MERKLE_BLOCK))
                if not block:
                    raise BidError("truncated", "file shrank while reading")
                md.update(block)
                left -= len(block)
            if not hmac.compare_digest(md.digest(), e["payload_digest"]):
                raise BidError("payload-digest-mismatch", f"envelope {i} ({e['name'].decode()})")
            envelopes.append({"name": e["name"].decode(), "stage": e["stage"].decode(),
                              "payload_length": e["payload_length"],
                              "payload_digest": e["payload_digest"].hex()})
    return {"ok": True, "tender": bid["tender"].decode(), "bidder": bid["bidder"].decode(),
            "bid_digest": bid["bid_digest"].hex(), **extra, "envelopes": envelopes}


# --- open: Opening steps 1 to 10 -------------------------------------------------------------

def cmd_open(path, name, stage, private_key_hex, tender, bidder, escrow, out):
    sk, my_pub = hpke_private_key(private_key_hex)
    with open(path, "rb") as f:
        bid = parse_bid(f)                                  # steps 1-6
        extra = verify_signature(bid)                       # step 7
        # Step 8: caller expectations.
        check_expected_ids(bid, tender, bidder)
        matches = [e for e in bid["entries"] if e["name"] == name.encode()]
        if not matches:
            raise BidError("no-such-envelope", f"no envelope named {name}")
        e = matches[0]
        if stage is not None and e["stage"] != stage.encode():
            raise BidError("wrong-stage", f"envelope is for stage {e['stage'].decode()}")
        if escrow:
            if e["escrow"] != 0x01:
                raise BidError("wrong-recipient", "envelope has no escrow copy")
            rkey, enc, wrapped, label = e["escrow_key"], e["escrow_enc"], e["escrow_wrapped_key"], LABEL_ESCROW
        else:
            rkey, enc, wrapped, label = e["recipient_key"], e["enc"], e["wrapped_key"], LABEL_WRAP
        if rkey != my_pub:
            raise BidError("wrong-recipient", "private key does not match the recipient key")
        # Step 9: the key-wrap proof (committee opening only), unwrap K_i, then check mac_i.
        bind = binding(bid["tender"], bid["bidder"], e["name"], e["stage"])
        if not escrow and not wrap_proof_valid(e["wrap_proof"], e["enc"], e["recipient_key"], bind):
            raise BidError("bad-wrap-proof", "the key-wrap proof does not verify")
        try:
            ctx = HPKE.create_recipient_context(enc, HPKE.kem.deserialize_private_key(sk), info=label + bind)
            k = ctx.open(wrapped, aad=b"")
        except Exception:  # pyhpke raises several types; all are an unwrap failure
            raise BidError("key-unwrap-failed", "HPKE open failed")
        if len(k) != 32:
            raise BidError("key-unwrap-failed", "unwrapped key is not 32 bytes")
        # Step 9.3 (committee) or the escrow path: the wraps are the ones k derives.
        if seal_derived(k, e["recipient_key"], bind, False)[:2] != (e["enc"], e["wrapped_key"]):
            raise BidError("wrap-mismatch", "the committee wrap is not the one the envelope key derives")
        if escrow and seal_derived(k, e["escrow_key"], bind, True)[:2] != (e["escrow_enc"], e["escrow_wrapped_key"]):
            raise BidError("wrap-mismatch", "the escrow wrap is not the one the envelope key derives")
        if not hmac.compare_digest(header_mac(k, bind, bid["core"]), e["mac"]):
            raise BidError("header-mac-invalid", "mac does not verify under the envelope key")
        # Step 10.
        digest = decrypt_payload(f, e, k, bind, out)
    return {"ok": True, "plaintext_sha256": digest, "bid_digest": bid["bid_digest"].hex(), **extra}


def decrypt_payload(f, e, k, bind, out):
    """C2SP chunked decryption of payload e into out (temp file + rename). Returns sha256 hex."""
    length, base = e["payload_length"], e["offset"]
    prefix = read_exact(f, base, PREFIX_LEN)
    salt, commitment = prefix[:SALT_LEN], prefix[SALT_LEN:]
    key, base_nonce, expected_commitment = payload_keys(k, salt, bind)
    if not hmac.compare_digest(commitment, expected_commitment):
        raise BidError("payload-commitment-mismatch", "commitment does not match the derived value")
    aead = AESGCM(key)
    n = chunk_count(length)
    last = n - 1
    last_len = length - PREFIX_LEN - last * CHUNK_CT
    if not TAG_LEN <= last_len < CHUNK_CT:  # short final chunk; guaranteed by step 5
        raise BidError("truncated", "final chunk is not short")

    def open_chunk(j, ct):
        try:
            return aead.decrypt(chunk_nonce(base_nonce, j), ct, b"")
        except InvalidTag:
            raise BidError("payload-authentication-failed", f"chunk {j} does not authenticate")

    # Random access is available: authenticate the final chunk first (Opening, first paragraph).
    last_ct = read_exact(f, base + PREFIX_LEN + last * CHUNK_CT, last_len)
    last_pt = open_chunk(last, last_ct)

    out_dir = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".envelope-judge-", suffix=".tmp")
    try:
        md, sha = MerkleDigest(), hashlib.sha256()
        md.update(prefix)
        with os.fdopen(fd, "wb") as w:
            f.seek(base + PREFIX_LEN)
            for j in range(last):
                ct = f.read(CHUNK_CT)
                if len(ct) != CHUNK_CT:
                    raise BidError("truncated", "file shrank while reading")
                md.update(ct)
                pt = open_chunk(j, ct)
                sha.update(pt)
                w.write(pt)
            md.update(last_ct)
            sha.update(last_pt)
            w.write(last_pt)
        if not hmac.compare_digest(md.digest(), e["payload_digest"]):
            raise BidError("payload-digest-mismatch", "payload_digest does not match the payload")
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return sha.hexdigest()


# --- seal ("Sealing") ------------------------------------------------------------------------

def ed25519_signer(seed):
    """Returns (signer field bytes, sign function) for sig_alg 0x01."""
    key = Ed25519PrivateKey.from_private_bytes(seed)
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return bytes([SIG_ED25519]) + pub, key.sign


def seal_bid(tender, bidder, envelopes, escrow_key, signer, out):
    """envelopes: [(name, stage, recipient_key, plaintext_path)], all bytes except the path.

    signer = (signer field bytes, sign(message) -> 64 bytes); tests may pass an ECDSA signer.
    """
    if not valid_id(tender, 128, ID_CHARS) or not valid_id(bidder, 128, ID_CHARS):
        raise UsageError("invalid tender or bidder id")
    if not 1 <= len(envelopes) <= MAX_ENVELOPES:
        raise UsageError("need 1 to 16 envelopes")
    if len({env[0] for env in envelopes}) != len(envelopes):
        raise UsageError("envelope names must be distinct")
    for name, stage, rkey, _ in envelopes:
        if not valid_id(name, 32, NAME_CHARS) or not valid_id(stage, 32, NAME_CHARS):
            raise UsageError("invalid envelope or stage name")
        if hpke_point_problem(rkey):
            raise UsageError(f"recipient key: {hpke_point_problem(rkey)}")
    if escrow_key is not None and hpke_point_problem(escrow_key):
        raise UsageError(f"escrow key: {hpke_point_problem(escrow_key)}")
    signer_field, sign = signer

    # Every size is known up front, so header_length is too ("Sealing").
    plan = []
    for name, stage, rkey, path in envelopes:
        pt_len = os.path.getsize(path)
        chunks = pt_len // CHUNK_PT + 1
        if chunks > MAX_CHUNKS:
            raise UsageError(f"{path} is too large")
        plan.append((name, stage, rkey, path, PREFIX_LEN + pt_len + chunks * TAG_LEN))
    entry_len = lambda name, stage: (2 + len(name) + len(stage) + PK_LEN + ENC_LEN + WRAPPED_LEN + PROOF_LEN + 1
                                     + (PK_LEN + ENC_LEN + WRAPPED_LEN if escrow_key else 0) + 8 + DIGEST_LEN)
    core_len = (16 + 2 + len(tender) + len(bidder) + len(signer_field) + 1
                + sum(entry_len(p[0], p[1]) for p in plan))
    header_length = core_len + MAC_LEN * len(plan) + SIG_LEN
    if not MIN_HEADER <= header_length <= MAX_HEADER:
        raise UsageError(f"header_length {header_length} out of range")

    out_dir = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".envelope-judge-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as w:
            w.write(b"\x00" * header_length)   # reserved; payloads first, then the header
            entries, keys = [], []
            for name, stage, rkey, path, payload_length in plan:
                k, salt = os.urandom(32), os.urandom(SALT_LEN)
                bind = binding(tender, bidder, name, stage)
                # The ephemeral keys are derived from k ("Derivations"), so the sealer knows e and
                # whoever holds k recomputes the wraps.
                enc, wrapped, eph = seal_derived(k, rkey, bind, False)
                e_int = int.from_bytes(eph.private_key.to_private_bytes(), "big")
                entry = lp8(name) + lp8(stage) + rkey + enc + wrapped + wrap_proof(e_int, enc, rkey, bind)
                if escrow_key:
                    eenc, ewrapped, _ = seal_derived(k, escrow_key, bind, True)
                    entry += b"\x01" + escrow_key + eenc + ewrapped
                else:
                    entry += b"\x00"
                digest = encrypt_payload(w, k, salt, bind, path, payload_length)
                entries.append(entry + struct.pack(">Q", payload_length) + digest)
                keys.append((k, bind))
            core = (MAGIC + struct.pack(">HHI", VERSION, SUITE_ID, header_length) + lp8(tender) + lp8(bidder)
                    + signer_field + bytes([len(entries)]) + b"".join(entries))
            assert len(core) == core_len
            macs = b"".join(header_mac(k, bind, core) for k, bind in keys)
            signature = sign(LABEL_SIG + core + macs)
            header = core + macs + signature
            assert len(header) == header_length and len(signature) == SIG_LEN
            w.seek(0)
            w.write(header)
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return {"ok": True, "bid_digest": bid_digest(header).hex(), "header_length": header_length}


def encrypt_payload(w, k, salt, bind, path, payload_length):
    """payload = salt || commitment || chunk_0 .. chunk_m (C2SP); returns its Merkle digest."""
    key, base_nonce, commitment = payload_keys(k, salt, bind)
    aead, md, written = AESGCM(key), MerkleDigest(), 0

    def emit(data):
        nonlocal written
        w.write(data)
        md.update(data)
        written += len(data)

    emit(salt + commitment)
    with open(path, "rb") as r:
        j = 0
        while True:
            pt = r.read(CHUNK_PT)
            emit(aead.encrypt(chunk_nonce(base_nonce, j), pt, b""))
            j += 1
            if len(pt) < CHUNK_PT:   # the final chunk is short, possibly empty
                break
    if written != payload_length:
        raise UsageError(f"{path} changed size while sealing")
    return md.digest()


# --- hpke-keygen -----------------------------------------------------------------------------

def cmd_keygen():
    while True:  # rejection sampling in [1, n-1] (hpke-profile-v1 GenerateKeyPair)
        sk = os.urandom(32)
        if 0 < int.from_bytes(sk, "big") < P256_N:
            break
    _, pk = hpke_private_key(sk.hex())
    return {"private_key": sk.hex(), "public_key": pk.hex()}


# --- CLI -------------------------------------------------------------------------------------

class JsonArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse_hex(value, length, what):
    try:
        b = bytes.fromhex(value)
    except ValueError:
        raise UsageError(f"{what} is not hex")
    if len(b) != length:
        raise UsageError(f"{what} must be {length} bytes")
    return b


def main(argv):
    ap = JsonArgumentParser(prog="envelope_judge.py")
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=JsonArgumentParser)
    s = sub.add_parser("seal")
    s.add_argument("--tender", required=True)
    s.add_argument("--bidder", required=True)
    s.add_argument("--ed25519-seed", required=True)
    s.add_argument("--envelope", action="append", required=True)
    s.add_argument("--escrow-key")
    s.add_argument("--out", required=True)
    v = sub.add_parser("verify")
    v.add_argument("path")
    v.add_argument("--tender")
    v.add_argument("--bidder")
    o = sub.add_parser("open")
    o.add_argument("path")
    o.add_argument("--envelope", required=True)
    o.add_argument("--stage")
    o.add_argument("--private-key", required=True)
    o.add_argument("--tender")
    o.add_argument("--bidder")
    o.add_argument("--escrow", action="store_true")
    o.add_argument("--out", required=True)
    sub.add_parser("hpke-keygen")
    args = ap.parse_args(argv)

    if args.cmd == "seal":
        envelopes = []
        for spec in args.envelope:
            parts = spec.split(":", 3)
            if len(parts) != 4:
                raise UsageError("--envelope is NAME:STAGE:RECIPIENT_PUBKEY_HEX:PLAINTEXT_PATH")
            name, stage, rkey, path = parts
            envelopes.append((name.encode(), stage.encode(), parse_hex(rkey, PK_LEN, "recipient key"), path))
        escrow = parse_hex(args.escrow_key, PK_LEN, "escrow key") if args.escrow_key else None
        signer = ed25519_signer(parse_hex(args.ed25519_seed, 32, "Ed25519 seed"))
        return seal_bid(args.tender.encode(), args.bidder.encode(), envelopes, escrow, signer, args.out)
    if args.cmd == "verify":
        return cmd_verify(args.path, args.tender, args.bidder)
    if args.cmd == "open":
        if args.stage is None and not args.escrow:
            raise UsageError("--stage is required unless --escrow is given")
        return cmd_open(args.path, args.envelope, args.stage, args.private_key, args.tender, args.bidder,
                        args.escrow, args.out)
    return cmd_keygen()


if __name__ == "__main__":
    try:
        result, status = main(sys.argv[1:]), 0
    except BidError as exc:
        result, status = {"ok": False, "error": exc.code, "detail": exc.detail}, 1
    except UsageError as exc:
        result, status = {"ok": False, "error": "usage", "detail": str(exc)}, 2
    except OSError as exc:
        result, status = {"ok": False, "error": "io-error", "detail": f"{exc.strerror}: {exc.filename}"}, 2
    print(json.dumps(result))
    sys.exit(status)
